"""Turn one email event into a subject, a plain-text part and an HTML part.

Rendering only: nothing here sends mail or reads the configuration. The caller
formats every date, label and name in the recipient's language and passes
them in ``context``; this module renders the kind's templates with the
recipient language's translations (``chalicelib.i18n`` catalogs).

Templates live in ``templates/<kind>.txt`` and ``.html``, one per kind for
every language: their words are English ``{% trans %}`` blocks and ``_()``
calls (Jinja2's i18n extension), looked up in the language's catalog. The
subject is the ``subject`` block of the ``.txt`` template, so it is written in
the same file as the text it announces. HTML templates are autoescaped; text
templates and the subject are not (they are never read as HTML). A missing
context key raises :class:`jinja2.UndefinedError`, whether this module notices
it first or the template does (``StrictUndefined``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.exceptions import UndefinedError

from ..i18n import available_languages, join_names, translations

KINDS: Final = (
    "confirm_and_sign",
    "review_and_sign",
    "reminder",
    "office_new_request",
    "status_changed",
    "approved",
    "ended",
    "ended_early",
    "record_the_work",
    "record_reminder",
    "evaluation_overdue",
    "result",
)
# Emails about no one request: the office's weekly register (SPEC 3b). Their
# context is their own (no request reference, no family).
REPORTS: Final = ("weekly_register",)
_REPORT_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "weekly_register": frozenset(
        {"district_name", "school_name", "week", "week_start", "rows", "codes", "pending", "filename"}
    ),
}
_REGISTER_ROW_KEYS: Final = frozenset(
    {"day", "student_name", "student_id", "grade", "ref", "result", "result_label", "code"}
)
ROLES: Final = ("guardian", "teacher", "principal", "office")
END_STATES: Final = ("declined", "cancelled", "void", "expired")
SUBJECT_MAX_CHARS: Final = 200

TEMPLATES_DIR: Final = Path(__file__).with_name("templates")

_COMMON_KEYS: Final = frozenset(
    {
        "district_name",
        "school_name",
        "office_phone",
        "office_email",
        "student_name",
        "first_day",
        "last_day",
        "school_days",
        "recipient_name",
        "recipient_role",
        "request_ref",
        "family_language",  # the language the family reads, named in the recipient's
    }
)
_SIGNING_KEYS: Final = frozenset({"link", "deadline", "teachers"})
_KIND_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "confirm_and_sign": frozenset({"link", "deadline"}),
    "review_and_sign": _SIGNING_KEYS,
    "reminder": _SIGNING_KEYS,
    "office_new_request": frozenset(
        {
            "guardian_name",
            "guardian_email",
            "guardian_phone",
            "student_id",
            "grade",
            "teachers",
            "reason",
            "status_label",
            "whose_turn",
            "link",
            "signatures",
        }
    ),
    "status_changed": frozenset({"status_label", "whose_turn", "link", "signatures"}),
    "approved": frozenset(
        {"link", "contract_text", "audit", "student_signs_on_return", "signatures", "work_due"}
    ),
    "ended": frozenset({"state", "signed", "reason", "by", "link"}),
    "ended_early": frozenset({"new_last_day", "released_days", "reason", "link"}),
    "record_the_work": frozenset({"link", "due_date", "day_list", "student_signs_on_return"}),
    "record_reminder": frozenset({"link", "due_date", "day_list", "student_signs_on_return"}),
    "evaluation_overdue": frozenset({"link", "due_date", "waiting_for"}),
    "result": frozenset({"link", "results", "results_table", "credited_days"}),
}
# The office's approved email is the copy it files and posts attendance from.
_OFFICE_APPROVED_KEYS: Final = frozenset(
    {
        "student_id",
        "grade",
        "guardian_name",
        "guardian_email",
        "guardian_phone",
        "teachers",
        "day_list",
        "attendance_codes",
    }
)
# Who may receive each kind: only signers are asked to sign, only the office
# gets the office's notices.
_ROLES_FOR: Final[Mapping[str, frozenset[str]]] = {
    "confirm_and_sign": frozenset({"guardian"}),
    "review_and_sign": frozenset({"guardian", "teacher", "principal"}),
    "reminder": frozenset({"guardian", "teacher", "principal"}),
    "office_new_request": frozenset({"office"}),
    "status_changed": frozenset({"office"}),
    "approved": frozenset(ROLES),
    "ended": frozenset(ROLES),
    "ended_early": frozenset(ROLES),
    "record_the_work": frozenset({"teacher"}),
    "record_reminder": frozenset({"teacher"}),
    "evaluation_overdue": frozenset({"office"}),
    "result": frozenset({"office", "guardian"}),
}
# Kinds whose whole point is the link: it may not be empty.
_LINK_REQUIRED: Final = frozenset(
    {
        "confirm_and_sign",
        "review_and_sign",
        "reminder",
        "office_new_request",
        "record_the_work",
        "record_reminder",
    }
)
_LINK = re.compile(r"https?://[^\s<>\"']+\Z")
_AUDIT_KEYS: Final = frozenset({"at", "event", "who"})
_SIGNATURE_KEYS: Final = frozenset({"name", "role", "at", "pending"})


@dataclass(frozen=True)
class RenderedEmail:
    subject: str  # one line, no control characters, at most SUBJECT_MAX_CHARS
    text: str
    html: str


def render_email(kind: str, language: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render the ``kind`` email in ``language`` (a language code: "en", "es", ...)
    from ``context``.

    Raises ``ValueError`` for an unknown kind, a language without a catalog, recipient role or end
    state, or a malformed link; ``jinja2.UndefinedError`` for a missing key;
    ``TypeError`` for a value of the wrong shape (``teachers`` given as one
    string, for example).
    """
    if kind not in KINDS and kind not in REPORTS:
        raise ValueError(f"unknown email kind {kind!r}; expected one of {', '.join((*KINDS, *REPORTS))}")
    if language not in available_languages():
        known = ", ".join(sorted(available_languages()))
        raise ValueError(f"unknown language {language!r}; there are catalogs for {known}")
    _check_context(kind, context)

    env = _environment(language)
    text_template = env.get_template(f"{kind}.txt")
    html_template = env.get_template(f"{kind}.html")
    values = {**context, "language": language}
    subject = clean_subject(_render_block(text_template, "subject", values))
    values["subject"] = subject
    return RenderedEmail(
        subject=subject,
        text=_tidy_text(text_template.render(values)),
        html=html_template.render(values),
    )


