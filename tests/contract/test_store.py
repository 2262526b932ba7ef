"""The Store contract: what every store must do, run against each one.

The cap and overlap rule is the core's (``rules.check_claim``); the in-memory
store applies it directly and the DynamoDB store with condition expressions in
one transaction. Each test here states one clause and holds both to it, with
the core rule as the judge where a clause is about days.
"""

from __future__ import annotations

import hashlib
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
from chalicelib.core.contract import Contract, Days, Party, Signature, State
from chalicelib.core.request import AuditEvent, Guardian, OutboxMessage, StoredRequest, Student
from chalicelib.core.rules import StisRules
from chalicelib.service.errors import Busy, DuplicateRequestKey, StaleWrite, TooManyRequests
from chalicelib.service.ports import OpenLimits, Store, StudentDays
from tests.support.fakes import InMemoryStore

CAP = 15
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
YEAR = "2026-2027"
TODAY = date(2026, 12, 1)


class Requests:
    """Builds stored requests for one student on the demo calendar."""

    def __init__(self, calendar: SchoolCalendar, rules: StisRules, student_id: str = "900123") -> None:
        self.calendar = calendar
        self.rules = rules
        self.student_id = student_id

    def days(self, first: date, last: date) -> tuple[date, ...]:
        return tuple(self.calendar.school_days_between(first, last))

    def new(
        self,
        first: date,
        last: date,
        key: str = "",
        student_id: str = "",
        body: str = "b",
        guardian: str = "",
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
            guardian=Guardian("Elena Quintana", guardian or f"family-{request_id[:8]}@family.example"),
            school_year=year.id,
            dates=dates,
            reason="",
            created_at=NOW,
            contract=Contract(teacher_ids=("t-serrano",)),
            token_salt="salt",
            token_hashes={"guardian": "0" * 64},
            first_day_starts=self.rules.day_starts_at(dates[0]),
            expires_at=int((NOW + timedelta(days=3000)).timestamp()),
            confirm_by=NOW + timedelta(hours=48),
            audit=(AuditEvent(NOW, "submitted", "guardian"),),
            outbox=(OutboxMessage("0-review_and_sign-guardian", "review_and_sign", "guardian", NOW),),
        )


@pytest.fixture
def make(calendar: SchoolCalendar, rules: StisRules) -> Requests:
    return Requests(calendar, rules)


LIMITS = OpenLimits(per_guardian=3, per_student=3)


def confirmed(request: StoredRequest) -> StoredRequest:
    """The request signed by its guardian: the change that claims its days."""
    signature = Signature(Party.guardian(), "Elena Quintana", NOW, "192.0.2.7", "ua", "0" * 64)
    return replace(request, contract=request.contract.sign(signature))


def ended(request: StoredRequest) -> StoredRequest:
    """The confirmed request declined by the principal: a change that gives its days back."""
    return replace(request, contract=request.contract.decline(Party.principal(), "No", NOW))


def claim(store: Store, request: StoredRequest, limits: OpenLimits = LIMITS) -> StoredRequest:
    """Submit, then confirm: what a request goes through to hold its days."""
    store.create(request, limits)
    return store.update(confirmed(request), Days.CLAIM, CAP)


def release(store: Store, request: StoredRequest) -> StoredRequest:
    current = store.get(request.id)
    assert current is not None
    return store.update(ended(current), Days.RELEASE, CAP)


# --- reading back -------------------------------------------------------------------


