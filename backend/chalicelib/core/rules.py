"""The district's STIS rules: contract length, notice, blackouts, yearly cap, overlap.

Pure: standard library only, and no clock reads: every function that depends
on the time takes ``now`` (an aware datetime) from its caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .calendar import SchoolCalendar, SchoolDaySpan, SchoolYear
from .errors import (
    CapExceeded,
    ContractTooLong,
    ContractTooShort,
    InBlackout,
    InsufficientNotice,
    LastDayBeforeFirstDay,
    NotASchoolDay,
    OutsideSchoolYear,
    Overlap,
    SpansSchoolYears,
)


@dataclass(frozen=True)
class Blackout:
    """Dates on which no STIS contract may run (``name`` by language)."""

    name: dict[str, str]
    start: date
    end: date

    def touches(self, days: Iterable[date]) -> bool:
        return any(self.start <= day <= self.end for day in days)


@dataclass(frozen=True)
class StisRules:
    max_days_per_year: int
    min_days_per_contract: int
    max_days_per_contract: int
    notice_hours_per_block: int
    notice_block_days: int
    school_day_start: time
    time_zone: str
    blackouts: tuple[Blackout, ...] = ()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.time_zone))

    def notice_hours(self, school_days: int) -> int:
        """24 hours (by default) for every started block of five school days."""
        return math.ceil(school_days / self.notice_block_days) * self.notice_hours_per_block

    def day_starts_at(self, day: date) -> datetime:
        """When school starts on ``day``, as an aware datetime in the district's zone."""
        return datetime.combine(day, self.school_day_start, tzinfo=self.zone)

    def notice_deadline(self, first_day: date, school_days: int) -> datetime:
        """The last moment a request may arrive: real elapsed hours, so a
        daylight-saving change in between is counted as the hour it really is."""
        start_utc = self.day_starts_at(first_day).astimezone(UTC)
        deadline = start_utc - timedelta(hours=self.notice_hours(school_days))
        return deadline.astimezone(self.zone)


@dataclass(frozen=True)
class Quote(SchoolDaySpan):
    """What a contract from ``first_day`` to ``last_day`` would be, seen at ``now``."""

    school_year: str
    dates: tuple[date, ...]
    notice_hours: int
    notice_deadline: datetime
    notice_ok: bool
    earliest_first_day: date | None
    first_day_begun: bool = False  # school had already started on the first day

    def require_notice(self) -> Quote:
        """This quote, if the request would arrive in time; else why not."""
        if not self.notice_ok:
            raise InsufficientNotice(
                self.notice_hours, self.notice_deadline, self.earliest_first_day, self.first_day_begun
            )
        return self


def contract_span(
    calendar: SchoolCalendar, rules: StisRules, first_day: date, last_day: date
) -> tuple[SchoolYear, tuple[date, ...]]:
    """The school year and school days a contract would cover, or why it cannot."""
    first_year = calendar.year_of(first_day)
    if first_year is None:
        raise OutsideSchoolYear("first_day", first_day)
    if not first_year.is_school_day(first_day):
        raise NotASchoolDay("first_day", first_day)
    if last_day < first_day:
        raise LastDayBeforeFirstDay(first_day=first_day, last_day=last_day)
    if not first_year.contains(last_day):
        if calendar.year_of(last_day) is None:
            raise OutsideSchoolYear("last_day", last_day)
        raise SpansSchoolYears(first_year.id, first_year.school_days[-1])
    if not first_year.is_school_day(last_day):
        raise NotASchoolDay("last_day", last_day)
    dates = first_year.school_days_between(first_day, last_day)
    if len(dates) > rules.max_days_per_contract:
        raise ContractTooLong(len(dates), rules.max_days_per_contract)
    if len(dates) < rules.min_days_per_contract:
        raise ContractTooShort(len(dates), rules.min_days_per_contract)
    for blackout in rules.blackouts:
        if blackout.touches(dates):
            raise InBlackout(blackout.name, blackout.start, blackout.end)
    return first_year, dates


def earliest_first_day(
    calendar: SchoolCalendar, rules: StisRules, school_days: int, now: datetime
) -> date | None:
    """The first school day on which a contract of ``school_days`` days could
    start if it were requested at ``now``: notice met, inside one school year,
    clear of blackouts. ``None`` when no configured school year has room."""
    candidates = calendar.next_school_days(now.astimezone(rules.zone).date())
    for day in candidates:
        if rules.notice_deadline(day, school_days) < now:
            continue
        year = calendar.year_of(day)
        assert year is not None
        start = year.school_day_index(day)
        span = year.school_days[start : start + school_days]
        if len(span) < school_days:
            continue
        if any(blackout.touches(span) for blackout in rules.blackouts):
            continue
        return day
    return None


def quote(
    calendar: SchoolCalendar,
    rules: StisRules,
    first_day: date,
    last_day: date,
    now: datetime,
) -> Quote:
    """Price a contract without refusing it for late notice (the form's live check)."""
    year, dates = contract_span(calendar, rules, first_day, last_day)
    deadline = rules.notice_deadline(first_day, len(dates))
    return Quote(
        school_year=year.id,
        dates=dates,
        notice_hours=rules.notice_hours(len(dates)),
        notice_deadline=deadline,
        notice_ok=now <= deadline,
        earliest_first_day=earliest_first_day(calendar, rules, len(dates), now),
        first_day_begun=now >= rules.day_starts_at(first_day),
    )


@dataclass(frozen=True)
class HeldDays:
    """The days an active contract holds for a student."""

    request_id: str
    school_year: str
    first_day: date
    last_day: date
    school_days: int


def days_held(active: Iterable[HeldDays], school_year: str) -> int:
    return sum(c.school_days for c in active if c.school_year == school_year)


def check_cap(cap: int, active: Iterable[HeldDays], school_year: str, requested: int) -> int:
    """Raise ``CapExceeded`` if the request would pass the yearly cap; else
    return the days the student would then hold in that school year."""
    used = days_held(active, school_year)
    if used + requested > cap:
        raise CapExceeded(used, requested, cap)
    return used + requested


def check_overlap(active: Iterable[HeldDays], first_day: date, last_day: date) -> None:
    for contract in active:
        if contract.first_day <= last_day and first_day <= contract.last_day:
            raise Overlap()


def check_claim(cap: int, active: Iterable[HeldDays], claim: HeldDays) -> int:
    """The rule a ``Store`` enforces when a contract claims its days: the
    student's yearly cap first, then no shared day with a contract that holds
    days. ``active`` are the student's contracts holding days (any school
    year). Returns the days held in that school year once this claim is in."""
    held = list(active)
    used = check_cap(cap, held, claim.school_year, claim.school_days)
    check_overlap((h for h in held if h.school_year == claim.school_year), claim.first_day, claim.last_day)
    return used
