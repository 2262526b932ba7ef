"""The weekly register's date arithmetic (core/register.py): which week each day
is filed under, and which week is due on which local day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.register import monday_of, school_week, week_due, weeks_of

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(DAYS)
def test_a_day_is_filed_under_the_monday_of_its_week(day: date) -> None:
    monday = monday_of(day)
    assert monday.weekday() == 0
    assert 0 <= (day - monday).days <= 6
    first, last = school_week(monday)
    assert (first <= day <= last) == (day.weekday() < 5)


@given(st.lists(DAYS, max_size=30))
def test_the_weeks_of_some_days_cover_each_day_once(days: list[date]) -> None:
    weeks = weeks_of(days)
    assert list(weeks) == sorted(set(weeks))
    assert set(weeks) == {monday_of(d) for d in days}


@given(DAYS, st.times())
def test_every_day_of_a_week_has_the_week_before_due(day: date, moment: time) -> None:
    due = week_due(datetime.combine(day, moment))
    assert due.weekday() == 0
    assert due + timedelta(days=7) <= day < due + timedelta(days=14)  # the last full week
    if day.weekday() == 0:
        assert due == day - timedelta(days=7)
