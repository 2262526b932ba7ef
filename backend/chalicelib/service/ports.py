"""The small interfaces the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from ..core.request import OutboxMessage, StoredRequest


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Store(Protocol):
    def create(self, request: StoredRequest, cap: int) -> int:
        """Store a new request and claim its days, all or nothing.

        Returns the school days the student then holds in that school year.
        Raises ``DuplicateRequestKey`` (the key was used before),
        ``CapExceeded``, ``Overlap`` or ``Busy``.
        """
        ...

    def get(self, request_id: str) -> StoredRequest | None: ...

    def days_used(self, student_id: str, school_year: str) -> int:
        """The school days the student's contracts hold in that school year."""
        ...

    def get_with_days_used(
        self, request_id: str, student_id: str, school_year: str
    ) -> tuple[StoredRequest | None, int]:
        """The request and the days the student holds in that school year."""
        ...

    def update(self, request: StoredRequest, release_days: bool = False) -> StoredRequest:
        """Write ``request`` if nobody changed it since it was read (its
        ``version``); give its days back when ``release_days``. Returns the
        stored copy (version + 1). Raises ``StaleWrite`` or ``Busy``."""
        ...

    def awaiting(self, starting_before: datetime) -> Iterable[StoredRequest]:
        """Requests still awaiting a signature whose first day starts at or
        before the given time, soonest first (a Query on a sparse index)."""
        ...

    def outbox_due(self, now: datetime) -> Iterable[str]:
        """Ids of requests with an email due by ``now``."""
        ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        """Send one email; return the provider's message id. Raises
        ``MailerError`` (``retryable`` says whether to try again later)."""
        ...


class MailerError(Exception):
    def __init__(self, code: str, retryable: bool) -> None:
        super().__init__(code)
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class Composed:
    """One email ready to send: where, and what, in the recipient's language."""

    to: str
    language: str
    subject: str
    text: str
    html: str


class Composer(Protocol):
    def compose(self, request: StoredRequest, message: OutboxMessage) -> Composed:
        """The email ``message`` owes, addressed from the configuration. Raises
        ``NoRecipient`` when its school or teacher has left the configuration."""
        ...


class NoRecipient(Exception):
    pass
