from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.core.calendar import SchoolCalendar

YEAR_SPAN = st.dates(min_value=date(2026, 8, 1), max_value=date(2028, 6, 30))


def test_a_weekday_in_the_year_is_a_school_day(calendar: SchoolCalendar) -> None:
    assert calendar.is_school_day(date(2026, 12, 1))


def test_weekends_are_not_school_days(calendar: SchoolCalendar) -> None:
    assert not calendar.is_school_day(date(2026, 12, 5))
    assert not calendar.is_school_day(date(2026, 12, 6))


def test_listed_holidays_and_breaks_are_not_school_days(calendar: SchoolCalendar) -> None:
    assert not calendar.is_school_day(date(2026, 9, 7))  # Labor Day
    assert not calendar.is_school_day(date(2026, 11, 25))  # Thanksgiving break
    assert not calendar.is_school_day(date(2026, 12, 28))  # winter break
    assert not calendar.is_school_day(date(2028, 3, 31))  # César Chávez Day


def test_summer_belongs_to_no_school_year(calendar: SchoolCalendar) -> None:
    assert calendar.year_of(date(2027, 7, 1)) is None
    assert calendar.year_of(date(2027, 6, 10)).id == "2026-2027"  # type: ignore[union-attr]
    assert calendar.year_of(date(2027, 8, 11)).id == "2027-2028"  # type: ignore[union-attr]


def test_school_days_in_a_range_skip_the_winter_break(calendar: SchoolCalendar) -> None:
    days = calendar.school_days_between(date(2026, 12, 17), date(2027, 1, 5))
    assert days == (date(2026, 12, 17), date(2026, 12, 18), date(2027, 1, 4), date(2027, 1, 5))


@given(first=YEAR_SPAN, length=st.integers(min_value=0, max_value=60))
def test_a_range_never_counts_a_weekend_or_a_listed_holiday(
    calendar: SchoolCalendar, district, first: date, length: int
) -> None:
    days_off = {day for year in district.school_years for off in year.non_school_days for day in off.days()}
    last = first + timedelta(days=length)
    counted = calendar.school_days_between(first, last)
    assert all(day.weekday() < 5 for day in counted)
    assert not days_off.intersection(counted)
    assert all(first <= day <= last for day in counted)
    assert list(counted) == sorted(set(counted))


@given(first=YEAR_SPAN, length=st.integers(min_value=0, max_value=60))
def test_counting_agrees_with_checking_each_day(calendar: SchoolCalendar, first: date, length: int) -> None:
    last = first + timedelta(days=length)
    one_by_one = [
        first + timedelta(days=n)
        for n in range(length + 1)
        if calendar.is_school_day(first + timedelta(days=n))
    ]
    assert list(calendar.school_days_between(first, last)) == one_by_one


# --- the day the work is due -------------------------------------------------------------


def test_work_due_skips_the_weekend_and_martin_luther_king_day(calendar: SchoolCalendar) -> None:
    # Friday January 15, 2027, then the weekend and MLK Day (Monday the 18th): Tuesday the 19th.
    assert calendar.work_due_day(date(2027, 1, 15)) == date(2027, 1, 19)


def test_work_due_skips_a_whole_break(calendar: SchoolCalendar) -> None:
    # Friday December 18, 2026 is the last day before winter break (to January 1).
    assert calendar.work_due_day(date(2026, 12, 18)) == date(2027, 1, 4)
    # Friday November 20, 2026, then Thanksgiving week.
    assert calendar.work_due_day(date(2026, 11, 20)) == date(2026, 11, 30)


def test_work_due_on_an_ordinary_day_is_the_next_day(calendar: SchoolCalendar) -> None:
    assert calendar.work_due_day(date(2027, 1, 5)) == date(2027, 1, 6)


def test_work_due_on_the_last_day_of_the_year_is_that_day(calendar: SchoolCalendar) -> None:
    # No school day follows in 2026-2027: the work cannot wait for the next school year.
    assert calendar.work_due_day(date(2027, 6, 10)) == date(2027, 6, 10)


@given(day=YEAR_SPAN)
def test_work_is_due_on_the_next_school_day_with_none_between(calendar: SchoolCalendar, day: date) -> None:
    following = calendar.next_school_days(day)
    assume(following)
    last = following[0]  # a school day: the last day of some contract
    year = calendar.year_of(last)
    assert year is not None
    assume(last != year.school_days[-1])
    due = calendar.work_due_day(last)
    assert due > last
    assert calendar.is_school_day(due)
    assert calendar.year_of(due) == year
    assert calendar.school_days_between(last + timedelta(days=1), due - timedelta(days=1)) == ()
