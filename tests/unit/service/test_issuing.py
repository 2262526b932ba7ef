"""The approval issues the agreement: its PDF's hash is stored with the approval,
every approved email carries that very PDF, the guardian's also the calendar
file, and the documents are served through the links and found by their hash."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from chalicelib.core.contract import State
from chalicelib.core.errors import WrongState
from chalicelib.http import views
from chalicelib.service.errors import InvalidInput, NotFound
from chalicelib.service.issued import Documenting

from .conftest import GUARDIAN_EMAIL, Harness

CASTELLANOS = "i.castellanos@ridgeline.alder-creek.example"
WHITAKER = "p.whitaker@ridgeline.alder-creek.example"
PRINCIPAL = "principal@ridgeline.alder-creek.example"
OFFICE = "office@ridgeline.alder-creek.example"


def to_principal(harness: Harness) -> tuple[str, str]:
    """A request signed by the guardian and both teachers: (its id, the guardian's token)."""
    submitted = harness.submit()
    guardian = harness.confirm(submitted)
    request_id = submitted.request.id
    for address, name in ((WHITAKER, "Paul Whitaker"), (CASTELLANOS, "Inés Castellanos")):
        harness.sign(request_id, harness.token_in_email_to(address), name)
        harness.deliver()
    return request_id, guardian


def test_the_approval_stores_the_pdf_hash_and_every_approved_email_carries_that_pdf(harness: Harness) -> None:
    request_id, guardian = to_principal(harness)
    assert harness.store.get(request_id).agreement_sha256 == ""  # type: ignore[union-attr]
    harness.sign(request_id, harness.token_in_email_to(PRINCIPAL), "Rafael Ibarra")
    harness.deliver()
    stored = harness.store.get(request_id)
    assert stored is not None and len(stored.agreement_sha256) == 64
    approved = [m for m in harness.mailer.sent if m.tags["kind"] == "approved"]
    assert sorted(m.to for m in approved) == sorted([GUARDIAN_EMAIL, WHITAKER, CASTELLANOS, OFFICE])
    for mail in approved:
        pdf = [a for a in mail.attachments if a.content_type == "application/pdf"]
        assert len(pdf) == 1 and hashlib.sha256(pdf[0].data).hexdigest() == stored.agreement_sha256
        assert pdf[0].filename == f"agreement-{stored.ref}.pdf"
        calendars = [a for a in mail.attachments if a.content_type == "text/calendar"]
        assert len(calendars) == (1 if mail.to == GUARDIAN_EMAIL else 0)
    others = [m for m in harness.mailer.sent if m.tags["kind"] != "approved"]
    assert others and all(m.attachments == () for m in others)

    documents = Documenting(harness.records, harness.signing.documents)
    issued = documents.agreement_pdf(request_id, guardian)
    assert hashlib.sha256(issued.data).hexdigest() == stored.agreement_sha256
    found = documents.verify(stored.agreement_sha256.upper())
    assert (found.ref, found.status, found.school) == (stored.ref, "approved", "Ridgeline Middle School")
    with pytest.raises(NotFound):
        documents.verify("0" * 64)
    with pytest.raises(InvalidInput):
        documents.verify("not-a-hash")


def test_before_approval_nothing_is_issued_and_only_the_guardian_gets_a_calendar(harness: Harness) -> None:
    request_id, guardian = to_principal(harness)
    documents = Documenting(harness.records, harness.signing.documents)
    with pytest.raises(WrongState):
        documents.agreement_pdf(request_id, guardian)
    harness.sign(request_id, harness.token_in_email_to(PRINCIPAL), "Rafael Ibarra")
    harness.deliver()
    assert documents.calendar_ics(request_id, guardian).content_type == "text/calendar"
    with pytest.raises(WrongState):
        documents.calendar_ics(request_id, harness.token_in_email_to(CASTELLANOS))


def test_verify_gives_the_status_today_even_once_the_agreement_is_closed(harness: Harness) -> None:
    request_id, _ = to_principal(harness)
    harness.sign(request_id, harness.token_in_email_to(PRINCIPAL), "Rafael Ibarra")
    stored = harness.store.get(request_id)
    assert stored is not None
    documents = Documenting(harness.records, harness.signing.documents)
    for state in (State.AWAITING_EVALUATION, State.CLOSED):
        current = harness.store.get(request_id)
        assert current is not None
        harness.store.update(replace(current, contract=replace(current.contract, state=state)))
        answer = views.verified(documents.verify(stored.agreement_sha256)).model_dump(mode="json")
        assert answer["status"] == state.value
        assert answer["genuine"] is True and answer["ref"] == stored.ref
        assert "Quintana" not in str(answer)
