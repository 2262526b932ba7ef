"""After the absence (SPEC 3b): each teacher records the work for every school
day of the contract and signs (with ``on_return``, the student signs on the
first teacher's record); the office may end an approved contract early once it
has started, which gives back the later days and sends the days so far to
evaluation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ..core.contract import DayRecord, Evaluation, Party, Role, Signature, State, evaluation_problems
from ..core.contract_text import sha256_of
from ..core.errors import WrongState
from ..core.request import AuditEvent, StoredRequest
from .errors import InvalidInput, NameMismatch, NotFound
from .records import Records, RequestView


@dataclass(frozen=True)
class DayInput:
    day: date
    credited: bool
    received_on: date | None = None
    note: str = ""


DAY_PROBLEMS = {"not_in_contract": "day_not_in_contract", "repeated": "day_repeated"}


class Evaluating:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.district = records.district

    def _today(self) -> date:
        return self.records.clock.now().astimezone(self.records.rules.zone).date()

    def evaluate(
        self,
        request_id: str,
        token: str,
        name: str,
        agree: bool,
        days: tuple[DayInput, ...],
        student_name: str | None,
        source_ip: str,
        user_agent: str,
    ) -> RequestView:
        request, party = self.records.authorize(request_id, token)
        school = self.district.school(request.school_id)
        if school is None:
            raise NotFound()
        if party.role is not Role.TEACHER or party.id not in request.teacher_ids:
            raise WrongState("not_allowed", request.state.value)
        if request.contract.has_evaluated(party):
            raise WrongState("already_recorded", request.state.value)
        if request.state is not State.AWAITING_EVALUATION:
            reason = "not_yet" if request.state is State.APPROVED else "ended"
            raise WrongState(reason, request.state.value)
        if not agree:
            raise InvalidInput("agree", "agree")
        records = tuple(DayRecord(d.day, d.credited, d.received_on, d.note) for d in days)
        self._check_days(request, records)
        names = [("name", name, school.teacher_name(party.id))]
        student_signs = self._student_signs(request)
        if student_signs:
            if not student_name:
                raise InvalidInput("student.name", "required")
            names.append(("student.name", student_name, request.student.full_name))
        NameMismatch.check(*names)
        language = request.language

        def change(current: StoredRequest, now: datetime) -> StoredRequest:
            evaluation = Evaluation(party, name, now, source_ip, user_agent, records)
            student = None
            if student_signs and student_name and not current.contract.has_signed(Party.student()):
                text = self.records.contract_text(current, language)
                student = Signature(
                    Party.student(), student_name, now, source_ip, user_agent, sha256_of(text)
                )
            contract = current.contract.evaluate(evaluation, current.dates, student)
            credited = sum(1 for r in records if r.credited)
            event = AuditEvent(now, "evaluated", party.key, {"credited": str(credited)})
            changed = replace(current, contract=contract).with_events(event)
            if student is not None:
                changed = changed.with_events(AuditEvent(now, "signed", Party.student().key))
            if contract.state is State.CLOSED:
                changed = changed.with_events(AuditEvent(now, "closed"))
            return changed

        return self.records.view(self.records.change(request, change), party, None)

    def _student_signs(self, request: StoredRequest) -> bool:
        """With ``on_return`` the student signs once, beside the first teacher's record."""
        return self.district.stis.student_signs == "on_return" and not request.contract.has_signed(
            Party.student()
        )

    def _check_days(self, request: StoredRequest, records: tuple[DayRecord, ...]) -> None:
        problems = evaluation_problems(request.dates, records)
        for index, problem in sorted(problems.items()):
            if index < 0:
                raise InvalidInput("days", "days_missing")
            raise InvalidInput(f"days[{index}].date", DAY_PROBLEMS[problem])
        today = self._today()
        for index, record in enumerate(records):
            if record.received_on is not None and record.received_on > today:
                raise InvalidInput(f"days[{index}].received_on", "received_in_future")

    def end_early(self, request_id: str, token: str, reason: str, last_day: date | None) -> RequestView:
        """The office ends an approved contract after ``last_day`` (by default the
        last school day of the contract before today)."""
        request, party = self.records.authorize(request_id, token)
        if party.role is not Role.OFFICE:
            raise WrongState("not_allowed", request.state.value)
        if not reason:
            raise InvalidInput("reason", "required")
        if request.state is not State.APPROVED:
            raise WrongState("not_allowed" if request.state.is_awaiting else "ended", request.state.value)
        if self.records.clock.now() < request.first_day_starts:
            raise WrongState("not_started", request.state.value)
        if last_day is None:
            today = self._today()
            so_far = [d for d in request.dates if d < today]
            if not so_far:
                raise InvalidInput("last_day", "no_days_yet")
            last_day = so_far[-1]
        if last_day not in request.dates:
            raise InvalidInput("last_day", "day_not_in_contract")
        if last_day >= request.last_day:
            raise InvalidInput("last_day", "not_before_last_day")
        chosen = last_day

        def change(current: StoredRequest, now: datetime) -> StoredRequest:
            cut = current.end_early(now, chosen, reason)
            event = AuditEvent(
                now, "ended_early", party.key, {"reason": reason, "last_day": chosen.isoformat()}
            )
            cut = cut.with_events(event)
            if now >= self.records.last_day_ends(cut):
                contract = cut.contract.begin_evaluation(now, self.records.last_day_ends(cut))
                cut = replace(cut, contract=contract).with_events(AuditEvent(now, "evaluation_started"))
            return cut

        return self.records.view(self.records.change(request, change), party, None)
