"""What every use case does with a stored request: find it through a party's
link, show it to that party, and store a change to it safely.

A change is a function of the current record and the time. It is stored only
if nobody wrote in between (else it is re-read and applied again), with the
emails the change of state owes; a contract whose first day has started is
voided instead, whatever the change was.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ..config.schema import DistrictConfig
from ..core.contract import Party, Role
from ..core.contract_text import sha256_of
from ..core.errors import WrongState
from ..core.request import AuditEvent, StoredRequest, party_of
from . import notices, tokens
from .agreement import contract_text
from .errors import Busy, InvalidToken, NotFound, StaleWrite
from .ports import Clock, Store

WRITE_ATTEMPTS = 4
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what new_id() makes; anything else is not a request

# A change: (current record, now) -> (changed record, whether its days are given back).
Change = Callable[[StoredRequest, datetime], tuple[StoredRequest, bool]]


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
        return request, party_of(key)

    def view(self, request: StoredRequest, party: Party, language: str | None) -> RequestView:
        chosen = language if language in self.district.languages else request.language
        assert chosen is not None
        text = self.contract_text(request, chosen)
        open_ = request.state.is_awaiting and self.clock.now() < request.first_day_starts
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

    @staticmethod
    def void_change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
        contract = current.contract.void(now, current.first_day_starts)
        return replace(current, contract=contract).with_events(AuditEvent(now, "void")), True

    def change(self, request: StoredRequest, change: Change, voiding: bool = False) -> StoredRequest:
        """Apply ``change`` and store it, re-reading and re-applying when
        someone else wrote first. A contract whose first day has started is
        voided instead (even if the scheduled job has not got to it yet), and
        the caller hears ``WrongState("too_late")``."""
        current = request
        for _ in range(WRITE_ATTEMPTS):
            now = self.clock.now()
            late = current.state.is_awaiting and now >= current.first_day_starts
            chosen = self.void_change if late and not voiding else change
            changed, release = chosen(current, now)
            changed = changed.with_messages(*notices.on_change(current.state, changed, now))
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
