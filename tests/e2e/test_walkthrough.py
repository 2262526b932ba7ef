"""The README's walkthrough, in a browser, on the stack as `make dev` starts it
(`python -m infra.local` on free ports, the site built for that API).

A Spanish-speaking parent fills the form; every email is read out of the local
mailbox and every link is opened in Chromium, as the parent, the teachers, the
principal and the school office would. Until the parent confirms by signing,
only the parent hears of the request; then the teachers and the office do.
A second run has a teacher decline.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config.loader import load
from tests.support import links
from tests.support.browser import wait_for_schools
from tests.support.live import Live, running_api
from tests.support.people import student_number

pytestmark = pytest.mark.browser

DISTRICT = load()
SCHOOL = next(s for s in DISTRICT.schools if s.level == "middle")
TEACHERS = SCHOOL.teachers[:2]
OFFICE = SCHOOL.office.email


@pytest.fixture(scope="module")
def stack(chromium: Path) -> Iterator[Live]:
    with running_api(site=True) as live:
        yield live


@pytest.fixture
def page(browser: Any, stack: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-MX")
    yield context.new_page()
    context.close()


def first_free_day(live: Live) -> str:
    """The earliest school day a one-day request can start on now (the real clock)."""
    import json
    import urllib.request

    zone = ZoneInfo(DISTRICT.district.time_zone)
    upcoming = DISTRICT.calendar().next_school_days(datetime.now(zone).date())
    assert len(upcoming) > 20, "the demo calendar is running out: add a school year"
    probe = str(upcoming[20])
    request = urllib.request.Request(
        f"{live.url}/stis/quote",
        data=json.dumps({"first_day": probe, "last_day": probe}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["earliest_first_day"])


def emails_to(
    live: Live, address: str, count: int = 1, containing: str = "", wait: float = 30
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + wait
    while True:
        found = [m for m in live.mailbox() if m["to"] == address and containing in m["text"]]
        if len(found) >= count or time.monotonic() > deadline:
            return list(reversed(found))  # oldest first
        time.sleep(0.3)


def link_in(message: dict[str, Any]) -> str:
    return links.link_in(message["text"]).url


def reference(message: dict[str, Any]) -> str:
    found = re.search(r"STIS-[0-9A-F]{6}", message["subject"])
    assert found, message["subject"]
    return found.group(0)


def nobody_else_heard(live: Live, guardian: str, ref: str) -> None:
    """Once the outbox is empty, no one but the guardian has an email about ``ref``."""
    live.run_jobs()
    others = [m["to"] for m in live.mailbox() if ref in m["subject"] + m["text"] and m["to"] != guardian]
    assert others == []


def request_as_parent(page: Any, live: Live, guardian: str, student: str) -> None:
    day = first_free_day(live)
    page.goto(f"{live.site_url}/es/stis/request/")
    wait_for_schools(page)
    page.select_option("#school", SCHOOL.id)
    for teacher in TEACHERS:
        page.check(f"#teacher-{teacher.id}")
    page.fill("#student-first-name", student)
    page.fill("#student-last-name", "Quintana")
    page.fill("#student-id", student_number())
    page.select_option("#student-grade", "7")
    page.fill("#guardian-name", "Elena Quintana")
    page.fill("#guardian-email", guardian)
    page.fill("#first-day", day)
    page.fill("#last-day", day)
    page.wait_for_selector(".portal-quote__ok")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#check:not([hidden])")
    page.click("#send")
    page.wait_for_selector("#done:not([hidden])")


def open_link(page: Any, link: str) -> None:
    page.goto("about:blank")  # a new document, not a hash change on the signing page
    page.goto(link)
    page.wait_for_selector("#sign-view:not([hidden])")


def sign_with(page: Any, link: str, name: str) -> None:
    open_link(page, link)
    sign_here(page, name)


def sign_here(page: Any, name: str) -> None:
    page.fill("#sign-name", name)
    page.check("#sign-agree")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")


def test_a_parent_request_signed_by_everyone_in_turn_is_approved(page: Any, stack: Live) -> None:
    guardian = f"elena.{uuid.uuid4().hex[:6]}@family.example"
    request_as_parent(page, stack, guardian, "Mateo")

    (to_guardian,) = emails_to(stack, guardian)
    assert "estudio independiente" in to_guardian["subject"].lower()
    assert "Mateo" not in to_guardian["subject"] + to_guardian["text"]  # nothing the form's sender typed
    assert 'lang="es"' in to_guardian["html"]
    ref = reference(to_guardian)
    nobody_else_heard(stack, guardian, ref)
    guardian_link = link_in(to_guardian)
    assert "/es/stis/sign/#" in guardian_link
    open_link(page, guardian_link)
    assert "Firme a más tardar" in page.inner_text("#status-text")
    sign_here(page, "Elena Quintana")

    (to_office,) = emails_to(stack, OFFICE, containing=ref)  # the office hears once the parent signed
    assert "Mateo Quintana" in to_office["text"]
    open_link(page, link_in(to_office))
    assert page.is_visible("#office-cancel-form") and not page.is_visible("#sign-form")

    for teacher in TEACHERS:
        (to_teacher,) = emails_to(stack, teacher.email)
        sign_with(page, link_in(to_teacher), teacher.name)
    (to_principal,) = emails_to(stack, SCHOOL.principal.email)
    sign_with(page, link_in(to_principal), SCHOOL.principal.name)

    open_link(page, guardian_link)
    assert page.inner_text("#status-title") == "Aprobado"
    office = emails_to(stack, OFFICE, count=3, containing=ref)
    assert len(office) == 3  # the request, the principal's turn, the approved agreement
    assert office[0] == to_office
    assert "Approved" in office[-1]["subject"] or "approved" in office[-1]["subject"]
    assert "Short-Term Independent Study Agreement" in office[-1]["text"]
    approved_for_guardian = emails_to(stack, guardian, count=2)[-1]
    assert "Acuerdo de estudio independiente" in approved_for_guardian["text"]


def test_a_teacher_declines_and_the_parent_sees_why(page: Any, stack: Live) -> None:
    guardian = f"elena.{uuid.uuid4().hex[:6]}@family.example"
    request_as_parent(page, stack, guardian, "Lucía")
    (to_guardian,) = emails_to(stack, guardian)
    nobody_else_heard(stack, guardian, reference(to_guardian))
    guardian_link = link_in(to_guardian)
    sign_with(page, guardian_link, "Elena Quintana")
    teacher = TEACHERS[1]
    to_teacher = emails_to(stack, teacher.email, containing="Lucía")
    open_link(page, link_in(to_teacher[-1]))
    page.fill("#decline-reason", "Hay un examen final esos días.")
    page.click("#decline-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")

    open_link(page, guardian_link)
    assert page.inner_text("#status-title") == "Rechazado"
    told = emails_to(stack, guardian, count=2)[-1]
    assert "Hay un examen final esos días." in told["text"]
    office = emails_to(stack, OFFICE, count=2, containing="Lucía Quintana")
    assert len(office) == 2  # the request (once the guardian signed), the decline
