from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import errors
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.contract import Contract, Days, Party, Signature, days_change
from chalicelib.core.rules import HeldDays, StisRules, check_cap, check_claim, check_overlap, days_held

YEAR = "2026-2027"


def held(request_id: str, first: date, last: date, days: int) -> HeldDays:
    return HeldDays(request_id, YEAR, first, last, days)


def test_fifteen_days_fit_but_the_sixteenth_does_not(rules: StisRules) -> None:
    active = [held("a", date(2027, 1, 4), date(2027, 1, 15), 10)]
    assert check_cap(rules.max_days_per_year, active, YEAR, 5) == 15
    with pytest.raises(errors.CapExceeded) as refused:
        check_cap(rules.max_days_per_year, active, YEAR, 6)
    # The days left, never the days used: those would tell of the child's other absences.
    assert refused.value.details == {"requested": 6, "cap": 15, "days_remaining": 5}


def test_days_held_in_another_school_year_do_not_count(rules: StisRules) -> None:
    other_year = HeldDays("a", "2027-2028", date(2027, 9, 1), date(2027, 9, 21), 15)
    assert check_cap(rules.max_days_per_year, [other_year], YEAR, 15) == 15


def test_a_request_sharing_one_day_with_an_active_contract_overlaps() -> None:
    active = [held("a", date(2027, 1, 4), date(2027, 1, 8), 5)]
    with pytest.raises(errors.Overlap) as refused:
        check_overlap(active, date(2027, 1, 8), date(2027, 1, 12))
    assert refused.value.details == {}  # which dates the other request holds is never said
    check_overlap(active, date(2027, 1, 11), date(2027, 1, 12))


@dataclass
class Tracked:
    contract: Contract
    days: HeldDays


SUBMIT = st.tuples(st.just("submit"), st.integers(0, 150), st.integers(1, 15))
END = st.tuples(st.sampled_from(["decline", "cancel", "void", "sign"]), st.integers(0, 50), st.just(0))


@given(steps=st.lists(st.one_of(SUBMIT, END), max_size=60))
def test_no_sequence_of_requests_confirmations_and_endings_leaves_a_student_above_the_cap_or_overlapping(
    calendar: SchoolCalendar, rules: StisRules, steps: list[tuple[str, int, int]]
) -> None:
    school_days = calendar.years[0].school_days
    at = datetime(2026, 8, 1, tzinfo=UTC)
    tracked: list[Tracked] = []
    for action, which, length in steps:
        active = [t.days for t in tracked if t.contract.state.holds_days]
        if action == "submit":  # a request holds nothing until the guardian signs
            span = school_days[which : which + length]
            request = HeldDays(str(len(tracked)), YEAR, span[0], span[-1], len(span))
            tracked.append(Tracked(Contract(teacher_ids=("t",)), request))
        elif tracked:
            item = tracked[which % len(tracked)]
            starts = rules.day_starts_at(item.days.first_day)
            try:
                if action == "decline":
                    item.contract = item.contract.decline(Party.principal(), "no", at)
                elif action == "cancel":
                    item.contract = item.contract.cancel(Party.guardian(), at, starts)
                elif action == "void":
                    item.contract = item.contract.void(starts, starts)
                else:
                    turn = item.contract.whose_turn()
                    if turn:
                        signed = item.contract.sign(
                            Signature(turn[0], "A. Parent", at, "192.0.2.1", "ua", "0" * 64)
                        )
                        if days_change(item.contract.state, signed.state) is Days.CLAIM:
                            check_claim(rules.max_days_per_year, active, item.days)  # what the store enforces
                        item.contract = signed
            except (errors.WrongState, errors.Overlap, errors.CapExceeded):
                pass
        active = [t.days for t in tracked if t.contract.state.holds_days]
        assert days_held(active, YEAR) <= rules.max_days_per_year
        for i, one in enumerate(active):
            for other in active[i + 1 :]:
                assert one.last_day < other.first_day or other.last_day < one.first_day
