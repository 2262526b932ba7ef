"""The STIS request form and the signing page against the real API, in Spanish.

This module runs its own API and site with a copy of the demo district whose
notice rule is much longer (two weeks for every school day, no blackouts), so
that "too soon" dates exist whatever today's date is. Everything else is the
district as shipped.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from chalicelib.config.loader import DEFAULT_PATH, load
from tests.browser.conftest import Recorder, Site, site_for
from tests.support.bodies import submit_body
from tests.support.browser import wait_for_schools
from tests.support.links import link_in
from tests.support.people import family_address, student_number

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHIPPED = load()
SCHOOL = next(s for s in SHIPPED.schools if s.level == "elementary")
TEACHER = SCHOOL.teachers[0]


@pytest.fixture(scope="module")
def long_notice(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Site]:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["stis"]["notice_block_days"] = 1
    data["stis"]["notice_hours_per_block"] = 24 * 14
    data["stis"]["blackouts"] = []
    config = tmp_path_factory.mktemp("district") / "district.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with site_for(tmp_path_factory.mktemp("site"), {"DISTRICT_CONFIG": str(config)}) as built:
        built.district = load(config)
        yield built


# --- Helpers -------------------------------------------------------------------


def api(site: Site, method: str, path: str, body: object = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        site.api_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept-Language": "es"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def today(site: Site) -> date:
    zone = ZoneInfo(site.district.district.time_zone)
    return datetime.now(zone).date()


def too_soon(site: Site) -> tuple[str, str]:
    """A first and last day that the API says give too little notice."""
    calendar = site.district.calendar()
    upcoming = [d for d in calendar.next_school_days(today(site)) if d > today(site)]
    assert upcoming, "the demo calendar has no school day left: add a school year"
    first = upcoming[0]
    year = calendar.year_of(first)
    for count in (5, 1):
        days = [d for d in upcoming[:count] if calendar.year_of(d) == year]
        status, quote = api(site, "POST", "/stis/quote", {"first_day": str(first), "last_day": str(days[-1])})
        if status == 200 and not quote["notice_ok"]:
            return str(first), str(days[-1])
    pytest.fail(f"no date with too little notice near {first}")


def allowed_day(site: Site) -> str:
    """The earliest first day the API accepts now, for one day."""
    first, _ = too_soon(site)
    status, quote = api(site, "POST", "/stis/quote", {"first_day": first, "last_day": first})
    assert status == 200, quote
    earliest = quote["earliest_first_day"]
    assert earliest, "no school day left with enough notice: add a school year to the demo calendar"
    status, check = api(site, "POST", "/stis/quote", {"first_day": earliest, "last_day": earliest})
    assert status == 200 and check["notice_ok"], check
    return str(earliest)


def mail_to(site: Site, address: str, wait: float = 20, contains: str = "") -> list[dict[str, Any]]:
    """The emails sent to ``address`` (waiting, and running the outbox, until one is there)."""
    deadline = time.monotonic() + wait
    while True:
        found = [
            m
            for m in site.live.mailbox()
            if address in json.dumps(m.get("to")) and contains in m.get("text", "")
        ]
        if found or time.monotonic() > deadline:
            return found
        site.live.run_jobs()
        time.sleep(0.5)


def sign_link(message: dict[str, Any]) -> str:
    return link_in(message["text"]).url


def assert_accessible(page: Any) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def fill_spanish_form(page: Any, email: str, first: str, last: str) -> None:
    wait_for_schools(page)
    page.select_option("#school", SCHOOL.id)
    page.check(f"#teacher-{TEACHER.id}")
    page.fill("#student-first-name", "Luis")
    page.fill("#student-last-name", "Pérez Gómez")
    page.fill("#student-id", student_number())
    page.select_option("#student-grade", "3")
    page.fill("#guardian-name", "María Gómez")
    page.fill("#guardian-email", email)
    page.fill("#guardian-phone", "(555) 010-9999")
    page.fill("#first-day", first)
    page.fill("#last-day", last)


def requests_to(recorder: Recorder, path: str) -> list[str]:
    return [url for url in recorder.requests if url.split("?")[0].endswith(path)]


# --- The request form ----------------------------------------------------------------


def test_spanish_request_from_errors_to_signature(phone: Any, long_notice: Site, recorder: Recorder) -> None:
    site = long_notice
    email = family_address("maria")
    first_soon, last_soon = too_soon(site)
    good_day = allowed_day(site)

    phone.goto(site.page("/es/stis/request/"))
    fill_spanish_form(phone, "maria@ejemplo", first_soon, last_soon)

    # A bad email address: caught in the browser, in Spanish, summary focused.
    phone.click("#request-form button[type=submit]")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert "Hay un problema" in phone.inner_text("#error-summary")
    assert "correo electrónico válido" in phone.inner_text("#guardian-email-error")
    assert phone.get_attribute("#guardian-email", "aria-invalid") == "true"
    assert phone.title().startswith("Error: ")
    assert_accessible(phone)

    # Dates that give too little notice: the live check and the field say so.
    phone.fill("#guardian-email", email)
    phone.click("#request-form button[type=submit]")
    phone.wait_for_selector("#first-day-error:not([hidden])")
    assert "no da suficiente aviso" in phone.inner_text("#first-day-error")
    assert "no dan suficiente aviso" in phone.inner_text("#quote")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert requests_to(recorder, "/stis/requests") == []
    assert_accessible(phone)

    # A day that is not a school day: the API's own message, in Spanish, at the field.
    calendar = site.district.calendar()
    around = date.fromisoformat(good_day).toordinal()
    saturday = next(
        d
        for d in (date.fromordinal(around + n) for n in (*range(7), *range(-1, -8, -1)))
        if d.weekday() == 5 and calendar.year_of(d) is not None
    )
    phone.fill("#first-day", str(saturday))
    phone.fill("#last-day", str(saturday))
    expect(phone.locator("#first-day-error")).to_contain_text("no es día de clases")

    # Good dates: check your answers, then send (a double click sends once).
    phone.fill("#first-day", good_day)
    phone.fill("#last-day", good_day)
    phone.wait_for_selector(".portal-quote__ok")
    phone.click("#request-form button[type=submit]")
    phone.wait_for_selector("#check:not([hidden])")
    assert phone.evaluate("document.activeElement.id") == "check-title"
    assert email in phone.inner_text("#check-list")
    assert TEACHER.name in phone.inner_text("#check-list")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.dblclick("#send")
    phone.wait_for_selector("#done:not([hidden])")
    assert "Solicitud enviada" in phone.inner_text("#done")
    assert phone.evaluate("document.activeElement.id") == "done-title"
    assert len(requests_to(recorder, "/stis/requests")) == 1
    assert_accessible(phone)

    # The guardian's email (in Spanish) links to the Spanish signing page.
    messages = mail_to(site, email)
    assert len(messages) == 1, messages
    link = sign_link(messages[0])
    assert "/es/stis/sign/#" in link

    phone.goto(link)
    phone.wait_for_selector("#sign-view:not([hidden])")
    assert phone.inner_text("#status-title") == "Falta su firma"
    assert "Luis Pérez Gómez" in phone.inner_text("#contract")
    assert phone.get_attribute("#contract", "lang") == "es"
    assert phone.is_visible("#cancel-box")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("#sign-form button[type=submit]")
    assert "Escriba su nombre completo" in phone.inner_text("#sign-name-error")
    assert "Marque la casilla" in phone.inner_text("#sign-agree-error")
    phone.fill("#sign-name", "María Gómez")
    phone.check("#sign-agree")
    phone.click("#sign-form button[type=submit]")
    phone.wait_for_selector("#sign-notice:not([hidden])")
    assert "Su firma quedó guardada" in phone.inner_text("#sign-notice")
    assert "docente" in phone.inner_text("#status-title")
    assert "María Gómez" in phone.inner_text("#signature-list")
    assert not phone.is_visible("#sign-form")
    assert recorder.foreign(site.origins) == []

    # The token never reaches the static site: only the API sees it.
    token = link.split("token=")[1]
    assert not [url for url in recorder.requests if token in url]


def test_a_resend_after_a_lost_answer_makes_one_request(
    page: Any, long_notice: Site, recorder: Recorder
) -> None:
    site = long_notice
    email = family_address("resend")
    day = allowed_day(site)
    page.goto(site.page("/es/stis/request/"))
    fill_spanish_form(page, email, day, day)
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#check:not([hidden])")

    sent: list[dict[str, Any]] = []

    def lose_the_answer(route: Any) -> None:
        sent.append(json.loads(route.request.post_data))
        route.fetch()  # the API stores the request ...
        route.abort("connectionreset")  # ... but its answer never arrives

    page.route("**/stis/requests", lose_the_answer)
    page.click("#send")
    page.wait_for_selector("#error-summary:not([hidden])")
    assert "No pudimos comunicarnos" in page.inner_text("#error-summary")
    page.unroute("**/stis/requests")

    page.click("#send")
    page.wait_for_selector("#done:not([hidden])")
    keys = {body["request_key"] for body in sent}
    assert len(keys) == 1
    assert len(mail_to(site, email)) == 1


# --- The signing page ---------------------------------------------------------------


def submit_through_api(
    site: Site, email: str, language: str = "en", day: str | None = None, student_id: str = ""
) -> dict[str, Any]:
    """Sam Lee's request for one day (by default the earliest ``long_notice`` allows;
    by default a new student)."""
    day = day or allowed_day(site)
    status, body = api(
        site,
        "POST",
        "/stis/requests",
        submit_body(
            request_key=str(uuid.uuid4()),
            language=language,
            school_id=SCHOOL.id,
            teacher_ids=[TEACHER.id],
            student={
                "first_name": "Sam",
                "last_name": "Lee",
                "student_id": student_id or student_number(),
                "grade": "K",
            },
            guardian={"name": "Alex Lee", "email": email},
            first_day=day,
            last_day=day,
            reason="",
        ),
    )
    assert status == 201, body
    return dict(body)


def open_as_guardian(page: Any, site: Site, kind: str) -> None:
    """Submit a request through the API and open its signing page from the guardian's email."""
    email = family_address(kind)
    submit_through_api(site, email)
    page.goto(sign_link(mail_to(site, email)[0]))
    page.wait_for_selector("#sign-view:not([hidden])")


