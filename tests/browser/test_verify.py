""" "Check an agreement" in Chromium, in English and Spanish, against the real API:
the PDF a fully signed request downloads is genuine and unaltered; the same file
with one byte changed is not; and the file itself never leaves the browser."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe

from chalicelib.config.loader import load
from tests.browser.conftest import Recorder, Site
from tests.support.bodies import submit_body
from tests.support.links import link_in
from tests.support.people import family_address, student_number

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DISTRICT = load()
SCHOOL = next(s for s in DISTRICT.schools if s.id == "ridgeline-middle")
TEACHERS = SCHOOL.teachers[:2]


def call(site: Site, method: str, path: str, body: object = None, token: str = "", **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        site.api_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=sent,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        data = response.read()
        return json.loads(data) if response.headers["Content-Type"].startswith("application/json") else data


def link_for(site: Site, address: str, request_id: str) -> str:
    """The token in the newest email to ``address`` about ``request_id`` (running the outbox)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in site.live.mailbox():  # newest first
            if address in json.dumps(message.get("to")) and f"#id={request_id}&" in message.get("text", ""):
                return link_in(message["text"]).token
        site.live.run_jobs()
        time.sleep(0.3)
    raise AssertionError(f"no link for {address}")


def sign(site: Site, request_id: str, address: str, name: str) -> dict[str, Any]:
    token = link_for(site, address, request_id)
    view = call(site, "GET", f"/stis/requests/{request_id}", token=token)
    body = {"name": name, "agree": True, "contract_sha256": view["contract_sha256"]}
    return dict(call(site, "POST", f"/stis/requests/{request_id}/sign", body, token=token))


APPROVED: dict[str, tuple[str, str]] = {}  # language -> (request id, guardian's address)


def approved_pdf(site: Site, language: str) -> bytes:
    """A Ridgeline request for two school days three weeks ahead, signed by the guardian,
    both teachers and the principal; its PDF as the guardian downloads it."""
    zone = ZoneInfo(DISTRICT.district.time_zone)
    ahead = DISTRICT.calendar().next_school_days(datetime.now(zone).date() + timedelta(days=21))
    assert len(ahead) >= 2, "the demo calendar has no school days left: add a school year"
    guardian = family_address(f"verify-{language}")
    created = call(
        site,
        "POST",
        "/stis/requests",
        submit_body(
            request_key=str(uuid.uuid4()),
            language=language,
            school_id=SCHOOL.id,
            teacher_ids=[t.id for t in TEACHERS],
            student={
                "first_name": "Lucía",
                "last_name": "Navarro",
                "student_id": student_number(),
                "grade": "7",
            },
            guardian={"name": "Marta Navarro", "email": guardian},
            first_day=ahead[0].isoformat(),
            last_day=ahead[1].isoformat(),
            reason="",
        ),
    )
    request_id = created["id"]
    sign(site, request_id, guardian, "Marta Navarro")
    for teacher in TEACHERS:
        sign(site, request_id, str(teacher.email), teacher.name)
    assert sign(site, request_id, str(SCHOOL.principal.email), SCHOOL.principal.name)["status"] == "approved"
    APPROVED[language] = (request_id, guardian)
    token = link_for(site, guardian, request_id)
    data = call(
        site, "GET", f"/stis/requests/{request_id}/agreement.pdf", token=token, Accept="application/pdf"
    )
    assert isinstance(data, bytes) and data.startswith(b"%PDF-")
    return data


@pytest.fixture(scope="module")
def pdfs(site: Site) -> dict[str, bytes]:
    return {language: approved_pdf(site, language) for language in ("en", "es")}


def check(page: Any, site: Site, path: str, data: bytes, tmp_path: Path, name: str) -> None:
    page.goto(site.page(path))
    page.wait_for_selector("#stis-verify:not([hidden])")
    file = tmp_path / name
    file.write_bytes(data)
    page.set_input_files("#verify-file", str(file))
    page.wait_for_selector("#verify-genuine, #verify-not-genuine, #verify-problem")


