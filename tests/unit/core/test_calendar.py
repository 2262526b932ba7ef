from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
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
