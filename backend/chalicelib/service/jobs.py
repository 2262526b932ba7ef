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

    def void_expired(self) -> int:
        """Void every contract still awaiting a signature when its first day starts."""
        voided = 0
        for request in self.store.awaiting(starting_before=self.records.clock.now()):
            try:
                self.records.change(request, self.records.void_change, voiding=True)
                voided += 1
            except (WrongState, Busy):
                continue
        return voided

    def send_reminders(self) -> int:
        """Once a day, from the configured hour, remind whoever must sign next."""
        now = self.records.clock.now()
        today = now.astimezone(self.zone).date()
        if now.astimezone(self.zone).hour < self.records.district.stis.reminder_hour:
            return 0
        reminded = 0
        for request in self.store.awaiting(starting_before=now + timedelta(days=400)):
            if request.reminded_on == today or request.first_day_starts <= now:
                continue
            if self._turn_started_on(request) == today:
                continue  # their first email went out today

            def change(current: StoredRequest, at: datetime) -> tuple[StoredRequest, bool]:
                if current.reminded_on == today:
                    raise WrongState("already_reminded", current.state.value)
                messages = notices.reminders(current, at)
                event = AuditEvent(at, "reminded", "", {"to": ",".join(m.recipient for m in messages)})
                changed = replace(current, reminded_on=today).with_events(event)
                return changed.with_messages(*messages), False

            try:
                self.records.change(request, change)
                reminded += 1
            except (WrongState, Busy):
                continue
        return reminded

    def _turn_started_on(self, request: StoredRequest) -> date:
        turns = [e.at for e in request.audit if e.event in ("submitted", "signed")]
        return max(turns).astimezone(self.zone).date()
