"""The signing page's status line says who ended a request, by name and role,
in both languages (the API's ``ending.by_name``)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.test_flows import TEACHER, assert_accessible, mail_to
from tests.browser.test_rough_edges import new_request
from tests.support.links import link_in

pytestmark = pytest.mark.browser


def call(site: Site, method: str, path: str, token: str, body: object = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        site.api_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def declined_by_the_teacher(site: Site, language: str) -> str:
    """A request the guardian signed and the teacher declined; the guardian's link."""
    guardian = link_in(new_request(site, language)["link"])
    status, view = call(site, "GET", f"/stis/requests/{guardian.request_id}", guardian.token)
    assert status == 200
    body = {"name": view["viewer"]["name"], "agree": True, "contract_sha256": view["contract_sha256"]}
    assert call(site, "POST", f"/stis/requests/{guardian.request_id}/sign", guardian.token, body)[0] == 200
    asked = mail_to(site, TEACHER.email, contains=guardian.request_id)
    assert asked, "the teacher was not asked to sign"
    teacher = link_in(asked[-1]["text"])
    reason = {"reason": "Unit test that week"}
    assert call(site, "POST", f"/stis/requests/{teacher.request_id}/decline", teacher.token, reason)[0] == 200
    return guardian.url


def cancelled_by_the_guardian(site: Site, language: str) -> str:
    guardian = link_in(new_request(site, language)["link"])
    assert call(site, "POST", f"/stis/requests/{guardian.request_id}/cancel", guardian.token, {})[0] == 200
    return guardian.url


@pytest.mark.parametrize(
    ("language", "how", "says"),
    [
        ("en", "declined", rf"Declined by {TEACHER.name}, teacher, on \w+day, "),
        ("es", "declined", rf"Lo rechazó {TEACHER.name}, docente, el \w+, "),
        ("en", "cancelled", r"Cancelled by Alex Lee on \w+day, "),
        ("es", "cancelled", r"La canceló Alex Lee el \w+, "),
    ],
)
def test_the_status_line_names_who_declined_or_cancelled(
    page: Any, site: Site, language: str, how: str, says: str
) -> None:
    link = (
        declined_by_the_teacher(site, language)
        if how == "declined"
        else cancelled_by_the_guardian(site, language)
    )
    page.goto(link)
    page.wait_for_selector("#sign-view:not([hidden])")
    status = page.inner_text("#status-text")
    assert re.search(says, status), status
    assert "(" not in status.split("Motivo")[0].split("Reason")[0]
    assert_accessible(page)
