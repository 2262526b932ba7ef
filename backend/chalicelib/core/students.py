"""A student's id in the district's one canonical form.

The yearly cap, the overlap rule and the roster all key on the student id, so
``0555001`` and ``555001`` must be one student where the district says leading
zeros do not count, and ``ab555`` and ``AB555`` one student where letter case
does not. Pure: standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StudentIdRule:
    pattern: str  # what a typed id must look like (after trimming spaces), e.g. ^[0-9]{6,9}$
    leading_zeros_count: bool = False
    letter_case: str = "upper"  # "upper", "lower" or "as_given"
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def canonical(self, typed: str) -> str | None:
        """The canonical form of a typed id, or ``None`` when it is not an id."""
        value = typed.strip()
        if self.letter_case == "upper":
            value = value.upper()
        elif self.letter_case == "lower":
            value = value.lower()
        if not value.isascii() or not self._compiled.fullmatch(value):
            return None
        if not self.leading_zeros_count:
            value = value.lstrip("0") or "0"
        return value


GRADES = ("TK", "K", *(str(n) for n in range(1, 13)))


def parse_grades(text: str) -> tuple[str, ...]:
    """The grades a school's ``grades`` text names, in order: "TK-5" -> TK, K, 1 ... 5.

    Parts are separated by commas; each is one grade or a range ("K-8", "9-12").
    Raises ``ValueError`` saying what is wrong."""
    found: list[str] = []
    for part in text.replace(" ", "").upper().split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(end in GRADES for end in ends):
            raise ValueError(f"grades {text!r} must be grades like TK, K, 1 ... 12, or ranges like TK-5, 6-8")
        first, last = GRADES.index(ends[0]), GRADES.index(ends[-1])
        if last < first:
            raise ValueError(f"grades {text!r} has a range that runs backwards")
        found += [g for g in GRADES[first : last + 1] if g not in found]
    return tuple(sorted(found, key=GRADES.index))
