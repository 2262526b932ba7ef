"""The record a document is made from: the request as it stood when it was approved.

Later events (an email sent, a cancellation, the teachers' evaluation, a student
signing on return) must not change an issued document's bytes, so a document
reads the audit trail up to and including the approval, and the signatures
given by then.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..config.schema import DistrictConfig, School
from ..core.request import StoredRequest


class NotApproved(ValueError):
    """The request was never approved: it has no agreement to issue."""


def approved_at(request: StoredRequest) -> datetime:
    at = request.approved_at
    if at is None:
        raise NotApproved(request.id)
    return at


def approved_with_school(district: DistrictConfig, request: StoredRequest) -> tuple[StoredRequest, School]:
    """The record as at approval, and its school (which must still be configured)."""
    record = as_approved(request)
    school = district.school(record.school_id)
    if school is None:
        raise LookupError(record.school_id)
    return record, school


def as_approved(request: StoredRequest) -> StoredRequest:
    at = approved_at(request)
    cut = next(i for i, event in enumerate(request.audit) if event.event == "approved")
    signatures = tuple(s for s in request.contract.signatures if s.signed_at <= at)
    return replace(
        request,
        audit=request.audit[: cut + 1],
        contract=replace(request.contract, signatures=signatures),
        outbox=(),
    )