def test_a_created_request_reads_back_whole_and_holds_no_days(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    store.create(request, LIMITS)
    assert store.get(request.id) == request
    assert store.get("no-such-request") is None
    assert store.get_with_days_used(request.id, "900123", YEAR) == (request, 0)
    assert store.student_days("900123", YEAR, TODAY) == StudentDays((), 0)


def test_a_confirmed_request_holds_its_days(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    stored = claim(store, request)
    assert stored.version == 1
    assert store.days_used("900123", YEAR) == 5
    assert store.student_days("900123", YEAR, TODAY).held == (request.held(),)


# --- the cap and the overlap rule, when the guardian confirms --------------------------------


def test_fifteen_days_fit_and_the_sixteenth_is_refused_with_the_days_left(
    store: Store, make: Requests
) -> None:
    claim(store, make.new(date(2027, 1, 4), date(2027, 1, 15)))
    claim(store, make.new(date(2027, 2, 1), date(2027, 2, 5)))
    one_more = make.new(date(2027, 3, 1), date(2027, 3, 1))
    with pytest.raises(errors.CapExceeded) as refused:
        claim(store, one_more)
    assert refused.value.details == {"requested": 1, "cap": CAP, "days_remaining": 0}
    unchanged = store.get(one_more.id)
    assert unchanged is not None and unchanged.state is State.AWAITING_GUARDIAN and unchanged.version == 0
    assert store.days_used("900123", YEAR) == 15


def test_the_cap_counts_one_student_in_one_school_year(store: Store, make: Requests) -> None:
    claim(store, make.new(date(2027, 1, 4), date(2027, 1, 22)))  # 14 days (MLK Day off)
    claim(store, make.new(date(2027, 2, 1), date(2027, 2, 12), student_id="900124"))
    claim(store, make.new(date(2027, 9, 7), date(2027, 9, 24)))
    assert store.days_used("900124", YEAR) == 10
    assert store.days_used("900123", "2027-2028") == 14


def test_sharing_one_day_with_a_held_contract_is_an_overlap_and_the_next_day_is_not(
    store: Store, make: Requests
) -> None:
    claim(store, make.new(date(2027, 1, 4), date(2027, 1, 8)))
    with pytest.raises(errors.Overlap) as refused:
        claim(store, make.new(date(2027, 1, 8), date(2027, 1, 12)))
    assert refused.value.details == {}
    claim(store, make.new(date(2027, 1, 11), date(2027, 1, 12)))
    assert store.days_used("900123", YEAR) == 7


def test_a_request_breaking_both_rules_is_refused_for_the_cap(store: Store, make: Requests) -> None:
    claim(store, make.new(date(2027, 1, 4), date(2027, 1, 22)))
    with pytest.raises(errors.CapExceeded):
        claim(store, make.new(date(2027, 1, 20), date(2027, 1, 27)))


def test_days_given_back_can_be_claimed_again_and_are_given_back_only_once(
    store: Store, make: Requests
) -> None:
    first = make.new(date(2027, 1, 4), date(2027, 1, 15))
    held = claim(store, first)
    release(store, first)
    assert store.days_used("900123", YEAR) == 0
    with pytest.raises(StaleWrite):
        store.update(ended(held), Days.RELEASE, CAP)  # the same change from a stale copy
    assert store.days_used("900123", YEAR) == 0
    claim(store, make.new(date(2027, 1, 4), date(2027, 1, 22)))
    assert store.days_used("900123", YEAR) == 14


# --- idempotency, limits and versions ------------------------------------------------------


def test_a_used_request_key_is_reported_with_its_request_and_changes_nothing(
    store: Store, make: Requests
) -> None:
    first = make.new(date(2027, 1, 4), date(2027, 1, 8), key="k-1", body="body-1")
    store.create(first, LIMITS)
    second = make.new(date(2027, 2, 1), date(2027, 2, 2), key="k-1", body="body-2")
    with pytest.raises(DuplicateRequestKey) as duplicate:
        store.create(second, LIMITS)
    assert (duplicate.value.request_id, duplicate.value.body_sha256) == (first.id, "body-1")
    assert store.get(second.id) is None


def test_one_address_and_one_student_have_a_few_unconfirmed_requests_open_at_most(
    store: Store, make: Requests
) -> None:
    mine = [
        make.new(
            date(2027, 1, 4 + n), date(2027, 1, 4 + n), student_id=f"90010{n}", guardian="a@family.example"
        )
        for n in range(4)
    ]
    for request in mine[:3]:
        store.create(request, LIMITS)
    with pytest.raises(TooManyRequests) as refused:
        store.create(mine[3], LIMITS)
    assert refused.value.details["limit"] == "open_per_guardian"
    assert store.get(mine[3].id) is None  # refused whole: its key stays free
    store.update(confirmed(mine[0]), Days.CLAIM, CAP)  # confirmed: no longer open
    store.create(mine[3], LIMITS)
    theirs = [make.new(date(2027, 2, 1), date(2027, 2, 1), guardian=f"p{n}@family.example") for n in range(4)]
    for request in theirs[:3]:
        store.create(request, LIMITS)
    with pytest.raises(TooManyRequests) as per_student:
        store.create(theirs[3], LIMITS)
    assert per_student.value.details["limit"] == "open_per_student"
    lapsed = replace(
        theirs[0], contract=theirs[0].contract.expire(theirs[0].confirm_by, theirs[0].confirm_by)
    )
    store.update(lapsed, Days.CLOSE, CAP)  # expired: no longer open
    store.create(theirs[3], LIMITS)


def test_refusals_are_counted_per_student_and_day(store: Store, make: Requests) -> None:
    for _ in range(3):
        store.note_refused("900123", YEAR, TODAY)
    store.note_refused("900123", YEAR, TODAY + timedelta(days=1))
    assert store.student_days("900123", YEAR, TODAY).refused_today == 3
    assert store.student_days("900124", YEAR, TODAY).refused_today == 0


def test_a_write_from_a_stale_copy_is_refused_and_loses_nothing(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    store.create(request, LIMITS)
    first = store.update(request.with_events(AuditEvent(NOW, "reminded")))
    with pytest.raises(StaleWrite):
        store.update(request.with_events(AuditEvent(NOW, "other")))
    assert store.get(request.id) == first
    with pytest.raises(StaleWrite):
        store.update(confirmed(request), Days.CLAIM, CAP)  # a stale confirmation claims nothing
    assert store.days_used("900123", YEAR) == 0
    with pytest.raises(StaleWrite):
        store.update(make.new(date(2027, 2, 1), date(2027, 2, 1)))  # never created


# --- what the scheduled work reads ---------------------------------------------------------


def test_awaiting_lists_unsigned_requests_by_when_they_are_due_soonest_first(
    store: Store, make: Requests
) -> None:
    unconfirmed = make.new(date(2027, 2, 1), date(2027, 2, 2))  # due when its 48 hours are up
    confirmed_early = make.new(date(2027, 1, 4), date(2027, 1, 5))  # due when its first day starts
    declined = make.new(date(2027, 1, 11), date(2027, 1, 12))
    store.create(unconfirmed, LIMITS)
    claim(store, confirmed_early)
    claim(store, declined)
    release(store, declined)
    assert [r.id for r in store.awaiting(NOW + timedelta(hours=47))] == []
    assert [r.id for r in store.awaiting(unconfirmed.confirm_by)] == [unconfirmed.id]
    assert [r.id for r in store.awaiting(confirmed_early.first_day_starts)] == [
        unconfirmed.id,
        confirmed_early.id,
    ]


def test_outbox_due_lists_requests_with_an_email_due(store: Store, make: Requests) -> None:
    waiting, sent = make.new(date(2027, 1, 4), date(2027, 1, 5)), make.new(date(2027, 2, 1), date(2027, 2, 2))
    store.create(waiting, LIMITS)
    store.create(sent, LIMITS)
    store.update(replace(sent, outbox=tuple(replace(m, status="sent", sent_at=NOW) for m in sent.outbox)))
    assert list(store.outbox_due(NOW - timedelta(seconds=1))) == []
    assert list(store.outbox_due(NOW)) == [waiting.id]


# --- races and sequences, judged by the core rule -----------------------------------------


def test_twenty_simultaneous_confirmations_for_one_student_never_pass_the_cap_or_overlap(
    store: Store, make: Requests
) -> None:
    school_days = make.days(date(2027, 1, 4), date(2027, 3, 5))
    spans = [(school_days[(n * 7) % 36], school_days[(n * 7) % 36 + n % 5]) for n in range(20)]
    requests = [make.new(first, last) for first, last in spans]
    for request in requests:
        store.create(request, OpenLimits(per_guardian=50, per_student=50))
    accepted: list[StoredRequest] = []
    outcomes: list[object] = []
    barrier = threading.Barrier(len(requests))

    def confirm(request: StoredRequest) -> None:
        barrier.wait()
        try:
            store.update(confirmed(request), Days.CLAIM, CAP)
            accepted.append(request)
            outcomes.append("ok")
        except (errors.CapExceeded, errors.Overlap, Busy) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=confirm, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20 and accepted
    held = sorted((r.first_day, r.last_day, r.school_days) for r in accepted)
    assert sum(days for _, _, days in held) <= CAP
    for (_, end, _), (start, _, _) in itertools.pairwise(held):
        assert end < start
    assert store.days_used("900123", YEAR) == sum(d for _, _, d in held)


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
                release(store, held.pop(which % len(held)))
            continue
        request = student.new(school_days[which], school_days[which + length - 1])
        try:
            expected: object = rules.check_claim(CAP, [h.held() for h in held], request.held())
        except (errors.CapExceeded, errors.Overlap) as refused:
            expected = (type(refused), refused.details.get("days_remaining"))
        try:
            # Refused claims stay open (unconfirmed): the open-request limit is not what this checks.
            claim(store, request, OpenLimits(per_guardian=100, per_student=100))
            answer: object = rules.days_held([h.held() for h in (*held, request)], YEAR)
            held.append(request)
        except (errors.CapExceeded, errors.Overlap) as refused:
            answer = (type(refused), refused.details.get("days_remaining"))
        assert answer == expected
    assert store.days_used(student.student_id, YEAR) == rules.days_held([h.held() for h in held], YEAR)


def test_hours_are_utc_aware_in_what_comes_back(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 4))
    store.create(request, LIMITS)
    stored = store.get(request.id)
    assert stored is not None
    assert stored.first_day_starts == request.first_day_starts
    assert stored.created_at.utcoffset() == timedelta(0)


def test_the_roster_gives_back_the_student_the_import_wrote(store: Store, make: Requests) -> None:
    from chalicelib.core.roster import RosterStudent

    student = RosterStudent(
        "900123", "Mateo", "Quintana", "7", frozenset({"ridgeline-middle"}), frozenset({"A@Family.example"})
    )
    if isinstance(store, InMemoryStore):
        store.roster[student.student_id] = student
    else:
        from chalicelib.adapters.roster import student_item

        store.client.put_item(TableName=store.table, Item=student_item(student))  # type: ignore[attr-defined]
    assert store.roster_student("900123") == student
    assert store.roster_student("900124") is None


# --- after the absence: an early end, and the work after the last day ----------------------


def approved(request: StoredRequest) -> StoredRequest:
    return replace(request, contract=replace(request.contract, state=State.APPROVED))


def test_an_early_end_gives_back_the_later_days_once_and_frees_them_for_another_contract(
    store: Store, make: Requests
) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    store.update(approved(claim(store, request)))
    current = store.get(request.id)
    assert current is not None
    cut = current.end_early(current.first_day_starts + timedelta(hours=30), date(2027, 1, 5), "Back early")
    released = (date(2027, 1, 6), date(2027, 1, 7), date(2027, 1, 8))
    stored = store.update(cut, Days.SHORTEN, CAP, released)
    assert stored.dates == (date(2027, 1, 4), date(2027, 1, 5))
    assert store.days_used("900123", YEAR) == 2
    assert store.student_days("900123", YEAR, TODAY).held == (stored.held(),)
    with pytest.raises(StaleWrite):
        store.update(cut, Days.SHORTEN, CAP, released)
    assert store.days_used("900123", YEAR) == 2
    claim(store, make.new(date(2027, 1, 6), date(2027, 1, 8)))  # the days given back are free
    with pytest.raises(errors.Overlap):
        claim(store, make.new(date(2027, 1, 5), date(2027, 1, 5)))  # the days kept are not
    assert store.days_used("900123", YEAR) == 5


def test_evaluating_lists_approved_contracts_once_their_last_day_has_ended(
    store: Store, make: Requests
) -> None:
    soon = make.new(date(2027, 1, 4), date(2027, 1, 5))
    later = make.new(date(2027, 2, 1), date(2027, 2, 2))
    unsigned = make.new(date(2027, 1, 11), date(2027, 1, 12))
    store.update(approved(claim(store, soon)))
    store.update(approved(claim(store, later)))
    claim(store, unsigned)
    soon_ends = soon.first_day_starts + timedelta(days=2)
    assert [r.id for r in store.evaluating(soon.first_day_starts)] == []
    assert [r.id for r in store.evaluating(soon_ends)] == [soon.id]
    assert [r.id for r in store.evaluating(later.first_day_starts + timedelta(days=2))] == [soon.id, later.id]
    current = store.get(soon.id)
    assert current is not None
    closed = replace(current, contract=replace(current.contract, state=State.CLOSED))
    store.update(closed)
    assert [r.id for r in store.evaluating(soon_ends)] == []


# --- the office's weekly register -----------------------------------------------------


def test_a_claim_files_the_request_under_each_school_week_it_touches(store: Store, make: Requests) -> None:
    two_weeks = make.new(date(2027, 1, 7), date(2027, 1, 12))  # Thursday to the next Tuesday
    unconfirmed = make.new(date(2027, 1, 4), date(2027, 1, 5), student_id="900456")
    claim(store, two_weeks)
    store.create(unconfirmed, LIMITS)
    assert store.register_week("madrone-elementary", date(2027, 1, 4)).request_ids == (two_weeks.id,)
    assert store.register_week("madrone-elementary", date(2027, 1, 11)).request_ids == (two_weeks.id,)
    assert store.register_week("madrone-elementary", date(2027, 1, 18)).request_ids == ()
    assert store.register_week("ridgeline-middle", date(2027, 1, 4)).request_ids == ()
    # Given back, it stays filed (the register reads its state and leaves it out).
    release(store, two_weeks)
    assert store.register_week("madrone-elementary", date(2027, 1, 4)).request_ids == (two_weeks.id,)


def test_get_many_reads_every_request_asked_for_that_exists(store: Store, make: Requests) -> None:
    made = [make.new(date(2027, 1, 4), date(2027, 1, 4), student_id=f"9{n:05d}") for n in range(3)]
    for request in made:
        store.create(request, LIMITS)
    found = store.get_many([made[2].id, "no-such-request", made[0].id, made[0].id])
    assert sorted(r.id for r in found) == sorted([made[0].id, made[2].id])
    assert {r.id: r for r in found}[made[2].id] == made[2]
    assert store.get_many([]) == []


def test_a_register_is_taken_once_and_sent_once(store: Store) -> None:
    week, hold = date(2027, 1, 4), timedelta(hours=2)
    assert store.register_week("madrone-elementary", week).sent is False
    assert store.claim_register("madrone-elementary", week, NOW, hold)
    assert not store.claim_register("madrone-elementary", week, NOW + timedelta(hours=1), hold)
    assert store.claim_register("ridgeline-middle", week, NOW, hold)  # each school its own
    # A failed send lets the next run take it again.
    store.finish_register("madrone-elementary", week, sent=False)
    assert store.claim_register("madrone-elementary", week, NOW + timedelta(hours=1), hold)
    store.finish_register("madrone-elementary", week, sent=True)
    assert store.register_week("madrone-elementary", week).sent is True
    assert not store.claim_register("madrone-elementary", week, NOW + timedelta(days=30), hold)
    # A run that stopped mid-send leaves it to a run after the hold.
    assert not store.claim_register("ridgeline-middle", week, NOW + timedelta(hours=1), hold)
    assert store.claim_register("ridgeline-middle", week, NOW + timedelta(hours=3), hold)
    assert store.register_week("ridgeline-middle", week).sent is False


# --- issued agreements (verify) ------------------------------------------------------------


def test_an_issued_agreement_is_found_by_its_hash_and_follows_the_request_after(
    store: Store, make: Requests
) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    stored = claim(store, request)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 160  # about the size of an agreement, every byte value
    digest = hashlib.sha256(pdf).hexdigest()
    assert store.find_agreement(digest) is None
    assert store.issued_pdf(digest) is None
    issued = store.update(replace(stored, agreement_sha256=digest), Days.KEEP, CAP, issued=pdf)
    assert store.find_agreement(digest) == issued
    assert store.issued_pdf(digest) == pdf  # the very bytes that were hashed
    later = store.update(ended(issued), Days.RELEASE, CAP)  # changes after approval: found as they are
    assert store.find_agreement(digest) == later
    assert store.issued_pdf(digest) == pdf
    assert store.find_agreement("cd" * 32) is None
    assert store.issued_pdf("cd" * 32) is None


def test_a_stale_approval_issues_nothing(store: Store, make: Requests) -> None:
    request = make.new(date(2027, 1, 4), date(2027, 1, 8))
    stored = claim(store, request)
    store.update(stored.with_events(AuditEvent(NOW, "reminded")))
    digest = "ef" * 32
    with pytest.raises(StaleWrite):
        store.update(replace(stored, agreement_sha256=digest), Days.KEEP, CAP, issued=b"%PDF-1.7")
    assert store.find_agreement(digest) is None
    assert store.issued_pdf(digest) is None
