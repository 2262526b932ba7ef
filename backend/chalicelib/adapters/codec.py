"""The request aggregate to and from JSON-like dictionaries (what a store keeps).

One encoding for every store: the DynamoDB adapter turns these dictionaries
into attribute values. A field added to the aggregate is added here, and the
round-trip test (tests/unit/adapters/test_codec.py) fails until it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..core.contract import Contract, DayRecord, EarlyEnd, Ending, Evaluation, Signature, State
from ..core.request import AuditEvent, Guardian, OutboxMessage, StoredRequest, Student, party_of


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
        party=party_of(d["party"]),
        name=d["name"],
        signed_at=_dt(d["signed_at"]),
        source_ip=d["source_ip"],
        user_agent=d["user_agent"],
        contract_sha256=d["contract_sha256"],
        agreed=bool(d["agreed"]),
    )


def _evaluation_to(e: Evaluation) -> dict[str, Any]:
    return {
        "party": e.party.key,
        "name": e.name,
        "at": e.at.isoformat(),
        "source_ip": e.source_ip,
        "user_agent": e.user_agent,
        "days": [
            {
                "day": d.day.isoformat(),
                "credited": d.credited,
                "received_on": d.received_on.isoformat() if d.received_on else "",
                "note": d.note,
            }
            for d in e.days
        ],
    }


def _evaluation_from(d: dict[str, Any]) -> Evaluation:
    return Evaluation(
        party=party_of(d["party"]),
        name=d["name"],
        at=_dt(d["at"]),
        source_ip=d["source_ip"],
        user_agent=d["user_agent"],
        days=tuple(
            DayRecord(
                day=date.fromisoformat(x["day"]),
                credited=bool(x["credited"]),
                received_on=date.fromisoformat(x["received_on"]) if x["received_on"] else None,
                note=x["note"],
            )
            for x in d["days"]
        ),
    )


def _early_end_to(e: EarlyEnd | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "by": e.by.key,
        "at": e.at.isoformat(),
        "reason": e.reason,
        "last_day": e.last_day.isoformat(),
        "released": [d.isoformat() for d in e.released],
    }


def _early_end_from(d: dict[str, Any] | None) -> EarlyEnd | None:
    if not d:
        return None
    return EarlyEnd(
        by=party_of(d["by"]),
        at=_dt(d["at"]),
        reason=d["reason"],
        last_day=date.fromisoformat(d["last_day"]),
        released=tuple(date.fromisoformat(x) for x in d["released"]),
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
        "evaluations": [_evaluation_to(e) for e in r.contract.evaluations],
        "early_end": _early_end_to(r.contract.early_end),
        "token_salt": r.token_salt,
        "token_hashes": dict(r.token_hashes),
        "first_day_starts": r.first_day_starts.isoformat(),
        "expires_at": r.expires_at,
        "confirm_by": r.confirm_by.isoformat(),
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
                "lease": m.lease,
            }
            for m in r.outbox
        ],
        "reminded_on": r.reminded_on.isoformat() if r.reminded_on else "",
        "agreement_sha256": r.agreement_sha256,
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
            by=party_of(ending["by"]) if ending["by"] else None,
            at=_dt(ending["at"]),
            reason=ending["reason"],
        ),
        evaluations=tuple(_evaluation_from(e) for e in d.get("evaluations") or ()),
        early_end=_early_end_from(d.get("early_end")),
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
        confirm_by=_dt(d.get("confirm_by") or d["first_day_starts"]),
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
                lease=m.get("lease", ""),
            )
            for m in d["outbox"]
        ),
        reminded_on=date.fromisoformat(d["reminded_on"]) if d["reminded_on"] else None,
        agreement_sha256=d.get("agreement_sha256", ""),
        version=int(d["version"]),
    )
