"""The district's roster: who is enrolled where, and which addresses reach
each student's guardians (imported from the student information system's
OneRoster export; see ``infra/roster``).

With ``roster: required`` in the district file, a submit must name a student
on the roster, at a school the roster lists for that student, from an address
the roster lists for one of the student's guardians. A mismatch is one
generic refusal: the caller never learns which of the three was wrong, so the
roster cannot be probed for who is enrolled where or which address a family
uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import StisError

# Which check failed: for the logs only, never said to the caller.
RosterPart = Literal["student", "school", "guardian"]


@dataclass(frozen=True)
class RosterStudent:
    """One student as the roster knows them (``student_id`` in canonical form)."""

    student_id: str
    first_name: str
    last_name: str
    grade: str
    school_ids: frozenset[str]
    guardian_emails: frozenset[str]

    def __post_init__(self) -> None:
        # Addresses compare without regard to case, as mail servers treat them.
        lowered = frozenset(email.strip().lower() for email in self.guardian_emails)
        object.__setattr__(self, "guardian_emails", lowered)
        object.__setattr__(self, "school_ids", frozenset(self.school_ids))

    @property
    def name(self) -> str:
        """The name the agreement shows."""
        return f"{self.first_name} {self.last_name}".strip()


class NotOnRoster(StisError):
    """The student, school and guardian address do not match the roster.

    ``part`` says which check failed, for the logs; it is deliberately not in
    ``details`` (which the API returns) so the answer is the same whichever
    part was wrong.
    """

    code = "not_on_roster"

    def __init__(self, part: RosterPart) -> None:
        super().__init__()
        self.part: RosterPart = part

    def __repr__(self) -> str:
        return f"NotOnRoster(part={self.part!r})"


def check_on_roster(entry: RosterStudent | None, school_id: str, guardian_email: str) -> RosterStudent:
    """``entry`` (the roster's item for the submitted student id, or ``None``
    when there is none) if it matches the school and the guardian's address;
    otherwise ``NotOnRoster``."""
    if entry is None:
        raise NotOnRoster("student")
    if school_id not in entry.school_ids:
        raise NotOnRoster("school")
    if guardian_email.strip().lower() not in entry.guardian_emails:
        raise NotOnRoster("guardian")
    return entry
