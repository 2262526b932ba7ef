"""An approved request built by hand: a Ridgeline student away the first week
of January 2027, signed by the guardian, two teachers and the principal. The
document tests and bench/documents.py render the same record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.contract import Contract, Party, Signature, State
from chalicelib.core.contract_text import sha256_of
from chalicelib.core.request import AuditEvent, Guardian, StoredRequest, Student
from chalicelib.service.agreement import contract_text

APPROVED = datetime(2026, 12, 3, 12, 55, tzinfo=UTC)


def approved(district: DistrictConfig, language: str = "es") -> StoredRequest:
    """A Ridgeline request for the first week of January, signed by all four and approved."""
    signers = [
        (Party.guardian(), "Dolores Ferreira", "198.51.100.23"),
        (Party.teacher("t-castellanos"), "Inés Castellanos", "198.51.100.40"),
        (Party.teacher("t-rojas"), "Camila Rojas", "198.51.100.57"),
        (Party.principal(), "Rafael Ibarra", "198.51.100.74"),
    ]
    request = StoredRequest(
        id="5c1d9e2a-0000-4000-8000-000000000001",
        request_key="k",
        body_sha256="b" * 64,
        language=language,
        school_id="ridgeline-middle",
        student=Student("Mateo", "Quintana", "900123", "7"),
        guardian=Guardian("Dolores Ferreira", "dolores@family.example"),
        school_year="2026-2027",
        dates=tuple(district.calendar().school_days_between(date(2027, 1, 4), date(2027, 1, 8))),
        reason="",
        created_at=APPROVED - timedelta(days=1),
        contract=Contract(("t-castellanos", "t-rojas")),
        token_salt="salt",
        token_hashes={},
        first_day_starts=datetime(2027, 1, 4, 16, tzinfo=UTC),
        expires_at=2_000_000_000,
        confirm_by=APPROVED,
    )
    sha = sha256_of(contract_text(district, request, language))
    signatures = tuple(
        Signature(party, name, APPROVED - timedelta(hours=3 * (3 - i)), ip, "Browser/1.0", sha)
        for i, (party, name, ip) in enumerate(signers)
    )
    audit = (
        AuditEvent(APPROVED - timedelta(days=1), "submitted", "guardian"),
        *(AuditEvent(s.signed_at, "signed", s.party.key, {"language": language}) for s in signatures),
        AuditEvent(APPROVED, "emailed", "", {"kind": "review_and_sign", "to": "principal"}),
        AuditEvent(APPROVED, "approved"),
    )
    return replace(request, contract=Contract(request.teacher_ids, State.APPROVED, signatures), audit=audit)
