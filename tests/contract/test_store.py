"""The Store contract: what every store must do, run against each one.

The cap and overlap rule is the core's (``rules.check_claim``); the in-memory
store applies it directly and the DynamoDB store with condition expressions in
one transaction. Each test here states one clause and holds both to it, with
the core rule as the judge where a clause is about days.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.core import errors, rules
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.contract import Contract, Party
from chalicelib.core.request import AuditEvent, Guardian, OutboxMessage, StoredRequest, Student
from chalicelib.core.rules import StisRules
from chalicelib.service.errors import Busy, DuplicateRequestKey, StaleWrite
from chalicelib.service.ports import Store

CAP = 15
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
YEAR = "2026-2027"


class Requests:
    """Builds stored requests for one student on the demo calendar."""

    def __init__(self, calendar: SchoolCalendar, rules: StisRules, student_id: str = "900123") -> None:
        self.calendar = calendar
        self.rules = rules
        self.student_id = student_id

    def days(self, first: date, last: date) -> tuple[date, ...]:
        return tuple(self.calendar.school_days_between(first, last))

    def new(
        self, first: date, last: date, key: str = "", student_id: str = "", body: str = "b"
    ) -> StoredRequest:
        dates = self.days(first, last)
        year = self.calendar.year_of(first)
        assert year is not None and dates
        request_id = str(uuid.uuid4())
        return StoredRequest(
            id=request_id,
            request_key=key or f"key-{request_id}",
            body_sha256=body,
            language="en",
            school_id="madrone-elementary",
            student=Student("Mateo", "Quintana", student_id or self.student_id, "1"),
            guardian=Guardian("Elena Quintana", "elena.quintana@family.example"),
            school_year=year.id,
            dates=dates,
            reason="",
            created_at=NOW,
            contract=Contract(teacher_ids=("t-serrano",)),
            token_salt="salt",
            token_hashes={"guardian": "0" * 64},
            first_day_starts=self.rules.day_starts_at(dates[0]),
            expires_at=int((NOW + timedelta(days=3000)).timestamp()),
            audit=(AuditEvent(NOW, "submitted", "guardian"),),
            outbox=(OutboxMessage("0-review_and_sign-guardian", "review_and_sign", "guardian", NOW),),
        )


@pytest.fixture
def make(calendar: SchoolCalendar, rules: StisRules) -> Requests:
    return Requests(calendar, rules)


def ended(request: StoredRequest) -> StoredRequest:
    """The request declined by the principal: a change that gives its days back."""
    return replace(request, contract=request.contract.decline(Party.principal(), "No", NOW))


# --- reading back -------------------------------------------------------------------


def test_a_created_request_reads_back_whole(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    assert store.create(request, CAP) == 5
    assert store.get(request.id) == request
    assert store.get("no-such-request") is None
    assert store.get_with_days_used(request.id, "900123", YEAR) == (request, 5)


# --- the cap and the overlap rule ---------------------------------------------------------


def test_fifteen_days_fit_and_the_sixteenth_is_refused_with_the_days_used(
    store: Store, make: Requests
) -> None:
    assert store.create(make.new(date(2027, 1, 4), date(2027, 1, 15)), CAP) == 10
    assert store.create(make.new(date(2027, 2, 1), date(2027, 2, 5)), CAP) == 15
    one_more = make.new(date(2027, 3, 1), date(2027, 3, 1))
    with pytest.raises(errors.CapExceeded) as refused:
        store.create(one_more, CAP)
    assert refused.value.details == {"days_used": 15, "requested": 1, "cap": CAP, "days_remaining": 0}
    assert store.get(one_more.id) is None


def test_the_cap_counts_one_student_in_one_school_year(store: Store, make: Requests) -> None:
    store.create(make.new(date(2027, 1, 4), date(2027, 1, 22)), CAP)  # 14 days (MLK Day off)
    other_student = make.new(date(2027, 2, 1), date(2027, 2, 12), student_id="900124")
    next_year = make.new(date(2027, 9, 7), date(2027, 9, 24))
    assert store.create(other_student, CAP) == 10
    assert store.create(next_year, CAP) == 14
    assert store.get_with_days_used(next_year.id, "900123", "2027-2028")[1] == 14


def test_sharing_one_day_with_a_held_contract_is_an_overlap_and_the_next_day_is_not(
    store: Store, make: Requests
) -> None:
    held = make.new(date(2027, 1, 4), date(2027, 1, 8))
    store.create(held, CAP)
    with pytest.raises(errors.Overlap):
        store.create(make.new(date(2027, 1, 8), date(2027, 1, 12)), CAP)
    assert store.create(make.new(date(2027, 1, 11), date(2027, 1, 12)), CAP) == 7


def test_a_request_breaking_both_rules_is_refused_for_the_cap(store: Store, make: Requests) -> None:
    store.create(make.new(date(2027, 1, 4), date(2027, 1, 22)), CAP)
    with pytest.raises(errors.CapExceeded):
        store.create(make.new(date(2027, 1, 20), date(2027, 1, 27)), CAP)


def test_days_given_back_can_be_claimed_again_and_are_given_back_only_once(
    store: Store, make: Requests
) -> None:
    first = make.new(date(2027, 1, 4), date(2027, 1, 15))
    store.create(first, CAP)
    stored = store.update(ended(first), release_days=True)
    assert stored.version == 1
    assert store.get_with_days_used(first.id, "900123", YEAR)[1] == 0
    with pytest.raises(StaleWrite):
        store.update(ended(first), release_days=True)  # the same change from a stale copy
    assert store.get_with_days_used(first.id, "900123", YEAR)[1] == 0
    again = make.new(date(2027, 1, 4), date(2027, 1, 22))
    assert store.create(again, CAP) == 14


# --- idempotency and versions --------------------------------------------------------------


def test_a_used_request_key_is_reported_with_its_request_and_changes_nothing(
    store: Store, make: Requests
) -> None:
    first = make.new(date(2027, 1, 4), date(2027, 1, 8), key="k-1", body="body-1")
    store.create(first, CAP)
    second = make.new(date(2027, 2, 1), date(2027, 2, 2), key="k-1", body="body-2")
    with pytest.raises(DuplicateRequestKey) as duplicate:
        store.create(second, CAP)
    assert (duplicate.value.request_id, duplicate.value.body_sha256) == (first.id, "body-1")
    assert store.get(second.id) is None
    assert store.get_with_days_used(first.id, "900123", YEAR)[1] == 5


def test_a_refused_request_leaves_its_key_free(store: Store, make: Requests) -> None:
    store.create(make.new(date(2027, 1, 4), date(2027, 1, 8)), CAP)
    overlapping = make.new(date(2027, 1, 8), date(2027, 1, 8), key="k-retry")
    with pytest.raises(errors.Overlap):
        store.create(overlapping, CAP)
    corrected = make.new(date(2027, 1, 11), date(2027, 1, 11), key="k-retry")
    assert store.create(corrected, CAP) == 6


def test_a_write_from_a_stale_copy_is_refused_and_loses_nothing(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    store.create(request, CAP)
    first = store.update(request.with_events(AuditEvent(NOW, "reminded")))
    with pytest.raises(StaleWrite):
        store.update(request.with_events(AuditEvent(NOW, "other")))
    assert store.get(request.id) == first
    assert [e.event for e in first.audit] == ["submitted", "reminded"]
    with pytest.raises(StaleWrite):
        store.update(make.new(date(2027, 2, 1), date(2027, 2, 1)))  # never created


# --- what the scheduled work reads ---------------------------------------------------------


def test_awaiting_lists_unsigned_requests_starting_by_a_time_soonest_first(
    store: Store, make: Requests
) -> None:
    later = make.new(date(2027, 2, 1), date(2027, 2, 2))
    early = make.new(date(2027, 1, 4), date(2027, 1, 5))
    declined = make.new(date(2027, 1, 11), date(2027, 1, 12))
    for request in (later, early, declined):
        store.create(request, CAP)
    store.update(ended(declined), release_days=True)
    assert [r.id for r in store.awaiting(early.first_day_starts)] == [early.id]
    assert [r.id for r in store.awaiting(later.first_day_starts)] == [early.id, later.id]


def test_outbox_due_lists_requests_with_an_email_due(store: Store, make: Requests) -> None:
    waiting, sent = make.new(date(2027, 1, 4), date(2027, 1, 5)), make.new(date(2027, 2, 1), date(2027, 2, 2))
    store.create(waiting, CAP)
    store.create(sent, CAP)
    store.update(replace(sent, outbox=tuple(replace(m, status="sent", sent_at=NOW) for m in sent.outbox)))
    assert list(store.outbox_due(NOW - timedelta(seconds=1))) == []
    assert list(store.outbox_due(NOW)) == [waiting.id]


# --- races and sequences, judged by the core rule -----------------------------------------


def test_twenty_simultaneous_requests_for_one_student_never_pass_the_cap_or_overlap(
    store: Store, make: Requests
) -> None:
    school_days = make.days(date(2027, 1, 4), date(2027, 3, 5))
    spans = [(school_days[(n * 7) % 36], school_days[(n * 7) % 36 + n % 5]) for n in range(20)]
    requests = [make.new(first, last) for first, last in spans]
    accepted: list[StoredRequest] = []
    outcomes: list[object] = []
    barrier = threading.Barrier(len(requests))

    def claim(request: StoredRequest) -> None:
        barrier.wait()
        try:
            store.create(request, CAP)
            accepted.append(request)
            outcomes.append("ok")
        except (errors.CapExceeded, errors.Overlap, Busy) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=claim, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20 and accepted
    held = sorted((r.first_day, r.last_day, r.school_days) for r in accepted)
    assert sum(days for _, _, days in held) <= CAP
    for (_, end, _), (start, _, _) in itertools.pairwise(held):
        assert end < start
    assert store.get_with_days_used(accepted[0].id, "900123", YEAR)[1] == sum(d for _, _, d in held)


STEP = st.one_of(
    st.tuples(st.just("claim"), st.integers(0, 60), st.integers(1, 8)),
    st.tuples(st.just("release"), st.integers(0, 20), st.just(0)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=10))
def test_any_sequence_of_claims_and_releases_gets_the_core_rules_answer(
    store: Store, make: Requests, steps: list[tuple[str, int, int]]
) -> None:
    student = Requests(make.calendar, make.rules, student_id=str(uuid.uuid4().int)[:9])
    school_days = student.days(date(2026, 8, 12), date(2027, 6, 4))
    held: list[StoredRequest] = []  # the model: what the core rule says is held
    for action, which, length in steps:
        if action == "release":
            if held:
                gone = held.pop(which % len(held))
                store.update(ended(store.get(gone.id) or gone), release_days=True)
            continue
        request = student.new(school_days[which], school_days[which + length - 1])
        try:
            expected: object = rules.check_claim(CAP, [h.held() for h in held], request.held())
        except (errors.CapExceeded, errors.Overlap) as refused:
            expected = (type(refused), refused.details.get("days_used"))
        try:
            answer: object = store.create(request, CAP)
            held.append(request)
        except (errors.CapExceeded, errors.Overlap) as refused:
            answer = (type(refused), refused.details.get("days_used"))
        assert answer == expected
    if held:
        used = rules.days_held([h.held() for h in held], YEAR)
        assert store.get_with_days_used(held[0].id, student.student_id, YEAR)[1] == used


def test_hours_are_utc_aware_in_what_comes_back(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 4))
    store.create(request, CAP)
    stored = store.get(request.id)
    assert stored is not None
    assert stored.first_day_starts == request.first_day_starts
    assert stored.created_at.utcoffset() == timedelta(0)
