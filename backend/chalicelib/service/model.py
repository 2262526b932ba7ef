"""A stored STIS request: the request, its contract, links, audit trail and outbox.

Plain dataclasses (standard library only) plus a codec to and from JSON-like
dictionaries, shared by every ``Store`` so that they all keep the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ..core.contract import Contract, Ending, Party, Role, Signature, State
from ..core.rules import HeldDays

OFFICE = "office"


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
    """

    id: str
    kind: str
    recipient: str
    next_attempt_at: datetime
    status: str = "pending"
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str = ""

    def due(self, now: datetime) -> bool:
        return self.status in ("pending", "sending") and self.next_attempt_at <= now


@dataclass(frozen=True)
class StoredRequest:
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
    audit: tuple[AuditEvent, ...] = ()
    outbox: tuple[OutboxMessage, ...] = ()
    reminded_on: date | None = None
    version: int = 0

    @property
    def state(self) -> State:
        return self.contract.state

    @property
    def teacher_ids(self) -> tuple[str, ...]:
        return self.contract.teacher_ids

    @property
    def first_day(self) -> date:
        return self.dates[0]

    @property
    def last_day(self) -> date:
        return self.dates[-1]

    @property
    def school_days(self) -> int:
        return len(self.dates)

    @property
    def ref(self) -> str:
        return "STIS-" + self.id.replace("-", "")[:6].upper()

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


def party_from_key(key: str) -> Party:
    if key in (Role.GUARDIAN.value, Role.PRINCIPAL.value):
        return Party(Role(key), key)
    return Party.teacher(key)


# --- codec ------------------------------------------------------------------


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _signature_to(s: Signature) -> dict[str, Any]:
    return {
        "party": s.party.key,
        "name": s.name,
        "signed_at": s.signed_at.isoformat(),
        "source_ip": s.source_ip,
        "user_agent": s.user_agent,
        "contract_sha256": s.contract_sha256,
        "agreed": s.agreed,
    }


def _signature_from(d: dict[str, Any]) -> Signature:
    return Signature(
        party=party_from_key(d["party"]),
        name=d["name"],
        signed_at=_dt(d["signed_at"]),
        source_ip=d["source_ip"],
        user_agent=d["user_agent"],
        contract_sha256=d["contract_sha256"],
        agreed=bool(d["agreed"]),
    )


def to_dict(r: StoredRequest) -> dict[str, Any]:
    ending = r.contract.ending
    return {
        "id": r.id,
        "request_key": r.request_key,
        "body_sha256": r.body_sha256,
        "language": r.language,
        "school_id": r.school_id,
        "student": {
            "first_name": r.student.first_name,
            "last_name": r.student.last_name,
            "student_id": r.student.student_id,
            "grade": r.student.grade,
        },
        "guardian": {"name": r.guardian.name, "email": r.guardian.email, "phone": r.guardian.phone},
        "school_year": r.school_year,
        "dates": [d.isoformat() for d in r.dates],
        "reason": r.reason,
        "created_at": r.created_at.isoformat(),
        "state": r.contract.state.value,
        "teacher_ids": list(r.contract.teacher_ids),
        "signatures": [_signature_to(s) for s in r.contract.signatures],
        "ending": None
        if ending is None
        else {
            "state": ending.state.value,
            "by": ending.by.key if ending.by else "",
            "at": ending.at.isoformat(),
            "reason": ending.reason,
        },
        "token_salt": r.token_salt,
        "token_hashes": dict(r.token_hashes),
        "first_day_starts": r.first_day_starts.isoformat(),
        "expires_at": r.expires_at,
        "audit": [
            {"at": e.at.isoformat(), "event": e.event, "party": e.party, "detail": dict(e.detail)}
            for e in r.audit
        ],
        "outbox": [
            {
                "id": m.id,
                "kind": m.kind,
                "recipient": m.recipient,
                "next_attempt_at": m.next_attempt_at.isoformat(),
                "status": m.status,
                "attempts": m.attempts,
                "sent_at": m.sent_at.isoformat() if m.sent_at else "",
                "last_error": m.last_error,
            }
            for m in r.outbox
        ],
        "reminded_on": r.reminded_on.isoformat() if r.reminded_on else "",
        "version": r.version,
    }


def from_dict(d: dict[str, Any]) -> StoredRequest:
    ending = d.get("ending")
    contract = Contract(
        teacher_ids=tuple(d["teacher_ids"]),
        state=State(d["state"]),
        signatures=tuple(_signature_from(s) for s in d["signatures"]),
        ending=None
        if not ending
        else Ending(
            state=State(ending["state"]),
            by=party_from_key(ending["by"]) if ending["by"] else None,
            at=_dt(ending["at"]),
            reason=ending["reason"],
        ),
    )
    return StoredRequest(
        id=d["id"],
        request_key=d["request_key"],
        body_sha256=d["body_sha256"],
        language=d["language"],
        school_id=d["school_id"],
        student=Student(**d["student"]),
        guardian=Guardian(**d["guardian"]),
        school_year=d["school_year"],
        dates=tuple(date.fromisoformat(x) for x in d["dates"]),
        reason=d["reason"],
        created_at=_dt(d["created_at"]),
        contract=contract,
        token_salt=d["token_salt"],
        token_hashes=dict(d["token_hashes"]),
        first_day_starts=_dt(d["first_day_starts"]),
        expires_at=int(d["expires_at"]),
        audit=tuple(AuditEvent(_dt(e["at"]), e["event"], e["party"], dict(e["detail"])) for e in d["audit"]),
        outbox=tuple(
            OutboxMessage(
                id=m["id"],
                kind=m["kind"],
                recipient=m["recipient"],
                next_attempt_at=_dt(m["next_attempt_at"]),
                status=m["status"],
                attempts=int(m["attempts"]),
                sent_at=_dt(m["sent_at"]) if m["sent_at"] else None,
                last_error=m["last_error"],
            )
            for m in d["outbox"]
        ),
        reminded_on=date.fromisoformat(d["reminded_on"]) if d["reminded_on"] else None,
        version=int(d["version"]),
    )
