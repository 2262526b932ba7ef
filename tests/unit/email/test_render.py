"""The emails people receive: both parts, both languages, safe to open.

All names, addresses and numbers are fictional (the demo district).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from jinja2 import UndefinedError

from chalicelib.email import KINDS, RenderedEmail, render_email
from chalicelib.email.render import SUBJECT_MAX_CHARS
from chalicelib.i18n import format_date, join_names

LANGUAGES = ("en", "es")  # the demo district's; tests/unit/i18n adds one in a copy
FIRST = date(2027, 1, 11)
LAST = date(2027, 1, 15)


def link_for(language: str) -> str:
    return f"https://stis.alder-creek.example/r/STIS-7F3A2C?t=k9Qx2&lang={language}"


# Words the caller passes in, already in the recipient's language.
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "deadline": "Monday, January 11, 2027 at 8:00 a.m.",
        "grade": "Grade 3",
        "status_label": "Waiting for the parent's signature",
        "changed_label": "Waiting for the principal's signature",
        "whose_turn": "Dana Whitfield, principal",
        "by": "Marisol Alvarado, teacher",
        "family_language": "Spanish",
        "reason": "The class has a unit test that week.",
        "contract": "Alder Creek Unified School District\nShort-Term Independent Study "
        "Agreement\n\nStudent: Mateo Rivera\n",
        "audit": [
            {"at": "Jan 4, 2027, 9:02 a.m.", "event": "Request submitted", "who": "Rosa Rivera"},
            {"at": "Jan 4, 2027, 9:05 a.m.", "event": "Signed", "who": "Rosa Rivera, parent or guardian"},
        ],
        "signatures": [
            {
                "name": "rosa rivera",
                "role": "Parent or guardian",
                "at": "Monday, January 4, 2027 at 9:05 a.m.",
                "pending": False,
            },
            {"name": "Mateo Rivera", "role": "Student", "at": "", "pending": True},
        ],
        "work_due": "Tuesday, January 19, 2027",
        "codes": [
            {"code": "IS", "label": "independent study, work complete (counts as attendance)"},
            {"code": "ISN", "label": "independent study, work not complete (absence)"},
        ],
    },
    "es": {
        "deadline": "lunes 11 de enero de 2027, 8:00 a. m.",
        "grade": "3.er grado",
        "status_label": "Esperando la firma del padre, madre o tutor",
        "changed_label": "Esperando la firma del director",
        "whose_turn": "Dana Whitfield, director o directora",
        "by": "Marisol Alvarado, docente",
        "family_language": "español",
        "reason": "La clase tiene un examen de unidad esa semana.",
        "contract": "Alder Creek Unified School District\nAcuerdo de estudio independiente "
        "a corto plazo\n\nEstudiante: Mateo Rivera\n",
        "audit": [
            {"at": "4 ene 2027, 9:02 a. m.", "event": "Solicitud enviada", "who": "Rosa Rivera"},
            {"at": "4 ene 2027, 9:05 a. m.", "event": "Firmado", "who": "Rosa Rivera, de la familia"},
        ],
        "signatures": [
            {
                "name": "rosa rivera",
                "role": "Padre, madre o tutor legal",
                "at": "lunes, 4 de enero de 2027, 9:05 a. m.",
                "pending": False,
            },
            {"name": "Mateo Rivera", "role": "Estudiante", "at": "", "pending": True},
        ],
        "work_due": "martes, 19 de enero de 2027",
        "codes": [
            {"code": "IS", "label": "estudio independiente con el trabajo completo (cuenta como asistencia)"},
            {"code": "ISN", "label": "estudio independiente sin el trabajo completo (cuenta como falta)"},
        ],
    },
}

SIGNERS = ("guardian", "teacher", "principal")
EVERYONE = ("guardian", "teacher", "principal", "office")
ROLES_FOR = {
    "confirm_and_sign": ("guardian",),
    "review_and_sign": SIGNERS,
    "reminder": SIGNERS,
    "office_new_request": ("office",),
    "status_changed": ("office",),
    "approved": EVERYONE,
    "ended": EVERYONE,
    "ended_early": EVERYONE,
    "record_the_work": ("teacher",),
    "record_reminder": ("teacher",),
    "evaluation_overdue": ("office",),
    "result": ("office", "guardian"),
}
CASES = [(kind, role) for kind in KINDS for role in ROLES_FOR[kind]]
# Every email but the guardian's confirmation, which shows nothing the requester typed.
NAMED = [case for case in CASES if case[0] != "confirm_and_sign"]
RECIPIENTS = {
    "guardian": "Rosa Rivera",
    "teacher": "Marisol Alvarado",
    "principal": "Dana Whitfield",
    "office": "",
}


def make_context(
    kind: str,
    language: str,
    role: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    role = role or ROLES_FOR[kind][0]
    words = WORDS[language]
    context: dict[str, Any] = {
        "district_name": "Alder Creek Unified School District",
        "school_name": "Madrone Elementary School",
        "office_phone": "(555) 010-4410",
        "office_email": "office@madrone.alder-creek.example",
        "student_name": "Mateo Rivera",
        "first_day": format_date(FIRST, language),
        "last_day": format_date(LAST, language),
        "school_days": 5,
        "recipient_name": RECIPIENTS[role],
        "recipient_role": role,
        "request_ref": "STIS-7F3A2C",
        "family_language": words["family_language"],
    }
    if kind == "confirm_and_sign":
        context |= {
            "link": link_for(language),
            "deadline": words["deadline"],
            "student_name": "",
            "recipient_name": "",
        }
    elif kind in {"review_and_sign", "reminder"}:
        context |= {
            "link": link_for(language),
            "deadline": words["deadline"],
            "teachers": ["Marisol Alvarado"],
        }
    elif kind == "office_new_request":
        context |= {
            "guardian_name": "Rosa Rivera",
            "guardian_email": "rosa.rivera@family.example",
            "guardian_phone": "(555) 010-7788",
            "student_id": "200417",
            "grade": words["grade"],
            "teachers": ["Marisol Alvarado"],
            "reason": words["reason"],
            "status_label": words["status_label"],
            "whose_turn": words["whose_turn"],
            "link": link_for(language),
            "signatures": words["signatures"][:1],
        }
    elif kind == "status_changed":
        context |= {
            "status_label": words["changed_label"],
            "whose_turn": words["whose_turn"],
            "link": link_for(language),
            "signatures": words["signatures"],
        }
    elif kind == "approved":
        context |= {
            "link": link_for(language),
            "contract_text": words["contract"],
            "audit": words["audit"],
            "student_signs_on_return": True,
            "signatures": words["signatures"],
            "work_due": words["work_due"],
        }
        if role == "office":
            context |= {
                "student_id": "200417",
                "grade": words["grade"],
                "guardian_name": "Rosa Rivera",
                "guardian_email": "rosa.rivera@family.example",
                "guardian_phone": "(555) 010-7788",
                "teachers": ["Marisol Alvarado"],
                "day_list": [format_date(date(2027, 1, d), language) for d in range(11, 16)],
                "attendance_codes": words["codes"],
            }
    elif kind == "ended_early":
        context |= {
            "new_last_day": format_date(date(2027, 1, 12), language),
            "released_days": 3,
            "reason": words["reason"],
            "link": link_for(language),
        }
    elif kind in {"record_the_work", "record_reminder"}:
        context |= {
            "link": link_for(language),
            "due_date": format_date(date(2027, 1, 25), language),
            "day_list": [format_date(date(2027, 1, d), language) for d in range(11, 16)],
            "student_signs_on_return": True,
        }
    elif kind == "evaluation_overdue":
        context |= {
            "link": link_for(language),
            "due_date": format_date(date(2027, 1, 25), language),
            "waiting_for": "Marisol Alvarado",
        }
    elif kind == "result":
        rows = [
            {
                "date": format_date(date(2027, 1, d), language),
                "result": "credited",
                "code": "IS",
                "label": "x",
            }
            for d in range(11, 16)
        ]
        context |= {
            "link": link_for(language),
            "results": rows,
            "results_table": [{"at": r["date"], "event": r["result"], "who": r["code"]} for r in rows],
            "credited_days": 5,
        }
    elif kind == "ended":
        context |= {
            "state": "declined",
            "signed": False,
            "reason": words["reason"],
            "by": words["by"],
            "link": link_for(language),
        }
    return context | changes


def render(kind: str, language: str, role: str | None = None, **changes: Any) -> RenderedEmail:
    return render_email(kind, language, make_context(kind, language, role, **changes))


def visible_text(html: str) -> str:
    """The words a reader sees in the HTML part (tags and attributes removed)."""
    return re.sub(r"<[^>]*>", " ", html)


# --- Every kind, both languages, both parts ---------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "role"), CASES)
def test_every_email_has_a_subject_a_text_part_and_an_html_part(
    kind: str,
    role: str,
    language: str,
) -> None:
    email = render(kind, language, role)

    assert email.subject.strip()
    assert "\n" not in email.subject
    assert email.text.strip()
    assert email.html.strip()
    assert f'<html lang="{language}">' in email.html
    assert ("Mateo Rivera" if kind != "confirm_and_sign" else "STIS-7F3A2C") in email.subject
    phrase = {"en": "independent study", "es": "estudio independiente"}[language]
    assert phrase in email.subject.lower()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "role"), CASES)
def test_every_email_says_how_to_reach_the_office(kind: str, role: str, language: str) -> None:
    email = render(kind, language, role)

    for part in (email.text, email.html):
        assert "STIS-7F3A2C" in part
        if role == "office":  # the office is not told to call itself
            assert "(555) 010-4410" not in part
            assert "office@madrone.alder-creek.example" not in part
        else:
            assert "(555) 010-4410" in part
            assert "office@madrone.alder-creek.example" in part


@pytest.mark.parametrize(
    ("language", "reads", "thanks", "call"),
    [
        ("en", "The family reads Spanish.", "Thank you,", "call the office"),
        ("es", "La familia lee en español.", "Saludos cordiales,", "llame a la oficina"),
    ],
)
@pytest.mark.parametrize("kind", [k for k in KINDS if "office" in ROLES_FOR[k]])
def test_office_emails_say_the_familys_language_and_do_not_thank_the_office_as_itself(
    kind: str, language: str, reads: str, thanks: str, call: str
) -> None:
    states = ["declined", "cancelled", "void"] if kind == "ended" else [None]
    for state in states:
        changes = {"state": state, "reason": ""} if state else {}
        email = render(kind, language, "office", **changes)
        for part in (email.text, email.html):
            assert reads in part
            assert thanks not in part
            assert call not in part.lower()
            assert "Madrone Elementary School office at" not in part
        # The family's own emails still close with the school's thanks.
    family = render("ended", language, "guardian")
    assert thanks in family.text and "Madrone Elementary School" in family.text.split(thanks)[1]
    assert reads not in family.text


@pytest.mark.parametrize("kind", KINDS)
def test_subjects_differ_between_english_and_spanish(kind: str) -> None:
    assert render(kind, "en").subject != render(kind, "es").subject


def test_the_html_is_phone_sized_and_loads_nothing_from_outside() -> None:
    email = render("approved", "es", "guardian")

    assert 'name="viewport"' in email.html
    assert "max-width:600px" in email.html
    for forbidden in ("<img", "src=", "<link", "<style", "<script", "url(", "@import"):
        assert forbidden not in email.html
    hrefs = set(re.findall(r'href="([^"]*)"', email.html))
    assert hrefs == {link_for("es").replace("&", "&amp;")}


def test_text_part_is_tidy() -> None:
    text = render("ended", "en", "guardian", state="void", reason="").text

    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert "\n\n\n" not in text
    assert all(line == line.rstrip() for line in text.splitlines())


# --- The action link ----------------------------------------------------------


ACTION_CASES = [
    (kind, role)
    for kind, role in CASES
    if kind in {"review_and_sign", "reminder", "ended"} or (kind == "approved" and role != "office")
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "role"), ACTION_CASES)
def test_action_link_is_a_plain_line_in_text_and_a_button_in_html(
    kind: str, role: str, language: str
) -> None:
    link = link_for(language)
    email = render(kind, language, role)

    assert link in [line.strip() for line in email.text.splitlines()]
    assert f'href="{link.replace("&", "&amp;")}"' in email.html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["approved", "ended"])
def test_without_a_link_there_is_no_button(kind: str, language: str) -> None:
    email = render(kind, language, "office", link="")

    assert "href=" not in email.html
    assert "https://" not in email.text


@pytest.mark.parametrize("kind", ["review_and_sign", "reminder"])
def test_a_signing_email_needs_a_real_link(kind: str) -> None:
    with pytest.raises(ValueError, match="link"):
        render(kind, "en", link="")
    with pytest.raises(ValueError, match="link"):
        render(kind, "en", link="javascript:alert(1)")
    with pytest.raises(ValueError, match="link"):
        render(kind, "en", link="https://stis.alder-creek.example/r/1\nBcc: x@evil.example")


# --- Escaping and header safety ---------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", HOSTILE)
@pytest.mark.parametrize("kind", ["office_new_request", "ended"])
def test_free_text_reason_is_escaped_in_html(kind: str, reason: str, language: str) -> None:
    email = render(kind, language, reason=reason)

    assert "<script" not in email.html
    assert "<img" not in email.html
    assert reason.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in email.html
    # The text part is never read as HTML: the family's words appear as written.
    assert reason in email.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "role"), NAMED)
def test_names_and_labels_are_escaped_in_html(kind: str, role: str, language: str) -> None:
    email = render(kind, language, role, student_name='Mateo <b onclick="x()">Rivera</b>')

    assert "<b onclick" not in email.html
    assert "&lt;b onclick=&#34;x()&#34;&gt;" in email.html


def test_contract_text_and_audit_trail_are_escaped_and_keep_their_lines() -> None:
    contract = "Line one <em>\n\n2. Terms & conditions\n    indented line"
    audit = [{"at": "Jan 4", "event": "<script>x</script>", "who": '"><img src=x>'}]
    email = render("approved", "en", "guardian", contract_text=contract, audit=audit)

    assert "<em>" not in email.html
    assert "<script" not in email.html
    assert "<img" not in email.html
    assert "Line one &lt;em&gt;\n\n2. Terms &amp; conditions\n    indented line" in email.html
    assert re.search(r"<pre [^>]*white-space:pre-wrap", email.html)
    assert contract in email.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "role"), NAMED)
def test_subject_cannot_carry_extra_mail_headers(kind: str, role: str, language: str) -> None:
    name = "Mateo\r\nBcc: x@evil.example\u2028\x85Cc:\x00\ty@evil.example\x7f\u202e\x1b"
    email = render(kind, language, role, student_name=name)

    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]", email.subject)
    assert "  " not in email.subject
    assert "Mateo Bcc: x@evil.example Cc: y@evil.example" in email.subject


def test_a_very_long_subject_is_cut_to_200_characters() -> None:
    email = render("status_changed", "en", status_label="Waiting " * 60)

    assert len(email.subject) <= SUBJECT_MAX_CHARS
    assert email.subject.endswith("…")


# --- Mistakes by the caller ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_missing_context_key_raises(kind: str) -> None:
    context = make_context(kind, "en")
    for key in context:
        incomplete = {k: v for k, v in context.items() if k != key}
        with pytest.raises(UndefinedError, match=key):
            render_email(kind, "en", incomplete)


def test_unknown_kind_or_language_raises_value_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        render_email("welcome", "en", make_context("reminder", "en"))
    with pytest.raises(ValueError, match="language"):
        render_email("reminder", "fr", make_context("reminder", "en"))
    with pytest.raises(ValueError, match="language"):
        render_email("reminder", "EN", make_context("reminder", "en"))


def test_wrong_recipient_or_end_state_raises_value_error() -> None:
    with pytest.raises(ValueError, match="office"):
        render("review_and_sign", "en", "office")
    with pytest.raises(ValueError, match="guardian"):
        render("office_new_request", "en", "guardian")
    with pytest.raises(ValueError, match="state"):
        render("ended", "en", state="withdrawn")
    with pytest.raises(ValueError, match="office"):
        render("confirm_and_sign", "en", "office")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_shows_nothing_the_requester_typed(language: str) -> None:
    """Whoever typed the address, the email it sends carries only the school's words:
    a name like "URGENT: your account is locked, visit ..." never reaches the inbox."""
    lure = "URGENT account locked visit evil"
    email = render("confirm_and_sign", language, "guardian", student_name="", recipient_name="")
    for part in (email.subject, email.text, email.html):
        assert "Mateo" not in part and "Rosa" not in part and lure not in part
    assert "STIS-7F3A2C" in email.subject and "Madrone Elementary School" in email.subject
    assert link_for(language) in email.text


def test_values_of_the_wrong_shape_raise_type_error() -> None:
    with pytest.raises(TypeError, match="teachers"):
        render("review_and_sign", "en", teachers="Marisol Alvarado")
    with pytest.raises(TypeError, match="school_days"):
        render("reminder", "en", school_days="5")
    with pytest.raises(TypeError, match="audit"):
        render("approved", "en", audit=[{"at": "Jan 4", "event": "Signed"}])
    with pytest.raises(TypeError, match="student_signs_on_return"):
        render("approved", "en", student_signs_on_return="yes")


# --- Spanish is Spanish ---------------------------------------------------------------

ENGLISH_PHRASES = [
    "Hello",
    "Please",
    "Thank you",
    "Questions?",
    "independent study",
    "school day",
    "agreement",
    "request",
    "Deadline",
    "Reference",
    "Student",
    "teacher",
    "sign ",
    "absences",
    "If the button",
]


def _template_lines(email: RenderedEmail, context: dict[str, Any]) -> list[str]:
    """Lines of the English text part that contain nothing the caller passed in."""
    scalars = [v for v in context.values() if isinstance(v, str | int) and not isinstance(v, bool)]
    values = [str(v) for v in scalars if str(v)]
    values += [name for name in context.get("teachers", [])]
    return [
        line.strip()
        for line in email.text.splitlines()
        if re.search(r"[A-Za-z]{3}", line) and not any(value in line for value in values)
    ]


@pytest.mark.parametrize(
    ("kind", "role", "state"),
    [
        (kind, role, state)
        for kind, role in CASES
        for state in (("declined", "cancelled", "void") if kind == "ended" else (None,))
    ],
)
def test_spanish_emails_have_no_english_sentences(kind: str, role: str, state: str | None) -> None:
    extra = {"state": state} if state else {}
    english_context = make_context(kind, "en", role, **extra)
    english = render_email(kind, "en", english_context)
    spanish = render(kind, "es", role, **extra)
    spanish_words = spanish.text + visible_text(spanish.html) + spanish.subject

    for phrase in ENGLISH_PHRASES:
        assert phrase.lower() not in spanish_words.lower(), phrase
    for line in _template_lines(english, english_context):
        assert line not in spanish_words, line


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_english_emails_have_no_spanish_phrases(kind: str, role: str) -> None:
    english = render(kind, "en", role)
    words = english.text + visible_text(english.html) + english.subject

    for phrase in ("Hola", "usted", "¿Tiene preguntas?", "Saludos", "estudio", "firma"):
        assert phrase not in words, phrase


# --- What each email tells its reader ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "cancel", "decline"),
    [("en", "cancel the request", "decline it"), ("es", "cancelarla", "rechácelo")],
)
def test_guardian_can_cancel_and_staff_can_decline(
    language: str,
    cancel: str,
    decline: str,
) -> None:
    guardian = render("review_and_sign", language, "guardian")
    teacher = render("review_and_sign", language, "teacher")
    principal = render("review_and_sign", language, "principal")

    assert cancel in guardian.text
    assert cancel in guardian.html
    assert decline not in guardian.text
    for email in (teacher, principal):
        assert decline in email.text
        assert decline in email.html
        assert cancel not in email.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["review_and_sign", "reminder"])
def test_signers_see_the_deadline_and_the_teachers(kind: str, language: str) -> None:
    email = render(kind, language, teachers=["Camila Rojas", "Inés Castellanos"])

    for part in (email.text, email.html):
        assert WORDS[language]["deadline"] in part
        conjunction = {"en": "and", "es": "e"}[language]
        assert f"Camila Rojas {conjunction} Inés Castellanos" in part


def test_reminder_is_a_friendly_daily_reminder() -> None:
    english = render("reminder", "en", "teacher")
    spanish = render("reminder", "es", "teacher")

    assert english.subject.startswith("Reminder:")
    assert "friendly reminder" in english.text
    assert "once a day" in english.text
    assert spanish.subject.startswith("Recordatorio:")
    assert "una vez al día" in spanish.text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "not signed by everyone before the school day started",
                "void",
                "count as absences, unless you make other arrangements",
                "no longer count toward Mateo Rivera's yearly limit",
            ],
        ),
        (
            "es",
            [
                "no tenía todas las firmas cuando empezó el día de clases",
                "anulado",
                "se cuentan como faltas, a menos que usted haga otros arreglos",
                "ya no se descuentan del límite anual",
            ],
        ),
    ],
)
def test_void_is_explained_plainly(language: str, expected: list[str]) -> None:
    email = render("ended", language, "guardian", state="void", reason="", by="")

    for phrase in expected:
        assert phrase in email.text
        assert phrase in visible_text(email.html)


@pytest.mark.parametrize(
    ("language", "guardian_says", "office_says"),
    [
        ("en", "You cancelled", "it was withdrawn by Rosa Rivera, parent or guardian."),
        ("es", "Usted canceló", "la retiró Rosa Rivera, parent or guardian."),
    ],
)
def test_cancelled_says_the_parent_withdrew(
    language: str,
    guardian_says: str,
    office_says: str,
) -> None:
    by = "Rosa Rivera, parent or guardian"
    guardian = render("ended", language, "guardian", state="cancelled", reason="", by=by)
    office = render("ended", language, "office", state="cancelled", reason="", by=by)

    assert guardian_says in guardian.text
    assert office_says in office.text


@pytest.mark.parametrize(
    ("language", "family_reads", "office_reads", "subject"),
    [
        ("en", "You cancelled the signed", "withdrew the signed", "Cancelled: independent study agreement"),
        ("es", "ya estaba firmado", "La familia retiró el acuerdo firmado", "Cancelado: acuerdo"),
    ],
)
def test_a_cancelled_signed_agreement_is_not_called_a_request_awaiting_signatures(
    language: str, family_reads: str, office_reads: str, subject: str
) -> None:
    for role, reads in (("guardian", family_reads), ("office", office_reads)):
        email = render("ended", language, role, state="cancelled", reason="", by="", signed=True)
        assert reads in email.text
        assert email.subject.startswith(subject)
        assert ("View the agreement" if language == "en" else "Ver el acuerdo") in email.html
        for text in (email.text, email.html):
            assert "Nobody needs to sign" not in text
            assert "Ya nadie tiene que firmar" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_declined_tells_everyone_who_and_why(language: str) -> None:
    for role in EVERYONE:
        email = render("ended", language, role)
        assert WORDS[language]["by"] in email.text
        assert WORDS[language]["reason"] in email.text
        assert WORDS[language]["reason"] in email.html


@pytest.mark.parametrize(
    ("language", "paper"),
    [
        ("en", "signs the agreement after coming back to school, when the teacher records"),
        ("es", "firma el acuerdo al regresar a la escuela, cuando su docente registra"),
    ],
)
def test_approved_says_when_the_student_signs_on_return(language: str, paper: str) -> None:
    on_return = render("approved", language, "guardian", student_signs_on_return=True)
    before = render("approved", language, "guardian", student_signs_on_return=False)

    assert paper in on_return.text
    assert paper in on_return.html
    assert paper not in before.text
    assert paper not in before.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_approved_carries_the_agreement_and_its_audit_trail(language: str) -> None:
    email = render("approved", language, "teacher")

    assert WORDS[language]["contract"] in email.text
    for entry in WORDS[language]["audit"]:
        for value in entry.values():
            assert value in email.text
            assert value in email.html


@pytest.mark.parametrize(
    ("language", "not_given", "no_reason"),
    [("en", "not given", "(no reason given)"), ("es", "no lo indicó", "(no indicó ningún motivo)")],
)
def test_office_request_handles_missing_phone_and_reason(
    language: str, not_given: str, no_reason: str
) -> None:
    email = render("office_new_request", language, guardian_phone="", reason="")

    for part in (email.text, email.html):
        assert not_given in part
        assert no_reason in part
        assert "200417" in part
        assert "rosa.rivera@family.example" in part


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Dear family,"), ("es", "Estimada familia:")],
)
def test_greeting_without_a_name(language: str, greeting: str) -> None:
    email = render("review_and_sign", language, "guardian", recipient_name="")

    assert email.text.startswith(greeting)
    assert greeting in email.html


def test_one_school_day_reads_naturally() -> None:
    one_day = format_date(FIRST, "en")
    email = render("ended", "en", first_day=one_day, last_day=one_day, school_days=1)

    assert "Date: " + one_day in email.text
    assert "This school day no longer counts" in email.text
    spanish = render(
        "ended",
        "es",
        first_day=format_date(FIRST, "es"),
        last_day=format_date(FIRST, "es"),
        school_days=1,
    )
    assert "Ese día de clase ya no se descuenta" in spanish.text


def test_names_are_joined_the_way_each_language_does_it() -> None:
    assert join_names([], "en") == ""
    assert join_names(["Grace Okafor"], "es") == "Grace Okafor"
    assert join_names(["Paul Whitaker", "Thandi Mbeki", "Anders Holm"], "en") == (
        "Paul Whitaker, Thandi Mbeki, and Anders Holm"
    )
    assert join_names(["Tomás Duarte", "Camila Rojas"], "es") == "Tomás Duarte y Camila Rojas"
    assert join_names(["Camila Rojas", "Inés Mora"], "es") == "Camila Rojas e Inés Mora"
    assert join_names(["Camila Rojas", "Hilda Pérez"], "es") == "Camila Rojas e Hilda Pérez"
    assert join_names(["Camila Rojas", "Hierro Vega"], "es") == "Camila Rojas y Hierro Vega"
