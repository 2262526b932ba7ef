"""The district configuration: everything that is district policy or district data.

One YAML file (``district.yaml`` beside this module) is validated against these
models when the app starts; a wrong file stops start-up with the key and reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time
from itertools import pairwise
from string import Template
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..core.calendar import SchoolCalendar, SchoolYear
from ..core.contract_text import PLACEHOLDERS, TermsSection
from ..core.rules import Blackout, StisRules
from ..core.students import StudentIdRule, parse_grades
from ..i18n import available_languages

# A language code ("en", "es", "pt"): the portal speaks the ones `district.languages`
# lists, each with a catalog in chalicelib/i18n/locale/ (English needs none).
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Day = date  # a field below is named `date`
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(RootModel[dict[Language, NonEmpty]]):
    """The same words in each of the district's languages (``{en: ..., es: ...}``;
    the district file is checked to give every language it lists)."""

    model_config = ConfigDict(frozen=True)

    def __getitem__(self, language: str) -> str:
        return self.root[language]

    def as_dict(self) -> dict[str, str]:
        return dict(self.root)

    def first(self) -> str:
        """The words in the first language given (to name the item in a message)."""
        return next(iter(self.root.values()), "")


class DayOff(Strict):
    """A non-school day (``date``) or a break (``start`` to ``end``, inclusive)."""

    name: Text
    date: Day | None = None
    start: Day | None = None
    end: Day | None = None

    @model_validator(mode="after")
    def one_day_or_a_range(self) -> Self:
        if self.date is not None and (self.start or self.end):
            raise ValueError("give either date, or start and end, not both")
        if self.date is None and (self.start is None or self.end is None):
            raise ValueError("give a date, or both start and end")
        if self.start and self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self

    @property
    def first(self) -> Day:
        return self.date or self.start  # type: ignore[return-value]

    @property
    def last(self) -> Day:
        return self.date or self.end  # type: ignore[return-value]

    def days(self) -> list[Day]:
        return [Day.fromordinal(n) for n in range(self.first.toordinal(), self.last.toordinal() + 1)]


class SchoolYearConfig(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}$")]
    first_day: date
    last_day: date
    non_school_days: list[DayOff] = []

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.last_day <= self.first_day:
            raise ValueError(f"last_day {self.last_day} is not after first_day {self.first_day}")
        for day_off in self.non_school_days:
            if day_off.first < self.first_day or day_off.last > self.last_day:
                raise ValueError(f"non-school day {day_off.name.first()!r} is outside the school year")
        return self

    def to_domain(self) -> SchoolYear:
        days = frozenset(d for off in self.non_school_days for d in off.days())
        return SchoolYear(self.id, self.first_day, self.last_day, days)


class BlackoutConfig(Strict):
    name: Text
    start: date
    end: date

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class StisConfig(Strict):
    max_days_per_year: int = Field(15, ge=1, le=180)
    min_days_per_contract: int = Field(1, ge=1)
    max_days_per_contract: int = Field(15, ge=1, le=60)
    notice_hours_per_block: int = Field(24, ge=0, le=24 * 14)
    notice_block_days: int = Field(5, ge=1)
    student_signs: Literal["before_start", "on_return"] = "on_return"
    blackouts: list[BlackoutConfig] = []
    max_teachers: int = Field(8, ge=1, le=12)
    reminder_hour: int = Field(7, ge=0, le=23)
    # The guardian confirms (signs) within this many hours of asking, else the request expires.
    confirm_within_hours: int = Field(48, ge=1, le=24 * 14)
    max_reminders: int = Field(3, ge=0, le=14)  # per signer, once a day at most
    link_days_after_end: int = Field(60, ge=1, le=3650)  # links stop working this long after the end
    # Teachers record the work within this many school days of the return, else the office is told.
    evaluation_due_school_days: int = Field(5, ge=1, le=30)

    @model_validator(mode="after")
    def lengths(self) -> Self:
        if self.min_days_per_contract > self.max_days_per_contract:
            raise ValueError("min_days_per_contract is above max_days_per_contract")
        if self.max_days_per_contract > self.max_days_per_year:
            raise ValueError("max_days_per_contract is above max_days_per_year")
        return self


class StudentIdConfig(Strict):
    """What a student id looks like, and which spellings are the same student."""

    pattern: str = r"^[0-9]{6,9}$"
    leading_zeros: Literal["ignored", "significant"] = "ignored"
    letter_case: Literal["upper", "lower", "as_given"] = "upper"
    hint: Text  # what the form says to type, in each language

    @field_validator("pattern")
    @classmethod
    def a_regular_expression(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        return pattern

    def rule(self) -> StudentIdRule:
        return StudentIdRule(self.pattern, self.leading_zeros == "significant", self.letter_case)


class IntakeLimits(Strict):
    """How much one address or one student id can ask of the portal (429 beyond)."""

    open_per_guardian: int = Field(3, ge=1, le=50)  # unconfirmed requests open at once
    open_per_student: int = Field(3, ge=1, le=50)
    refused_per_student_per_day: int = Field(10, ge=1, le=500)  # cap or overlap refusals


class Person(Strict):
    name: Line
    email: EmailStr
    language: Language = "en"


class Teacher(Person):
    id: Slug
    # What a parent reads beside the name on the request form: "2", "Math 6-8", or
    # the same in each language ({en: Math 6-8, es: "Matemáticas, de 6.º a 8.º"}).
    grades: Line | Text | None = None

    @field_validator("grades", mode="before")
    @classmethod
    def grades_in_each_language(cls, grades: object) -> object:
        # One clear message instead of one per member of the union; that each of
        # the district's languages is given is checked with the whole file.
        if isinstance(grades, dict) and not grades:
            raise ValueError("give one text, or one text for each language")
        return grades

    def grades_in(self, language: str) -> str:
        """The teacher's grades or subject in ``language`` ("" when the district gave none)."""
        if self.grades is None:
            return ""
        return self.grades if isinstance(self.grades, str) else self.grades[language]


