"""The signed agreement PDF, the guardian's calendar file and the public check of a
PDF, through the real app (chalice.test.Client) on the embedded AWS: the PDF that
SES carries is byte for byte the one downloaded, and its text holds what a court
or an auditor would look for."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from pypdf import PdfReader

from chalicelib.config.loader import load
from tests.api.ridgeline import CASTELLANOS, GUARDIAN, OFFICE, PRINCIPAL, ROJAS
from tests.support.api import Api
from tests.support.aws import sent_emails
from tests.support.bodies import submit_body

PDF = {"Accept": "application/pdf"}

# Words from each Education Code 51747(g) element as the demo district's terms word them.
EC_51747 = {
    "en": [
        "optional",  # (8) independent study is voluntary
        "January 4, 2027",  # (5) duration, start and end dates
        "brings all the finished work",  # (1) how and when work is turned in
        "graded",  # (2) how work is evaluated
        "hotspot",  # (3) resources provided
        "missed",  # (4) the board's limits
        "credit",  # (6) credits or other measures
        "504 plan",  # (7) supports for students who need them
        "Signatures",  # (9) the signatures
    ],
    "es": [
        "voluntario",
        "4 de enero de 2027",
        "entrega",
        "califica",
        "dispositivo",
        "mesa directiva",
        "créditos",
        "plan 504",
        "Firmas",
    ],
}
SIGNERS = ("Elena Quintana", "Inés Castellanos", "Camila Rojas", "Rafael Ibarra")


def sign(api: Api, request_id: str, token: str, name: str, lang: str = "en") -> Any:
    view = api.get(f"/stis/requests/{request_id}?lang={lang}", token=token).json_body
    body = {"name": name, "agree": True, "contract_sha256": view["contract_sha256"]}
    answer = api.post(f"/stis/requests/{request_id}/sign", body, token=token)
    assert answer.status_code == 200, answer.json_body
    api.deliver()
    return answer


def to_principal(api: Api, language: str) -> tuple[str, str]:
    """A Ridgeline request in ``language`` signed by the guardian and both teachers."""
    body = submit_body(
        school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"], language=language
    )
    assert api.post("/stis/requests", body).status_code == 201
    api.deliver()
    request_id, guardian = api.link_for(GUARDIAN)
    api.clock.advance(minutes=12)
    sign(api, request_id, guardian, "Elena Quintana", language)
    for address, name in ((CASTELLANOS, "Inés Castellanos"), (ROJAS, "Camila Rojas")):
        api.clock.advance(hours=3)
        sign(api, request_id, api.link_for(address)[1], name)
    return request_id, guardian


def approved(api: Api, language: str = "es") -> tuple[str, str]:
    request_id, guardian = to_principal(api, language)
    api.clock.advance(hours=20)
    sign(api, request_id, api.link_for(PRINCIPAL)[1], "Rafael Ibarra", language)
    return request_id, guardian


def pdf_text(data: bytes) -> str:
    """The PDF's words, one space between each (lines wrap where the layout wraps them)."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def attachments_to(address: str) -> dict[str, tuple[str, bytes]]:
    """filename -> (content type, bytes) of the last email SES sent to ``address``."""
    mine = [m for m in sent_emails() if str(m["To"]) == address]
    assert mine, f"no email to {address}"
    return {
        str(part.get_filename()): (part.get_content_type(), part.get_payload(decode=True))
        for part in mine[-1].iter_attachments()
    }


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_full_flow_issues_one_pdf_with_every_signer_the_hashes_and_the_ec_51747_elements(
    api: Api, language: str
) -> None:
    request_id, guardian = approved(api, language)
    first = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/pdf"
    ref = api.get(f"/stis/requests/{request_id}", token=guardian).json_body["ref"]
    assert first.headers["Content-Disposition"] == f'attachment; filename="agreement-{ref}.pdf"'
    assert first.body.startswith(b"%PDF-")
    text = pdf_text(first.body)
    for name in SIGNERS:
        assert name in text
    view = api.get(f"/stis/requests/{request_id}?lang={language}", token=guardian).json_body
    assert view["contract_sha256"] in text.replace(" ", "")  # the text the guardian signed
    for words in EC_51747[language]:
        assert words in text, words
    for section in load().contract_terms.sections(language):
        assert section.heading in text
    if language == "es":  # the guardian read Spanish: an English copy follows, then the certificate
        assert "Acuerdo de estudio independiente" in text
        assert "Short-Term Independent Study Agreement" in text
        assert "Certificado de auditoría" in text
        assert "e•••••@family.example" in text
        assert GUARDIAN not in text
    else:
        assert "Acuerdo de estudio independiente" not in text
        assert "Audit certificate" in text
    assert ("IP address" if language == "en" else "Dirección IP") in text

    # Any party's link, twice: the same bytes, equal to what every approved email carried.
    for party in (CASTELLANOS, OFFICE, PRINCIPAL):
        token = api.link_for(party)[1]
        again = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=token, **PDF)
        assert again.status_code == 200
        assert again.body == first.body
    for address in (GUARDIAN, CASTELLANOS, ROJAS, OFFICE):
        files = attachments_to(address)
        assert files[f"agreement-{ref}.pdf"] == ("application/pdf", first.body), address
        assert (f"independent-study-{ref}.ics" in files) == (address == GUARDIAN)

    digest = hashlib.sha256(first.body).hexdigest()
    found = api.get(f"/stis/verify/{digest}")
    assert found.status_code == 200
    assert found.json_body == {
        "genuine": True,
        "ref": ref,
        "status": "approved",
        "school": "Ridgeline Middle School",
        "first_day": "2027-01-04",
        "last_day": "2027-01-08",
        "approved_at": found.json_body["approved_at"],
    }
    assert "Quintana" not in str(found.json_body)


