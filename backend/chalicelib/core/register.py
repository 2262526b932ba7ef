"""The office's weekly register (SPEC 3b): each Monday, every independent study
day of a school's students in the week before, with its result.

Pure: which weeks a contract touches (the keys its register entries are filed
under), which week is due at a local time, and the register's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .request import DayResult, StoredRequest

SCHOOL_WEEK = 5  # Monday to Friday


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_of(dates: Iterable[date]) -> tuple[date, ...]:
    """The Mondays of the weeks the days fall in, in order, each once."""
    return tuple(sorted({monday_of(d) for d in dates}))


def week_due(local_now: datetime) -> date:
    """The Monday of the last full week before ``local_now`` (in the district's
    zone). It goes out on Monday; a run later in the week sends it if Monday's
    runs did not (an outage all Monday is caught up on Tuesday)."""
    return monday_of(local_now.date()) - timedelta(days=7)


def school_week(monday: date) -> tuple[date, date]:
    """The first and last day of the school week starting ``monday``."""
    return monday, monday + timedelta(days=SCHOOL_WEEK - 1)


@dataclass(frozen=True)
class RegisterRow:
    day: date
    student_id: str
    student_name: str
    grade: str
    ref: str
    result: DayResult


def register_rows(requests: Iterable[StoredRequest], school_id: str, monday: date) -> list[RegisterRow]:
    """Each independent study day of the week of ``monday`` held by a contract of
    the school, with its result; by day, then student name, then reference.
    Only contracts that hold days count (the guardian signed, nobody ended it)."""
    first, last = school_week(monday)
    rows = []
    seen: set[str] = set()
    for request in requests:
        if request.school_id != school_id or not request.state.holds_days or request.id in seen:
            continue
        seen.add(request.id)
        for day, result in request.day_results().items():
            if first <= day <= last:
                student = request.student
                rows.append(
                    RegisterRow(
                        day, student.student_id, student.full_name, student.grade, request.ref, result
                    )
                )
    return sorted(rows, key=lambda r: (r.day, r.student_name.casefold(), r.student_id, r.ref))
