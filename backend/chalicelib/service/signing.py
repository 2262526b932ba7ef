"""What a party does through their link: read the request, sign it in turn,
decline it (a teacher or the principal, with a reason), cancel it (the
guardian, before the first day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..core.contract import Signature, State
from ..core.contract_text import sha256_of
from ..core.errors import ContractChanged
from ..core.request import AuditEvent, StoredRequest
from .records import Records, RequestView


class Signing:
    def __init__(self, records: Records) -> None:
        self.records = records

    def view(self, request_id: str, token: str, language: str | None = None) -> RequestView:
        request, party = self.records.authorize(request_id, token)
        return self.records.view(request, party, language)

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
        request, party = self.records.authorize(request_id, token)
        shown: dict[str, str] = {
            lang: sha256_of(self.records.contract_text(request, lang))
            for lang in self.records.district.languages
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

        return self.records.view(self.records.change(request, change), party, language)

    def decline(self, request_id: str, token: str, reason: str) -> RequestView:
        request, party = self.records.authorize(request_id, token)

        def change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
            contract = current.contract.decline(party, reason, now)
            event = AuditEvent(now, "declined", party.key, {"reason": reason})
            return replace(current, contract=contract).with_events(event), True

        return self.records.view(self.records.change(request, change), party, None)

    def cancel(self, request_id: str, token: str) -> RequestView:
        request, party = self.records.authorize(request_id, token)

        def change(current: StoredRequest, now: datetime) -> tuple[StoredRequest, bool]:
            contract = current.contract.cancel(party, now, current.first_day_starts)
            event = AuditEvent(now, "cancelled", party.key)
            return replace(current, contract=contract).with_events(event), True

        return self.records.view(self.records.change(request, change), party, None)
