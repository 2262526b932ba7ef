"""Submitting through the service on the DynamoDB store: what the Store contract
(tests/contract) does not cover, the service's own use of it."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core.request import Guardian, Student
from chalicelib.service.submitting import SubmitCommand

from .conftest import System


def command(**changes: Any) -> SubmitCommand:
    values: dict[str, Any] = {
        "request_key": "k-1",
        "language": "en",
        "school_id": "madrone-elementary",
        "teacher_ids": ("t-serrano",),
        "student": Student("Mateo", "Quintana", "900123", "1"),
        "guardian": Guardian("Elena Quintana", "elena.quintana@family.example"),
        "first_day": date(2027, 1, 4),
        "last_day": date(2027, 1, 8),
        "reason": "",
        "body_sha256": "body",
    }
    values.update(changes)
    return SubmitCommand(**values)


def test_a_submitted_request_reads_back_whole(system: System) -> None:
    result = system.submitting.submit(command())
    stored = system.store.get(result.request.id)
    assert stored == result.request
    assert result.days_used == 5


def test_the_same_request_key_sent_five_times_makes_one_request_and_one_set_of_emails(
    system: System,
) -> None:
    from .conftest import sent_messages

    results = [system.submitting.submit(command()) for _ in range(5)]
    assert [r.created for r in results] == [True, False, False, False, False]
    assert len({r.request.id for r in results}) == 1
    assert {r.days_used for r in results} == {5}
    system.dispatcher.dispatch_due()
    system.dispatcher.dispatch_due()
    assert len(sent_messages()) == 1  # the guardian's confirmation, once
