"""After the absence: evaluation by every teacher, credit per day, early end."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.contract import (
    Contract,
    DayRecord,
    Days,
    Evaluation,
    Party,
    Signature,
    State,
    evaluation_problems,
)
from chalicelib.core.errors import WrongState
from chalicelib.core.request import DayResult, Guardian, StoredRequest, Student, days_change_of

DATES = (date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6))
STARTS = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)
ENDS = datetime(2027, 1, 7, 16, 0, tzinfo=UTC)
OKAFOR, SERRANO = Party.teacher("t-okafor"), Party.teacher("t-serrano")


def approved() -> Contract:
    return Contract(teacher_ids=("t-okafor", "t-serrano"), state=State.APPROVED)


def record(
    party: Party, credited: tuple[bool, ...] = (True, True, True), dates: tuple[date, ...] = DATES
) -> Evaluation:
    days = tuple(DayRecord(d, c) for d, c in zip(dates, credited, strict=True))
    return Evaluation(party, "Typed Name", ENDS, "192.0.2.1", "Firefox", days)


def request(contract: Contract, dates: tuple[date, ...] = DATES) -> StoredRequest:
    return StoredRequest(
        id="r1",
        request_key="k1",
        body_sha256="0" * 64,
        language="es",
        school_id="s",
        student=Student("Ana", "Ruiz", "123456", "7"),
        guardian=Guardian("Elena Ruiz", "elena@family.example"),
        school_year="2026-2027",
        dates=dates,
        reason="",
        created_at=STARTS - timedelta(days=5),
        contract=contract,
        token_salt="s",
        token_hashes={},
        first_day_starts=STARTS,
        expires_at=2_000_000_000,
        confirm_by=STARTS,
    )


def test_evaluation_begins_only_once_the_last_day_has_ended() -> None:
    with pytest.raises(WrongState) as early:
        approved().begin_evaluation(ENDS - timedelta(minutes=1), ENDS)
    assert early.value.details["reason"] == "too_early"
    started = approved().begin_evaluation(ENDS, ENDS)
    assert started.state is State.AWAITING_EVALUATION
    assert started.state.holds_days
    with pytest.raises(WrongState):  # a second run of the job changes nothing
        started.begin_evaluation(ENDS + timedelta(days=1), ENDS)


def test_the_contract_closes_when_the_last_teacher_records() -> None:
    contract = approved().begin_evaluation(ENDS, ENDS).evaluate(record(SERRANO), DATES)
    assert contract.state is State.AWAITING_EVALUATION
    assert contract.evaluators_left() == (OKAFOR,)
    contract = contract.evaluate(record(OKAFOR, (True, False, True)), DATES)
    assert contract.state is State.CLOSED
    assert contract.state.holds_days


def test_a_teacher_records_once_and_only_in_turn() -> None:
    with pytest.raises(WrongState) as not_yet:
        approved().evaluate(record(OKAFOR), DATES)
    assert not_yet.value.details["reason"] == "not_yet"
    started = approved().begin_evaluation(ENDS, ENDS).evaluate(record(OKAFOR), DATES)
    with pytest.raises(WrongState) as twice:
        started.evaluate(record(OKAFOR), DATES)
    assert twice.value.details["reason"] == "already_recorded"
    with pytest.raises(WrongState) as stranger:
        started.evaluate(record(Party.teacher("t-other")), DATES)
    assert stranger.value.details["reason"] == "not_allowed"
    with pytest.raises(WrongState):
        started.evaluate(record(Party.principal()), DATES)


def test_a_record_covers_each_contract_day_exactly_once() -> None:
    foreign = (DayRecord(DATES[0], True), DayRecord(date(2027, 1, 7), True), DayRecord(DATES[2], True))
    assert evaluation_problems(DATES, foreign) == {1: "not_in_contract"}
    repeated = (DayRecord(DATES[0], True), DayRecord(DATES[0], True), DayRecord(DATES[2], True))
    assert evaluation_problems(DATES, repeated) == {1: "repeated"}
    assert evaluation_problems(DATES, repeated[:1]) == {-1: "missing"}
    started = approved().begin_evaluation(ENDS, ENDS)
    with pytest.raises(ValueError, match="recorded once"):
        started.evaluate(Evaluation(OKAFOR, "T", ENDS, "", "", foreign), DATES)


def test_the_student_signs_once_beside_the_first_teacher() -> None:
    student = Signature(Party.student(), "Ana Ruiz", ENDS, "192.0.2.1", "Firefox", "a" * 64)
    contract = approved().begin_evaluation(ENDS, ENDS).evaluate(record(OKAFOR), DATES, student)
    contract = contract.evaluate(record(SERRANO), DATES, replace(student, name="Someone Else"))
    assert [s.name for s in contract.signatures if s.party == Party.student()] == ["Ana Ruiz"]


@given(
    st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=2, unique=False),
    st.booleans(),
)
def test_a_day_is_credited_only_when_every_teacher_credits_it(
    judgements: list[tuple[bool, bool, bool]], both_record: bool
) -> None:
    teachers = (OKAFOR, SERRANO)
    contract = approved().begin_evaluation(ENDS, ENDS)
    given_by = list(zip(teachers, judgements, strict=False))
    if not both_record:
        given_by = given_by[:1]
    for party, credited in given_by:
        contract = contract.evaluate(record(party, credited), DATES)
    results = request(contract).day_results()
    for index, day in enumerate(DATES):
        said = [credited[index] for _, credited in given_by]
        if False in said:
            assert results[day] is DayResult.NOT_CREDITED
        elif len(said) == len(teachers):
            assert results[day] is DayResult.CREDITED
        else:
            assert results[day] is DayResult.PENDING
    credited_days = request(contract).credited_days
    assert credited_days == sum(1 for r in results.values() if r is DayResult.CREDITED)
    assert 0 <= credited_days <= len(DATES)


def test_before_any_record_every_day_is_pending() -> None:
    assert set(request(approved()).day_results().values()) == {DayResult.PENDING}


@given(st.integers(min_value=0, max_value=len(DATES) - 2))
def test_an_early_end_keeps_the_days_so_far_and_gives_back_the_rest(cut: int) -> None:
    before = request(approved())
    after = before.end_early(STARTS + timedelta(hours=1), DATES[cut], "Back at school")
    assert after.dates == DATES[: cut + 1]
    assert after.state is State.APPROVED
    change, released = days_change_of(before, after)
    assert change is Days.SHORTEN
    assert released == DATES[cut + 1 :]
    assert set(after.dates) | set(released) == set(DATES)
    assert after.contract.early_end is not None and after.contract.early_end.released == released


def test_an_early_end_needs_a_started_approved_contract_and_days_to_give_back() -> None:
    with pytest.raises(WrongState) as early:
        request(approved()).end_early(STARTS - timedelta(minutes=1), DATES[0], "x")
    assert early.value.details["reason"] == "not_started"
    with pytest.raises(WrongState) as nothing:
        request(approved()).end_early(STARTS, DATES[-1], "x")
    assert nothing.value.details["reason"] == "nothing_to_end"
    waiting = Contract(teacher_ids=("t-okafor",), state=State.AWAITING_PRINCIPAL)
    with pytest.raises(WrongState):
        request(waiting).end_early(STARTS, DATES[0], "x")