@pytest.mark.parametrize(
    ("path", "language", "genuine", "status", "altered"),
    [
        (
            "/stis/verify/",
            "en",
            "Genuine and unaltered",
            "Approved: the agreement stands",
            "Not an agreement",
        ),
        (
            "/es/stis/verify/",
            "es",
            "Auténtico y sin cambios",
            "Aprobado: el acuerdo está vigente",
            "No es un acuerdo",
        ),
    ],
)
def test_the_downloaded_pdf_is_genuine_and_one_byte_changed_is_not(
    page: Any,
    site: Site,
    pdfs: dict[str, bytes],
    recorder: Recorder,
    tmp_path: Path,
    path: str,
    language: str,
    genuine: str,
    status: str,
    altered: str,
) -> None:
    data = pdfs[language]
    check(page, site, path, data, tmp_path, "agreement.pdf")
    result = page.inner_text("#verify-result")
    assert genuine in result
    assert status in result
    assert SCHOOL.name in result
    assert "Navarro" not in result  # the answer names nobody
    assert page.get_attribute("#verify-result", "aria-live") == "polite"
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()

    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x20  # one byte, in the middle of the file
    check(page, site, path, bytes(changed), tmp_path, "changed.pdf")
    result = page.inner_text("#verify-result")
    assert altered in result
    assert genuine not in result

    # Only the hashes went out: each check is one GET to the API, and no request carried a body.
    verify_calls = [
        url for url in recorder.requests if "/stis/verify/" in url and url.startswith(site.api_url)
    ]
    assert len(verify_calls) == 2
    assert all(len(url.rsplit("/", 1)[1]) == 64 for url in verify_calls)
    assert recorder.foreign(site.origins) == []
    assert recorder.errors == []


def test_pressing_the_button_without_a_file_says_what_to_do(page: Any, site: Site) -> None:
    page.goto(site.page("/es/stis/verify/"))
    page.wait_for_selector("#stis-verify:not([hidden])")
    page.click("#verify-form button[type=submit]")
    assert "Elija el archivo PDF del acuerdo" in page.inner_text("#verify-file-error")
    assert page.get_attribute("#verify-file", "aria-invalid") == "true"


def sign_page_link(site: Site, address: str, request_id: str) -> str:
    for message in site.live.mailbox():
        if address in json.dumps(message.get("to")) and f"#id={request_id}&" in message.get("text", ""):
            return link_in(message["text"]).url
    raise AssertionError(f"no link for {address}")


@pytest.mark.parametrize(
    ("language", "button"), [("en", "Download the agreement (PDF)"), ("es", "Descargar el acuerdo (PDF)")]
)
def test_each_party_downloads_the_same_pdf_from_the_signing_page_and_the_guardian_a_calendar(
    page: Any, site: Site, pdfs: dict[str, bytes], recorder: Recorder, language: str, button: str
) -> None:
    request_id, guardian = APPROVED[language]
    page.goto(sign_page_link(site, guardian, request_id))
    page.wait_for_selector("#agreement-downloads:not([hidden])")
    assert page.inner_text("#download-pdf") == button
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert Path(download.value.path()).read_bytes() == pdfs[language]
    assert download.value.suggested_filename.startswith("agreement-STIS-")
    assert page.is_visible("#download-ics")
    with page.expect_download() as calendar:
        page.click("#download-ics")
    assert Path(calendar.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()

    teacher = TEACHERS[0]
    page.goto(sign_page_link(site, str(teacher.email), request_id))
    page.wait_for_selector("#agreement-downloads:not([hidden])")
    assert not page.is_visible("#download-ics")  # the calendar is the family's
    with page.expect_download() as again:
        page.click("#download-pdf")
    assert Path(again.value.path()).read_bytes() == pdfs[language]
    assert recorder.errors == []
