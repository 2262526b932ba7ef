"""The JSON bodies the API accepts. Strict: unknown fields, wrong types, dates
that do not exist and control characters in names are all refused."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, Protocol, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


# Invisible characters that change how text reads: zero-width and direction marks,
# embeddings, overrides and isolates (a name "\u202egnp.exe" shows reversed).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
# In free text the joiners stay: emoji sequences (a family, a flag) and some scripts need them.
_INVISIBLE_IN_TEXT = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
# A web address in a reason: a scheme, www., or a name ending in a common top-level domain.
_LINK = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
    r"(?:com|net|org|info|biz|io|co|us|ly|me|xyz|app|link|site|online|top|ru|cn|tk|example)\b)"
)
_NAME_PUNCTUATION = frozenset(" -'’.")


def _paragraph(value: str) -> str:
    if _CONTROL_BUT_NEWLINES.search(value) or _INVISIBLE_IN_TEXT.search(value):
        raise PydanticCustomError("control", "contains control characters")
    return value.replace("\r\n", "\n")


def _without_links(value: str) -> str:
    if _LINK.search(value):
        raise PydanticCustomError("no_links", "contains a web address")
    return value


def _person_name(value: str) -> str:
    """A person's name: NFC, letters and marks, spaces, hyphens, apostrophes and
    periods only (no digits, @, :, /, control, zero-width or direction characters)."""
    value = unicodedata.normalize("NFC", value)
    if _CONTROL.search(value) or _INVISIBLE.search(value):
        raise PydanticCustomError("control", "contains control characters")
    if any(not (c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LM") for c in value):
        raise PydanticCustomError("name_chars", "a name holds letters only")
    if not any(unicodedata.category(c)[0] == "L" for c in value):
        raise PydanticCustomError("name_chars", "a name holds letters only")
    return " ".join(value.split())


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(_person_name),
]
LongName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_person_name),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_paragraph),
    AfterValidator(_without_links),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _iso_date_text(value: object) -> object:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date", "write the date as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_date_text)]


def _in_order(body: Dates) -> Dates:
    if body.last_day < body.first_day:
        raise PydanticCustomError("last_before_first", "last_day is before first_day")
    return body


class _HasDates(Protocol):
    @property
    def first_day(self) -> date: ...
    @property
    def last_day(self) -> date: ...


Dates = TypeVar("Dates", bound=_HasDates)


def _district_languages() -> tuple[str, ...]:
    from ..config.loader import district

    return district().languages


def _spoken(value: str) -> str:
    if value not in _district_languages():
        raise PydanticCustomError("literal_error", "not one of the district's languages")
    return value


class _DistrictLanguagesSchema:
    """In the OpenAPI document, the district's languages (``district.languages``)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: CoreSchema, _handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"enum": list(_district_languages()), "type": "string"}


# One of the district's languages: adding one to the district file needs no change here.
LanguageCode = Annotated[str, AfterValidator(_spoken), _DistrictLanguagesSchema]
Grade = Literal["TK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]


class Body(BaseModel):
    # Built on first use: a cold start builds only the body its route reads.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class StudentIn(Body):
    first_name: Name
    last_name: Name
    student_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{1,20}$")]
    grade: Grade


class GuardianIn(Body):
    name: LongName
    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^$|^[0-9+() .-]{7,25}$")] = ""


class SubmitBody(Body):
    request_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$")]
    language: LanguageCode
    school_id: Id
    teacher_ids: Annotated[list[Id], Field(min_length=1, max_length=12)]
    student: StudentIn
    guardian: GuardianIn
    first_day: Day
    last_day: Day
    reason: Reason = ""

    @model_validator(mode="after")
    def last_not_before_first(self) -> Self:
        return _in_order(self)


class QuoteBody(Body):
    first_day: Day
    last_day: Day

    @model_validator(mode="after")
    def last_not_before_first(self) -> Self:
        return _in_order(self)


class StudentSignatureIn(Body):
    name: LongName


class SignBody(Body):
    name: LongName
    agree: StrictBool
    contract_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    student: StudentSignatureIn | None = Field(
        default=None,
        description="The student's typed name, beside the guardian's signature: required from the "
        "guardian when the district's `student_signs` is `before_start`, refused otherwise",
    )

    @model_validator(mode="after")
    def agreed(self) -> Self:
        if not self.agree:
            raise PydanticCustomError("agree", "agree must be true")
        return self


class DeclineBody(Body):
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        AfterValidator(_paragraph),
    ]


class CancelBody(Body):
    """The guardian sends nothing; the school office says why it cancels."""

    reason: Reason = ""


Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=300),
    AfterValidator(_paragraph),
    AfterValidator(_without_links),
]


class DayRecordIn(Body):
    date: Day
    credited: StrictBool = Field(description="true: the work is complete and earns credit")
    received_on: Day | None = Field(None, description="When the teacher received the work")
    note: Note = ""


class EvaluateBody(Body):
    """A teacher's record of the work, one entry per school day of the contract;
    with ``student_signs: on_return`` the student signs on the first record."""

    name: LongName
    agree: StrictBool
    days: Annotated[list[DayRecordIn], Field(min_length=1, max_length=60)]
    student: StudentSignatureIn | None = None

    @model_validator(mode="after")
    def agreed(self) -> Self:
        if not self.agree:
            raise PydanticCustomError("agree", "agree must be true")
        return self


class EndBody(Body):
    """The office ends an approved contract early: why, and its new last day
    (by default the last school day of the contract before today)."""

    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        AfterValidator(_paragraph),
        AfterValidator(_without_links),
    ]
    last_day: Day | None = None
