"""The documents an approval issues, made from a record in memory: the same
record gives the same bytes, what happens after the approval changes nothing,
and the certificate holds each signer's facts, masked where it should be."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from pypdf import PdfReader

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.contract import Ending, Party, Signature, State
from chalicelib.core.request import AuditEvent
from chalicelib.documents.agreement_pdf import mask_email, render_agreement_pdf
from chalicelib.documents.calendar_ics import render_calendar_ics, work_due
from chalicelib.documents.record import NotApproved, as_approved
from tests.support.approved import APPROVED, approved

SITE = "https://attendance.alder-creek.example"
ROOT = Path(__file__).resolve().parents[3]


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_same_record_gives_the_same_bytes_and_later_events_change_nothing(
    district: DistrictConfig,
) -> None:
    record = approved(district)
    first = render_agreement_pdf(district, record, SITE)
    assert render_agreement_pdf(district, record, SITE) == first
    later = APPROVED + timedelta(days=2)
    cancelled = replace(
        record,
        contract=replace(
            record.contract,
            state=State.CANCELLED,
            ending=Ending(State.CANCELLED, Party.guardian(), later, ""),
            signatures=(
                *record.contract.signatures,
                Signature(Party.student(), "Mateo Quintana", later, "198.51.100.9", "B", "c" * 64),
            ),
        ),
        audit=(*record.audit, AuditEvent(later, "cancelled", "guardian"), AuditEvent(later, "emailed")),
        agreement_sha256="f" * 64,
        version=12,
    )
    assert as_approved(cancelled).audit == record.audit
    assert render_agreement_pdf(district, cancelled, SITE) == first
    assert render_calendar_ics(district, cancelled) == render_calendar_ics(district, record)
    changed = replace(record, contract=replace(record.contract, signatures=record.contract.signatures[:-1]))
    assert render_agreement_pdf(district, changed, SITE) != first  # and it does read the record


def test_a_spanish_agreement_comes_with_an_english_copy_and_a_spanish_certificate(
    district: DistrictConfig,
) -> None:
    record = approved(district, "es")
    text = text_of(render_agreement_pdf(district, record, SITE))
    assert text.index("Acuerdo de estudio independiente") < text.index(
        "Short-Term Independent Study Agreement"
    )
    assert text.index("Short-Term Independent Study Agreement") < text.index("Certificado de auditoría")
    for name in ("Dolores Ferreira", "Inés Castellanos", "Camila Rojas", "Rafael Ibarra"):
        assert name in text
    for ip in ("198.51.100.23", "198.51.100.40", "198.51.100.57", "198.51.100.74"):
        assert ip in text
    assert "d•••••@family.example" in text and "dolores@" not in text
    assert "i•••••@ridgeline.alder-creek.example" in text
    assert "hora del Pacífico" in text
    assert "2026-12-03 12:55:00 UTC" in text  # the approval, in UTC
    assert "jueves, 3 de diciembre de 2026, 4:55" in text  # and in the district's zone
    assert record.contract.signatures[0].contract_sha256 in text.replace(" ", "")
    assert f"{SITE}/es/stis/verify/" in text
    english = text_of(render_agreement_pdf(district, approved(district, "en"), SITE))
    assert "Acuerdo de estudio independiente" not in english and "Audit certificate" in english


def test_a_request_that_was_never_approved_has_no_documents(district: DistrictConfig) -> None:
    record = approved(district)
    unapproved = replace(record, audit=record.audit[:-1])
    with pytest.raises(NotApproved):
        render_agreement_pdf(district, unapproved, SITE)
    with pytest.raises(NotApproved):
        render_calendar_ics(district, unapproved)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("dolores@family.example", "d•••••@family.example"),
        ("a@b.example", "a•••••@b.example"),
        ("no-at-sign", "•••••"),
    ],
)
def test_emails_are_masked_but_keep_their_domain(address: str, masked: str) -> None:
    assert mask_email(address) == masked


def test_the_calendar_holds_the_days_away_and_the_day_the_work_is_due(district: DistrictConfig) -> None:
    record = approved(district, "en")
    events = {
        str(e["uid"]): e for e in Calendar.from_ical(render_calendar_ics(district, record)).walk("VEVENT")
    }
    away, due = events[f"{record.id}-away@stis"], events[f"{record.id}-work-due@stis"]
    assert away.decoded("dtstart") == date(2027, 1, 4)
    assert away.decoded("dtend") == date(2027, 1, 9)
    assert due.decoded("dtstart") == date(2027, 1, 11)
    assert away.decoded("dtstamp") == APPROVED
    assert str(away["summary"]) == "Independent study: Mateo Quintana away from Ridgeline Middle School"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=400))
def test_the_work_is_due_on_the_first_school_day_after_the_last_day(
    district: DistrictConfig, offset: int
) -> None:
    calendar = district.calendar()
    days = calendar.next_school_days(date(2026, 8, 1))
    last = days[min(offset, len(days) - 1)]
    record = replace(approved(district), dates=(last,))
    due = work_due(district, record)
    assert due > last or due == last == days[-1]
    if due > last:
        assert calendar.is_school_day(due)
        assert calendar.school_days_between(last + timedelta(days=1), due - timedelta(days=1)) == ()


def test_the_api_does_not_load_the_pdf_or_calendar_libraries_until_a_document_is_made() -> None:
    code = (
        "import sys\n"
        "import app\n"
        "from chalicelib import wiring\n"
        "wiring.signing(); wiring.documenting()\n"
        "heavy = sorted(m for m in ('fpdf', 'icalendar', 'PIL', 'fontTools') if m in sys.modules)\n"
        "assert heavy == [], heavy\n"
    )
    env = {"PYTHONPATH": f"{ROOT / 'backend'}:{ROOT}", "STAGE": "local", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
