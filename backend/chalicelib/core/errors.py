"""Why the STIS rules refuse something.

Each refusal carries a stable ``code`` (the API's error code), the request
field it concerns (if any) and the facts a message needs, never the message
itself: wording belongs to the caller, in the reader's language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


class StisError(Exception):
    code = "stis_error"
    field: str | None = None
    # Refusals of the same kind on other fields, reported with this one.
    also: tuple[StisError, ...] = ()

    def __init__(self, **details: Any) -> None:
        super().__init__(self.code)
        self.details: dict[str, Any] = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.details!r})"


class NotASchoolDay(StisError):
    code = "not_a_school_day"

    def __init__(self, field: str, day: date) -> None:
        super().__init__(day=day)
        self.field = field


class OutsideSchoolYear(StisError):
    code = "outside_school_year"

    def __init__(self, field: str, day: date) -> None:
        super().__init__(day=day)
        self.field = field


class SpansSchoolYears(StisError):
    """First and last day fall in two different school years."""

    code = "outside_school_year"
    field = "last_day"

    def __init__(self, school_year: str, last_school_day: date) -> None:
        super().__init__(school_year=school_year, last_school_day=last_school_day)


class LastDayBeforeFirstDay(StisError):
    code = "invalid_input"
    field = "last_day"


class ContractTooLong(StisError):
    code = "contract_too_long"
    field = "last_day"

    def __init__(self, days: int, max_days: int) -> None:
        super().__init__(days=days, max_days=max_days)


class ContractTooShort(StisError):
    code = "contract_too_short"
    field = "last_day"

    def __init__(self, days: int, min_days: int) -> None:
        super().__init__(days=days, min_days=min_days)


class InBlackout(StisError):
    code = "blackout"
    field = "first_day"

    def __init__(self, name: dict[str, str], start: date, end: date) -> None:
        super().__init__(name=name, start=start, end=end)


class InsufficientNotice(StisError):
    code = "insufficient_notice"
    field = "first_day"

    def __init__(
        self,
        notice_hours: int,
        deadline: datetime,
        earliest_first_day: date | None,
        past: bool = False,
    ) -> None:
        # ``past``: the first day has already begun, so the date is gone
        # rather than merely too close.
        super().__init__(
            notice_hours=notice_hours,
            deadline=deadline,
            earliest_first_day=earliest_first_day,
            past=past,
        )


class CapExceeded(StisError):
    code = "cap_exceeded"
    field = "last_day"

    def __init__(self, days_used: int, requested: int, cap: int) -> None:
        # Only the days left: the days used tell a stranger of the child's other absences.
        super().__init__(requested=requested, cap=cap, days_remaining=max(cap - days_used, 0))


class Overlap(StisError):
    """The dates share a day with another contract of the student (which one is
    never said: a refusal must not tell a stranger when a child is away)."""

    code = "overlap"
    field = "first_day"


class WrongState(StisError):
    """The action is not possible now: ``reason`` says why.

    Reasons: ``ended`` (the contract is in a final state), ``not_your_turn``,
    ``already_signed``, ``too_late`` (the first day has started),
    ``not_allowed`` (this party may never do this).
    """

    code = "wrong_state"

    def __init__(self, reason: str, state: str) -> None:
        super().__init__(reason=reason, state=state)


class ContractChanged(StisError):
    code = "contract_changed"
    field = "contract_sha256"

    def __init__(self, current_sha256: str) -> None:
        super().__init__(current_sha256=current_sha256)