def test_the_guardian_can_cancel_after_confirming(page: Any, long_notice: Site) -> None:
    site = long_notice
    open_as_guardian(page, site, "cancel")
    page.click("#cancel-start")
    assert page.is_visible("#cancel-confirm")
    page.click("#cancel-no")
    assert not page.is_visible("#cancel-confirm")
    page.click("#cancel-start")
    page.click("#cancel-yes")
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert page.inner_text("#status-title") == "Cancelled"
    assert not page.is_visible("#cancel-box")
    assert not page.is_visible("#sign-form")


def test_the_teacher_can_decline_with_a_reason(page: Any, long_notice: Site) -> None:
    site = long_notice
    open_as_guardian(page, site, "decline")
    assert not page.is_visible("#decline-form")  # a guardian cannot decline
    page.fill("#sign-name", "Alex Lee")
    page.check("#sign-agree")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")

    to_teacher = mail_to(site, TEACHER.email, contains="Sam Lee")
    assert to_teacher, "the teacher got no email"
    page.goto(sign_link(to_teacher[-1]))
    page.wait_for_selector("#sign-view:not([hidden])")
    assert page.is_visible("#sign-form")
    assert page.is_visible("#decline-form")
    assert not page.is_visible("#cancel-box")
    assert_accessible(page)
    page.click("#decline-form button[type=submit]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.is_visible("#decline-reason-error")
    page.fill("#decline-reason", "The class has a field trip those days.")
    page.click("#decline-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert page.inner_text("#status-title") == "Declined"
    assert "field trip" in page.inner_text("#status-text")


def test_a_broken_link_says_what_to_do(page: Any, long_notice: Site) -> None:
    site = long_notice
    page.goto(site.page("/es/stis/sign/#id=abc"))
    page.wait_for_selector("#sign-problem:not([hidden])")
    assert "le falta una parte" in page.inner_text("#sign-problem")
    assert page.is_hidden("#sign-nolink")
    page.goto(site.page("/stis/sign/#id=nope&token=wrong"))
    page.wait_for_selector("#sign-problem:not([hidden])")
    assert page.inner_text("#sign-problem-text").strip()
    assert_accessible(page)
    # A refused link is not kept: the page opened again from the menu explains itself.
    page.reload()
    page.wait_for_selector("#sign-nolink:not([hidden])")
    assert page.is_hidden("#sign-problem")
