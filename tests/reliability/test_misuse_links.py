"""Misuse of links and forms: every link against every action, ids that are not
ids, replayed submits, and a parent's HTML and script in every email and page.

Each refused call must leave the record as it was (same version, no email
owed) and answer in the error shape of the OpenAPI document.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from tests.support import figures
from tests.support.api import Api
from tests.support.aws import EMAIL_HEADERS, sent_emails
from tests.support.bodies import submit_body
from tests.support.faults import inject
from tests.support.inprocess import Request, records, refused

ACTIONS = ("view", "sign", "decline", "cancel")


def unchanged(request: Request, version: int) -> None:
    after = request.stored()
    assert after.version == version, "a refused call changed the record"


def bad_headers(request: Request, other: Request) -> dict[str, dict[str, str]]:
    guardian = request.token("guardian")
    flipped = guardian[:-1] + ("A" if guardian[-1] != "A" else "B")
    return {
        "missing": {},
        "empty bearer": {"Authorization": "Bearer "},
        "no scheme": {"Authorization": guardian},
        "basic scheme": {"Authorization": f"Basic {guardian}"},
        "tampered": {"Authorization": f"Bearer {flipped}"},
        "truncated": {"Authorization": f"Bearer {guardian[:20]}"},
        "another request's": {"Authorization": f"Bearer {other.token('guardian')}"},
        "huge": {"Authorization": "Bearer " + "x" * 5000},
        "sql-ish": {"Authorization": "Bearer ' OR '1'='1"},
    }


def test_no_bad_token_opens_anything(api: Api) -> None:
    request = Request(api)
    other = Request(api, request_key="other-request-1", first_day="2027-02-01", last_day="2027-02-02")
    version = request.stored().version
    for name, headers in bad_headers(request, other).items():
        for action in ACTIONS:
            response = request.act(action, headers)
            refused(response, 403, "invalid_token")
            assert name  # the loop variable names the case in a failure
    unchanged(request, version)
    assert api.deliver() == 2  # the two submissions' confirm-and-sign emails, nothing else


def test_each_party_can_do_only_its_own_part_in_its_turn(api: Api) -> None:
    request = Request(api)
    tokens = {p: request.token(p) for p in ("guardian", "t-castellanos", "t-rojas", "principal")}
    bearer = {p: {"Authorization": f"Bearer {t}"} for p, t in tokens.items()}
    version = request.stored().version
    # awaiting the guardian: no one else signs; only the guardian cancels; the guardian never declines
    for party in ("t-castellanos", "t-rojas", "principal"):
        refused(request.act("sign", bearer[party]), 409, "wrong_state")
        refused(request.act("cancel", bearer[party]), 409, "wrong_state")
    refused(request.act("decline", bearer["guardian"]), 409, "wrong_state")
    unchanged(request, version)
    assert request.act("sign", bearer["guardian"]).status_code == 200
    # the guardian's link is used: it cannot sign again; the principal is still out of turn
    version = request.stored().version
    refused(request.act("sign", bearer["guardian"]), 409, "wrong_state")
    refused(request.act("sign", bearer["principal"]), 409, "wrong_state")
    unchanged(request, version)
    assert request.act("sign", bearer["t-rojas"]).status_code == 200
    version = request.stored().version
    refused(request.act("sign", bearer["t-rojas"]), 409, "wrong_state")
    refused(request.act("decline", bearer["t-rojas"]), 409, "wrong_state")  # signed, so no longer declines
    unchanged(request, version)
    assert request.act("decline", bearer["t-castellanos"]).status_code == 200
    # declined: every link still reads it, none changes it
    version = request.stored().version
    for party, headers in bearer.items():
        assert request.act("view", headers).status_code == 200
        for action in ("sign", "decline", "cancel"):
            refused(request.act(action, headers), 409, "wrong_state")
        assert party
    unchanged(request, version)


def test_a_link_past_the_record_retention_finds_nothing(api: Api) -> None:
    request = Request(api)
    guardian = {"Authorization": f"Bearer {request.token('guardian')}"}
    assert request.act("view", guardian).status_code == 200
    expires = request.stored().expires_at
    from datetime import UTC, datetime

    api.clock.current = datetime.fromtimestamp(expires, UTC)  # DynamoDB's TTL may take days to delete it
    for action in ACTIONS:
        refused(request.act(action, guardian), 404, "not_found")


def test_ids_that_are_not_ids_never_reach_the_table(api: Api) -> None:
    """DynamoDB refuses a key over 2048 bytes with a ValidationException (moto does not):
    the API must answer 404 for such an id, not pass it to the table and answer 500."""
    from chalicelib.wiring import records as wired

    request = Request(api)
    guardian = {"Authorization": f"Bearer {request.token('guardian')}"}

    def oversized_key(params: dict[str, Any]) -> bool:
        return len(str(params.get("body", "")).encode()) > 2048

    client = wired().store.client  # type: ignore[attr-defined]
    with inject(client, "GetItem", "ValidationException", when=oversized_key) as fault:
        for request_id in ("x" * 3000, "é" * 1100, "..%2F..", "REQ#1", " ", "a" * 65, "\u202e" + request.id):
            for action in ACTIONS:
                response = request.act(action, guardian, request_id=quote(request_id, safe=""))
                refused(response, 404, "not_found")
    assert fault.injected == 0


def test_a_replayed_submit_makes_one_request_and_one_set_of_emails(api: Api) -> None:
    first = api.post("/stis/requests", submit_body())
    replays = [api.post("/stis/requests", submit_body()) for _ in range(figures.size(10, 50))]
    figures.add("misuses_tried", len(replays))
    assert first.status_code == 201
    assert {r.status_code for r in replays} == {200}
    assert {r.json_body["id"] for r in replays} == {first.json_body["id"]}
    assert api.deliver() == 1  # one confirm-and-sign email to the guardian
    other_body = submit_body(last_day="2027-01-07")
    refused(api.post("/stis/requests", other_body), 409, "request_key_conflict")
    request_id = first.json_body["id"]
    guardian = records().link_token(records().store.get(request_id), "guardian")
    assert api.post(f"/stis/requests/{request_id}/cancel", {}, token=guardian).status_code == 200
    after_cancel = api.post("/stis/requests", submit_body())
    assert after_cancel.status_code == 200
    assert after_cancel.json_body["status"] == "cancelled"  # the same request, not a new one
    refused(api.post("/stis/requests", other_body), 409, "request_key_conflict")
    assert api.deliver() == 1  # the cancellation's email, to the guardian only (no one else was asked)


# --- a parent's text in every email ----------------------------------------------------

PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "entity": "Tom & Jerry &amp; <b>bold</b>",
    "template": "{{ 7*7 }} {% raw %}${7*7}",
    "rtl": "\u202egnp.exe Zoë Ñúñez 👩‍👧",
}


def elements(page: str) -> tuple[set[str], set[str], list[str]]:
    """The tags, attribute names and links of an HTML part, as a mail reader sees them."""
    found: tuple[set[str], set[str], list[str]] = (set(), set(), [])

    class Reader(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found[0].add(tag)
            for name, value in attrs:
                found[1].add(name)
                if name == "href":
                    found[2].append(value or "")

    Reader().feed(page)
    return found


def test_markup_and_hidden_characters_in_a_name_are_refused(api: Api) -> None:
    """A name holds letters only: markup, digits, web addresses, zero-width and
    direction-changing characters are refused with the field named, in the reader's language."""
    student = submit_body()["student"]
    for payload in [*PAYLOADS.values(), "Zo\u200be", "Ana\u2066Maria", "visit https://evil.example/login"]:
        for language in ("en", "es"):
            body = submit_body(language=language, student={**student, "first_name": payload})
            error = refused(api.post("/stis/requests", body), 422, "invalid_input")["error"]
            assert "student.first_name" in error["fields"], error
        guardian = {"name": payload, "email": "elena.quintana@family.example"}
        error = refused(api.post("/stis/requests", submit_body(guardian=guardian)), 422, "invalid_input")
        assert "guardian.name" in error["error"]["fields"]
    link = submit_body(reason="Details at evil.example/login")
    assert "reason" in refused(api.post("/stis/requests", link), 422, "invalid_input")["error"]["fields"]
    assert api.deliver() == 0  # nothing stored, nothing sent