class Office(Strict):
    email: EmailStr
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9+() .-]{7,25}$")]
    address: Line
    hours: Text
    language: Language = "en"  # the language of the emails the office receives


class School(Strict):
    id: Slug
    name: Line
    level: Literal["elementary", "middle", "high"]
    grades: Line
    office: Office
    principal: Person
    teachers: list[Teacher] = Field(min_length=1)

    @field_validator("grades")
    @classmethod
    def known_grades(cls, grades: str) -> str:
        parse_grades(grades)
        return grades

    def grade_list(self) -> tuple[str, ...]:
        """The grades the school teaches, in order ("TK-5" -> TK, K, 1 ... 5)."""
        return parse_grades(self.grades)

    @field_validator("teachers")
    @classmethod
    def unique_teacher_ids(cls, teachers: list[Teacher]) -> list[Teacher]:
        ids = [t.id for t in teachers]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"teacher id repeated: {', '.join(duplicates)}")
        return teachers

    def teacher(self, teacher_id: str) -> Teacher | None:
        return next((t for t in self.teachers if t.id == teacher_id), None)

    def teacher_name(self, teacher_id: str) -> str:
        """The teacher's name; the id itself for a teacher since removed from the file."""
        teacher = self.teacher(teacher_id)
        return teacher.name if teacher else teacher_id


class AbsenceTier(Strict):
    absences: int = Field(ge=1)
    title: Text
    what_happens: Text


class TermsSectionConfig(Strict):
    heading: Line
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

    @field_validator("body")
    @classmethod
    def known_placeholders(cls, body: str) -> str:
        template = Template(body)
        if not template.is_valid():
            raise ValueError("a $ that is not a placeholder; write $$ for a dollar sign")
        unknown = set(template.get_identifiers()) - PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(PLACEHOLDERS))}"
            )
        return body


class ContractTerms(RootModel[dict[Language, Annotated[list[TermsSectionConfig], Field(min_length=1)]]]):
    """The agreement's sections in each of the district's languages."""

    model_config = ConfigDict(frozen=True)

    def sections(self, language: str) -> tuple[TermsSection, ...]:
        return tuple(TermsSection(s.heading, s.body) for s in self.root[language])


def _roster_mode(value: object) -> object:
    # YAML reads a bare `off` as false: take it as the word the district wrote.
    if value is False:
        return "off"
    if value is True:
        raise ValueError("write off or required")
    return value


RosterMode = Annotated[Literal["off", "required"], BeforeValidator(_roster_mode)]
# The column of the roster export's orgs.csv that holds the school's `id` here.
RosterSchoolColumn = Literal["identifier", "sourcedId", "name"]


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
    return name


def _clock_time(value: object) -> object:
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError('write the time as "HH:MM" in quotes, for example "08:00"')
    return value


