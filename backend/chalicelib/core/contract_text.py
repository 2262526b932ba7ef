"""The written STIS agreement for one request, in one language, and its SHA-256.

The district supplies the terms (the Education Code 51747 elements) as
sections whose text may use ``$placeholders``; this module fills them in and
adds the facts of the request and the signature lines. Every signer is shown
exactly this text and signs its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from string import Template

PLACEHOLDERS = frozenset(
    {
        "district",
        "school",
        "student",
        "grade",
        "teachers",
        "principal",
        "first_day",
        "last_day",
        "school_days",
        "school_year",
    }
)

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}

_LABELS = {
    "en": {
        "title": "Short-Term Independent Study Agreement",
        "student": "Student",
        "grade": "Grade",
        "school": "School",
        "school_year": "School year",
        "dates": "Dates of independent study",
        "school_days": "School days",
        "teachers": "Supervising teacher(s)",
        "principal": "Principal",
        "days_listed": "School days covered",
        "signatures": "Signatures",
        "guardian_line": "Parent or guardian",
        "teacher_line": "Supervising teacher",
        "principal_line": "Principal",
        "student_line": "Student",
        "student_on_return": ("The student signs a paper copy of this agreement on returning to school."),
        "student_before": "The student signs this agreement before independent study begins.",
        "electronic": (
            "The parent or guardian, teacher(s) and principal sign electronically, in that order."
        ),
    },
    "es": {
        "title": "Acuerdo de Estudio Independiente a Corto Plazo",
        "student": "Estudiante",
        "grade": "Grado",
        "school": "Escuela",
        "school_year": "Ciclo escolar",
        "dates": "Fechas del estudio independiente",
        "school_days": "Días de clase",
        "teachers": "Maestro(s) a cargo",
        "principal": "Director(a)",
        "days_listed": "Días de clase incluidos",
        "signatures": "Firmas",
        "guardian_line": "Padre, madre o tutor legal",
        "teacher_line": "Maestro(a) a cargo",
        "principal_line": "Director(a)",
        "student_line": "Estudiante",
        "student_on_return": (
            "El estudiante firma una copia impresa de este acuerdo al regresar a la escuela."
        ),
        "student_before": ("El estudiante firma este acuerdo antes de comenzar el estudio independiente."),
        "electronic": (
            "El padre, la madre o el tutor, el maestro o los maestros y el director firman "
            "electrónicamente, en ese orden."
        ),
    },
}

_GRADE = {
    "en": {"K": "Kindergarten", "TK": "Transitional kindergarten"},
    "es": {"K": "Kínder", "TK": "Kínder de transición"},
}


def format_date(day: date, language: str) -> str:
    """``Monday, January 4, 2027`` or ``lunes 4 de enero de 2027``."""
    weekday = _WEEKDAYS[language][day.weekday()]
    month = _MONTHS[language].split()[day.month - 1]
    if language == "es":
        return f"{weekday} {day.day} de {month} de {day.year}"
    return f"{weekday}, {month} {day.day}, {day.year}"


def format_grade(grade: str, language: str) -> str:
    return _GRADE[language].get(grade, grade)


@dataclass(frozen=True)
class TermsSection:
    heading: str
    body: str


@dataclass(frozen=True)
class ContractFacts:
    district: str
    school: str
    student: str
    grade: str
    teachers: tuple[str, ...]
    principal: str
    school_year: str
    dates: tuple[date, ...]
    student_signs_on_return: bool


def render(facts: ContractFacts, terms: Sequence[TermsSection], language: str) -> str:
    labels = _LABELS[language]
    values = {
        "district": facts.district,
        "school": facts.school,
        "student": facts.student,
        "grade": format_grade(facts.grade, language),
        "teachers": ", ".join(facts.teachers),
        "principal": facts.principal,
        "first_day": format_date(facts.dates[0], language),
        "last_day": format_date(facts.dates[-1], language),
        "school_days": str(len(facts.dates)),
        "school_year": facts.school_year,
    }
    lines = [
        facts.district,
        labels["title"],
        "",
        f"{labels['student']}: {values['student']}",
        f"{labels['grade']}: {values['grade']}",
        f"{labels['school']}: {values['school']}",
        f"{labels['school_year']}: {values['school_year']}",
        f"{labels['teachers']}: {values['teachers']}",
        f"{labels['principal']}: {values['principal']}",
        f"{labels['dates']}: {values['first_day']} - {values['last_day']}",
        f"{labels['school_days']}: {values['school_days']}",
        f"{labels['days_listed']}: " + "; ".join(d.isoformat() for d in facts.dates),
    ]
    for number, section in enumerate(terms, start=1):
        lines += ["", f"{number}. {section.heading}", Template(section.body).substitute(values)]
    lines += ["", labels["signatures"], labels["electronic"]]
    lines.append(labels["student_on_return" if facts.student_signs_on_return else "student_before"])
    lines.append(f"- {labels['guardian_line']}")
    lines += [f"- {labels['teacher_line']}: {name}" for name in facts.teachers]
    lines.append(f"- {labels['principal_line']}: {facts.principal}")
    lines.append(f"- {labels['student_line']}: {facts.student}")
    return "\n".join(lines) + "\n"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
