"""The API's answers, as pydantic models: the views build them, and the OpenAPI
document (``openapi.py``) is generated from them, so a field cannot exist in
one and not the other. Built on first use (``defer_build``): a cold start
builds only the answers its first route gives.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from .errors import STATUS
from .schemas import LanguageCode

StateName = Literal[
    "awaiting_guardian",
    "awaiting_teacher",
    "awaiting_principal",
    "approved",
    "declined",
    "cancelled",
    "void",
    "expired",
    "awaiting_evaluation",
    "closed",
]
RoleName = Literal["guardian", "teacher", "principal", "office", "student"]
RoleOrNone = Literal["", "guardian", "teacher", "principal", "office", "student"]
StudentSigns = Literal["before_start", "on_return"]
# A moment as the API has always written it: ISO 8601 with its UTC offset ("+00:00").
Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _known_code(code: str) -> str:
    if code not in STATUS:
        raise ValueError(f"unknown error code {code!r}")
    return code


ErrorCode = Annotated[
    str, AfterValidator(_known_code), WithJsonSchema({"type": "string", "enum": sorted(STATUS)})
]


class Out(BaseModel):
    """A response body: exactly these fields, nothing more."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# --- response bodies -----------------------------------------------------------------


class Health(Out):
    status: Literal["ok"]


class TeacherListed(Out):
    id: str
    name: str
    grades: str = Field(description="Grades or subject, in the reader's language; may be empty")


class SchoolListed(Out):
    id: str
    name: str
    level: Literal["elementary", "middle", "high"]
    grades: str
    teachers: list[TeacherListed]


class Schools(Out):
    """The schools and their teachers; never an email address."""

    schools: list[SchoolListed]


class QuoteResult(Out):
    school_year: str
    school_days: Annotated[int, Field(ge=0)]
    dates: list[date]
    notice_hours: Annotated[int, Field(ge=0)]
    notice_deadline: Moment
    notice_ok: bool
    earliest_first_day: date | None
    first_day_past: bool = Field(
        description="School has already started on the first day: the date is gone, "
        "not merely too close (the page says which, by the API's clock)"
    )


class SubmitResult(Out):
    id: str
    ref: str
    status: StateName
    school_days: Annotated[int, Field(ge=1)]
    days_used: Annotated[int, Field(ge=0)]
    days_remaining: Annotated[int, Field(ge=0)]


class PartyShown(Out):
    role: RoleName
    party: str
    name: str


class SignatureShown(PartyShown):
    name: str = Field(description="The name as the signer typed it")
    signed_at: Moment


class StudentSigning(Out):
    signs: StudentSigns = Field(
        description="`before_start`: the student types their name beside the guardian's signature "
        "(`student.name` in the sign body); `on_return`: on the teacher's evaluation page"
    )
    name: str = Field(description="The student's name, as the student must type it")


class ViewerShown(PartyShown):
    name: str = Field(
        description="The name this party must type to sign (the office, which never signs: the school's name)"
    )
    student: StudentSigning | None = Field(
        default=None, description="For the guardian: when and under which name the student signs"
    )


class TeacherShown(Out):
    id: str
    name: str
    signed: bool


class SchoolShown(Out):
    id: str
    name: str


class StudentShown(Out):
    first_name: str
    last_name: str
    grade: str


class EndingShown(Out):
    state: Literal["declined", "cancelled", "void", "expired"]
    reason: str
    at: Moment
    by_role: RoleOrNone
    by_name: str = Field(description="The name of who declined or cancelled; empty when nobody did (void)")


class DayResultShown(Out):
    date: date
    result: Literal["credited", "not_credited", "pending"] = Field(
        description="credited once every teacher credits the day; not_credited once one does not"
    )


class EvaluationShown(Out):
    teacher: str = Field(description="The teacher's id")
    name: str = Field(description="The name the teacher typed")
    at: Moment
    credited_days: Annotated[int, Field(ge=0)]


class EarlyEndShown(Out):
    at: Moment
    reason: str
    last_day: date = Field(description="The contract's new last day")
    released_days: Annotated[int, Field(ge=1)] = Field(description="School days given back")


class AuditShown(Out):
    at: Moment
    event: str
    role: RoleOrNone


class RequestStatus(Out):
    """A request as one party sees it through their link."""

    id: str
    ref: str
    status: StateName
    school_year: str
    first_day: date
    last_day: date
    first_day_starts: Moment
    school_days: Annotated[int, Field(ge=1)]
    dates: list[date]
    school: SchoolShown
    student: StudentShown
    teachers: list[TeacherShown]
    signatures: list[SignatureShown]
    whose_turn: list[PartyShown]
    viewer: ViewerShown
    student_signs: StudentSigns = Field(
        description="When the student signs (the district's setting): with the guardian, or on return"
    )
    can_sign: bool
    can_decline: bool
    can_cancel: bool
    can_evaluate: bool = Field(
        description="A teacher who has not yet recorded the work, once the last day has ended"
    )
    can_end: bool = Field(description="The office, on an approved contract that has started (`/end`)")
    student_signs_here: bool = Field(
        description="With `student_signs: on_return`: the student types their name on this record"
    )
    sign_by: Moment | None = Field(
        description="For the guardian until they confirm: the moment by which they must sign"
    )
    phase: Literal["", "before_start", "in_progress", "awaiting_evaluation", "closed"] = Field(
        description="Where an approved contract is; empty before approval and after other endings"
    )
    evaluation_due: date | None = Field(
        description="The day the teachers' record of the work is due (approved and awaiting evaluation)"
    )
    results: list[DayResultShown] = Field(description="Each school day with its result, once approved")
    credited_days: Annotated[int, Field(ge=0)] | None = Field(
        description="Once closed: the school days that count as attendance"
    )
    evaluations: list[EvaluationShown]
    early_end: EarlyEndShown | None
    ending: EndingShown | None
    language: LanguageCode
    contract_text: str
    contract_sha256: Sha256
    audit: list[AuditShown]


class Verified(Out):
    """An agreement PDF the portal issued, found by its SHA-256: no names, no addresses."""

    genuine: Literal[True]
    ref: str
    status: StateName = Field(description="The agreement's state today (approved, cancelled, closed ...)")
    school: str
    first_day: date
    last_day: date
    approved_at: Moment


class ErrorDetail(Out):
    code: ErrorCode
    message: Annotated[str, StringConstraints(min_length=1)]
    fields: dict[str, str] = Field(
        description="Field path (`guardian.email`, `teacher_ids[0]`) -> message, in the reader's language"
    )
    details: dict[str, Any] = Field(
        default_factory=dict, description="Facts behind a rule's refusal, e.g. `earliest_first_day`"
    )


class Error(Out):
    """Every refusal: the message in the request's language, else Accept-Language, else English."""

    error: ErrorDetail


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")

    openapi: str
