"""The request codec keeps every field: what a store writes, it reads back equal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from chalicelib.adapters.codec import from_dict, to_dict
from chalicelib.core.contract import (
    Contract,
    DayRecord,
    EarlyEnd,
    Ending,
    Evaluation,
    Party,
    Signature,
    State,
)
from chalicelib.core.request import AuditEvent, Guardian, OutboxMessage, StoredRequest, Student

AT = datetime(2027, 1, 2, 18, 30, tzinfo=UTC)


def full_request() -> StoredRequest:
    """A request with something in every field, optional ones included."""
    signature = Signature(Party.guardian(), "Elena Quintana", AT, "192.0.2.7", "Browser/1", "a" * 64)
    teacher = Signature(Party.teacher("t-whitaker"), "Paul Whitaker", AT, "192.0.2.8", "Browser/2", "b" * 64)
    contract = Contract(
        teacher_ids=("t-castellanos", "t-whitaker"),
        state=State.DECLINED,
        signatures=(signature, teacher),
        ending=Ending(State.DECLINED, Party.teacher("t-castellanos"), AT, "Exams that week"),
        evaluations=(
            Evaluation(
                Party.teacher("t-whitaker"),
                "Paul Whitaker",
                AT,
                "192.0.2.9",
                "Browser/3",
                (
                    DayRecord(date(2027, 1, 4), True, date(2027, 1, 6), "Essay on time"),
                    DayRecord(date(2027, 1, 5), False),
                ),
            ),
        ),
        early_end=EarlyEnd(Party.office(), AT, "Back early", date(2027, 1, 5), (date(2027, 1, 6),)),
    )
    return StoredRequest(
        id="0f1e2d3c-aaaa-bbbb-cccc-000000000001",
        request_key="key-0001",
        body_sha256="c" * 64,
        language="es",
        school_id="ridgeline-middle",
        student=Student("Mateo", "Quintana", "900123", "7"),
        guardian=Guardian("Elena Quintana", "elena.quintana@family.example", "(555) 010-1234"),
        school_year="2026-2027",
        dates=(date(2027, 1, 4), date(2027, 1, 5)),
        reason="Visiting family",
        created_at=AT - timedelta(days=3),
        contract=contract,
        token_salt="salt-1",
        token_hashes={"guardian": "d" * 64, "t-whitaker": "e" * 64},
        first_day_starts=datetime(2027, 1, 4, 16, 0, tzinfo=UTC),
        expires_at=1_900_000_000,
        confirm_by=datetime(2027, 1, 2, 16, 0, tzinfo=UTC),
        audit=(AuditEvent(AT, "declined", "t-castellanos", {"reason": "Exams that week"}),),
        outbox=(
            OutboxMessage("1-ended-guardian", "ended", "guardian", AT, "sent", 1, AT, ""),
            OutboxMessage("1-ended-office", "ended", "office", AT, "pending", 2, None, "Throttling"),
        ),
        reminded_on=date(2027, 1, 2),
        agreement_sha256="f" * 64,
        version=7,
    )


def test_a_request_with_every_field_set_comes_back_equal() -> None:
    request = full_request()
    assert from_dict(to_dict(request)) == request


def test_no_field_of_the_aggregate_is_left_out_of_the_record() -> None:
    request = full_request()
    for field in dataclasses.fields(request):
        default = StoredRequest.__dataclass_fields__[field.name].default
        changed = (
            dataclasses.replace(request, **{field.name: default})
            if default is not dataclasses.MISSING
            else None
        )
        if changed is not None and changed != request:
            assert to_dict(changed) != to_dict(request), f"{field.name} is not encoded"
