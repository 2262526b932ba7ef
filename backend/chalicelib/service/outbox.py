"""Sending the emails a request owes, after it is stored, each exactly once.

A dispatcher claims the due messages of one request with a conditional write
(so two dispatchers never send the same message), sends them, then marks each
one sent, or schedules a retry with a growing delay when the send failed.
In AWS it runs on the table's stream and on a schedule; locally, on a timer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ..config.schema import DistrictConfig, School
from ..core.contract import Role
from ..email.render import RenderedEmail, render_email
from ..i18n import audit_label, datetime_label, format_date, format_grade, party_label, state_label
from .errors import Busy, StaleWrite, Unavailable
from .model import OFFICE, AuditEvent, OutboxMessage, StoredRequest
from .ports import Clock, Mailer, MailerError, Store
from .stis import StisService

log = logging.getLogger("stis.outbox")  # JSON lines (see logs.py)

LEASE = timedelta(minutes=5)
RECORD_ATTEMPTS = 8
MAX_ATTEMPTS = 12
MAX_DELAY = timedelta(hours=6)

Renderer = Callable[[str, str, Mapping[str, Any]], RenderedEmail]


class NoRecipient(Exception):
    pass


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


class Dispatcher:
    def __init__(
        self,
        service: StisService,
        store: Store,
        mailer: Mailer,
        clock: Clock,
        site_url: str,
        render: Renderer = render_email,
    ) -> None:
        self.service = service
        self.district: DistrictConfig = service.district
        self.store = store
        self.mailer = mailer
        self.clock = clock
        self.site_url = site_url.rstrip("/")
        self.render = render

    def dispatch_due(self) -> int:
        """Send every message that is due, across all requests."""
        sent = 0
        for request_id in self.store.outbox_due(self.clock.now()):
            try:
                sent += self.dispatch(request_id)
            except (Busy, Unavailable):  # its messages stay due: the next run sends them
                log.warning("store busy, email left for the next run", extra={"stis_id": request_id})
        return sent

    def dispatch(self, request_id: str) -> int:
        """Send the due messages of one request; return how many were sent."""
        request = self.store.get(request_id)
        now = self.clock.now()
        if request is None or not any(m.due(now) for m in request.outbox):
            return 0
        claimed_ids = {m.id for m in request.outbox if m.due(now)}
        claimed = replace(
            request,
            outbox=tuple(
                replace(m, status="sending", attempts=m.attempts + 1, next_attempt_at=now + LEASE)
                if m.id in claimed_ids
                else m
                for m in request.outbox
            ),
        )
        try:
            request = self.store.update(claimed)
        except StaleWrite:
            return 0  # changed meanwhile: that change brings its own dispatch
        results: dict[str, tuple[str, str]] = {}
        for message in request.outbox:
            if message.id in claimed_ids:
                results[message.id] = self._send(request, message)
        self._record(request_id, results)
        return sum(1 for outcome, _ in results.values() if outcome == "sent")

    def _send(self, request: StoredRequest, message: OutboxMessage) -> tuple[str, str]:
        try:
            address, language, context = self._address(request, message)
            email = self.render(message.kind, language, context)
            self.mailer.send(
                address,
                email.subject,
                email.text,
                email.html,
                {"kind": message.kind, "role": _role_of(message.recipient)},
            )
        except MailerError as error:
            log.warning(
                "email not sent",
                extra={"stis_id": request.id, "kind": message.kind, "code": error.code},
            )
            if error.retryable and message.attempts < MAX_ATTEMPTS:
                return "retry", error.code
            return "failed", error.code
        except NoRecipient:  # the school or teacher left the configuration
            log.warning("email has no recipient", extra={"stis_id": request.id, "kind": message.kind})
            return "failed", "no_recipient"
        except Exception as error:  # a rendering bug: keep the message, try again later
            log.error(
                "email could not be prepared",
                extra={"stis_id": request.id, "kind": message.kind, "code": type(error).__name__},
            )
            if message.attempts < MAX_ATTEMPTS:
                return "retry", type(error).__name__
            return "failed", type(error).__name__
        return "sent", ""

    def _record(self, request_id: str, results: dict[str, tuple[str, str]]) -> None:
        """Mark what was sent. The emails are out: giving up here would send them
        again when the lease ends, so a busy store is waited for, a little."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                current = self.store.get(request_id)
                if current is None:
                    return
                self.store.update(self._recorded(current, results))
                return
            except StaleWrite:
                continue
            except (Busy, Unavailable):
                time.sleep(min(0.05 * 2**attempt, 1.0))
        log.error("could not record email outcomes", extra={"stis_id": request_id})

    def _recorded(self, current: StoredRequest, results: dict[str, tuple[str, str]]) -> StoredRequest:
        now = self.clock.now()
        outbox = []
        events = []
        for m in current.outbox:
            outcome = results.get(m.id)
            if outcome is None or m.status != "sending":
                outbox.append(m)
                continue
            status, code = outcome
            if status == "sent":
                outbox.append(replace(m, status="sent", sent_at=now, last_error=""))
                events.append(AuditEvent(now, "emailed", "", {"kind": m.kind, "to": _role_of(m.recipient)}))
            elif status == "retry":
                delay = retry_delay(m.attempts)
                outbox.append(replace(m, status="pending", next_attempt_at=now + delay, last_error=code))
            else:
                outbox.append(replace(m, status="failed", last_error=code))
        return replace(current, outbox=tuple(outbox)).with_events(*events)

    # --- addressing and context -------------------------------------------------

    def _address(self, request: StoredRequest, message: OutboxMessage) -> tuple[str, str, dict[str, Any]]:
        school = self.district.school(request.school_id)
        if school is None:
            raise NoRecipient(request.school_id)
        recipient = message.recipient
        language: str
        if recipient == OFFICE:
            address, language, name = school.office.email, school.office.language, ""
        elif recipient == "guardian":
            address, language, name = (
                request.guardian.email,
                request.language,
                request.guardian.name,
            )
        elif recipient == "principal":
            p = school.principal
            address, language, name = p.email, p.language, p.name
        else:
            teacher = school.teacher(recipient)
            if teacher is None:
                raise NoRecipient(recipient)
            address, language, name = teacher.email, teacher.language, teacher.name
        return address, language, self._context(request, message, school, language, name)

    def link(self, request: StoredRequest, party_key: str, language: str) -> str:
        token = self.service.link_token(request, party_key)
        # The site serves its first language at the root, the others under /<language>/.
        prefix = "" if language == self.district.languages[0] else f"{language}/"
        return f"{self.site_url}/{prefix}stis/sign/#id={request.id}&token={token}"

    def _context(
        self,
        request: StoredRequest,
        message: OutboxMessage,
        school: School,
        language: str,
        recipient_name: str,
    ) -> dict[str, Any]:
        teachers = {t.id: t.name for t in school.teachers}
        role = _role_of(message.recipient)
        has_link = message.recipient != OFFICE
        context: dict[str, Any] = {
            "district_name": self.district.district.name,
            "school_name": school.name,
            "office_phone": school.office.phone,
            "office_email": school.office.email,
            "student_name": request.student.full_name,
            "first_day": format_date(request.first_day, language),
            "last_day": format_date(request.last_day, language),
            "school_days": request.school_days,
            "recipient_name": recipient_name,
            "recipient_role": role,
            "request_ref": request.ref,
            "link": self.link(request, message.recipient, language) if has_link else "",
            "teachers": [teachers.get(t, t) for t in request.teacher_ids],
            "deadline": datetime_label(
                request.first_day_starts.astimezone(self.service.rules.zone), language
            ),
            "status_label": state_label(request.state.value, language),
        }
        turn = request.contract.whose_turn()
        context["whose_turn"] = ", ".join(
            party_label(p.key, p.role.value, teachers, school.principal.name, language) for p in turn
        )
        if message.kind == "office_new_request":
            context.update(
                guardian_name=request.guardian.name,
                guardian_email=request.guardian.email,
                guardian_phone=request.guardian.phone,
                student_id=request.student.student_id,
                grade=format_grade(request.student.grade, language),
                reason=request.reason,
            )
        if message.kind == "approved":
            context.update(
                contract_text=self.service.contract_text(request, language),
                audit=[
                    {
                        "at": datetime_label(e.at.astimezone(self.service.rules.zone), language),
                        "event": audit_label(e.event, language),
                        "who": party_label(
                            e.party,
                            _role_of(e.party) if e.party else "",
                            teachers,
                            school.principal.name,
                            language,
                        )
                        if e.party
                        else "",
                    }
                    for e in request.audit
                    if e.event != "emailed"
                ],
                student_signs_on_return=self.district.stis.student_signs == "on_return",
            )
        if message.kind == "ended":
            ending = request.contract.ending
            by = ""
            if ending is not None and ending.by is not None:
                by = party_label(
                    ending.by.key, ending.by.role.value, teachers, school.principal.name, language
                )
            context.update(
                state=request.state.value,
                reason=ending.reason if ending else "",
                by=by,
            )
        return context


def _role_of(recipient: str) -> str:
    if recipient in (OFFICE, Role.GUARDIAN.value, Role.PRINCIPAL.value):
        return recipient
    return Role.TEACHER.value
