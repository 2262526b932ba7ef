"""The scheduled work: voiding contracts not signed in time, the daily
reminder to whoever must sign next, and after the absence: starting the
evaluation when the last day ends, the teachers' daily reminders to record the
work, and the office's notice when it is overdue. Each run may repeat a
previous one safely."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from ..core.contract import State
from ..core.errors import WrongState
from ..core.request import AuditEvent, StoredRequest
from . import notices
from .errors import Busy
from .records import Change, Records


class Jobs:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store
        self.zone = records.rules.zone

    def end_unsigned(self) -> int:
        """End every request past its time: unconfirmed by the guardian in time
        (expired), or not fully signed when its first day starts (void)."""
        due = self.store.awaiting(due_before=self.records.clock.now())
        return sum(self._apply(request, self.records.end_late, ending=True) for request in due)

    def send_reminders(self) -> int:
        """Once a day, from the configured hour, remind whoever must sign next
        (once the guardian has confirmed; a few times at most)."""
        now = self.records.clock.now()
        today = now.astimezone(self.zone).date()
        if now.astimezone(self.zone).hour < self.records.district.stis.reminder_hour:
            return 0
        reminded = 0
        most = self.records.district.stis.max_reminders
        for request in self.store.awaiting(due_before=now + timedelta(days=400)):
            if not notices.reminders(request, now, most):
                continue  # unconfirmed, or everyone due has had their reminders
            if request.reminded_on == today or request.first_day_starts <= now:
                continue
            if self._turn_started_on(request) == today:
                continue  # their first email went out today

            def change(current: StoredRequest, at: datetime) -> StoredRequest:
                messages = notices.reminders(current, at, most)
                if current.reminded_on == today or not messages:
                    raise WrongState("already_reminded", current.state.value)
                event = AuditEvent(at, "reminded", "", {"to": ",".join(m.recipient for m in messages)})
                changed = replace(current, reminded_on=today).with_events(event)
                return changed.with_messages(*messages)

            reminded += self._apply(request, change)
        return reminded

    def begin_evaluations(self) -> int:
        """Every approved contract whose last day has ended goes to evaluation
        (its teachers are asked to record the work)."""
        now = self.records.clock.now()
        begun = 0
        for request in self.store.evaluating(due_before=now):
            if request.state is not State.APPROVED or now < self.records.last_day_ends(request):
                continue

            def change(current: StoredRequest, at: datetime) -> StoredRequest:
                contract = current.contract.begin_evaluation(at, self.records.last_day_ends(current))
                return replace(current, contract=contract).with_events(AuditEvent(at, "evaluation_started"))

            begun += self._apply(request, change)
        return begun

    def remind_evaluators(self) -> int:
        """Once a day, from the configured hour, remind the teachers who have not
        recorded the work (a few times at most), and tell the office once when
        the record is overdue (``evaluation_due_school_days`` after the return)."""
        now = self.records.clock.now()
        local = now.astimezone(self.zone)
        today = local.date()
        if local.hour < self.records.district.stis.reminder_hour:
            return 0
        most = self.records.district.stis.max_reminders
        reminded = 0
        for request in self.store.evaluating(due_before=now):
            if request.state is not State.AWAITING_EVALUATION or request.reminded_on == today:
                continue
            if self._evaluation_started_on(request) == today:
                continue  # the first "record the work" email went out today
            due = self.records.evaluation_due(request)
            overdue = due is not None and today >= due
            if not notices.evaluation_reminders(request, now, most, overdue):
                continue

            def change(current: StoredRequest, at: datetime, overdue: bool = overdue) -> StoredRequest:
                messages = notices.evaluation_reminders(current, at, most, overdue)
                if current.reminded_on == today or not messages:
                    raise WrongState("already_reminded", current.state.value)
                kinds = {m.kind for m in messages}
                events = []
                if "record_reminder" in kinds:
                    to = ",".join(m.recipient for m in messages if m.kind == "record_reminder")
                    events.append(AuditEvent(at, "evaluation_reminded", "", {"to": to}))
                if "evaluation_overdue" in kinds:
                    events.append(AuditEvent(at, "evaluation_overdue"))
                changed = replace(current, reminded_on=today).with_events(*events)
                return changed.with_messages(*messages)

            reminded += self._apply(request, change)
        return reminded

    def _apply(self, request: StoredRequest, change: Change, ending: bool = False) -> bool:
        """Make one scheduled change; False when it no longer applies (someone
        acted first) or the store is busy (the next run tries again)."""
        try:
            self.records.change(request, change, ending=ending)
        except (WrongState, Busy):
            return False
        return True

    def _evaluation_started_on(self, request: StoredRequest) -> date | None:
        started = [e.at for e in request.audit if e.event == "evaluation_started"]
        return max(started).astimezone(self.zone).date() if started else None

    def _turn_started_on(self, request: StoredRequest) -> date:
        turns = [e.at for e in request.audit if e.event in ("submitted", "signed")]
        return max(turns).astimezone(self.zone).date()
