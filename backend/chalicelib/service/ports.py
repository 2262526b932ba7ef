"""The small interfaces the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from ..core.contract import Days
from ..core.register import RegisterRow
from ..core.request import OutboxMessage, StoredRequest
from ..core.roster import RosterStudent
from ..core.rules import HeldDays


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class StudentDays:
    """What a submit checks before storing anything: the student's confirmed
    contracts in one school year, and the requests refused for them today."""

    held: tuple[HeldDays, ...]
    refused_today: int


@dataclass(frozen=True)
class RegisterWeek:
    """What the store filed under one school week: request ids, and whether sent."""

    request_ids: tuple[str, ...]
    sent: bool


@dataclass(frozen=True)
class OpenLimits:
    """Unconfirmed requests open at once, per guardian address and per student id."""

    per_guardian: int
    per_student: int


class Store(Protocol):
    def student_days(self, student_id: str, school_year: str, today: date) -> StudentDays:
        """One read: the student's held days and today's refusals (local date)."""
        ...

    def note_refused(self, student_id: str, school_year: str, today: date) -> None:
        """Count one refused request (cap or overlap) for the student today."""
        ...

    def create(self, request: StoredRequest, limits: OpenLimits) -> None:
        """Store a new, unconfirmed request: it holds no days, but counts as open
        for its guardian's address and its student. Raises ``DuplicateRequestKey``
        (the key was used before), ``TooManyRequests`` or ``Busy``."""
        ...

    def get(self, request_id: str) -> StoredRequest | None: ...

    def roster_student(self, student_id: str) -> RosterStudent | None:
        """The roster's entry for a (canonical) student id, if the roster has one."""
        ...

    def days_used(self, student_id: str, school_year: str) -> int:
        """The school days the student's confirmed contracts hold in that school year."""
        ...

    def get_with_days_used(
        self, request_id: str, student_id: str, school_year: str
    ) -> tuple[StoredRequest | None, int]:
        """The request and the days the student holds in that school year."""
        ...

    def update(
        self,
        request: StoredRequest,
        days: Days = Days.KEEP,
        cap: int = 0,
        released: tuple[date, ...] = (),
        issued: bytes = b"",
    ) -> StoredRequest:
        """Write ``request`` if nobody changed it since it was read (its
        ``version``), and in the same transaction do what ``days`` says: claim
        its days under ``cap`` and the overlap rule (``CapExceeded``,
        ``Overlap``), close it as an open request, give its days back, or
        (``SHORTEN``) give back the ``released`` dates and keep the rest.
        ``issued``, at approval, is the agreement PDF (its SHA-256 is the
        request's ``agreement_sha256``): kept in the same transaction, so that
        ``find_agreement`` finds the request by its hash and ``issued_pdf``
        gives back the very bytes that were hashed.
        Returns the stored copy (version + 1). Raises ``StaleWrite`` or ``Busy``."""
        ...

    def find_agreement(self, sha256: str) -> StoredRequest | None:
        """The request whose issued agreement PDF has this SHA-256 (lower-case hex)."""
        ...

    def issued_pdf(self, sha256: str) -> bytes | None:
        """The agreement PDF issued with this SHA-256, as it was issued."""
        ...

    def awaiting(self, due_before: datetime) -> Iterable[StoredRequest]:
        """Requests still awaiting a signature that are due (``due_at``) at or
        before the given time, soonest first (a Query on a sparse index)."""
        ...

    def evaluating(self, due_before: datetime) -> Iterable[StoredRequest]:
        """Approved contracts and contracts awaiting evaluation whose last day
        has ended by about ``due_before`` (``last_day_ends_at_least``): the
        scheduled work after the absence."""
        ...

    def outbox_due(self, now: datetime) -> Iterable[str]:
        """Ids of requests with an email due by ``now``."""
        ...

    # --- the office's weekly register (filed when the guardian's signature claims the days) ---

    def register_week(self, school_id: str, monday: date) -> RegisterWeek:
        """One read: the ids of the requests filed under the school's week of
        ``monday`` (every week a claim touches), and whether its register was sent."""
        ...

    def get_many(self, request_ids: Sequence[str]) -> list[StoredRequest]:
        """The requests with these ids that exist (batched reads, any order)."""
        ...

    def claim_register(self, school_id: str, monday: date, now: datetime, hold: timedelta) -> bool:
        """Take the school week's register for sending: True unless it was sent,
        or another run took it less than ``hold`` ago (a conditional write)."""
        ...

    def finish_register(self, school_id: str, monday: date, sent: bool) -> None:
        """Mark the register sent, for good; or (not sent) let the next run try again."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: the agreement PDF, a calendar file, a CSV."""

    filename: str
    content_type: str  # "application/pdf", "text/calendar", "text/csv"
    data: bytes


class Documents(Protocol):
    """The documents an approved request issues (``chalicelib.documents``): the
    same record gives the same bytes every time."""

    def agreement_pdf(self, request: StoredRequest) -> bytes:
        """The signed agreement and its audit certificate, as at approval."""
        ...

    def calendar_ics(self, request: StoredRequest) -> bytes:
        """The guardian's calendar: the days away and the day the work is due."""
        ...


class Mailer(Protocol):
    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        tags: dict[str, str],
        attachments: Sequence[Attachment] = (),
    ) -> str:
        """Send one email (with its attachments); return the provider's message id. Raises
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
    attachments: tuple[Attachment, ...] = ()


class Composer(Protocol):
    def compose(self, request: StoredRequest, message: OutboxMessage) -> Composed:
        """The email ``message`` owes, addressed from the configuration. Raises
        ``NoRecipient`` when its school or teacher has left the configuration."""
        ...


class NoRecipient(Exception):
    pass


class RegisterComposer(Protocol):
    def compose_register(self, school_id: str, monday: date, rows: Sequence[RegisterRow]) -> Composed:
        """The office's register email for one school week, in the office's
        language, with the register as a CSV attachment. Raises ``NoRecipient``."""
        ...
