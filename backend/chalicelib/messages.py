"""What the portal says to people, in English and in Spanish: error messages
for the API, and the labels emails use for states, parties and events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .core.contract_text import format_date
from .core.errors import StisError

Lang = str

STATES: dict[str, dict[Lang, str]] = {
    "awaiting_guardian": {
        "en": "Waiting for the parent or guardian to sign",
        "es": "Pendiente de la firma del padre, la madre o el tutor",
    },
    "awaiting_teacher": {
        "en": "Waiting for the teacher's signature",
        "es": "Pendiente de la firma del maestro",
    },
    "awaiting_principal": {
        "en": "Waiting for the principal's signature",
        "es": "Pendiente de la firma del director",
    },
    "approved": {"en": "Approved", "es": "Aprobado"},
    "declined": {"en": "Declined", "es": "Rechazado"},
    "cancelled": {"en": "Cancelled by the parent or guardian", "es": "Cancelado por la familia"},
    "void": {
        "en": "Void: not fully signed before the first day",
        "es": "Anulado: no se firmó a tiempo antes del primer día",
    },
}

EVENTS: dict[str, dict[Lang, str]] = {
    "submitted": {"en": "Request sent", "es": "Solicitud enviada"},
    "signed": {"en": "Signed", "es": "Firmado"},
    "approved": {"en": "Contract approved", "es": "Contrato aprobado"},
    "declined": {"en": "Declined", "es": "Rechazado"},
    "cancelled": {"en": "Cancelled", "es": "Cancelado"},
    "void": {"en": "Void", "es": "Anulado"},
    "reminded": {"en": "Reminder sent", "es": "Recordatorio enviado"},
    "emailed": {"en": "Email sent", "es": "Correo enviado"},
}

ROLES: dict[str, dict[Lang, str]] = {
    "guardian": {"en": "parent or guardian", "es": "padre, madre o tutor"},
    "teacher": {"en": "teacher", "es": "maestro"},
    "principal": {"en": "principal", "es": "director"},
    "office": {"en": "school office", "es": "oficina de la escuela"},
}


def state_label(state: str, language: Lang) -> str:
    return STATES.get(state, {}).get(language, state)


def audit_label(event: str, language: Lang) -> str:
    return EVENTS.get(event, {}).get(language, event)


def party_label(key: str, role: str, teachers: Mapping[str, str], principal: str, language: Lang) -> str:
    role_name = ROLES.get(role, {}).get(language, role)
    if role == "teacher":
        return f"{teachers.get(key, key)} ({role_name})"
    if role == "principal":
        return f"{principal} ({role_name})"
    return role_name[:1].upper() + role_name[1:]


def datetime_label(moment: datetime, language: Lang) -> str:
    day = format_date(moment.date(), language)
    if language == "es":
        return f"{day}, a las {moment:%H:%M}"
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{day}, at {hour}:{moment:%M} {suffix}"


# --- API errors -----------------------------------------------------------------

GENERAL: dict[str, dict[Lang, str]] = {
    "bad_json": {
        "en": "We could not read what was sent. Please reload the page and try again.",
        "es": "No pudimos leer lo que se envió. Vuelva a cargar la página e inténtelo de nuevo.",
    },
    "fields": {
        "en": "Some answers need to be corrected.",
        "es": "Hay respuestas que debe corregir.",
    },
    "payload_too_large": {
        "en": "What was sent is too large. Please shorten your answers.",
        "es": "Lo que se envió es demasiado largo. Acorte sus respuestas, por favor.",
    },
    "unsupported_media_type": {
        "en": "Please send the form as JSON.",
        "es": "Envíe el formulario en formato JSON.",
    },
    "method_not_allowed": {
        "en": "This address does not accept that kind of request.",
        "es": "Esta dirección no acepta ese tipo de solicitud.",
    },
    "not_found": {
        "en": "We could not find that request. Check the link in your email.",
        "es": "No encontramos esa solicitud. Revise el enlace de su correo.",
    },
    "invalid_token": {
        "en": "This link is not valid for this request. Use the link from your latest email.",
        "es": "Este enlace no es válido para esta solicitud. Use el enlace de su correo más reciente.",
    },
    "missing_token": {
        "en": "Open this page from the link in your email.",
        "es": "Abra esta página desde el enlace de su correo.",
    },
    "request_key_conflict": {
        "en": "This form was already sent with other answers. Reload the page to start a new request.",
        "es": "Este formulario ya se envió con otras respuestas. Vuelva a cargar la página para "
        "empezar una solicitud nueva.",
    },
    "try_again": {
        "en": "Many changes are happening at the same moment. Please wait a few seconds and try again.",
        "es": "Hay muchos cambios al mismo tiempo. Espere unos segundos e inténtelo de nuevo.",
    },
    "unknown_school": {
        "en": "Choose the school from the list.",
        "es": "Elija la escuela de la lista.",
    },
    "unknown_teacher": {
        "en": "Choose the student's teacher from the list for this school.",
        "es": "Elija al maestro del estudiante de la lista de esta escuela.",
    },
    "contract_changed": {
        "en": "The contract changed after you opened it. Please read it again, then sign.",
        "es": "El contrato cambió después de que usted lo abrió. Léalo de nuevo y luego firme.",
    },
    "internal": {
        "en": "Something went wrong on our side. Your answers are safe; please try again later.",
        "es": "Algo falló de nuestro lado. Sus respuestas están a salvo; inténtelo más tarde.",
    },
}

PROBLEMS: dict[str, dict[Lang, str]] = {
    "required": {"en": "This is required.", "es": "Este dato es obligatorio."},
    "repeated": {
        "en": "Each teacher may be chosen only once.",
        "es": "Cada maestro se puede elegir solo una vez.",
    },
    "one_teacher": {
        "en": "At an elementary school, choose the student's one classroom teacher.",
        "es": "En la primaria, elija solo al maestro del salón del estudiante.",
    },
    "too_many": {
        "en": "Choose at most {max} teachers.",
        "es": "Elija como máximo {max} maestros.",
    },
    "last_before_first": {
        "en": "The last day must be the same as the first day or after it.",
        "es": "El último día debe ser el mismo que el primero o posterior.",
    },
    "too_long": {
        "en": "This is too long: at most {max_length} characters.",
        "es": "Es demasiado largo: máximo {max_length} caracteres.",
    },
    "email": {
        "en": "Enter an email address like name@example.com.",
        "es": "Escriba un correo electrónico como nombre@ejemplo.com.",
    },
    "date": {
        "en": "Enter a real date, like 2027-01-04.",
        "es": "Escriba una fecha válida, como 2027-01-04.",
    },
    "choice": {"en": "Choose one of the options.", "es": "Elija una de las opciones."},
    "unexpected": {
        "en": "This field is not part of the form.",
        "es": "Este campo no forma parte del formulario.",
    },
    "agree": {
        "en": "Check the box to say you agree.",
        "es": "Marque la casilla para indicar que está de acuerdo.",
    },
    "text": {"en": "Enter text here.", "es": "Escriba un texto aquí."},
    "invalid": {"en": "This answer is not valid.", "es": "Esta respuesta no es válida."},
    "request_key": {
        "en": "Reload the page and send the form again.",
        "es": "Vuelva a cargar la página y envíe el formulario de nuevo.",
    },
    "sha256": {
        "en": "Reload the page to see the contract, then sign.",
        "es": "Vuelva a cargar la página para ver el contrato y luego firme.",
    },
    "phone": {
        "en": "Enter a phone number using digits, like (555) 010-1234.",
        "es": "Escriba un número de teléfono con dígitos, como (555) 010-1234.",
    },
    "control": {
        "en": "Remove the special characters from this answer.",
        "es": "Quite los caracteres especiales de esta respuesta.",
    },
}

WRONG_STATE: dict[str, dict[Lang, str]] = {
    "ended": {
        "en": "This request is closed ({state}); it can no longer be changed.",
        "es": "Esta solicitud está cerrada ({state}); ya no se puede cambiar.",
    },
    "not_your_turn": {
        "en": "It is not your turn to sign yet. You will get an email when it is.",
        "es": "Todavía no le toca firmar. Recibirá un correo cuando le toque.",
    },
    "already_signed": {
        "en": "You have already signed this request.",
        "es": "Usted ya firmó esta solicitud.",
    },
    "too_late": {
        "en": "The first day has already started, so this can no longer be done.",
        "es": "El primer día ya empezó, así que esto ya no se puede hacer.",
    },
    "not_allowed": {
        "en": "This link cannot do that.",
        "es": "Este enlace no permite hacer eso.",
    },
    "not_agreed": {
        "en": "Check the box to say you agree.",
        "es": "Marque la casilla para indicar que está de acuerdo.",
    },
}


def _day(value: Any, language: Lang) -> str:
    return format_date(value, language) if isinstance(value, date) else str(value)


def rule_message(error: StisError, language: Lang) -> str:
    """The sentence for one refusal, with its facts, in ``language``."""
    d = error.details
    es = language == "es"
    code = error.code
    if code == "not_a_school_day":
        day = _day(d["day"], language)
        return (
            f"El {day} no es día de clases. Elija un día de clases."
            if es
            else f"{day} is not a school day. Choose a school day."
        )
    if code == "outside_school_year":
        if "school_year" in d:
            last = _day(d["last_school_day"], language)
            return (
                f"Las fechas deben quedar dentro de un mismo ciclo escolar; el último día de "
                f"clases del ciclo {d['school_year']} es el {last}."
                if es
                else f"The dates must be in one school year; the last school day of "
                f"{d['school_year']} is {last}."
            )
        day = _day(d["day"], language)
        return f"El {day} está fuera del ciclo escolar." if es else f"{day} is outside the school year."
    if code == "contract_too_long":
        return (
            f"Son {d['days']} días de clase; un contrato puede cubrir como máximo {d['max_days']}."
            if es
            else f"That is {d['days']} school days; one contract covers at most {d['max_days']}."
        )
    if code == "contract_too_short":
        return (
            f"Un contrato debe cubrir al menos {d['min_days']} días de clase."
            if es
            else f"One contract must cover at least {d['min_days']} school days."
        )
    if code == "blackout":
        name = d["name"].get(language, d["name"].get("en", ""))
        start, end = _day(d["start"], language), _day(d["end"], language)
        return (
            f"No se puede pedir estudio independiente durante {name} (del {start} al {end})."
            if es
            else f"Independent study is not available during {name} ({start} to {end})."
        )
    if code == "insufficient_notice":
        earliest = d.get("earliest_first_day")
        hours = d["notice_hours"]
        if es:
            head = (
                f"Estas fechas requieren un aviso de al menos {hours} horas antes de que empiecen "
                f"las clases el primer día."
            )
            tail = (
                f" El primer día más próximo que puede pedir ahora es el {_day(earliest, language)}."
                if earliest
                else " Ya no quedan fechas posibles en este ciclo escolar."
            )
        else:
            head = f"These dates need at least {hours} hours' notice before school starts on the first day."
            tail = (
                f" The earliest first day you can ask for now is {_day(earliest, language)}."
                if earliest
                else " There are no dates left in this school year."
            )
        return head + tail
    if code == "cap_exceeded":
        return (
            f"Esta solicitud es de {d['requested']} días de clase, pero a este estudiante le "
            f"quedan {d['days_remaining']} de los {d['cap']} días permitidos en el ciclo escolar."
            if es
            else f"This request is for {d['requested']} school days, but the student has "
            f"{d['days_remaining']} of the {d['cap']} days allowed this school year left."
        )
    if code == "overlap":
        first, last = _day(d["first_day"], language), _day(d["last_day"], language)
        return (
            f"Estas fechas coinciden con otra solicitud de este estudiante (del {first} al {last})."
            if es
            else f"These dates overlap another request for this student ({first} to {last})."
        )
    if code == "wrong_state":
        template = WRONG_STATE.get(d.get("reason", ""), WRONG_STATE["ended"])
        return template[language].format(state=state_label(d.get("state", ""), language).lower())
    if code == "invalid_input" and "problem" in d:
        return problem_message(d["problem"], language, {"max": d.get("max", "")})
    return GENERAL.get(code, GENERAL["internal"])[language]


def problem_message(problem: str, language: Lang, facts: Mapping[str, Any] | None = None) -> str:
    template = PROBLEMS.get(problem, PROBLEMS["invalid"])[language]
    return template.format(**(facts or {})) if facts else template


def general_message(key: str, language: Lang) -> str:
    return GENERAL[key][language]
