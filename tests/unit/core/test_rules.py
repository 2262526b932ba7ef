from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.core import errors
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.rules import StisRules, earliest_first_day, quote

# A Monday in early December, 9 a.m. in California: well ahead of January.
EARLY = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def test_a_two_week_contract_counts_ten_school_days_and_needs_48_hours(
    calendar: SchoolCalendar, rules: StisRules
) -> None:
    result = quote(calendar, rules, date(2027, 1, 4), date(2027, 1, 15), EARLY)
    assert result.school_days == 10
    assert result.school_year == "2026-2027"
    assert result.notice_hours == 48
    assert result.notice_deadline == datetime(2027, 1, 2, 8, 0, tzinfo=rules.zone)
    assert result.notice_ok


@pytest.mark.parametrize(("days", "hours"), [(1, 24), (5, 24), (6, 48), (10, 48), (11, 72), (15, 72)])
def test_notice_is_24_hours_per_started_block_of_five_days(rules: StisRules, days: int, hours: int) -> None:
    assert rules.notice_hours(days) == hours


def test_the_spring_forward_night_shortens_the_clock_not_the_notice(rules: StisRules) -> None:
    # Clocks go forward on Sunday 14 March 2027; school starts Monday at 8:00.
    deadline = rules.notice_deadline(date(2027, 3, 15), 6)  # 48 hours
    assert deadline == datetime(2027, 3, 13, 7, 0, tzinfo=rules.zone)
    assert deadline.utcoffset() == timedelta(hours=-8)


def test_the_fall_back_night_adds_an_hour_to_the_clock_not_to_the_notice(
    rules: StisRules,
) -> None:
    # Clocks go back on Sunday 1 November 2026; school starts Monday at 8:00.
    deadline = rules.notice_deadline(date(2026, 11, 2), 6)
    assert deadline == datetime(2026, 10, 31, 9, 0, tzinfo=rules.zone)
    assert deadline.utcoffset() == timedelta(hours=-7)


@given(
    first=st.dates(min_value=date(2026, 8, 12), max_value=date(2028, 6, 8)),
    days=st.integers(min_value=1, max_value=15),
)
def test_the_deadline_is_always_the_exact_number_of_real_hours_before_school_starts(
    rules: StisRules, first: date, days: int
) -> None:
    deadline = rules.notice_deadline(first, days)
    starts = rules.day_starts_at(first)
    assert deadline.tzinfo is rules.zone
    elapsed = starts.astimezone(UTC) - deadline.astimezone(UTC)
    assert elapsed == timedelta(hours=rules.notice_hours(days))


def test_a_saturday_is_refused_as_not_a_school_day(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.NotASchoolDay) as refused:
        quote(calendar, rules, date(2027, 1, 9), date(2027, 1, 12), EARLY)
    assert refused.value.field == "first_day"
    assert refused.value.details["day"] == date(2027, 1, 9)


def test_a_holiday_as_the_last_day_is_refused(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.NotASchoolDay) as refused:
        quote(calendar, rules, date(2027, 1, 11), date(2027, 1, 18), EARLY)
    assert refused.value.field == "last_day"


def test_summer_is_outside_the_school_year(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.OutsideSchoolYear) as refused:
        quote(calendar, rules, date(2027, 7, 6), date(2027, 7, 7), EARLY)
    assert refused.value.field == "first_day"


def test_a_contract_cannot_run_into_the_next_school_year(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.SpansSchoolYears) as refused:
        quote(calendar, rules, date(2027, 6, 1), date(2027, 8, 12), EARLY)
    assert refused.value.code == "outside_school_year"
    assert refused.value.details["last_school_day"] == date(2027, 6, 10)


def test_sixteen_school_days_are_too_long(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.ContractTooLong) as refused:
        quote(calendar, rules, date(2027, 1, 4), date(2027, 1, 26), EARLY)  # MLK Day off
    assert refused.value.details == {"days": 16, "max_days": 15}


def test_a_last_day_before_the_first_day_is_refused(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.LastDayBeforeFirstDay):
        quote(calendar, rules, date(2027, 1, 8), date(2027, 1, 4), EARLY)


def test_the_blackout_week_is_refused(calendar: SchoolCalendar, rules: StisRules) -> None:
    with pytest.raises(errors.InBlackout) as refused:
        quote(calendar, rules, date(2027, 6, 3), date(2027, 6, 8), EARLY)
    assert refused.value.details["start"] == date(2027, 6, 7)


def test_late_notice_is_refused_with_the_earliest_allowed_first_day(
    calendar: SchoolCalendar, rules: StisRules
) -> None:
    # Thursday 7 January 2027 at noon, asking for Friday 8: 1 day needs 24 hours.
    now = datetime(2027, 1, 7, 12, 0, tzinfo=rules.zone)
    with pytest.raises(errors.InsufficientNotice) as refused:
        quote(calendar, rules, date(2027, 1, 8), date(2027, 1, 8), now).require_notice()
    assert refused.value.details["earliest_first_day"] == date(2027, 1, 11)
    assert refused.value.details["notice_hours"] == 24


def test_a_quote_reports_late_notice_without_refusing(calendar: SchoolCalendar, rules: StisRules) -> None:
    now = datetime(2027, 1, 7, 12, 0, tzinfo=rules.zone)
    result = quote(calendar, rules, date(2027, 1, 8), date(2027, 1, 8), now)
    assert not result.notice_ok
    assert result.earliest_first_day == date(2027, 1, 11)


def test_the_earliest_first_day_avoids_the_blackout_and_the_end_of_the_year(
    calendar: SchoolCalendar, rules: StisRules
) -> None:
    now = datetime(2027, 6, 1, 12, 0, tzinfo=rules.zone)
    # Three days from 3 June would reach the blackout week; then the year ends.
    assert earliest_first_day(calendar, rules, 3, now) == date(2027, 8, 11)


NOW = st.datetimes(min_value=datetime(2026, 8, 1), max_value=datetime(2028, 6, 10), timezones=st.just(UTC))


@given(now=NOW, days=st.integers(min_value=1, max_value=15))
def test_the_earliest_first_day_meets_the_notice_and_the_school_day_before_it_does_not(
    calendar: SchoolCalendar, rules: StisRules, now: datetime, days: int
) -> None:
    earliest = earliest_first_day(calendar, rules, days, now)
    assume(earliest is not None)
    assert earliest is not None
    year = calendar.year_of(earliest)
    assert year is not None
    start = year.school_day_index(earliest)
    span = year.school_days[start : start + days]
    accepted = quote(calendar, rules, span[0], span[-1], now).require_notice()
    assert accepted.school_days == days
    earlier = calendar.school_days_between(now.astimezone(rules.zone).date(), earliest)[:-1]
    if earlier:
        before = earlier[-1]
        before_year = calendar.year_of(before)
        assert before_year is not None
        index = before_year.school_day_index(before)
        span_before = before_year.school_days[index : index + days]
        refusal = rules.notice_deadline(before, days) < now or len(span_before) < days
        if not refusal:
            with pytest.raises(errors.StisError) as refused:
                quote(calendar, rules, span_before[0], span_before[-1], now).require_notice()
            assert refused.value.code != "insufficient_notice"