def test_a_cancellation_after_approval_changes_the_status_but_not_the_pdf(api: Api) -> None:
    request_id, guardian = approved(api, "en")
    before = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF).body
    api.clock.advance(hours=1)
    assert api.post(f"/stis/requests/{request_id}/cancel", token=guardian).status_code == 200
    api.deliver()
    after = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF)
    assert after.status_code == 200
    assert after.body == before
    verified = api.get(f"/stis/verify/{hashlib.sha256(before).hexdigest()}").json_body
    assert verified["status"] == "cancelled"
    calendar = api.get(f"/stis/requests/{request_id}/calendar.ics", token=guardian)
    assert calendar.status_code == 409  # no calendar for days that are no longer away


def test_the_pdf_stays_the_one_issued_after_the_district_file_changes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A district renames a school (or the PDF library is upgraded) after approval:
    the agreement downloaded later is still the very file whose SHA-256 was stored."""
    from chalicelib import wiring
    from chalicelib.documents.agreement_pdf import render_agreement_pdf

    request_id, guardian = approved(api, "en")
    issued = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF).body
    district = load()
    renamed = district.model_copy(
        update={
            "schools": [
                s.model_copy(update={"name": s.name + " (renamed)"}) if s.id == "ridgeline-middle" else s
                for s in district.schools
            ]
        }
    )
    monkeypatch.setattr(wiring, "district", lambda: renamed)
    forget = (wiring.documents, wiring.documenting)
    for built in forget:
        built.cache_clear()  # a new process: nothing kept in memory
    try:
        stored = api.get(f"/stis/requests/{request_id}", token=guardian).json_body
        request = wiring.records().store.get(request_id)
        assert request is not None
        made_again = render_agreement_pdf(renamed, request, "https://portal.alder-creek.example")
        assert made_again != issued  # what re-rendering would give: not the signed file
        later = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF).body
        assert later == issued
        assert hashlib.sha256(later).hexdigest() == request.agreement_sha256
        assert stored["status"] == "approved"
    finally:
        for built in forget:
            built.cache_clear()


def test_the_guardian_gets_a_calendar_of_the_days_away_and_the_day_the_work_is_due(api: Api) -> None:
    request_id, guardian = approved(api, "es")
    answer = api.get(f"/stis/requests/{request_id}/calendar.ics", token=guardian)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    from icalendar import Calendar

    events = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    away = events[f"{request_id}-away@stis"]
    due = events[f"{request_id}-work-due@stis"]
    assert (away.decoded("dtstart").isoformat(), away.decoded("dtend").isoformat()) == (
        "2027-01-04",
        "2027-01-09",
    )
    assert due.decoded("dtstart").isoformat() == "2027-01-11"  # the Monday the student is back
    assert str(away["summary"]).startswith("Estudio independiente: Mateo Quintana")
    assert "Entrega del trabajo" in str(due["summary"])
    assert attachments_to(GUARDIAN)[answer.headers["Content-Disposition"].split('"')[1]][1] == body
    assert api.get(f"/stis/requests/{request_id}/calendar.ics", token=guardian).body == answer.body
    teacher = api.link_for(CASTELLANOS)[1]
    refused = api.get(f"/stis/requests/{request_id}/calendar.ics", token=teacher)
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "wrong_state"


@pytest.mark.parametrize(("language", "words"), [("en", "not approved"), ("es", "no está aprobado")])
def test_before_approval_there_is_no_pdf_and_the_refusal_is_in_the_readers_language(
    api: Api, language: str, words: str
) -> None:
    request_id, guardian = to_principal(api, language)
    for path in ("agreement.pdf", "calendar.ics"):
        answer = api.get(f"/stis/requests/{request_id}/{path}?lang={language}", token=guardian)
        assert answer.status_code == 409
        assert answer.json_body["error"]["code"] == "wrong_state"
        assert words in answer.json_body["error"]["message"]
    bad = api.get(f"/stis/requests/{request_id}/agreement.pdf", token="not-a-token", **PDF)
    assert bad.status_code == 403
    assert bad.json_body["error"]["code"] == "invalid_token"
    none = api.get(f"/stis/requests/{request_id}/agreement.pdf", **PDF)
    assert none.status_code == 403


@pytest.mark.parametrize(
    ("value", "status", "code"),
    [
        ("0" * 64, 404, "not_found"),
        ("A" * 64, 404, "not_found"),  # upper case is the same hash
        ("abc", 422, "invalid_input"),
        ("g" * 64, 422, "invalid_input"),
        ("0" * 65, 422, "invalid_input"),
        ("%00" * 3, 422, "invalid_input"),
    ],
)
def test_verify_answers_a_malformed_or_unknown_hash_clearly(
    api: Api, value: str, status: int, code: str
) -> None:
    for language, word in (("en", "SHA-256"), ("es", "SHA-256")):
        answer = api.get(f"/stis/verify/{value}?lang={language}")
        assert answer.status_code == status
        assert answer.json_body["error"]["code"] == code
        if status == 422:
            assert word in answer.json_body["error"]["fields"]["sha256"]
    spanish = api.get(f"/stis/verify/{value}", **{"Accept-Language": "es"}).json_body["error"]["message"]
    english = api.get(f"/stis/verify/{value}").json_body["error"]["message"]
    assert spanish != english


def test_the_approval_stores_the_hash_of_the_very_pdf_it_issued(api: Api) -> None:
    from chalicelib.wiring import records

    request_id, guardian = approved(api, "en")
    stored = records().store.get(request_id)
    assert stored is not None
    data = api.get(f"/stis/requests/{request_id}/agreement.pdf", token=guardian, **PDF).body
    assert stored.agreement_sha256 == hashlib.sha256(data).hexdigest()
    assert records().store.find_agreement(stored.agreement_sha256) == stored
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    assert api.get(f"/stis/verify/{hashlib.sha256(bytes(changed)).hexdigest()}").status_code == 404
