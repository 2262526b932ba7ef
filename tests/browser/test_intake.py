"""What the intake rules put in front of people, in both languages, on the real
stack: the guardian's "sign by" time, a request that expired unconfirmed, a
link that has stopped working, the school office cancelling with a reason,
and the request form's answers to a limit and to the new field checks.

This module starts its own stack with the embedded AWS on a known port, so a
test can move a stored request back in time (what 48 hours or two months of
waiting would do) in the same table the API reads; everything else is the
demo district as shipped.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import expect

from chalicelib.config.loader import load
from infra.local.stack import REGION, TABLE, free_port
from tests.browser.conftest import Site, site_for
from tests.browser.test_flows import assert_accessible, mail_to, sign_link, submit_through_api
from tests.browser.test_rough_edges import earliest_day
from tests.support.browser import wait_for_schools
from tests.support.people import family_address, student_number

pytestmark = pytest.mark.browser

DISTRICT = load()
SCHOOL = next(s for s in DISTRICT.schools if s.level == "elementary")
TEACHER = SCHOOL.teachers[0]
PREFIX = {"en": "", "es": "/es"}
LANGUAGES = ["en", "es"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Site]:
    with site_for(tmp_path_factory.mktemp("site"), {"STIS_AWS_PORT": str(free_port())}) as built:
        built.district = DISTRICT
        yield built


def table(site: Site) -> Any:
    """The stack's own DynamoDB table (the embedded AWS the API writes to)."""
    port = next(line for line in site.live.output if "embedded AWS" in line).rsplit(" ", 1)[1]
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def call(site: Site, method: str, path: str, body: object = None, token: str = "") -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(site.api_url + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


class Submitted:
    """One request sent through the API, and its guardian's link from the email."""

    def __init__(self, site: Site, language: str, student_id: str = "") -> None:
        self.site = site
        self.guardian = family_address("intake")
        body = submit_through_api(site, self.guardian, language, earliest_day(site), student_id)
        self.id: str = body["id"]
        self.link = sign_link(mail_to(site, self.guardian)[0])
        self.token = self.link.split("token=")[1]

    def view(self, token: str = "") -> dict[str, Any]:
        status, body = call(self.site, "GET", f"/stis/requests/{self.id}", token=token or self.token)
        assert status == 200, body
        return dict(body)

    def guardian_signs(self) -> None:
        view = self.view()
        sign = {"name": view["viewer"]["name"], "agree": True, "contract_sha256": view["contract_sha256"]}
        status, body = call(self.site, "POST", f"/stis/requests/{self.id}/sign", sign, self.token)
        assert status == 200, body

    def stored(self, **values: dict[str, Any]) -> None:
        """Change the stored request's attributes (DynamoDB-typed values) in place."""
        names = {f"#a{i}": name for i, name in enumerate(values)}
        sets = ", ".join(f"#a{i} = :v{i}" for i in range(len(values)))
        table(self.site).update_item(
            TableName=TABLE,
            Key={"pk": {"S": f"REQ#{self.id}"}, "sk": {"S": "REQ"}},
            UpdateExpression=f"SET {sets}",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":v{i}": v for i, v in enumerate(values.values())},
        )

    def past_its_time(self) -> None:
        """As if the guardian's time to sign had run out: the jobs expire it."""
        past = datetime.now(UTC) - timedelta(minutes=5)
        moment = past.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.stored(confirm_by={"S": past.isoformat()}, due_sk={"S": f"{moment}#{self.id}"})
        self.site.live.run_jobs()
        assert self.view()["status"] == "expired"

    def ended_days_ago(self, days: int) -> None:
        ending = self.view()["ending"]
        at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        by = {"S": ""}
        self.stored(
            ending={"M": {"state": {"S": ending["state"]}, "by": by, "at": {"S": at}, "reason": {"S": ""}}}
        )


