"""The agreement a request's signers read and sign: the district's terms filled
in with the request's facts, in one language (the core renders it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config.schema import DistrictConfig
from ..core.contract import Party
from ..core.contract_text import ContractFacts, render
from ..core.request import StoredRequest
from ..i18n import contract_labels, datetime_label, format_date, format_grade, join_names, signer_role
from .errors import NotFound


@dataclass(frozen=True)
class SignatureLine:
    """One line of the record of signatures, in the reader's language: the name
    as the signer typed it, their role, and when (in the district's time zone);
    ``pending`` for the student still to sign (on return), with ``at`` empty."""

    name: str
    role: str
    at: str
    pending: bool = False


def signature_record(district: DistrictConfig, request: StoredRequest, language: str) -> list[SignatureLine]:
    """The record of signatures people read (status page, emails, the signed PDF)."""
    zone = district.rules().zone
    lines = [
        SignatureLine(
            s.name,
            signer_role(s.party.role.value, language),
            datetime_label(s.signed_at.astimezone(zone), language),
        )
        for s in request.contract.signatures
    ]
    if not request.contract.has_signed(Party.student()):
        lines.append(SignatureLine(request.student.full_name, signer_role("student", language), "", True))
    return lines


def work_due_day(district: DistrictConfig, request: StoredRequest) -> date:
    """The day the student turns the work in: the first school day after the last."""
    return district.calendar().work_due_day(request.last_day)


def contract_text(district: DistrictConfig, request: StoredRequest, language: str) -> str:
    school = district.school(request.school_id)
    if school is None:  # a school removed from the configuration after the request
        raise NotFound()
    teachers = tuple(school.teacher_name(t) for t in request.teacher_ids)
    facts = ContractFacts(
        district=district.district.name,
        school=school.name,
        student=request.student.full_name,
        grade=format_grade(request.student.grade, language),
        teachers=teachers,
        teachers_joined=join_names(teachers, language),
        principal=school.principal.name,
        school_year=request.school_year,
        dates=request.dates,
        first_day=format_date(request.first_day, language),
        last_day=format_date(request.last_day, language),
        student_signs_on_return=district.stis.student_signs == "on_return",
        work_due=format_date(work_due_day(district, request), language),
    )
    return render(facts, district.contract_terms.sections(language), contract_labels(language))
