"""The written STIS agreement for one request, in one language, and its SHA-256.

The district supplies the terms (the Education Code 51747 elements) as
sections whose text may use ``$placeholders``; this module fills them in and
adds the facts of the request and the signature lines. Every signer is shown
exactly this text and signs its hash.

The words are the caller's: the fixed labels (``LABEL_KEYS``), the grade and
the first and last days arrive already in the reader's language (the
``chalicelib.i18n`` catalogs), so this module stays standard library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
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
        "work_due",
    }
)

LABEL_KEYS = frozenset(
    {
        "title",
        "facts_heading",
        "student",
        "grade",
        "school",
        "school_year",
        "teacher",
        "teachers",
        "principal",
        "dates",
        "date_range",
        "school_days",
        "days_listed",
        "work_due",
        "terms_heading",
        "signatures",
        "electronic",
        "student_on_return",
        "student_before",
        "guardian_line",
        "student_line",
    }
)


@dataclass(frozen=True)
class TermsSection:
    heading: str
    body: str


@dataclass(frozen=True)
class ContractFacts:
    """The request's facts, with the words already in the reader's language:
    ``grade`` as a label ("Kindergarten"), ``first_day``/``last_day`` written
    out ("Monday, January 4, 2027"), ``teachers_joined`` as the language joins
    names ("Camila Rojas e Inés Castellanos"); ``dates`` are listed in ISO form;
    ``work_due`` is the day the work is due, written out (the first school day
    after the last, on the school calendar)."""

    district: str
    school: str
    student: str
    grade: str
    teachers: tuple[str, ...]
    teachers_joined: str
    principal: str
    school_year: str
    dates: tuple[date, ...]
    first_day: str
    last_day: str
    student_signs_on_return: bool
    work_due: str


def render(facts: ContractFacts, terms: Sequence[TermsSection], labels: Mapping[str, str]) -> str:
    missing = LABEL_KEYS - labels.keys()
    if missing:
        raise KeyError(f"contract labels missing: {', '.join(sorted(missing))}")
    values = {
        "district": facts.district,
        "school": facts.school,
        "student": facts.student,
        "grade": facts.grade,
        "teachers": facts.teachers_joined,
        "principal": facts.principal,
        "first_day": facts.first_day,
        "last_day": facts.last_day,
        "school_days": str(len(facts.dates)),
        "school_year": facts.school_year,
        "work_due": facts.work_due,
    }
    teacher_label = labels["teacher"] if len(facts.teachers) == 1 else labels["teachers"]
    if facts.first_day == facts.last_day:
        dates = facts.first_day
    else:
        dates = Template(labels["date_range"]).safe_substitute(values)
    lines = [
        facts.district,
        labels["title"],
        "",
        labels["facts_heading"],
        f"{labels['student']}: {facts.student}",
        f"{labels['grade']}: {facts.grade}",
        f"{labels['school']}: {facts.school}",
        f"{labels['school_year']}: {facts.school_year}",
        f"{teacher_label}: {facts.teachers_joined}",
        f"{labels['principal']}: {facts.principal}",
        f"{labels['dates']}: {dates}",
        f"{labels['school_days']}: {len(facts.dates)}",
        f"{labels['days_listed']}: " + ", ".join(d.isoformat() for d in facts.dates),
        f"{labels['work_due']}: {facts.work_due}",
        "",
        labels["terms_heading"],
    ]
    for number, section in enumerate(terms, start=1):
        lines += ["", f"{number}. {section.heading}", Template(section.body).substitute(values)]
    lines += ["", labels["signatures"], labels["electronic"]]
    lines.append(labels["student_on_return" if facts.student_signs_on_return else "student_before"])
    lines.append(f"- {labels['guardian_line']}")
    lines += [f"- {labels['teacher']}: {name}" for name in facts.teachers]
    lines.append(f"- {labels['principal']}: {facts.principal}")
    lines.append(f"- {labels['student_line']}: {facts.student}")
    return "\n".join(lines) + "\n"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
