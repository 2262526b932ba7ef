"""Sending the emails a request owes, after it is stored, each exactly once.

A dispatcher claims the due messages of one request with a conditional write
(so two dispatchers never send the same message), sends them, then marks each
one sent, or schedules a retry with a growing delay when the send failed.
In AWS it runs on the table's stream and on a schedule; locally, on a timer.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from datetime import timedelta

from ..core.request import AuditEvent, OutboxMessage, StoredRequest, role_of
from .errors import Busy, StaleWrite, Unavailable
from .ports import Clock, Composer, Mailer, MailerError, NoRecipient, Store

log = logging.getLogger("stis.outbox")  # JSON lines (see logs.py)

LEASE = timedelta(minutes=5)
RECORD_ATTEMPTS = 8
MAX_ATTEMPTS = 12
MAX_DELAY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


class Dispatcher:
    def __init__(self, store: Store, mailer: Mailer, clock: Clock, composer: Composer) -> None:
        self.store = store
        self.mailer = mailer
        self.clock = clock
        self.composer = composer

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
        lease = uuid.uuid4().hex
        claimed = replace(
            request,
            outbox=tuple(
                replace(
                    m, status="sending", attempts=m.attempts + 1, next_attempt_at=now + LEASE, lease=lease
                )
                if m.id in claimed_ids
                else m
                for m in request.outbox
            ),
        )
        try:
            request = self.store.update(claimed)
        except StaleWrite:
            # Changed meanwhile (that change brings its own dispatch), or our own
            # claim was written and its answer lost: the SDK retried a timed-out
            # write and the retry found the version moved. Then the claim is ours.
            current = self.store.get(request_id)
            if current is None or not _holds(current, claimed_ids, lease):
                return 0
            request = current
        results: dict[str, tuple[str, str]] = {}
        for message in request.outbox:
            if message.id in claimed_ids:
                results[message.id] = self._send(request, message)
        self._record(request_id, results, lease)
        return sum(1 for outcome, _ in results.values() if outcome == "sent")

    def _send(self, request: StoredRequest, message: OutboxMessage) -> tuple[str, str]:
        try:
            email = self.composer.compose(request, message)
            self.mailer.send(
                email.to,
                email.subject,
                email.text,
                email.html,
                {"kind": message.kind, "role": role_of(message.recipient)},
                email.attachments,
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

    def _record(self, request_id: str, results: dict[str, tuple[str, str]], lease: str) -> None:
        """Mark what was sent. The emails are out: giving up here would send them
        again when the lease ends, so a busy store is waited for, a little."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                current = self.store.get(request_id)
                if current is None:
                    return
                self.store.update(self._recorded(current, results, lease))
                return
            except StaleWrite:
                continue
            except (Busy, Unavailable):
                time.sleep(min(0.05 * 2**attempt, 1.0))
        log.error("could not record email outcomes", extra={"stis_id": request_id})

    def _recorded(
        self, current: StoredRequest, results: dict[str, tuple[str, str]], lease: str
    ) -> StoredRequest:
        now = self.clock.now()
        outbox = []
        events = []
        for m in current.outbox:
            outcome = results.get(m.id)
            if outcome is None or m.status != "sending" or m.lease != lease:
                outbox.append(m)
                continue
            status, code = outcome
            if status == "sent":
                outbox.append(replace(m, status="sent", sent_at=now, last_error=""))
                events.append(AuditEvent(now, "emailed", "", {"kind": m.kind, "to": role_of(m.recipient)}))
            elif status == "retry":
                delay = retry_delay(m.attempts)
                outbox.append(replace(m, status="pending", next_attempt_at=now + delay, last_error=code))
            else:
                outbox.append(replace(m, status="failed", last_error=code))
        return replace(current, outbox=tuple(outbox)).with_events(*events)


def _holds(request: StoredRequest, message_ids: set[str], lease: str) -> bool:
    """Whether every one of ``message_ids`` is still claimed under ``lease``."""
    held = {m.id for m in request.outbox if m.status == "sending" and m.lease == lease}
    return message_ids <= held