def test_a_parents_html_and_script_arrive_escaped_in_every_email(api: Api) -> None:
    names = {
        "student_first": "Zoë Ñúñez",
        "student_last": "D'Arcy-O'Neil",
        "guardian": "Émilie D'Arcy",
        "reason": PAYLOADS["script"] + "\n" + PAYLOADS["entity"] + "\n" + PAYLOADS["template"] + " 👍",
        "decline": '<b>No</b> & "never" <script>x()</script>',
    }
    body = submit_body(
        school_id="ridgeline-middle",
        teacher_ids=["t-castellanos", "t-rojas"],
        language="en",
        student={
            "first_name": names["student_first"],
            "last_name": names["student_last"],
            "student_id": "900123",
            "grade": "7",
        },
        guardian={
            "name": names["guardian"],
            "email": "elena.quintana@family.example",
            "phone": "(555) 010-0199",
        },
        reason=names["reason"],
    )
    created = api.post("/stis/requests", body)
    assert created.status_code == 201, created.json_body
    request_id = created.json_body["id"]
    stored = records().store.get(request_id)
    tokens = {p: records().link_token(stored, p) for p in ("guardian", "t-castellanos", "t-rojas")}
    view = api.get(f"/stis/requests/{request_id}", token=tokens["guardian"]).json_body
    sha = view["contract_sha256"]
    assert view["student"]["first_name"] == names["student_first"]  # data, as typed, in JSON
    signed = api.post(
        f"/stis/requests/{request_id}/sign",
        {"name": names["guardian"], "agree": True, "contract_sha256": sha},
        token=tokens["guardian"],
    )
    assert signed.status_code == 200, signed.json_body
    api.post(f"/stis/requests/{request_id}/decline", {"reason": names["decline"]}, token=tokens["t-rojas"])
    api.deliver()
    messages = sent_emails()
    # submitted: the guardian; guardian signed: two teachers, office; declined: guardian,
    # the other teacher, office
    assert len(messages) == 1 + 3 + 3
    seen = set()
    for message in messages:
        figures.add("misuses_tried")
        assert set(message.keys()) <= EMAIL_HEADERS
        assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
        part = message.get_body(preferencelist=("html",))
        assert part is not None
        page = part.get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        for name, value in names.items():
            for line in value.split("\n"):
                if "<" in line or "&" in line or '"' in line:
                    assert line not in page, f"{name} appears unescaped in an HTML part"
                if html.escape(line, quote=False) in page or html.escape(line) in page:
                    seen.add(name)
                if line in text:
                    seen.add(name)
        tags, attributes, links = elements(page)
        assert not tags & {"script", "img", "iframe", "i", "b"}, tags
        assert not [a for a in attributes if a.startswith("on")], attributes
        assert not [link for link in links if "evil" in link], links
    assert {"student_first", "student_last", "guardian", "reason", "decline"} <= seen


def test_the_sites_pages_put_api_text_only_through_text_nodes() -> None:
    """The signing and status pages show a parent's text from the API: never as HTML."""
    from pathlib import Path

    scripts = sorted(
        (Path(__file__).resolve().parents[2] / "site" / "docs" / "assets" / "javascripts").glob("*.js")
    )
    assert scripts
    for script in scripts:
        figures.add("misuses_tried")
        source = script.read_text(encoding="utf-8")
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in source, f"{script.name} uses {sink}"
