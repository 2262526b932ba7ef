"""The documents an approved request issues, through a party's link, and the
public check of an agreement PDF by its SHA-256 (SPEC section 5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ..core.contract import CONFIRMED, Role
from ..core.errors import WrongState
from .errors import InvalidInput, NotFound
from .ports import Documents
from .records import Records

SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Issued:
    """One document, ready to serve."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Verified:
    """What anyone may learn from an agreement PDF's hash: no names, no email addresses."""

    ref: str
    status: str  # the request's state today (approved, cancelled, closed ...)
    school: str
    first_day: date
    last_day: date
    approved_at: datetime


class Documenting:
    def __init__(self, records: Records, documents: Documents) -> None:
        self.records = records
        self.documents = documents

    def agreement_pdf(self, request_id: str, token: str) -> Issued:
        """Any party's link, once approved (cancelled or closed since, too: the
        signed record stays what it was)."""
        request, _ = self.records.authorize(request_id, token)
        if not request.agreement_sha256:
            raise WrongState("not_approved", request.state.value)
        data = self.documents.agreement_pdf(request)
        return Issued(f"agreement-{request.ref}.pdf", "application/pdf", data)

    def calendar_ics(self, request_id: str, token: str) -> Issued:
        """The guardian's link, while the approved agreement stands."""
        request, party = self.records.authorize(request_id, token)
        if party.role is not Role.GUARDIAN:
            raise WrongState("not_allowed", request.state.value)
        if not request.agreement_sha256:
            raise WrongState("not_approved", request.state.value)
        if request.state not in CONFIRMED:
            raise WrongState("ended", request.state.value)
        data = self.documents.calendar_ics(request)
        return Issued(f"independent-study-{request.ref}.ics", "text/calendar", data)

    def verify(self, sha256: str) -> Verified:
        digest = sha256.strip().lower()
        if not SHA256.fullmatch(digest):
            raise InvalidInput("sha256", "hash")
        request = self.records.store.find_agreement(digest)
        now = self.records.clock.now()
        if request is None or request.agreement_sha256 != digest or request.expires_at <= now.timestamp():
            raise NotFound()
        approved_at = request.approved_at
        if approved_at is None:  # an agreement is issued only at approval
            raise NotFound()
        school = self.records.district.school(request.school_id)
        return Verified(
            ref=request.ref,
            status=request.state.value,
            school=school.name if school else "",
            first_day=request.first_day,
            last_day=request.last_day,
            approved_at=approved_at,
        )