def mails(site: Site, address: str, containing: str, count: int) -> list[dict[str, Any]]:
    """The emails to ``address`` containing ``containing``, once there are ``count`` (or after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        found = mail_to(site, address, contains=containing)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def open_link(page: Any, link: str) -> None:
    page.goto("about:blank")  # a new document, not a hash change on the signing page
    page.goto(link)
    page.wait_for_selector("#sign-view:not([hidden]), #sign-problem:not([hidden])")


def in_language(link: str, language: str) -> str:
    """The same link on the page in ``language`` (the token is the same)."""
    path = "/stis/sign/#"
    site, fragment = link.split(path, 1)
    return site.removesuffix("/es") + PREFIX[language] + path + fragment


# --- The signing page ----------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [("en", "Sign by"), ("es", "Firme a más tardar")])
def test_the_guardian_is_told_by_when_to_sign(page: Any, stack: Site, language: str, words: str) -> None:
    request = Submitted(stack, language)
    sign_by = datetime.fromisoformat(request.view()["sign_by"])
    open_link(page, request.link)
    text = page.inner_text("#status-text")
    assert words in text
    assert str(sign_by.astimezone().year) in text.split(words, 1)[1]
    assert_accessible(page)
    # Once signed, there is no deadline left to show.
    request.guardian_signs()
    assert request.view()["sign_by"] is None
    open_link(page, request.link)
    assert words not in page.inner_text("#status-text")


@pytest.mark.parametrize(
    ("language", "title", "gone"),
    [
        ("en", "Expired: not signed in time", "This link has expired"),
        ("es", "Vencida: no la firmó a tiempo", "Este enlace ya venció"),
    ],
)
def test_an_unconfirmed_request_expires_and_its_link_later_stops(
    page: Any, stack: Site, language: str, title: str, gone: str
) -> None:
    request = Submitted(stack, language)
    request.past_its_time()
    open_link(page, request.link)
    assert page.inner_text("#status-title") == title
    assert page.is_hidden("#sign-form")
    assert page.is_hidden("#cancel-box")
    assert page.is_hidden("#office-cancel-form")
    assert_accessible(page)
    told = mails(stack, request.guardian, request.id[:6].upper(), count=2)
    assert len(told) == 2  # the request to confirm, then that it expired

    # Two months after it ended the link no longer opens it, and says whom to ask.
    request.ended_days_ago(DISTRICT.stis.link_days_after_end + 1)
    open_link(page, request.link)
    expect(page.locator("#sign-problem-title")).to_have_text(gone)
    office = {"en": "school office", "es": "oficina"}[language]
    assert office in page.inner_text("#sign-problem-text")
    assert page.is_hidden("#sign-view")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "cancelled", "needed", "office", "done"),
    [
        ("en", "Cancelled", "Give the reason for cancelling", "School office", "The family and everyone"),
        ("es", "Cancelado", "Escriba el motivo de la cancelación", "Oficina de la escuela", "Se les avisa"),
    ],
)
def test_the_office_cancels_with_a_reason(
    page: Any, stack: Site, language: str, cancelled: str, needed: str, office: str, done: str
) -> None:
    request = Submitted(stack, language)
    request.guardian_signs()
    to_office = mail_to(stack, SCHOOL.office.email, contains=request.id[:6].upper())
    assert len(to_office) == 1, to_office
    open_link(page, in_language(sign_link(to_office[0]), language))

    assert office in page.inner_text("#request-facts")
    assert page.is_visible("#office-cancel-form")
    assert page.is_hidden("#sign-form")
    assert page.is_hidden("#decline-form")
    assert page.is_hidden("#cancel-box")  # the guardian's cancel, with no reason
    assert_accessible(page)

    page.click("#office-cancel-form button[type=submit]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert needed in page.inner_text("#cancel-reason-error")
    assert_accessible(page)

    reason = "La familia llamó: ya no viajan." if language == "es" else "The family phoned: the trip is off."
    page.fill("#cancel-reason", reason)
    page.click("#office-cancel-form button[type=submit]")
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert done in page.inner_text("#sign-notice")
    assert page.inner_text("#status-title") == cancelled
    status = page.inner_text("#status-text")
    assert reason in status and office.lower() in status.lower()  # "by the school office (Madrone ...)"
    assert ".." not in status
    assert page.is_hidden("#office-cancel-form")
    assert request.view()["status"] == "cancelled"
    assert any(reason in m["text"] for m in mail_to(stack, request.guardian, contains=reason))


# --- The request form ------------------------------------------------------------


def fill_form(page: Any, site: Site, language: str, student_id: str) -> None:
    page.goto(site.page(f"{PREFIX[language]}/stis/request/"))
    wait_for_schools(page)
    page.select_option("#school", SCHOOL.id)
    page.check(f"#teacher-{TEACHER.id}")
    page.fill("#student-first-name", "Inés")
    page.fill("#student-last-name", "Ocampo")
    page.fill("#student-id", student_id)
    page.select_option("#student-grade", "K")
    page.fill("#guardian-name", "Julia Ocampo")
    page.fill("#guardian-email", family_address("form"))
    day = earliest_day(site)
    page.fill("#first-day", day)
    page.fill("#last-day", day)
    page.wait_for_selector(".portal-quote__ok")


def send(page: Any) -> None:
    """Continue to the check page and send: the form comes back with the API's refusal."""
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#check:not([hidden])")
    page.click("#send")
    page.wait_for_selector("#error-summary:not([hidden])")
    assert page.is_visible("#request-form")
    assert page.evaluate("document.activeElement.id") == "error-summary"


@pytest.mark.parametrize(
    ("language", "limit"),
    [("en", "still waiting for a parent to confirm"), ("es", "todavía esperan la confirmación")],
)
def test_a_request_held_back_by_a_limit_says_so(page: Any, stack: Site, language: str, limit: str) -> None:
    student = student_number()
    for _ in range(DISTRICT.intake.open_per_student):
        Submitted(stack, language, student)
    fill_form(page, stack, language, student)
    send(page)
    assert limit in page.inner_text("#error-summary")
    assert page.input_value("#student-id") == student  # the answers are still there
    assert page.is_hidden("#done")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "digits", "letters", "grade"),
    [
        ("en", "6 to 9 digit", "letters only", "does not have that grade"),
        ("es", "6 a 9 dígitos", "solo con letras", "no tiene ese grado"),
    ],
)
def test_the_forms_new_checks_are_shown_at_their_fields(
    page: Any, stack: Site, language: str, digits: str, letters: str, grade: str
) -> None:
    fill_form(page, stack, language, "12-AB")
    page.fill("#guardian-name", "Julia Ocampo 2")
    send(page)
    assert letters in page.inner_text("#guardian-name-error")
    assert page.get_attribute("#guardian-name", "aria-invalid") == "true"
    assert_accessible(page)

    page.fill("#guardian-name", "Julia Ocampo")
    send(page)
    assert digits in page.inner_text("#student-id-error")
    assert page.is_hidden("#guardian-name-error")

    # A page opened before the school's grades changed still offers grade 12.
    page.fill("#student-id", student_number())
    page.evaluate(
        "() => { const s = document.getElementById('student-grade');"
        " s.add(new Option('12', '12')); s.value = '12'; }"
    )
    send(page)
    assert grade in page.inner_text("#student-grade-error")
    assert page.is_hidden("#student-id-error")
    assert_accessible(page)
