from __future__ import annotations

import itertools
import random
import threading
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import DynamoStore
from chalicelib.core import errors
from chalicelib.core.contract import State
from chalicelib.service.errors import Busy, RequestKeyConflict, StaleWrite
from chalicelib.service.model import Guardian, Student
from chalicelib.service.stis import SubmitCommand, Submitted

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
    result = system.service.submit(command())
    stored = system.store.get(result.request.id)
    assert stored == result.request
    assert result.days_used == 5


def test_cap_overlap_and_request_key_are_enforced_by_the_table(system: System) -> None:
    system.service.submit(command(first_day=date(2027, 1, 4), last_day=date(2027, 1, 15)))
    with pytest.raises(errors.CapExceeded) as cap:
        system.service.submit(
            command(request_key="k-2", first_day=date(2027, 2, 1), last_day=date(2027, 2, 8))
        )
    assert cap.value.details["days_used"] == 10
    with pytest.raises(errors.Overlap) as overlap:
        system.service.submit(
            command(request_key="k-3", first_day=date(2027, 1, 15), last_day=date(2027, 1, 15))
        )
    assert overlap.value.details["last_day"] == date(2027, 1, 15)
    with pytest.raises(RequestKeyConflict):
        system.service.submit(command(body_sha256="other", last_day=date(2027, 1, 5)))


def test_the_same_request_key_sent_five_times_makes_one_request_and_one_set_of_emails(
    system: System,
) -> None:
    from .conftest import sent_messages

    results = [system.service.submit(command()) for _ in range(5)]
    assert [r.created for r in results] == [True, False, False, False, False]
    assert len({r.request.id for r in results}) == 1
    assert {r.days_used for r in results} == {5}
    system.dispatcher.dispatch_due()
    system.dispatcher.dispatch_due()
    assert len(sent_messages()) == 2


def test_a_stale_write_is_refused_and_days_come_back_exactly_once(system: System, store: DynamoStore) -> None:
    request = system.service.submit(command()).request
    from dataclasses import replace

    cancelled = replace(
        request,
        contract=request.contract.cancel(
            __import__("chalicelib.core.contract", fromlist=["Party"]).Party.guardian(),
            system.clock.now(),
            request.first_day_starts,
        ),
    )
    store.update(cancelled, release_days=True)
    assert store.days_used("900123", "2026-2027") == 0
    with pytest.raises(StaleWrite):
        store.update(cancelled, release_days=True)
    assert store.days_used("900123", "2026-2027") == 0


def test_scheduled_work_finds_its_requests_through_the_sparse_indexes(system: System) -> None:
    early = system.service.submit(command()).request
    later = system.service.submit(
        command(request_key="k-2", first_day=date(2027, 2, 1), last_day=date(2027, 2, 2))
    ).request
    awaiting = [r.id for r in system.store.awaiting(early.first_day_starts)]
    assert awaiting == [early.id]
    assert sorted(system.store.outbox_due(system.clock.now())) == sorted([early.id, later.id])
    system.dispatcher.dispatch_due()
    assert list(system.store.outbox_due(system.clock.now() + timedelta(days=1))) == []


def _submit_quietly(system: System, cmd: SubmitCommand, results: list[object]) -> None:
    try:
        results.append(system.service.submit(cmd))
    except (errors.CapExceeded, errors.Overlap, Busy) as refused:
        results.append(refused)


def test_twenty_threads_submitting_for_one_student_never_pass_the_cap_or_overlap(
    system: System,
) -> None:
    school_days = system.service.calendar.school_days_between(date(2027, 1, 4), date(2027, 3, 5))
    rng = random.Random(7)
    commands = []
    for n in range(20):
        start = rng.randrange(0, len(school_days) - 6)
        length = rng.randint(1, 6)
        commands.append(
            command(
                request_key=f"race-{n}",
                first_day=school_days[start],
                last_day=school_days[start + length - 1],
            )
        )
    results: list[object] = []
    barrier = threading.Barrier(len(commands))

    def run(cmd: SubmitCommand) -> None:
        barrier.wait()
        _submit_quietly(system, cmd, results)

    threads = [threading.Thread(target=run, args=(c,)) for c in commands]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [r.request for r in results if isinstance(r, Submitted)]
    assert accepted, "at least one request must get through"
    assert len(results) == 20
    held = sum(r.school_days for r in accepted)
    assert held <= 15
    assert system.store.days_used("900123", "2026-2027") == held
    spans = sorted((r.first_day, r.last_day) for r in accepted)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end < start
    assert all(r.state is State.AWAITING_GUARDIAN for r in accepted)
