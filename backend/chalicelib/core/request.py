"""The STIS request as stored: the request, its contract, links, audit trail and outbox.

The aggregate every use case reads and changes, and every ``Store`` keeps
whole. Plain frozen dataclasses, standard library only; how a store encodes
them is the store's business (``adapters/codec.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from .calendar import SchoolDaySpan
from .contract import Contract, Days, Party, Role, State, day_credited, days_change
from .rules import HeldDays

OFFICE = "office"


class DayResult(StrEnum):
    """What one school day of a contract counts as, for attendance."""

    CREDITED = "credited"  # every teacher judged the work complete
    NOT_CREDITED = "not_credited"
    PENDING = "pending"  # not yet recorded


@dataclass(frozen=True)
class Student:
    first_name: str
    last_name: str
    student_id: str
    grade: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Guardian:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class AuditEvent:
    """One line of the append-only audit trail. ``party`` is a party key."""

    at: datetime
    event: str
    party: str = ""
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    """One email owed for one event to one recipient; sent at most once.

    ``status``: ``pending`` (due at ``next_attempt_at``), ``sending`` (claimed
    by a dispatcher until ``next_attempt_at``), ``sent``, or ``failed`` (given up).
    ``lease`` names the dispatcher's claim, so a dispatcher whose claim was
    written but not acknowledged can tell it is its own.
    """

    id: str
    kind: str
    recipient: str
    next_attempt_at: datetime
    status: str = "pending"
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str = ""
    lease: str = ""

    def due(self, now: datetime) -> bool:
        return self.status in ("pending", "sending") and self.next_attempt_at <= now


@dataclass(frozen=True)
class StoredRequest(SchoolDaySpan):
    id: str
    request_key: str
    body_sha256: str
    language: str
    school_id: str
    student: Student
    guardian: Guardian
    school_year: str
    dates: tuple[date, ...]
    reason: str
    created_at: datetime
    contract: Contract
    token_salt: str
    token_hashes: dict[str, str]
    first_day_starts: datetime
    expires_at: int
    confirm_by: datetime  # the guardian signs by then (notice and confirmation window), or it expires
    audit: tuple[AuditEvent, ...] = ()
    outbox: tuple[OutboxMessage, ...] = ()
    reminded_on: date | None = None
    agreement_sha256: str = ""  # the issued agreement PDF's SHA-256, set at approval
    version: int = 0

    @property
    def state(self) -> State:
        return self.contract.state

    @property
    def teacher_ids(self) -> tuple[str, ...]:
        return self.contract.teacher_ids

    @property
    def ref(self) -> str:
        return "STIS-" + self.id.replace("-", "")[:6].upper()

    @property
    def approved_at(self) -> datetime | None:
        """When the last signature approved the contract (``None`` if it never was)."""
        return next((e.at for e in self.audit if e.event == "approved"), None)

    @property
    def due_at(self) -> datetime:
        """When the scheduled work must look at an unsigned request: the end of the
        guardian's window while unconfirmed, else the start of the first day."""
        return self.confirm_by if self.state.is_unconfirmed else self.first_day_starts

    def ended_at(self, last_day_ends: datetime) -> datetime | None:
        """When the contract ended: its ending, or the end of its last day once
        approved or closed; ``None`` while it is still being signed or evaluated."""
        if self.contract.ending is not None:
            return self.contract.ending.at
        # Approved, or closed once every teacher has recorded the work; a contract still
        # awaiting a teacher's record keeps its links working until the record is in.
        return last_day_ends if self.state in (State.APPROVED, State.CLOSED) else None

    def reminders_sent(self, party_key: str) -> int:
        return self.messages_sent("reminder", party_key)

    def messages_sent(self, kind: str, party_key: str) -> int:
        """How many ``kind`` emails are owed or sent to ``party_key`` so far."""
        return sum(1 for m in self.outbox if m.kind == kind and m.recipient == party_key)

    def asked(self) -> tuple[str, ...]:
        """The keys of the parties an email has asked to sign so far, in order."""
        keys = [m.recipient for m in self.outbox if m.kind in ("review_and_sign", "confirm_and_sign")]
        return tuple(dict.fromkeys(keys))

    def day_results(self) -> dict[date, DayResult]:
        """Each school day of the contract with its result (SPEC 3b): credited
        once every teacher has credited it, not credited as soon as one teacher
        has not, pending until then (and for a contract not approved)."""
        contract = self.contract
        results: dict[date, DayResult] = {}
        for day in self.dates:
            credited = day_credited(day, contract.teacher_ids, contract.evaluations)
            results[day] = (
                DayResult.PENDING
                if credited is None
                else DayResult.CREDITED
                if credited
                else DayResult.NOT_CREDITED
            )
        return results

    @property
    def credited_days(self) -> int:
        return sum(1 for r in self.day_results().values() if r is DayResult.CREDITED)

    @property
    def last_day_ends_at_least(self) -> datetime:
        """A moment no later than the end of the last day: the start of the
        first day plus the calendar days to the day after the last, less the
        hours a daylight-saving change can move a clock. Stores index
        approved contracts by it; the jobs check the exact moment."""
        return self.first_day_starts + timedelta(days=(self.last_day - self.first_day).days + 1, hours=-3)

    def end_early(self, at: datetime, last_day: date, reason: str) -> StoredRequest:
        """The office ends the contract after ``last_day``: its dates are cut,
        and the later ones go back (``days_change_of`` says so to the store)."""
        kept = tuple(d for d in self.dates if d <= last_day)
        released = tuple(d for d in self.dates if d > last_day)
        contract = self.contract.end_early(
            Party.office(), at, self.first_day_starts, reason, last_day, released
        )
        if not kept:
            raise ValueError("an early end keeps at least the first day")
        return replace(self, contract=contract, dates=kept)

    def held(self) -> HeldDays:
        return HeldDays(self.id, self.school_year, self.first_day, self.last_day, self.school_days)

    def with_events(self, *events: AuditEvent) -> StoredRequest:
        return replace(self, audit=(*self.audit, *events))

    def with_messages(self, *messages: OutboxMessage) -> StoredRequest:
        return replace(self, outbox=(*self.outbox, *messages))

    def pending_messages(self) -> tuple[OutboxMessage, ...]:
        return tuple(m for m in self.outbox if m.status in ("pending", "sending"))

    def next_attempt(self) -> datetime | None:
        pending = self.pending_messages()
        return min(m.next_attempt_at for m in pending) if pending else None


def party_of(key: str) -> Party:
    """The party a stored key names: ``guardian``, ``principal``, ``office`` or a teacher's id."""
    if key in (Role.GUARDIAN.value, Role.PRINCIPAL.value, Role.OFFICE.value, Role.STUDENT.value):
        return Party(Role(key), key)
    return Party.teacher(key)


def role_of(key: str) -> str:
    """The role behind a recipient or audit key: a party's role, or "" (the system)."""
    return party_of(key).role.value if key else ""


def days_change_of(before: StoredRequest, after: StoredRequest) -> tuple[Days, tuple[date, ...]]:
    """What a change does to the student's days, and which dates it gives back
    when a contract is shortened (an early end)."""
    change = days_change(before.state, after.state)
    if change is Days.KEEP and after.state.holds_days and len(after.dates) < len(before.dates):
        kept = set(after.dates)
        return Days.SHORTEN, tuple(d for d in before.dates if d not in kept)
    return change, ()
