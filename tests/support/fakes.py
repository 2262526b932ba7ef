"""Hand-written fakes of the ports, for unit tests only."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from chalicelib.core import rules
from chalicelib.core.contract import Days, State
from chalicelib.core.register import weeks_of
from chalicelib.core.request import StoredRequest
from chalicelib.core.roster import RosterStudent
from chalicelib.core.rules import HeldDays
from chalicelib.service.errors import OPEN_RETRY_AFTER, DuplicateRequestKey, StaleWrite, TooManyRequests
from chalicelib.service.ports import Attachment, MailerError, OpenLimits, RegisterWeek, StudentDays


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
    attachments: tuple[Attachment, ...] = ()


@dataclass
class FakeMailer:
    sent: list[SentEmail] = field(default_factory=list)
    failing: str = ""  # an SES-like error code while set
    retryable: bool = True

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        tags: dict[str, str],
        attachments: Sequence[Attachment] = (),
    ) -> str:
        if self.failing:
            raise MailerError(self.failing, self.retryable)
        self.sent.append(SentEmail(to, subject, text, html, tags, tuple(attachments)))
        return f"fake-{len(self.sent)}"

    def to(self, address: str) -> list[SentEmail]:
        return [m for m in self.sent if m.to == address]


class InMemoryStore:
    """The Store port in memory. The cap and overlap rule is the core's own
    (``rules.check_claim``): the Store contract suite (tests/contract) holds
    the DynamoDB store to the same answers."""

    def __init__(self) -> None:
        self.requests: dict[str, StoredRequest] = {}
        self.keys: dict[str, tuple[str, str]] = {}
        self.holding: set[str] = set()  # ids of the requests whose days are claimed
        self.open: dict[str, set[str]] = {}  # counter key -> ids of unconfirmed requests
        self.refused: dict[tuple[str, str, date], int] = {}
        self.roster: dict[str, RosterStudent] = {}
        self.filed: dict[tuple[str, date], list[str]] = {}  # (school, Monday) -> request ids
        self.registers: dict[tuple[str, date], tuple[str, datetime]] = {}  # -> (status, until)
        self.agreements: dict[str, str] = {}  # issued agreement PDF's SHA-256 -> request id
        self.pdfs: dict[str, bytes] = {}  # and -> the PDF itself
        self.lock = threading.Lock()

    def _held(self, student_id: str, school_year: str) -> list[HeldDays]:
        return [
            r.held()
            for r in (self.requests[i] for i in sorted(self.holding))
            if r.student.student_id == student_id and r.school_year == school_year
        ]

    @staticmethod
    def _open_keys(request: StoredRequest) -> tuple[str, str]:
        return f"S#{request.student.student_id}", f"G#{request.guardian.email.strip().lower()}"

    def student_days(self, student_id: str, school_year: str, today: date) -> StudentDays:
        with self.lock:
            held = tuple(self._held(student_id, school_year))
            return StudentDays(held, self.refused.get((student_id, school_year, today), 0))

    def note_refused(self, student_id: str, school_year: str, today: date) -> None:
        with self.lock:
            key = (student_id, school_year, today)
            self.refused[key] = self.refused.get(key, 0) + 1

    def create(self, request: StoredRequest, limits: OpenLimits) -> None:
        with self.lock:
            if request.request_key in self.keys:
                raise DuplicateRequestKey(*self.keys[request.request_key])
            student, guardian = self._open_keys(request)
            if len(self.open.get(student, ())) >= limits.per_student:
                raise TooManyRequests("open_per_student", OPEN_RETRY_AFTER)
            if len(self.open.get(guardian, ())) >= limits.per_guardian:
                raise TooManyRequests("open_per_guardian", OPEN_RETRY_AFTER)
            self.keys[request.request_key] = (request.id, request.body_sha256)
            self.requests[request.id] = request
            for key in (student, guardian):
                self.open.setdefault(key, set()).add(request.id)

    def get(self, request_id: str) -> StoredRequest | None:
        with self.lock:
            return self.requests.get(request_id)

    def roster_student(self, student_id: str) -> RosterStudent | None:
        with self.lock:
            return self.roster.get(student_id)

    def days_used(self, student_id: str, school_year: str) -> int:
        with self.lock:
            return rules.days_held(self._held(student_id, school_year), school_year)

    def get_with_days_used(
        self, request_id: str, student_id: str, school_year: str
    ) -> tuple[StoredRequest | None, int]:
        with self.lock:
            held = self._held(student_id, school_year)
            return self.requests.get(request_id), rules.days_held(held, school_year)

    def update(
        self,
        request: StoredRequest,
        days: Days = Days.KEEP,
        cap: int = 0,
        released: tuple[date, ...] = (),
        issued: bytes = b"",
    ) -> StoredRequest:
        with self.lock:
            current = self.requests.get(request.id)
            if current is None or current.version != request.version:
                raise StaleWrite()
            if days is Days.CLAIM:
                held = self._held(request.student.student_id, request.school_year)
                rules.check_claim(cap, held, request.held())
                self.holding.add(request.id)
                for monday in weeks_of(request.dates):
                    filed = self.filed.setdefault((request.school_id, monday), [])
                    if request.id not in filed:
                        filed.append(request.id)
            if days in (Days.CLAIM, Days.CLOSE):
                for key in self._open_keys(request):
                    self.open.get(key, set()).discard(request.id)
            if days is Days.RELEASE:
                self.holding.discard(request.id)
            stored = replace(request, version=request.version + 1)
            self.requests[request.id] = stored
            if issued:
                self.agreements[request.agreement_sha256] = request.id
                self.pdfs[request.agreement_sha256] = issued
            return stored

    def find_agreement(self, sha256: str) -> StoredRequest | None:
        with self.lock:
            found = self.agreements.get(sha256)
            return self.requests.get(found) if found else None

    def issued_pdf(self, sha256: str) -> bytes | None:
        with self.lock:
            return self.pdfs.get(sha256)

    def awaiting(self, due_before: datetime) -> Iterator[StoredRequest]:
        with self.lock:
            found = [r for r in self.requests.values() if r.state.is_awaiting and r.due_at <= due_before]
        yield from sorted(found, key=lambda r: (r.due_at, r.id))

    def evaluating(self, due_before: datetime) -> Iterator[StoredRequest]:
        with self.lock:
            found = [
                r
                for r in self.requests.values()
                if r.state in (State.APPROVED, State.AWAITING_EVALUATION)
                and r.last_day_ends_at_least <= due_before
            ]
        yield from sorted(found, key=lambda r: (r.last_day_ends_at_least, r.id))

    def outbox_due(self, now: datetime) -> Iterator[str]:
        with self.lock:
            due = [(r.next_attempt(), r.id) for r in self.requests.values()]
        yield from (i for at, i in sorted((at, i) for at, i in due if at is not None) if at <= now)

    def register_week(self, school_id: str, monday: date) -> RegisterWeek:
        with self.lock:
            mark = self.registers.get((school_id, monday))
            ids = tuple(self.filed.get((school_id, monday), ()))
            return RegisterWeek(ids, mark is not None and mark[0] == "sent")

    def get_many(self, request_ids: Sequence[str]) -> list[StoredRequest]:
        with self.lock:
            return [self.requests[i] for i in dict.fromkeys(request_ids) if i in self.requests]

    def claim_register(self, school_id: str, monday: date, now: datetime, hold: timedelta) -> bool:
        with self.lock:
            mark = self.registers.get((school_id, monday))
            if mark is not None and (mark[0] == "sent" or mark[1] >= now):
                return False
            self.registers[(school_id, monday)] = ("sending", now + hold)
            return True

    def finish_register(self, school_id: str, monday: date, sent: bool) -> None:
        with self.lock:
            if sent:
                self.registers[(school_id, monday)] = ("sent", datetime.max.replace(tzinfo=UTC))
            else:
                self.registers.pop((school_id, monday), None)


T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 9 a.m. in California
