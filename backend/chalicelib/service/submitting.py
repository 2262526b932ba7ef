"""Asking for STIS: the live quote, and submitting a request (checked against
the rules, stored with its days claimed, the guardian asked to sign)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from ..config.schema import School
from ..core import rules
from ..core.contract import Contract, Party
from ..core.errors import CapExceeded, Overlap
from ..core.request import AuditEvent, Guardian, StoredRequest, Student
from ..core.roster import check_on_roster
from . import notices, tokens
from .errors import (
    Busy,
    DuplicateRequestKey,
    InvalidInput,
    RequestKeyConflict,
    TooManyRequests,
    UnknownSchool,
    UnknownTeacher,
)
from .ports import OpenLimits
from .records import WRITE_ATTEMPTS, Records


@dataclass(frozen=True)
class SubmitCommand:
    request_key: str
    language: str
    school_id: str
    teacher_ids: tuple[str, ...]
    student: Student
    guardian: Guardian
    first_day: date
    last_day: date
    reason: str
    body_sha256: str


@dataclass(frozen=True)
class Submitted:
    request: StoredRequest
    days_used: int
    days_remaining: int
    created: bool


class Submitting:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.district = records.district
        self.store = records.store

    def quote(self, first_day: date, last_day: date) -> rules.Quote:
        return rules.quote(
            self.records.calendar, self.records.rules, first_day, last_day, self.records.clock.now()
        )

    def submit(self, command: SubmitCommand) -> Submitted:
        """Check a request against the rules and the student's confirmed
        contracts, and store it unconfirmed: it holds no days until the guardian
        signs (the only email it sends asks the guardian to confirm)."""
        school = self.district.school(command.school_id)
        if school is None:
            raise UnknownSchool()
        self._check_teachers(school, command.teacher_ids)
        student_id = self.district.student_id.rule().canonical(command.student.student_id)
        if student_id is None:
            raise InvalidInput(
                "student.student_id", "student_id", hint=self.district.student_id.hint.as_dict()
            )
        if command.student.grade not in school.grade_list():
            raise InvalidInput("student.grade", "grade_not_at_school")
        command = replace(command, student=replace(command.student, student_id=student_id))
        if self.district.roster == "required":  # the agreement's names then come from the roster
            entry = check_on_roster(self.store.roster_student(student_id), school.id, command.guardian.email)
            named = replace(command.student, first_name=entry.first_name, last_name=entry.last_name)
            command = replace(command, student=named)
        records, now = self.records, self.records.clock.now()
        quote = rules.quote(records.calendar, records.rules, command.first_day, command.last_day, now)
        quote.require_notice()
        request = self._new_request(command, quote, now)
        cap, limits = records.rules.max_days_per_year, self.district.intake
        today = now.astimezone(records.rules.zone).date()
        student = self.store.student_days(student_id, quote.school_year, today)
        if student.refused_today >= limits.refused_per_student_per_day:
            raise TooManyRequests("refused_per_student", self._until_tomorrow(now))
        try:
            days_used = rules.check_claim(cap, student.held, request.held())
        except (CapExceeded, Overlap):
            self.store.note_refused(student_id, quote.school_year, today)
            raise
        open_limits = OpenLimits(limits.open_per_guardian, limits.open_per_student)
        try:
            _retrying(lambda: self.store.create(request, open_limits))
        except DuplicateRequestKey as duplicate:
            return self._resubmitted(duplicate, command, quote.school_year)
        return self._submitted(request, days_used, created=True)

    def _resubmitted(
        self, duplicate: DuplicateRequestKey, command: SubmitCommand, school_year: str
    ) -> Submitted:
        """The same request_key again: the same request if the body is the same."""
        if duplicate.body_sha256 != command.body_sha256:
            raise RequestKeyConflict()
        existing, held = self.store.get_with_days_used(
            duplicate.request_id, command.student.student_id, school_year
        )
        if existing is None:
            raise RequestKeyConflict()
        days_used = held if existing.state.holds_days else held + existing.school_days
        return self._submitted(existing, days_used, created=False)

    def _until_tomorrow(self, now: datetime) -> int:
        """Seconds until the next local midnight (when today's refusals are forgotten)."""
        local = now.astimezone(self.records.rules.zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
        return max(int((midnight - local).total_seconds()), 1)

    def _submitted(self, request: StoredRequest, days_used: int, created: bool) -> Submitted:
        remaining = max(self.records.rules.max_days_per_year - days_used, 0)
        return Submitted(request, days_used, remaining, created)

    def _check_teachers(self, school: School, teacher_ids: tuple[str, ...]) -> None:
        if not teacher_ids:
            raise InvalidInput("teacher_ids", "required")
        if len(set(teacher_ids)) != len(teacher_ids):
            raise InvalidInput("teacher_ids", "repeated")
        limit = 1 if school.level == "elementary" else self.district.stis.max_teachers
        if len(teacher_ids) > limit:
            raise InvalidInput("teacher_ids", "one_teacher" if limit == 1 else "too_many", max=limit)
        for index, teacher_id in enumerate(teacher_ids):
            if school.teacher(teacher_id) is None:
                raise UnknownTeacher(f"teacher_ids[{index}]")

    def _new_request(self, command: SubmitCommand, quote: rules.Quote, now: datetime) -> StoredRequest:
        day_starts_at = self.records.rules.day_starts_at
        request_id = self.records.new_id()
        salt = tokens.new_salt()
        parties = [
            Party.guardian(),
            *(Party.teacher(t) for t in command.teacher_ids),
            Party.principal(),
            Party.office(),
        ]
        secret = self.records.token_secret
        hashes = {
            p.key: tokens.token_hash(tokens.token_for(secret, request_id, salt, p.key)) for p in parties
        }
        retention = timedelta(days=self.district.record_retention_days)
        last_day_ends = day_starts_at(quote.last_day) + timedelta(days=1)
        window = now + timedelta(hours=self.district.stis.confirm_within_hours)
        request = StoredRequest(
            id=request_id,
            request_key=command.request_key,
            body_sha256=command.body_sha256,
            language=command.language,
            school_id=command.school_id,
            student=command.student,
            guardian=command.guardian,
            school_year=quote.school_year,
            dates=quote.dates,
            reason=command.reason,
            created_at=now,
            contract=Contract(teacher_ids=command.teacher_ids),
            token_salt=salt,
            token_hashes=hashes,
            first_day_starts=day_starts_at(quote.first_day),
            expires_at=int((last_day_ends + retention).timestamp()),
            confirm_by=min(window, quote.notice_deadline),
            audit=(AuditEvent(now, "submitted", "guardian"),),
        )
        return request.with_messages(*notices.on_submit(now))


def _retrying(attempt: Callable[[], None]) -> None:
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return attempt()
        except Busy:
            continue
    return attempt()
