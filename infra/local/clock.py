"""The local stack's clock: real time moved by an offset a person sets from the
mailbox (``POST :8025/clock``), so weeks of a contract pass in seconds.

Time keeps moving once set (an offset, not a frozen instant): reminders, links
and deadlines behave as they would that many days later. Only the local stack
installs it (``chalicelib.wiring.use_clock``); the packaged app never does.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class ClockError(ValueError):
    """A time the clock cannot be set to; the message says what to send."""


class LocalClock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._set = False
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    @property
    def is_set(self) -> bool:
        with self._lock:
            return self._set

    def set(self, when: datetime) -> None:
        """From now on, ``now()`` reads ``when`` and moves on from there."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise ClockError("give the time with its UTC offset, e.g. 2027-01-20T08:00:00-08:00")
        with self._lock:
            self._offset = when - datetime.now(UTC)
            self._set = True

    def reset(self) -> None:
        """Real time again."""
        with self._lock:
            self._offset = timedelta(0)
            self._set = False

    def describe(self) -> dict[str, object]:
        """What ``GET /clock`` answers."""
        return {"now": self.now().isoformat(), "set": self.is_set, "real_time": datetime.now(UTC).isoformat()}


def parse_now(body: bytes) -> datetime:
    """The time in a ``{"now": "ISO 8601 with offset"}`` body; ClockError says what is wrong."""
    import json

    example = '{"now": "2027-01-20T08:00:00-08:00"}'
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ClockError(f"the body must be JSON like {example}") from None
    if not isinstance(data, dict) or not isinstance(data.get("now"), str):
        raise ClockError(f'the body must have "now", an ISO 8601 time, like {example}')
    try:
        when = datetime.fromisoformat(data["now"])
    except ValueError:
        raise ClockError(f'"now" is not an ISO 8601 time; send it like {example}') from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ClockError(f'"now" needs its UTC offset (Z or -08:00), like {example}')
    if not 2000 <= when.year <= 2100:
        raise ClockError('"now" must be between the years 2000 and 2100')
    return when
