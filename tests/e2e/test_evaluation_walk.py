"""After approval, in a browser, with the local clock (issue 15): a Spanish
request for a grade 7 student with two teachers goes from the form to
`closed`. One teacher credits every day (the student signs on that record),
the other all but one; the office's CSV shows exactly that day with the
district's "not credited" code, the family sees 4 of 5 days credited, and the
next Monday's register lists the days with their results.

With ``STIS_SHOTS=<dir>`` set, it also saves screenshots of the pages it opens.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from chalicelib.config.loader import load
from tests.e2e.test_walkthrough import emails_to, link_in, open_link, sign_with
from tests.support.bodies import submit_body
from tests.support.browser import wait_for_schools
from tests.support.live import Live, is_register, running_api
from tests.support.people import student_number

pytestmark = pytest.mark.browser

DISTRICT = load()
SCHOOL = DISTRICT.school("ridgeline-middle")
assert SCHOOL is not None
CASTELLANOS, ROJAS = SCHOOL.teacher("t-castellanos"), SCHOOL.teacher("t-rojas")
assert CASTELLANOS is not None and ROJAS is not None
OFFICE = SCHOOL.office.email
DAYS = ["2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14", "2027-01-15"]
NOT_CREDITED_DAY = 2  # Wednesday 13 January: Ms. Rojas did not get that day's work
SHOTS = os.environ.get("STIS_SHOTS", "")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def accessible(page: Any) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="module")
def stack(chromium: Path) -> Iterator[Live]:
    with running_api(site=True) as live:
        yield live
        live.reset_clock()


@pytest.fixture
def page(browser: Any, stack: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="es-MX")
    yield context.new_page()
    context.close()


def shot(page: Any, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})


def attachment(live: Live, message: dict[str, Any], index: int = 0) -> str:
    url = f"{live.mail_url}/messages/{message['id']}/attachments/{index}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8")).removeprefix("\ufeff")


def request_in_spanish(page: Any, live: Live, guardian: str) -> None:
    page.goto(f"{live.site_url}/es/stis/request/")
    wait_for_schools(page)
    page.select_option("#school", SCHOOL.id)
    for teacher in (CASTELLANOS, ROJAS):
        page.check(f"#teacher-{teacher.id}")
    page.fill("#student-first-name", "Mateo")
    page.fill("#student-last-name", "Quintana")
    page.fill("#student-id", student_number())
    page.select_option("#student-grade", "7")
    page.fill("#guardian-name", "Elena Quintana")
    page.fill("#guardian-email", guardian)
    page.fill("#first-day", DAYS[0])
    page.fill("#last-day", DAYS[-1])
    page.wait_for_selector(".portal-quote__ok")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#check:not([hidden])")
    page.click("#send")
    page.wait_for_selector("#done:not([hidden])")


def record_the_work(page: Any, link: str, name: str, credited: list[bool], student: str = "") -> None:
    open_link(page, link)
    page.wait_for_selector("#evaluate-form:not([hidden])")
    assert page.is_visible("#field-evaluate-student") is bool(student)
    for index, yes in enumerate(credited):
        page.check(f"#day-{index}-{'yes' if yes else 'no'}")
    page.fill("#received-0", DAYS[-1])
    if not all(credited):
        page.fill(f"#note-{credited.index(False)}", "No entregó la tarea de ese día.")
    if student:
        page.fill("#evaluate-student", student)
    page.fill("#evaluate-name", name)
    page.check("#evaluate-agree")
    accessible(page)
    shot(page, f"evaluate-{'student' if student else 'teacher'}")
    page.click("#evaluate-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")


def test_a_spanish_request_with_two_teachers_goes_from_submit_to_closed(page: Any, stack: Live) -> None:
    guardian = f"elena.{uuid.uuid4().hex[:6]}@family.example"
    request_in_spanish(page, stack, guardian)
    (to_guardian,) = emails_to(stack, guardian)
    guardian_link = link_in(to_guardian)
    sign_with(page, guardian_link, "Elena Quintana")
    for teacher in (CASTELLANOS, ROJAS):
        (to_teacher,) = emails_to(stack, teacher.email, containing="Mateo")
        sign_with(page, link_in(to_teacher), teacher.name)
    (to_principal,) = emails_to(stack, SCHOOL.principal.email, containing="Mateo")
    sign_with(page, link_in(to_principal), SCHOOL.principal.name)
    open_link(page, guardian_link)
    assert page.inner_text("#status-title") == "Aprobado"

    # Saturday after the last day: the jobs send the teachers to record the work.
    stack.set_clock(datetime.fromisoformat("2027-01-16T10:00:00-08:00"))
    assert stack.run_jobs()["evaluations_begun"] == 1
    assert stack.run_jobs()["evaluations_begun"] == 0
    open_link(page, guardian_link)
    assert "registro docente" in page.inner_text("#status-title").lower()
    shot(page, "status-awaiting")

    (first,) = emails_to(stack, CASTELLANOS.email, containing="Registre el trabajo")
    record_the_work(page, link_in(first), "ines castellanos", [True] * 5, student="Mateo Quintana")
    assert "ya registró" in page.inner_text("#status-text")
    (second,) = emails_to(stack, ROJAS.email, containing="Registre el trabajo")
    credited = [index != NOT_CREDITED_DAY for index in range(5)]
    record_the_work(page, link_in(second), ROJAS.name, credited)
    assert page.inner_text("#status-title") == "Cerrado"

    stack.run_jobs()
    results = [m for m in emails_to(stack, OFFICE, containing="Mateo Quintana") if "4" in m["subject"]]
    assert results and "4 of 5" in results[-1]["subject"]
    rows = [line.split(",") for line in attachment(stack, results[-1]).splitlines()]
    assert rows[0] == ["student_id", "date", "attendance_code", "result"]
    codes = DISTRICT.attendance_codes
    not_credited = [(r[1], r[2]) for r in rows[1:] if r[3] == "not_credited"]
    assert not_credited == [(DAYS[NOT_CREDITED_DAY], codes.not_credited.code)]
    assert [r[2] for r in rows[1:]].count(codes.credited.code) == 4
    family = emails_to(stack, guardian, containing="incompleto, sin crédito")
    assert family and "4 de 5" in family[-1]["subject"]

    open_link(page, guardian_link)
    assert page.inner_text("#status-title") == "Cerrado"
    assert "4 de 5" in page.inner_text("#status-text")
    assert page.locator("#results-list li").count() == 5
    assert "Incompleto, sin crédito" in page.inner_text("#results-list li >> nth=2")
    accessible(page)
    shot(page, "status-closed")

    # The Monday after: the office's register for that week lists each day with its result.
    stack.set_clock(datetime.fromisoformat("2027-01-18T07:00:00-08:00"))
    stack.run_jobs()
    registers = [m for m in stack.mailbox(registers=True) if is_register(m) and m["to"] == OFFICE]
    assert registers, "no register for the office"
    rows = [line.split(",") for line in attachment(stack, registers[0]).splitlines()]
    ref = "STIS-" + guardian_link.split("#id=")[1].split("&")[0].replace("-", "")[:6].upper()
    ours = [(r[0], r[5]) for r in rows[1:] if len(r) > 5 and r[4] == ref]
    expected = [(day, "Not credited" if i == NOT_CREDITED_DAY else "Credited") for i, day in enumerate(DAYS)]
    assert ours == expected
    stack.reset_clock()


def api_post(live: Live, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        live.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def test_in_english_the_office_ends_early_and_the_teacher_fixes_a_refused_record(
    page: Any, stack: Live
) -> None:
    madrone = DISTRICT.school("madrone-elementary")
    assert madrone is not None
    nakamura = madrone.teacher("t-nakamura")
    assert nakamura is not None
    guardian = f"sam.{uuid.uuid4().hex[:6]}@family.example"
    student_id = student_number()
    body = submit_body(
        request_key=str(uuid.uuid4()),
        language="en",
        teacher_ids=["t-nakamura"],
        student={"first_name": "Ava", "last_name": "Lindgren", "student_id": student_id, "grade": "2"},
        guardian={"name": "Sam Lindgren", "email": guardian},
        first_day="2027-02-01",
        last_day="2027-02-05",
        reason="",
    )
    api_post(stack, "/stis/requests", body)
    (to_guardian,) = emails_to(stack, guardian)
    guardian_link = link_in(to_guardian)
    sign_with(page, guardian_link, "Sam Lindgren")
    (to_teacher,) = emails_to(stack, nakamura.email, containing="Ava")
    sign_with(page, link_in(to_teacher), nakamura.name)
    (to_principal,) = emails_to(stack, madrone.principal.email, containing="Ava")
    sign_with(page, link_in(to_principal), madrone.principal.name)
    office_link = link_in(emails_to(stack, madrone.office.email, containing="Ava Lindgren")[0])

    # Wednesday of that week: Ava came back; the office ends the agreement after Tuesday.
    stack.set_clock(datetime.fromisoformat("2027-02-03T12:00:00-08:00"))
    open_link(page, office_link)
    assert page.inner_text("#status-title") == "Approved: independent study in progress"
    assert page.is_visible("#end-form") and not page.is_visible("#office-cancel-form")
    page.click("#end-form button[type=submit]")
    assert page.is_visible("#end-reason-error")
    page.select_option("#end-last-day", "2027-02-02")
    page.fill("#end-reason", "Ava is back in class.")
    accessible(page)
    shot(page, "end-early-en")
    page.click("#end-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert "ended it early" in page.inner_text("#status-text")
    stack.run_jobs()
    told = emails_to(stack, guardian, containing="Ava is back in class.")
    assert told and told[-1]["subject"].startswith("Ended early")

    record = emails_to(stack, nakamura.email, containing="Record the work here")
    assert record, "the teacher was not asked to record the work"
    open_link(page, link_in(record[-1]))
    assert page.locator("#evaluate-days fieldset.portal-day").count() == 2
    page.click("#evaluate-form button[type=submit]")  # nothing chosen: the summary lists each problem
    summary = page.inner_text("#error-summary")
    assert "Choose complete or not complete for Monday, February 1, 2027" in summary
    assert page.get_attribute("#day-0-yes", "aria-invalid") == "true"
    page.check("#day-0-yes")
    page.check("#day-1-yes")
    page.fill("#evaluate-student", "Ava Lindgren")
    page.fill("#evaluate-name", "Someone Else")
    page.check("#evaluate-agree")
    page.click("#evaluate-form button[type=submit]")
    page.wait_for_selector(f"#evaluate-name-error:has-text('{nakamura.name}')")  # the name to type
    accessible(page)
    shot(page, "evaluate-error-en")
    page.fill("#evaluate-name", nakamura.name)
    page.click("#evaluate-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert page.inner_text("#status-title") == "Closed"
    assert "2 of 2 school days credited" in page.inner_text("#status-text")
    shot(page, "status-closed-en")
    stack.reset_clock()
