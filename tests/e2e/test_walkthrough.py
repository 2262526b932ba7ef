"""The README's walkthrough, in a browser, on the stack as `make dev` starts it
(`python -m infra.local` on free ports, the site built for that API).

A Spanish-speaking parent fills the form; every email is read out of the local
mailbox and every link is opened in Chromium, as the parent, the teachers and
the principal would. A second run has a teacher decline.
"""

from __future__ import annotations

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


def request_as_parent(page: Any, live: Live, guardian: str, student: str) -> None:
    day = first_free_day(live)
    page.goto(f"{live.site_url}/es/stis/request/")
    wait_for_schools(page)
    page.select_option("#school", SCHOOL.id)
    for teacher in TEACHERS:
        page.check(f"#teacher-{teacher.id}")
    page.fill("#student-first-name", student)
    page.fill("#student-last-name", "Quintana")
    page.fill("#student-id", uuid.uuid4().hex[:8])
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


def sign_with(page: Any, link: str, name: str) -> None:
    page.goto(link)
    page.wait_for_selector("#sign-view:not([hidden])")
    page.fill("#sign-name", name)
    page.check("#sign-agree")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")


def test_a_parent_request_signed_by_everyone_in_turn_is_approved(page: Any, stack: Live) -> None:
    guardian = f"elena.{uuid.uuid4().hex[:6]}@family.example"
    request_as_parent(page, stack, guardian, "Mateo")

    (to_guardian,) = emails_to(stack, guardian)
    assert "estudio independiente" in to_guardian["subject"].lower()
    assert 'lang="es"' in to_guardian["html"]
    guardian_link = link_in(to_guardian)
    assert "/es/stis/sign/#" in guardian_link
    sign_with(page, guardian_link, "Elena Quintana")

    for teacher in TEACHERS:
        (to_teacher,) = emails_to(stack, teacher.email)
        sign_with(page, link_in(to_teacher), teacher.name)
    (to_principal,) = emails_to(stack, SCHOOL.principal.email)
    sign_with(page, link_in(to_principal), SCHOOL.principal.name)

    page.goto(guardian_link)
    page.wait_for_selector("#sign-view:not([hidden])")
    assert page.inner_text("#status-title") == "Aprobado"
    office = emails_to(stack, OFFICE, count=4)
    assert "Mateo Quintana" in office[0]["text"]  # the request itself
    assert "Approved" in office[-1]["subject"] or "approved" in office[-1]["subject"]
    assert "Short-Term Independent Study Agreement" in office[-1]["text"]
    approved_for_guardian = emails_to(stack, guardian, count=2)[-1]
    assert "Acuerdo de estudio independiente" in approved_for_guardian["text"]


def test_a_teacher_declines_and_the_parent_sees_why(page: Any, stack: Live) -> None:
    guardian = f"elena.{uuid.uuid4().hex[:6]}@family.example"
    request_as_parent(page, stack, guardian, "Lucía")
    guardian_link = link_in(emails_to(stack, guardian)[0])
    sign_with(page, guardian_link, "Elena Quintana")
    teacher = TEACHERS[1]
    to_teacher = emails_to(stack, teacher.email, containing="Lucía")
    page.goto(link_in(to_teacher[-1]))
    page.wait_for_selector("#decline-form")
    page.fill("#decline-reason", "Hay un examen final esos días.")
    page.click("#decline-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")

    page.goto(guardian_link)
    page.wait_for_selector("#sign-view:not([hidden])")
    assert page.inner_text("#status-title") == "Rechazado"
    told = emails_to(stack, guardian, count=2)[-1]
    assert "Hay un examen final esos días." in told["text"]
    office = emails_to(stack, OFFICE, count=3, containing="Lucía Quintana")
    assert len(office) == 3  # the request, the guardian's signature, the decline