class DistrictInfo(Strict):
    name: Line
    short_name: Line
    time_zone: Annotated[str, AfterValidator(_zone)]
    school_day_start: Annotated[time, BeforeValidator(_clock_time)]
    languages: list[Language] = Field(min_length=1)
    attendance_phone: Annotated[str, StringConstraints(pattern=r"^[0-9+() .-]{7,25}$")]
    website: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]


class AttendanceCode(Strict):
    """How the office posts an independent study day in the student information system."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]
    label: Text  # what the code means, in each language


class AttendanceCodes(Strict):
    credited: AttendanceCode  # the work was judged complete: the day counts as attendance
    not_credited: AttendanceCode  # the work was not complete: the day is an absence


class DistrictConfig(Strict):
    district: DistrictInfo
    school_years: list[SchoolYearConfig] = Field(min_length=1)
    stis: StisConfig
    schools: list[School] = Field(min_length=1)
    absence_tiers: list[AbsenceTier] = Field(min_length=1)
    illness_days_before_note: int = Field(ge=1, le=60)
    report_absence_within_school_days: int = Field(3, ge=1, le=10)
    contract_terms: ContractTerms
    record_retention_days: int = Field(ge=30, le=366 * 30)
    student_id: StudentIdConfig
    intake: IntakeLimits = IntakeLimits()
    roster: RosterMode = "off"
    roster_school_column: RosterSchoolColumn = "identifier"
    attendance_codes: AttendanceCodes

    @property
    def languages(self) -> tuple[str, ...]:
        """The portal's languages, the first being the one used when nobody says."""
        return tuple(self.district.languages)

    @field_validator("school_years")
    @classmethod
    def years_in_order(cls, years: list[SchoolYearConfig]) -> list[SchoolYearConfig]:
        for before, after in pairwise(years):
            if after.first_day <= before.last_day:
                raise ValueError(f"school year {after.id} starts before {before.id} ends")
        return years

    @field_validator("schools")
    @classmethod
    def unique_school_ids(cls, schools: list[School]) -> list[School]:
        ids = [s.id for s in schools]
        if len(ids) != len(set(ids)):
            raise ValueError("school id repeated")
        return schools

    @field_validator("absence_tiers")
    @classmethod
    def tiers_ascending(cls, tiers: list[AbsenceTier]) -> list[AbsenceTier]:
        counts = [t.absences for t in tiers]
        if counts != sorted(set(counts)):
            raise ValueError("tiers must be listed from fewest to most absences, each once")
        return tiers

    def school(self, school_id: str) -> School | None:
        return next((s for s in self.schools if s.id == school_id), None)

    def calendar(self) -> SchoolCalendar:
        return SchoolCalendar(tuple(y.to_domain() for y in self.school_years))

    def rules(self) -> StisRules:
        return StisRules(
            max_days_per_year=self.stis.max_days_per_year,
            min_days_per_contract=self.stis.min_days_per_contract,
            max_days_per_contract=self.stis.max_days_per_contract,
            notice_hours_per_block=self.stis.notice_hours_per_block,
            notice_block_days=self.stis.notice_block_days,
            school_day_start=self.district.school_day_start,
            time_zone=self.district.time_zone,
            blackouts=tuple(Blackout(b.name.as_dict(), b.start, b.end) for b in self.stis.blackouts),
        )


def language_problems(config: DistrictConfig) -> list[str]:
    """What the file leaves untranslated: a language without a catalog, a text
    or the contract's terms not given in each of ``district.languages``, a
    person whose language the portal does not speak. One line per key."""
    languages = config.languages
    listed = " and ".join(languages)
    untranslated = [lang for lang in languages if lang not in available_languages()]
    problems = [
        f"district.languages: no catalog for {lang!r} "
        f"(add chalicelib/i18n/locale/{lang}/LC_MESSAGES/messages.po)"
        for lang in untranslated
    ]
    for key, value in _walk(config, ""):
        if isinstance(value, Text | ContractTerms) and set(value.root) != set(languages):
            what = "one text, or one text" if key.endswith(".grades") else "the text"
            problems.append(f"{key}: give {what} for each language ({listed})")
        elif isinstance(value, Person | Office) and value.language not in languages:
            problems.append(f"{key}.language: {value.language!r} is not one of the district's ({listed})")
    return problems


def _walk(value: Any, key: str) -> Iterator[tuple[str, Any]]:
    """Every model in the configuration, with its key (``schools[0].office``)."""
    yield key, value
    if isinstance(value, RootModel):
        return
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{key}[{index}]")
