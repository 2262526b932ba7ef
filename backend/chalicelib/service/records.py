"""What every use case does with a stored request: find it through a party's
link, show it to that party, and store a change to it safely.

A change is a function of the current record and the time. It is stored only
if nobody wrote in between (else it is re-read and applied again), with the
emails the change of state owes and, in the same transaction, what the change
of state does to the student's days (``contract.days_change``). A request past
its time is ended instead, whatever the change was: an unconfirmed one
expires, an unsigned confirmed one is void.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from ..config.schema import DistrictConfig
from ..core.contract import Party, Role, State
from ..core.contract_text import sha256_of
from ..core.errors import WrongState
from ..core.request import AuditEvent, StoredRequest, days_change_of, party_of
from . import notices, tokens
from .agreement import contract_text
from .errors import Busy, InvalidToken, LinkExpired, NotFound, StaleWrite
from .ports import Clock, Store

WRITE_ATTEMPTS = 4
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what new_id() makes; anything else is not a request

# A change: (current record, now) -> changed record.
Change = Callable[[StoredRequest, datetime], StoredRequest]


@dataclass(frozen=True)
class RequestView:
    request: StoredRequest
    viewer: Party
    can_sign: bool
    can_decline: bool
    can_cancel: bool
    language: str
    contract_text: str
    contract_sha256: str
    sign_by: datetime | None  # for the guardian, until they confirm
    viewer_name: str = ""  # the name the viewer must type to sign (the office: the school's name)
    student_signs: Literal["before_start", "on_return"] = "on_return"  # with the guardian, or on return
    can_evaluate: bool = False  # a teacher who has not yet recorded the work, once the last day has ended
    can_end: bool = False  # the office, on an approved contract that has started
    student_signs_here: bool = False  # with on_return: the student signs beside this teacher's record
    evaluation_due: date | None = None  # when the teachers' record is due (after approval)
    # Where an approved contract is: before_start, in_progress, awaiting_evaluation, closed ("" before)
    phase: str = ""


class Records:
    def __init__(
        self,
        district: DistrictConfig,
        store: Store,
        clock: Clock,
        token_secret: str,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.district = district
        self.calendar = district.calendar()
        self.rules = district.rules()
        self.store = store
        self.clock = clock
        self.token_secret = token_secret
        self.new_id = new_id

    def contract_text(self, request: StoredRequest, language: str) -> str:
        return contract_text(self.district, request, language)

    def expected_name(self, request: StoredRequest, party: Party) -> str:
        """The name ``party`` must type to sign: the guardian's and the student's
        as the request has them, a teacher's and the principal's as the district
        file has them (the office, which never signs, goes by the school's name)."""
        if party.role is Role.GUARDIAN:
            return request.guardian.name
        if party.role is Role.STUDENT:
            return request.student.full_name
        school = self.district.school(request.school_id)
        if school is None:  # a school since removed from the configuration
            return ""
        if party.role is Role.OFFICE:
            return school.name
        if party.role is Role.PRINCIPAL:
            return school.principal.name
        return school.teacher_name(party.id)

    def link_token(self, request: StoredRequest, party_key: str) -> str:
        return tokens.token_for(self.token_secret, request.id, request.token_salt, party_key)

    def authorize(self, request_id: str, token: str) -> tuple[StoredRequest, Party]:
        """The request and the party whose link token this is; else ``NotFound``/``InvalidToken``."""
        request = self.store.get(request_id) if REQUEST_ID.fullmatch(request_id) else None
        if request is None or request.expires_at <= self.clock.now().timestamp():
            raise NotFound()  # past retention, a record is gone even before DynamoDB's TTL removes it
        key = tokens.party_for(token, request.token_hashes)
        if key is None:
            raise InvalidToken()
        party = party_of(key)
        ended = request.ended_at(self.rules.day_starts_at(request.last_day) + timedelta(days=1))
        lifetime = timedelta(days=self.district.stis.link_days_after_end)
        if ended is not None and party.role is not Role.OFFICE and self.clock.now() >= ended + lifetime:
            raise LinkExpired()  # the office's link lasts as long as the record
        return request, party

    def view(self, request: StoredRequest, party: Party, language: str | None) -> RequestView:
        chosen = language if language in self.district.languages else request.language
        assert chosen is not None
        text = self.contract_text(request, chosen)
        now = self.clock.now()
        open_ = request.state.is_awaiting and now < request.due_at
        before_start = now < request.first_day_starts
        confirmed = request.state.holds_days
        can_evaluate = (
            request.state is State.AWAITING_EVALUATION
            and party.role is Role.TEACHER
            and party.id in request.teacher_ids
            and not request.contract.has_evaluated(party)
        )
        return RequestView(
            request=request,
            viewer=party,
            can_sign=open_ and party in request.contract.whose_turn(),
            can_decline=open_
            and confirmed
            and party.role in (Role.TEACHER, Role.PRINCIPAL)
            and not request.contract.has_signed(party),
            can_cancel=before_start
            and (open_ or request.state is State.APPROVED)
            and party.role in (Role.GUARDIAN, Role.OFFICE),
            language=chosen,
            contract_text=text,
            contract_sha256=sha256_of(text),
            sign_by=request.confirm_by
            if request.state.is_unconfirmed and party.role is Role.GUARDIAN
            else None,
            viewer_name=self.expected_name(request, party),
            student_signs=self.district.stis.student_signs,
            can_evaluate=can_evaluate,
            can_end=request.state is State.APPROVED
            and party.role is Role.OFFICE
            and not before_start
            and len(request.dates) > 1,
            student_signs_here=can_evaluate
            and self.district.stis.student_signs == "on_return"
            and not request.contract.has_signed(Party.student()),
            evaluation_due=self.evaluation_due(request)
            if request.state in (State.APPROVED, State.AWAITING_EVALUATION)
            else None,
            phase=self.phase(request, now),
        )

    @staticmethod
    def phase(request: StoredRequest, now: datetime) -> str:
        if request.state is State.APPROVED:
            return "before_start" if now < request.first_day_starts else "in_progress"
        if request.state in (State.AWAITING_EVALUATION, State.CLOSED):
            return request.state.value
        return ""

    def last_day_ends(self, request: StoredRequest) -> datetime:
        """The end of the last day: the school day's start on the next calendar
        day (as the links' lifetime counts it)."""
        return self.rules.day_starts_at(request.last_day) + timedelta(days=1)

    def evaluation_due(self, request: StoredRequest) -> date | None:
        """The day the teachers' record is due: ``evaluation_due_school_days``
        school days after the student's return (the first school day after the
        last day of the contract)."""
        return self.calendar.school_days_after(
            request.last_day, self.district.stis.evaluation_due_school_days
        )

    @staticmethod
    def end_late(current: StoredRequest, now: datetime) -> StoredRequest:
        """A request past its time: unconfirmed, it expires; confirmed, it is void."""
        if current.state.is_unconfirmed:
            contract = current.contract.expire(now, current.confirm_by)
            return replace(current, contract=contract).with_events(AuditEvent(now, "expired"))
        contract = current.contract.void(now, current.first_day_starts)
        return replace(current, contract=contract).with_events(AuditEvent(now, "void"))

    def change(
        self,
        request: StoredRequest,
        change: Change,
        ending: bool = False,
        issued: Callable[[str], bytes] | None = None,
    ) -> StoredRequest:
        """Apply ``change`` and store it, re-reading and re-applying when
        someone else wrote first. A request past its time (``due_at``) is ended
        instead (even if the scheduled job has not got to it yet), and the
        caller hears ``WrongState("too_late")``. A change that issues the
        agreement (sets ``agreement_sha256``) comes with ``issued``, which
        gives the PDF of that hash, kept in the same write."""
        current = request
        cap = self.rules.max_days_per_year
        for _ in range(WRITE_ATTEMPTS):
            now = self.clock.now()
            late = current.state.is_awaiting and now >= current.due_at
            chosen = self.end_late if late and not ending else change
            changed = chosen(current, now)
            changed = changed.with_messages(*notices.on_change(current, changed, now))
            try:
                days, released = days_change_of(current, changed)
                pdf = b""
                if changed.agreement_sha256 != current.agreement_sha256:
                    if issued is None:
                        raise ValueError("an agreement is issued only with its PDF")
                    pdf = issued(changed.agreement_sha256)
                stored = self.store.update(changed, days, cap, released, pdf)
            except StaleWrite:
                fresh = self.store.get(current.id)
                if fresh is None:
                    raise NotFound() from None
                current = fresh
                continue
            except Busy:
                continue  # a write conflict or throttling: the same change again
            if chosen is not change:
                raise WrongState("too_late", stored.state.value)
            return stored
        raise Busy()
