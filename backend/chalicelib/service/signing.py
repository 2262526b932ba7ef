"""What a party does through their link: read the request, sign it in turn
(the guardian's signature confirms it and claims the days), decline it (a
teacher or the principal, with a reason), cancel it (the guardian, or the
office with a reason, before the first day)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from ..core.contract import Party, Role, Signature, State
from ..core.contract_text import sha256_of
from ..core.errors import ContractChanged, InsufficientNotice
from ..core.request import AuditEvent, StoredRequest
from ..core.rules import earliest_first_day
from .errors import InvalidInput, NameMismatch
from .ports import Documents
from .records import Records, RequestView


class Signing:
    def __init__(self, records: Records, documents: Documents) -> None:
        self.records = records
        self.documents = documents  # the approval issues the agreement PDF: its hash is stored

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
        student_name: str | None = None,
    ) -> RequestView:
        """Sign in turn. The typed ``name`` must be the signer's (``same_name``);
        with ``student_signs: before_start`` the guardian's signature carries the
        student's typed name too, stored as the student's own signature. All of
        it is checked before anything is written."""
        request, party = self.records.authorize(request_id, token)
        if party.role is Role.GUARDIAN and request.state.is_unconfirmed:
            self._check_notice(request)
        shown: dict[str, str] = {
            lang: sha256_of(self.records.contract_text(request, lang))
            for lang in self.records.district.languages
        }
        if contract_sha256 not in shown.values():
            raise ContractChanged(current_sha256=shown[request.language])
        language = next(lang for lang, sha in shown.items() if sha == contract_sha256)
        student_signs_now = party.role is Role.GUARDIAN and self.records.district.stis.student_signs == (
            "before_start"
        )
        if student_name is not None and not student_signs_now:
            raise InvalidInput("student", "unexpected")
        if party in request.contract.whose_turn():  # else the contract says why it cannot sign
            names = [("name", name, self.records.expected_name(request, party))]
            if student_signs_now:
                if student_name is None:
                    raise InvalidInput("student.name", "required")
                names.append(
                    ("student.name", student_name, self.records.expected_name(request, Party.student()))
                )
            NameMismatch.check(*names)

        made: dict[str, bytes] = {}  # the agreement PDF, by its SHA-256, once approved

        def change(current: StoredRequest, now: datetime) -> StoredRequest:
            signature = Signature(party, name, now, source_ip, user_agent, contract_sha256, agreed=agree)
            contract = current.contract.sign(signature)
            events = [AuditEvent(now, "signed", party.key, {"language": language})]
            if student_signs_now and student_name is not None:
                student = replace(signature, party=Party.student(), name=student_name)
                contract = replace(contract, signatures=(*contract.signatures, student))
                events.append(AuditEvent(now, "signed", Party.student().key, {"language": language}))
            changed = replace(current, contract=contract).with_events(*events)
            if contract.state is State.APPROVED:
                changed = changed.with_events(AuditEvent(now, "approved"))
                pdf = self.documents.agreement_pdf(changed)
                digest = hashlib.sha256(pdf).hexdigest()
                made[digest] = pdf
                changed = replace(changed, agreement_sha256=digest)
            return changed

        stored = self.records.change(request, change, issued=made.__getitem__)
        return self.records.view(stored, party, language)

    def decline(self, request_id: str, token: str, reason: str) -> RequestView:
        request, party = self.records.authorize(request_id, token)

        def change(current: StoredRequest, now: datetime) -> StoredRequest:
            contract = current.contract.decline(party, reason, now)
            event = AuditEvent(now, "declined", party.key, {"reason": reason})
            return replace(current, contract=contract).with_events(event)

        return self.records.view(self.records.change(request, change), party, None)

    def _check_notice(self, request: StoredRequest) -> None:
        """The notice rule again when the guardian confirms: the office hears of
        the request only now."""
        rules = self.records.rules
        deadline = rules.notice_deadline(request.first_day, request.school_days)
        now = self.records.clock.now()
        if now > deadline:
            earliest = earliest_first_day(self.records.calendar, rules, request.school_days, now)
            raise InsufficientNotice(rules.notice_hours(request.school_days), deadline, earliest)

    def cancel(self, request_id: str, token: str, reason: str = "") -> RequestView:
        """The guardian withdraws; the office cancels, saying why (a bogus request,
        a family that phoned)."""
        request, party = self.records.authorize(request_id, token)
        if party.role is Role.OFFICE and not reason:
            raise InvalidInput("reason", "required")
        reason = reason if party.role is Role.OFFICE else ""

        def change(current: StoredRequest, now: datetime) -> StoredRequest:
            contract = current.contract.cancel(party, now, current.first_day_starts, reason)
            event = AuditEvent(now, "cancelled", party.key, {"reason": reason} if reason else {})
            return replace(current, contract=contract).with_events(event)

        return self.records.view(self.records.change(request, change), party, None)