def clean_subject(raw: str) -> str:
    """One line for a mail header: no control characters, single spaces, capped.

    Line and paragraph breaks and other control characters become spaces
    (so nothing can start a new header line); invisible format characters,
    such as bidirectional overrides, are dropped.
    """
    kept = []
    for char in raw:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category in {"Cc", "Zl", "Zp"} else char)
    subject = " ".join("".join(kept).split())
    if len(subject) <= SUBJECT_MAX_CHARS:
        return subject
    cut = subject[: SUBJECT_MAX_CHARS - 1]
    head, _, _ = cut.rpartition(" ")
    if len(head) >= SUBJECT_MAX_CHARS * 3 // 4:
        cut = head
    return cut.rstrip() + "…"


@cache
def _environment(language: str) -> Environment:
    """The templates with ``language``'s translations installed (one per language)."""
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html",),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["names"] = join_names
    return env


def _render_block(template: Template, name: str, values: Mapping[str, Any]) -> str:
    block = template.blocks.get(name)
    if block is None:
        raise LookupError(f"template {template.name} has no {{% block {name} %}}")
    return "".join(block(template.new_context(dict(values))))


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return tidy + "\n"


def _check_report_context(kind: str, context: Mapping[str, Any]) -> None:
    missing = _REPORT_KEYS[kind] - context.keys()
    if missing:
        raise UndefinedError(f"the {kind} email needs: {', '.join(sorted(missing))}")
    rows = context["rows"]
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise TypeError("rows must be a list of register rows")
    for row in rows:
        if not isinstance(row, Mapping) or not row.keys() >= _REGISTER_ROW_KEYS:
            raise TypeError(f"each register row needs {', '.join(sorted(_REGISTER_ROW_KEYS))}")


def _check_context(kind: str, context: Mapping[str, Any]) -> None:
    if kind in REPORTS:
        _check_report_context(kind, context)
        return
    missing = (_COMMON_KEYS | _KIND_KEYS[kind]) - context.keys()
    if missing:
        raise UndefinedError(f"the {kind} email needs: {', '.join(sorted(missing))}")

    role = context["recipient_role"]
    if role not in _ROLES_FOR[kind]:
        allowed = ", ".join(sorted(_ROLES_FOR[kind]))
        raise ValueError(f"the {kind} email is not sent to {role!r}; it goes to {allowed}")
    if kind == "approved" and role == "office":
        missing = _OFFICE_APPROVED_KEYS - context.keys()
        if missing:
            raise UndefinedError(f"the office's approved email needs: {', '.join(sorted(missing))}")
    if kind == "ended" and context["state"] not in END_STATES:
        raise ValueError(f"unknown end state {context['state']!r}; expected {END_STATES}")

    if "link" in context:
        link = context["link"]
        if not isinstance(link, str):
            raise TypeError("link must be a string")
        if (link or kind in _LINK_REQUIRED) and not _LINK.match(link):
            raise ValueError(f"the {kind} email needs an http(s) link without spaces")

    days = context["school_days"]
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("school_days must be an int")
    if "teachers" in context:
        teachers = context["teachers"]
        if isinstance(teachers, str | bytes) or not isinstance(teachers, Sequence):
            raise TypeError("teachers must be a list of names, not one string")
        if not all(isinstance(name, str) for name in teachers):
            raise TypeError("teachers must be a list of names")
    signs_on_return = context.get("student_signs_on_return", False)
    if not isinstance(signs_on_return, bool):
        raise TypeError("student_signs_on_return must be a bool")
    for key, shape in (("signatures", _SIGNATURE_KEYS), ("attendance_codes", frozenset({"code", "label"}))):
        if key in context:
            entries = context[key]
            if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
                raise TypeError(f"{key} must be a list of {{{', '.join(sorted(shape))}}} entries")
            if not all(isinstance(e, Mapping) and e.keys() >= shape for e in entries):
                raise TypeError(f"each {key} entry needs {', '.join(sorted(shape))}")
    if "audit" in context:
        audit = context["audit"]
        if isinstance(audit, str | bytes) or not isinstance(audit, Sequence):
            raise TypeError("audit must be a list of {at, event, who} entries")
        for entry in audit:
            if not isinstance(entry, Mapping) or not entry.keys() >= _AUDIT_KEYS:
                raise TypeError("each audit entry needs at, event and who")
