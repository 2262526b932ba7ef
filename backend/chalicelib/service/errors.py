"""Refusals that come from the service rather than from the STIS rules.

Same shape as the core's errors: a stable code, a field, and facts.
"""

from __future__ import annotations

from ..core.errors import StisError
from ..core.names import same_name


class InvalidInput(StisError):
    """A field is wrong in a way the schema cannot see (``problem`` names it)."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str, **facts: object) -> None:
        super().__init__(problem=problem, **facts)
        self.field = field


class NameMismatch(StisError):
    """The typed name is not the name of the person who must sign (``field``:
    ``name`` for the signer, ``student.name`` for the student); ``expected`` is
    the name the request or the configuration has."""

    code = "name_mismatch"

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(expected=expected)
        self.field = field

    @staticmethod
    def check(*names: tuple[str, str, str]) -> None:
        """Refuse when any typed name is not its expected one: ``(field, typed,
        expected)`` each, an empty expected name being one nobody set; every
        wrong one is named, not only the first."""
        wrong = [
            NameMismatch(field, expected)
            for field, typed, expected in names
            if expected and not same_name(typed, expected)
        ]
        if wrong:
            first = wrong[0]
            first.also = tuple(wrong[1:])
            raise first


class UnknownSchool(StisError):
    code = "unknown_school"
    field = "school_id"


class UnknownTeacher(StisError):
    code = "unknown_teacher"

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field


class NotFound(StisError):
    code = "not_found"


class InvalidToken(StisError):
    code = "invalid_token"


class RequestKeyConflict(StisError):
    code = "request_key_conflict"
    field = "request_key"


OPEN_RETRY_AFTER = 3600  # seconds: an open request is confirmed, or lapses, within hours


class TooManyRequests(StisError):
    """A limit on what one address or one student id may ask (``limit`` names
    it); the caller may try again after ``retry_after`` seconds."""

    code = "too_many_requests"

    def __init__(self, limit: str, retry_after: int) -> None:
        super().__init__(limit=limit, retry_after=retry_after)


class LinkExpired(StisError):
    """The link's request ended long enough ago that its links no longer work."""

    code = "link_expired"


class Busy(StisError):
    """Too many changes to the same record at once: the caller should retry."""

    code = "try_again"


class Unavailable(StisError):
    """The store did not answer in time (after the SDK's own retries); a write
    may or may not have happened. Not retried here: the caller tries again
    later (a submit with the same request_key finds its request if it was stored)."""

    code = "try_again"


class DuplicateRequestKey(Exception):
    """A store found the request_key already used (not an API error by itself)."""

    def __init__(self, request_id: str, body_sha256: str) -> None:
        super().__init__(request_id)
        self.request_id = request_id
        self.body_sha256 = body_sha256


class StaleWrite(Exception):
    """The record changed since it was read; read it again and retry."""
