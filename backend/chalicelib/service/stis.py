"""The STIS use cases: quote, submit, view, sign, decline, cancel, and the
scheduled voiding and reminders. They talk to the outside only through the
ports (``Store``, ``Clock``); email is owed by writing outbox messages, which
the dispatcher (``outbox.py``) sends after the record is stored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ..config.schema import DistrictConfig, School
from ..core import rules as core_rules
from ..core.contract import Contract, Party, Role, Signature, State
from ..core.contract_text import ContractFacts, render, sha256_of
from ..core.errors import ContractChanged, WrongState
from ..i18n import contract_labels, format_date, format_grade
from . import tokens
from .errors import (
    Busy,
    DuplicateRequestKey,
    InvalidInput,
    InvalidToken,
    NotFound,
    RequestKeyConflict,
    StaleWrite,
    UnknownSchool,
    UnknownTeacher,
)
from .model import OFFICE, AuditEvent, Guardian, OutboxMessage, StoredRequest, Student
from .ports import Clock, Store

WRITE_ATTEMPTS = 4
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what new_id() makes; anything else is not a request


@dataclass(frozen=True)
class SubmitCommand:
    request_key: str
    language: str
    school_id: str
    teacher_ids: tuple[str, ...]
    student: Student
    guardian: Guardian
    first_day: date
    last_day: date
    reason: str
    body_sha256: str


@dataclass(frozen=True)
class Submitted:
    request: StoredRequest
    days_used: int
    days_remaining: int
    created: bool


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


def messages_for(before: State, after: StoredRequest, at: datetime) -> tuple[OutboxMessage, ...]:
    """The emails a change of state owes (SPEC section 4), one per recipient."""
    if before is after.state:
        return ()
    seq = len(after.audit)
    contract = after.contract

    def msg(kind: str, recipient: str) -> OutboxMessage:
        return OutboxMessage(f"{seq}-{kind}-{recipient}", kind, recipient, at)

    state = after.state
    if state is State.AWAITING_TEACHER:
        owed = [msg("review_and_sign", t) for t in contract.teacher_ids]
    elif state is State.AWAITING_PRINCIPAL:
        owed = [msg("review_and_sign", "principal")]
    elif state is State.APPROVED:
        owed = [msg("approved", "guardian"), *(msg("approved", t) for t in contract.teacher_ids)]
    else:
        signed = [p.key for p in contract.signers() if p.role is not Role.GUARDIAN]
        owed = [msg("ended", "guardian"), *(msg("ended", key) for key in signed)]
    office_kind = "approved" if state is State.APPROVED else "status_changed"
    if state in (State.DECLINED, State.CANCELLED, State.VOID):
        office_kind = "ended"
    return (*owed, msg(office_kind, OFFICE))


class StisService:
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

    # --- reading ------------------------------------------------------------

    def quote(self, first_day: date, last_day: date) -> core_rules.Quote:
        return core_rules.quote(self.calendar, self.rules, first_day, last_day, self.clock.now())

    def contract_text(self, request: StoredRequest, language: str) -> str:
        school = self._school(request.school_id)
        names = {t.id: t.name for t in school.teachers}
        facts = ContractFacts(
            district=self.district.district.name,
            school=school.name,
            student=request.student.full_name,
            grade=format_grade(request.student.grade, language),
            teachers=tuple(names.get(t, t) for t in request.teacher_ids),
            principal=school.principal.name,
            school_year=request.school_year,
            dates=request.dates,
            first_day=format_date(request.dates[0], language),
            last_day=format_date(request.dates[-1], language),
            student_signs_on_return=self.district.stis.student_signs == "on_return",
        )
        return render(facts, self.district.contract_terms.sections(language), contract_labels(language))

    def view(self, request_id: str, token: str, language: str | None = None) -> RequestView:
        request, party = self._authorize(request_id, token)
        return self._view(request, party, language)

    def _view(self, request: StoredRequest, party: Party, language: str | None) -> RequestView:
        chosen = language if language in self.district.languages else request.language
        assert chosen is not None
        text = self.contract_text(request, chosen)
        now = self.clock.now()
        open_ = request.state.is_awaiting and now < request.first_day_starts
        return RequestView(
            request=request,
            viewer=party,
            can_sign=open_ and party in request.contract.whose_turn(),
            can_decline=open_ and party.role is not Role.GUARDIAN and not request.contract.has_signed(party),
            can_cancel=open_ and party.role is Role.GUARDIAN,
            language=chosen,
            contract_text=text,
            contract_sha256=sha256_of(text),
        )

    def link_token(self, request: StoredRequest, party_key: str) -> str:
        return tokens.token_for(self.token_secret, request.id, request.token_salt, party_key)

    # --- submitting -----------------------------------------------------------

    def submit(self, command: SubmitCommand) -> Submitted:
        school = self.district.school(command.school_id)
        if school is None:
            raise UnknownSchool()
        self._check_teachers(school, command.teacher_ids)
        now = self.clock.now()
        quote = core_rules.check_request(self.calendar, self.rules, command.first_day, command.last_day, now)
        request = self._new_request(command, quote, now)
        try:
            days_used = self._retrying(lambda: self.store.create(request, self.rules.max_days_per_year))
        except DuplicateRequestKey as duplicate:
            if duplicate.body_sha256 != command.body_sha256:
                raise RequestKeyConflict() from None
            existing, days_used = self.store.get_with_days_used(
                duplicate.request_id, command.student.student_id, quote.school_year
            )
            if existing is None:
                raise RequestKeyConflict() from None
            return self._submitted(existing, days_used, created=False)
        return self._submitted(request, days_used, created=True)

    def _submitted(self, request: StoredRequest, days_used: int, created: bool) -> Submitted:
        remaining = max(self.rules.max_days_per_year - days_used, 0)
        return Submitted(request, days_used, remaining, created)

    def _check_teachers(self, school: School, teacher_ids: tuple[str, ...]) -> None:
        if not teacher_ids:
            raise InvalidInput("teacher_ids", "required")
        if len(set(teacher_ids)) != len(teacher_ids):
            raise InvalidInput("teacher_ids", "repeated")
        limit = 1 if school.level == "elementary" else self.district.stis.max_teachers
        if len(teacher_ids) > limit:
            raise InvalidInput("teacher_ids", "one_teacher" if limit == 1 else "too_many", max=limit)
        for index, teacher_id in enumerate(teacher_ids):
            if school.teacher(teacher_id) is None:
                raise UnknownTeacher(f"teacher_ids[{index}]")

    def _new_request(self, command: SubmitCommand, quote: core_rules.Quote, now: datetime) -> StoredRequest:
        request_id = self.new_id()
        salt = tokens.new_salt()
        parties = [Party.guardian(), *(Party.teacher(t) for t in command.teacher_ids)]
        parties.append(Party.principal())
        hashes = {
            p.key: tokens.token_hash(tokens.token_for(self.token_secret, request_id, salt, p.key))
            for p in parties
        }
        retention = timedelta(days=self.district.record_retention_days)
        last_day_ends = self.rules.day_starts_at(quote.last_day) + timedelta(days=1)
        request = StoredRequest(
            id=request_id,
            request_key=command.request_key,
            body_sha256=command.body_sha256,
            language=command.language,
            school_id=command.school_id,
            student=command.student,
            guardian=command.guardian,
            school_year=quote.school_year,
            dates=quote.dates,
            reason=command.reason,
            created_at=now,
            contract=Contract(teacher_ids=command.teacher_ids),
            token_salt=salt,
            token_hashes=hashes,
            first_day_starts=self.rules.day_starts_at(quote.first_day),
            expires_at=int((last_day_ends + retention).timestamp()),
            audit=(AuditEvent(now, "submitted", "guardian"),),
        )
        return request.with_messages(
            OutboxMessage("0-review_and_sign-guardian", "review_and_sign", "guardian", now),
            OutboxMessage(f"0-office_new_request-{OFFICE}", "office_new_request", OFFICE, now),
        )

    # --- acting on a request ----------------------------------------------------

    def sign(
        self,
        request_id: str,
        token: str,
        name: str,
        agree: bool,
        contract_sha256: str,
        source_ip: str,
        user_agent: str,
    ) -> RequestView:
        request, party = self._authorize(request_id, token)
        shown: dict[str, str] = {
            lang: sha256_of(self.contract_text(request, lang)) for lang in self.district.languages
        }
        if contract_sha256 not in shown.values():
            raise ContractChanged(current_sha256=shown[request.language])
        language = next(lang for lang, sha in shown.items() if sha == contract_sha256)

        def change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
            signature = Signature(party, name, now, source_ip, user_agent, contract_sha256, agreed=agree)
            contract = current.contract.sign(signature)
            event = AuditEvent(now, "signed", party.key, {"language": language})
            changed = replace(current, contract=contract).with_events(event)
            if contract.state is State.APPROVED:
                changed = changed.with_events(AuditEvent(now, "approved"))
            return changed, False

        updated = self._change(request, change)
        return self._view(updated, party, language)

    def decline(self, request_id: str, token: str, reason: str) -> RequestView:
        request, party = self._authorize(request_id, token)

        def change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
            contract = current.contract.decline(party, reason, now)
            event = AuditEvent(now, "declined", party.key, {"reason": reason})
            return replace(current, contract=contract).with_events(event), True

        return self._view(self._change(request, change), party, None)

    def cancel(self, request_id: str, token: str) -> RequestView:
        request, party = self._authorize(request_id, token)

        def change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
            contract = current.contract.cancel(party, now, current.first_day_starts)
            event = AuditEvent(now, "cancelled", party.key)
            return replace(current, contract=contract).with_events(event), True

        return self._view(self._change(request, change), party, None)

    # --- scheduled work -----------------------------------------------------------

    def void_expired(self) -> int:
        """Void every contract still awaiting a signature when its first day starts."""
        voided = 0
        for request in self.store.awaiting(starting_before=self.clock.now()):
            try:
                self._change(request, self._void_change, voiding=True)
                voided += 1
            except (WrongState, Busy):
                continue
        return voided

    def send_reminders(self) -> int:
        """Once a day, from the configured hour, remind whoever must sign next."""
        now = self.clock.now()
        local = now.astimezone(self.rules.zone)
        if local.hour < self.district.stis.reminder_hour:
            return 0
        reminded = 0
        horizon = now + timedelta(days=400)
        for request in self.store.awaiting(starting_before=horizon):
            if request.reminded_on == local.date() or request.first_day_starts <= now:
                continue
            if self._turn_started_on(request) == local.date():
                continue  # their first email went out today

            def change(current: StoredRequest, at: datetime) -> tuple[StoredRequest, bool]:
                if current.reminded_on == local.date():
                    raise WrongState("already_reminded", current.state.value)
                seq = len(current.audit)
                messages = [
                    OutboxMessage(f"{seq}-reminder-{p.key}", "reminder", p.key, at)
                    for p in current.contract.whose_turn()
                ]
                event = AuditEvent(at, "reminded", "", {"to": ",".join(m.recipient for m in messages)})
                changed = replace(current, reminded_on=local.date()).with_events(event)
                return changed.with_messages(*messages), False

            try:
                self._change(request, change)
                reminded += 1
            except (WrongState, Busy):
                continue
        return reminded

    # --- helpers ------------------------------------------------------------------

    def _turn_started_on(self, request: StoredRequest) -> date:
        turns = [e.at for e in request.audit if e.event in ("submitted", "signed")]
        return max(turns).astimezone(self.rules.zone).date()

    def _school(self, school_id: str) -> School:
        school = self.district.school(school_id)
        if school is None:  # a school removed from the configuration after the request
            raise NotFound()
        return school

    def _authorize(self, request_id: str, token: str) -> tuple[StoredRequest, Party]:
        request = self.store.get(request_id) if REQUEST_ID.fullmatch(request_id) else None
        if request is None or request.expires_at <= self.clock.now().timestamp():
            raise NotFound()  # past retention, a record is gone even before DynamoDB's TTL removes it
        key = tokens.party_for(token, request.token_hashes)
        if key is None:
            raise InvalidToken()
        if key in ("guardian", "principal"):
            return request, Party(Role(key), key)
        return request, Party.teacher(key)

    @staticmethod
    def _void_change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
        contract = current.contract.void(now, current.first_day_starts)
        return replace(current, contract=contract).with_events(AuditEvent(now, "void")), True

    def _change(
        self,
        request: StoredRequest,
        change: Callable[[StoredRequest, datetime], tuple[StoredRequest, bool]],
        voiding: bool = False,
    ) -> StoredRequest:
        """Apply ``change`` and store it, re-reading and re-applying when
        someone else wrote first. A contract whose first day has started is
        voided instead (even if the scheduled job has not got to it yet)."""
        current = request
        for _ in range(WRITE_ATTEMPTS):
            now = self.clock.now()
            late = current.state.is_awaiting and now >= current.first_day_starts
            chosen = self._void_change if late and not voiding else change
            changed, release = chosen(current, now)
            changed = changed.with_messages(*messages_for(current.state, changed, now))
            try:
                stored = self.store.update(changed, release_days=release)
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

    def _retrying(self, attempt: Callable[[], int]) -> int:
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return attempt()
            except Busy:
                continue
        return attempt()
