"""The school calendar: which dates are school days, and in which school year.

Pure: standard library only. A school day is a weekday between a school year's
first and last day that is not one of its non-school days.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta


class SchoolDaySpan:
    """First day, last day and length of anything that holds its school ``dates``
    in order (a quote, a request): one definition for all of them."""

    dates: tuple[date, ...]

    @property
    def first_day(self) -> date:
        return self.dates[0]

    @property
    def last_day(self) -> date:
        return self.dates[-1]

    @property
    def school_days(self) -> int:
        return len(self.dates)


@dataclass(frozen=True)
class SchoolYear:
    """One school year: its id (for example ``2026-2027``), bounds and days off."""

    id: str
    first_day: date
    last_day: date
    non_school_days: frozenset[date] = frozenset()
    school_days: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days: list[date] = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() < 5 and day not in self.non_school_days:
                days.append(day)
            day += timedelta(days=1)
        object.__setattr__(self, "school_days", tuple(days))

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def is_school_day(self, day: date) -> bool:
        index = bisect.bisect_left(self.school_days, day)
        return index < len(self.school_days) and self.school_days[index] == day

    def school_days_between(self, first: date, last: date) -> tuple[date, ...]:
        """School days from ``first`` to ``last``, both included."""
        start = bisect.bisect_left(self.school_days, first)
        stop = bisect.bisect_right(self.school_days, last)
        return self.school_days[start:stop]

    def school_day_index(self, day: date) -> int:
        """Position of a school day in the year (0 for the first day)."""
        index = bisect.bisect_left(self.school_days, day)
        if index == len(self.school_days) or self.school_days[index] != day:
            raise ValueError(f"{day} is not a school day of {self.id}")
        return index


@dataclass(frozen=True)
class SchoolCalendar:
    """All the school years a district has configured, in order."""

    years: tuple[SchoolYear, ...]

    def year_of(self, day: date) -> SchoolYear | None:
        for year in self.years:
            if year.contains(day):
                return year
        return None

    def is_school_day(self, day: date) -> bool:
        year = self.year_of(day)
        return year is not None and year.is_school_day(day)

    def school_days_between(self, first: date, last: date) -> tuple[date, ...]:
        """School days from ``first`` to ``last`` across every configured year."""
        days: list[date] = []
        for year in self.years:
            days.extend(year.school_days_between(first, last))
        return tuple(days)

    def work_due_day(self, last_day: date) -> date:
        """The day the work of a contract ending on ``last_day`` is due: the
        first school day after it in the same school year (weekends, holidays
        and breaks skipped). A contract that runs to the year's last school day
        has no later day to turn the work in, so it is due on that last day."""
        year = self.year_of(last_day)
        if year is None:
            raise ValueError(f"{last_day} is in no configured school year")
        later = year.school_days[bisect.bisect_right(year.school_days, last_day) :]
        return later[0] if later else last_day

    def next_school_days(self, start: date) -> list[date]:
        """Every configured school day on or after ``start``, in order."""
        days: list[date] = []
        for year in self.years:
            if year.last_day >= start:
                days.extend(year.school_days_between(start, year.last_day))
        return days

    def school_days_after(self, day: date, count: int) -> date | None:
        """The ``count``-th school day after the first school day following
        ``day`` (0: that first school day); the last configured one if the
        calendar ends sooner, ``None`` if none follows."""
        after = self.next_school_days(day + timedelta(days=1))
        if not after:
            return None
        return after[min(count, len(after) - 1)]
