"""The local stack's clock (`POST :8025/clock`): a person walks weeks through in
seconds, and the API, the jobs and the mailbox all read the same moved clock."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta

from tests.support.flows import MADRONE, Flow
from tests.support.live import is_register
from tests.support.live_stack import LiveStack


def _send(stack: LiveStack, method: str, path: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"{stack.live.mail_url}{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_request_left_unsigned_expires_once_the_clock_passes_its_confirm_window(
    fresh_live: LiveStack,
) -> None:
    stack = fresh_live
    assert stack.live.reset_clock()["set"] is False
    flow = Flow(stack, MADRONE, date(2027, 3, 1), date(2027, 3, 2))
    assert stack.live.run_jobs()["voided"] == 0  # nothing is late in real time
    assert stack.request(flow.id)["state"] == "awaiting_guardian"  # type: ignore[index]

    # The guardian has 48 hours to confirm; two days and an hour later...
    answer = stack.live.set_clock(datetime.now(UTC) + timedelta(hours=49))
    assert answer["set"] is True
    assert datetime.fromisoformat(answer["now"]) - datetime.now(UTC) > timedelta(hours=48)
    assert stack.live.run_jobs()["voided"] == 1
    assert stack.request(flow.id)["state"] == "expired"  # type: ignore[index]
    assert stack.live.run_jobs()["voided"] == 0  # once only

    # Whoever watches the mailbox is told the clock is not real time.
    status, page = _send(stack, "GET", "/")
    assert status == 200
    assert "Clock set to" in page
    assert "real time is" in page

    assert stack.live.reset_clock()["set"] is False
    status, page = _send(stack, "GET", "/")
    assert "Clock set to" not in page


def test_the_quote_follows_the_set_clock(fresh_live: LiveStack) -> None:
    stack = fresh_live
    asked = {"first_day": "2027-01-19", "last_day": "2027-01-20"}
    before = stack.post("/stis/quote", asked)
    assert before.status == 200, before.body
    assert before.body["notice_ok"] is True  # weeks ahead in real time

    stack.live.set_clock(datetime.fromisoformat("2027-01-20T08:00:00-08:00"))
    after = stack.post("/stis/quote", asked)
    assert after.status == 200, after.body
    assert after.body["notice_ok"] is False  # those days have begun on the set clock
    assert after.body["earliest_first_day"] > "2027-01-20"
    stack.live.reset_clock()
    assert stack.post("/stis/quote", asked).body["notice_ok"] is True


BAD_BODIES = [
    (b"", "JSON"),
    (b"not json", "JSON"),
    (b'{"when": "2027-01-20T08:00:00Z"}', '"now"'),
    (b'{"now": 5}', '"now"'),
    (b'{"now": "next tuesday"}', "ISO 8601"),
    (b'{"now": "2027-01-20T08:00:00"}', "UTC offset"),
    (b'{"now": "9999-01-01T00:00:00Z"}', "2100"),
    (b"\xff\xfe", "JSON"),
]


def test_a_bad_clock_body_is_refused_with_a_clear_message(fresh_live: LiveStack) -> None:
    # A stack of its own: the session's shared one (`live`) keeps its environment
    # (STIS_AWS_PORT) until the session ends, which later stacks would inherit.
    for body, says in BAD_BODIES:
        status, text = _send(fresh_live, "POST", "/clock", body)
        assert status == 400, body
        message = json.loads(text)["error"]
        assert says in message, (body, message)
        assert "Traceback" not in text
        status, text = _send(fresh_live, "GET", "/clock")
        assert status == 200
        assert json.loads(text)["set"] is False  # left as it was


WEEK = "week of January 4, 2027"


def test_with_the_clock_set_to_a_monday_the_office_gets_last_weeks_register(fresh_live: LiveStack) -> None:
    """A walk through with the clock: an approved agreement for two days, then the
    clock moves to the Monday after, and `make jobs` sends the register at once."""
    stack = fresh_live
    flow = Flow(stack, MADRONE, date(2027, 1, 4), date(2027, 1, 5))
    flow.to_principal()
    flow.sign("principal")
    assert stack.request(flow.id)["state"] == "approved"  # type: ignore[index]

    stack.live.set_clock(datetime.fromisoformat("2027-01-11T07:00:00-08:00"))
    assert stack.live.run_jobs()["registers"] == 2  # one per school office
    registers = [m for m in stack.live.mailbox(registers=True) if is_register(m) and WEEK in m["subject"]]
    madrone = [m for m in registers if m["to"] == MADRONE["office"]]
    assert len(madrone) == 1
    [attachment] = madrone[0]["attachments"]
    assert attachment["content_type"] == "text/csv"
    status, text = _send(stack, "GET", f"/messages/{madrone[0]['id']}/attachments/0")
    assert status == 200
    rows = [line.split(",") for line in text.removeprefix("\ufeff").splitlines()]
    ref = "STIS-" + flow.id.replace("-", "")[:6].upper()
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [
        ("2027-01-04", flow.student_id, ref, "Pending"),
        ("2027-01-05", flow.student_id, ref, "Pending"),
    ]
    # Ridgeline had nobody: a short note, no file.
    [ridgeline] = [m for m in registers if m["to"] != MADRONE["office"]]
    assert ridgeline["attachments"] == []

    stack.live.set_clock(datetime.fromisoformat("2027-01-14T10:00:00-08:00"))  # later that week
    assert stack.live.run_jobs()["registers"] == 0  # never twice
    again = [m for m in stack.live.mailbox(registers=True) if is_register(m) and WEEK in m["subject"]]
    assert len(again) == 2
    stack.live.reset_clock()
