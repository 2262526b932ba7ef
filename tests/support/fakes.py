"""Hand-written fakes of the ports, for unit tests only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from chalicelib.core.errors import CapExceeded, Overlap
from chalicelib.service.errors import DuplicateRequestKey, StaleWrite
from chalicelib.service.model import StoredRequest, from_dict, to_dict
from chalicelib.service.ports import MailerError


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class SentEmail:
    to: str
    subject: str
    text: str
    html: str
    tags: dict[str, str]


@dataclass
class FakeMailer:
    sent: list[SentEmail] = field(default_factory=list)
    failing: str = ""  # an SES-like error code while set
    retryable: bool = True

    def send(self, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        if self.failing:
            raise MailerError(self.failing, self.retryable)
        self.sent.append(SentEmail(to, subject, text, html, tags))
        return f"fake-{len(self.sent)}"

    def to(self, address: str) -> list[SentEmail]:
        return [m for m in self.sent if m.to == address]


class InMemoryStore:
    """The Store port in memory, with the same all-or-nothing rules as DynamoDB."""

    def __init__(self) -> None:
        self.requests: dict[str, dict[str, object]] = {}
        self.keys: dict[str, tuple[str, str]] = {}
        self.totals: dict[tuple[str, str], int] = {}
        self.days: dict[tuple[str, str, str], str] = {}
        self.lock = threading.Lock()

    def create(self, request: StoredRequest, cap: int) -> int:
        partition = (request.student.student_id, request.school_year)
        with self.lock:
            if request.request_key in self.keys:
                raise DuplicateRequestKey(*self.keys[request.request_key])
            used = self.totals.get(partition, 0)
            if used + request.school_days > cap:
                raise CapExceeded(used, request.school_days, cap)
            for day in request.dates:
                holder = self.days.get((*partition, day.isoformat()))
                if holder is not None:
                    other = from_dict(self.requests[holder])  # type: ignore[arg-type]
                    raise Overlap(other.first_day, other.last_day)
            self.keys[request.request_key] = (request.id, request.body_sha256)
            self.totals[partition] = used + request.school_days
            for day in request.dates:
                self.days[(*partition, day.isoformat())] = request.id
            self.requests[request.id] = to_dict(request)
            return self.totals[partition]

    def get(self, request_id: str) -> StoredRequest | None:
        with self.lock:
            data = self.requests.get(request_id)
            return from_dict(data) if data else None  # type: ignore[arg-type]

    def get_with_days_used(
        self, request_id: str, student_id: str, school_year: str
    ) -> tuple[StoredRequest | None, int]:
        return self.get(request_id), self.totals.get((student_id, school_year), 0)

    def update(self, request: StoredRequest, release_days: bool = False) -> StoredRequest:
        with self.lock:
            current = self.requests.get(request.id)
            if current is None or current["version"] != request.version:
                raise StaleWrite()
            stored = replace(request, version=request.version + 1)
            if release_days:
                partition = (request.student.student_id, request.school_year)
                self.totals[partition] -= request.school_days
                for day in request.dates:
                    del self.days[(*partition, day.isoformat())]
            self.requests[request.id] = to_dict(stored)
            return stored

    def awaiting(self, starting_before: datetime) -> Iterator[StoredRequest]:
        found = [
            from_dict(d)  # type: ignore[arg-type]
            for d in list(self.requests.values())
            if from_dict(d).state.is_awaiting  # type: ignore[arg-type]
        ]
        found = [r for r in found if r.first_day_starts <= starting_before]
        yield from sorted(found, key=lambda r: r.first_day_starts)

    def outbox_due(self, now: datetime) -> Iterator[str]:
        for data in list(self.requests.values()):
            request = from_dict(data)  # type: ignore[arg-type]
            next_attempt = request.next_attempt()
            if next_attempt is not None and next_attempt <= now:
                yield request.id


T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 9 a.m. in California
