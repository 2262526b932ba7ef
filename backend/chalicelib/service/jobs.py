"""The scheduled work: voiding contracts not signed in time, and the daily
reminder to whoever must sign next. Each run may repeat a previous one safely."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from ..core.errors import WrongState
from ..core.request import AuditEvent, StoredRequest
from . import notices
from .errors import Busy
from .records import Records


class Jobs:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store
        self.zone = records.rules.zone

    def end_unsigned(self) -> int:
        """End every request past its time: unconfirmed by the guardian in time
        (expired), or not fully signed when its first day starts (void)."""
        ended = 0
        for request in self.store.awaiting(due_before=self.records.clock.now()):
            try:
                self.records.change(request, self.records.end_late, ending=True)
                ended += 1
            except (WrongState, Busy):
                continue
        return ended

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

            try:
                self.records.change(request, change)
                reminded += 1
            except (WrongState, Busy):
                continue
        return reminded

    def _turn_started_on(self, request: StoredRequest) -> date:
        turns = [e.at for e in request.audit if e.event in ("submitted", "signed")]
        return max(turns).astimezone(self.zone).date()
