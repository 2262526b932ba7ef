"""Races against the running local stack, over HTTP, from real threads.

After each race the table itself is read: the TOTAL counter and the DAY#
claims must match the requests' states, nothing above the cap, no overlap,
one signature per party, and every email owed sent exactly once.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.support import figures
from tests.support.api import Api
from tests.support.flows import MADRONE, RIDGELINE, Flow, body, school_days, sign_call
from tests.support.live_stack import (
    Answer,
    Call,
    LiveStack,
    check_days,
    emails_about,
    local_stack,
    student_number,
    unique,
)

DISTRICT = Path(__file__).resolve().parents[2] / "backend" / "chalicelib" / "config" / "district.yaml"

YEAR = "2026-2027"


def no_server_errors(answers: list[Answer]) -> None:
    errors = [a for a in answers if a.status >= 500]
    figures.add("server_errors", len(errors))
    assert not errors, [a.body for a in errors[:3]]


def settled_emails(stack: LiveStack, request_ids: list[str], expected: int) -> Counter[tuple[str, str, str]]:
    """Deliver until ``expected`` emails about the requests are out, then once more
    to give a duplicate the chance to show; return them counted."""
    deadline = time.monotonic() + 30
    while True:
        stack.deliver()
        found = emails_about(stack, request_ids)
        if len(found) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(0.6)  # one more turn of the local dispatcher
    stack.deliver()
    counted = Counter(emails_about(stack, request_ids))
    total = sum(counted.values())
    duplicates = sum(n - 1 for n in counted.values() if n > 1)
    figures.add("duplicate_emails", duplicates)
    figures.add("lost_emails", max(expected - total, 0))
    assert duplicates == 0, [k for k, n in counted.items() if n > 1]
    assert total == expected, f"{total} emails about the requests, {expected} owed"
    return counted


@pytest.fixture
def roomy_live(tmp_path: Path) -> Iterator[LiveStack]:
    """A local stack of its own whose district lets one family keep as many
    unconfirmed requests open as the configuration allows (50; the demo allows 3),
    so that fifty of one student's requests can wait for their confirmation at once."""
    text = DISTRICT.read_text(encoding="utf-8")
    for limit, most in (
        ("open_per_guardian", 50),
        ("open_per_student", 50),
        ("refused_per_student_per_day", 500),
    ):
        text, found = re.subn(rf"(?m)^(\s+{limit}:)\s*\d+", rf"\g<1> {most}", text)
        assert found == 1, limit
    roomy = tmp_path / "district.yaml"
    roomy.write_text(text, encoding="utf-8")
    with local_stack({"DISTRICT_CONFIG": str(roomy)}) as stack:
        yield stack


@pytest.mark.parametrize("round_", range(figures.size(1, 5)))
def test_a_hundred_confirmations_for_one_student_at_once_keep_the_cap_and_never_overlap(
    roomy_live: LiveStack, round_: int
) -> None:
    """Fifty of one student's requests (overlapping, of every length, sent at once
    with double-clicks among them) are stored unconfirmed and hold nothing; then a
    hundred guardian signatures (each request's link used twice) arrive at the same
    instant: the days claimed stay within the cap, never overlap, and each request
    is confirmed at most once."""
    live = roomy_live
    size = 50  # the most unconfirmed requests a district may let one student hold
    rng = random.Random(2027 + round_)
    days = school_days()
    student = student_number()
    guardian = f"{unique('race')}@family.example"
    live.secrets.update({guardian, "Rosalind", "Ferreira", "Dolores Ferreira"})
    bodies = []
    for _ in range(size):
        start = rng.randrange(len(days) - 15)
        length = rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 10, 15])
        bodies.append(
            body(MADRONE, student, guardian, days[start], days[start + length - 1], rng.choice(["en", "es"]))
        )
    replays = [rng.choice(bodies) for _ in range(size // 10)]  # a double-click: same key, same body
    calls = [Call("POST", "/stis/requests", b) for b in [*bodies, *replays]]
    rng.shuffle(calls)
    answers = live.at_once(calls)
    figures.add("races_run")
    figures.add("race_requests", len(calls))

    # The submits: nothing is confirmed yet, so every one is accepted, each key once.
    no_server_errors(answers)
    assert {a.status for a in answers} <= {200, 201}, Counter(a.status for a in answers)
    by_key: dict[str, set[str]] = {}
    for call, answer in zip(calls, answers, strict=True):
        by_key.setdefault(call.body["request_key"], set()).add(answer.body["id"])
        assert answer.body["days_used"] == len(school_days(*spans(call.body)))  # none confirmed
        assert answer.body["days_used"] + answer.body["days_remaining"] == 15
    assert all(len(ids) == 1 for ids in by_key.values()), "one request_key answered with two requests"
    created = {key: next(iter(ids)) for key, ids in by_key.items()}
    assert len(created) == size
    assert sum(a.status == 201 for a in answers) == size
    stored = {r["request_key"]: r["id"] for r in live.student_requests(student)}
    lost = set(created.items()) ^ set(stored.items())
    figures.add("lost_requests", len(lost))
    assert not lost, "the requests answered 201 are not exactly the requests stored"
    assert check_days(live, student, YEAR) == []  # unconfirmed: no day held

    # The confirmations, all at once.
    settled_emails(live, list(created.values()), expected=size)  # one confirm-and-sign each
    signing = [sign_call(live, i, live.link(guardian, i), "Dolores Ferreira") for i in created.values()]
    signing = signing * 2  # a double-click on every confirmation
    rng.shuffle(signing)
    # each signature claims up to 15 days in one transaction, and the embedded AWS
    # applies them one at a time, copying the table for each: give the burst time
    answers = live.at_once(signing, retries=3, timeout=420)
    figures.add("races_run")
    figures.add("race_requests", len(signing))
    no_server_errors(answers)
    assert {a.status for a in answers} <= {200, 409}, Counter(a.status for a in answers)
    refused = [a.body["error"] for a in answers if a.status == 409]
    assert {e["code"] for e in refused} <= {"cap_exceeded", "overlap", "wrong_state"}, refused
    for error in refused:  # a refusal names no other request's dates
        assert not re.search(r"\d{4}-\d{2}-\d{2}", json.dumps(error)), error
    won = [c.path.split("/")[3] for c, a in zip(signing, answers, strict=True) if a.status == 200]
    confirmed = set(won)
    assert confirmed, "no signature won"
    assert len(won) == len(confirmed), "a request was confirmed twice"
    active = check_days(live, student, YEAR)
    assert {r["id"] for r in active} == confirmed
    assert sum(len(r["dates"]) for r in active) <= 15
    waiting = {r["id"] for r in live.student_requests(student) if r["state"] == "awaiting_guardian"}
    assert waiting == set(created.values()) - confirmed  # a refused signature changes nothing
    # each confirmation: the teacher and the office hear of it, once
    settled_emails(live, list(created.values()), expected=size + 2 * len(confirmed))


def spans(fields: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(fields["first_day"]), date.fromisoformat(fields["last_day"])


def test_the_same_link_signing_twenty_times_at_once_signs_once(live: LiveStack) -> None:
    days = school_days()
    flow = Flow(live, MADRONE, days[5], days[7])
    token = flow.token("guardian")
    call = sign_call(live, flow.id, token, "Dolores Ferreira")
    answers = live.at_once([call] * figures.size(20, 60))
    figures.add("races_run")
    figures.add("race_requests", len(answers))
    no_server_errors(answers)
    statuses = Counter(a.status for a in answers)
    assert statuses[200] == 1, statuses
    assert {a.code for a in answers if a.status != 200} <= {"wrong_state", "try_again"}
    stored = live.request(flow.id)
    assert stored is not None
    assert [s["party"] for s in stored["signatures"]] == ["guardian"]
    assert stored["state"] == "awaiting_teacher"
    check_days(live, flow.student_id, YEAR)
    # guardian: confirm and sign; teacher: review and sign; office: new request
    counted = settled_emails(live, [flow.id], expected=3)
    assert sum(n for (_, to, _), n in counted.items() if to == MADRONE["teacher_emails"][0]) == 1


def test_two_teachers_signing_at_once_both_count_and_the_principal_is_asked_once(live: LiveStack) -> None:
    days = school_days()
    flow = Flow(live, RIDGELINE, days[10], days[11])
    flow.sign("guardian", "Dolores Ferreira")
    calls = []
    for teacher in RIDGELINE["teacher_ids"]:
        calls += [sign_call(live, flow.id, flow.token(teacher))] * figures.size(5, 15)
    answers = live.at_once(calls)
    figures.add("races_run")
    figures.add("race_requests", len(answers))
    no_server_errors(answers)
    assert Counter(a.status for a in answers)[200] == 2
    stored = live.request(flow.id)
    assert stored is not None
    assert sorted(s["party"] for s in stored["signatures"]) == ["guardian", "t-castellanos", "t-rojas"]
    assert stored["state"] == "awaiting_principal"
    check_days(live, flow.student_id, YEAR)
    # guardian 1, each teacher 1, principal 1, office: new (once confirmed) + one change of state
    settled_emails(live, [flow.id], expected=1 + 2 + 1 + 2)


@pytest.mark.parametrize("run", range(figures.size(3, 25)))
def test_cancel_racing_the_principal_signature_cancels_once_and_gives_days_back_once(
    live: LiveStack, run: int
) -> None:
    days = school_days()
    start = (run * 7) % (len(days) - 10)
    flow = Flow(live, MADRONE, days[start], days[start + 1 + run % 5])
    flow.to_principal()
    principal = flow.token("principal")
    guardian = flow.token("guardian")
    cancel = Call("POST", f"/stis/requests/{flow.id}/cancel", {}, guardian)
    signing = sign_call(live, flow.id, principal)
    calls = [signing, cancel, signing, cancel] if run % 2 else [cancel, signing, cancel, signing]
    answers = live.at_once(calls)
    figures.add("races_run")
    figures.add("race_requests", len(answers))
    no_server_errors(answers)
    signed = [a for c, a in zip(calls, answers, strict=True) if c is signing and a.status == 200]
    cancelled = [a for c, a in zip(calls, answers, strict=True) if c is cancel and a.status == 200]
    # An approved contract may still be cancelled before its first day: whichever lands
    # first, one cancel succeeds; the principal's signature counts only if it came first.
    assert len(cancelled) == 1 and len(signed) <= 1, [a.status for a in answers]
    assert {a.code for a in answers if a.status != 200} <= {"wrong_state", "try_again"}
    stored = live.request(flow.id)
    assert stored is not None
    assert stored["state"] == "cancelled"
    assert check_days(live, flow.student_id, YEAR) == []  # the days given back, once
    parties = [s["party"] for s in stored["signatures"]]
    assert parties == ["guardian", "t-serrano", *(["principal"] if signed else [])]
    # asked: guardian 1, teacher 1, principal 1, office 2 (new once confirmed, a change);
    # the end: guardian, teacher, principal (all were asked) and office; and before it,
    # if the principal signed first, the approval: guardian, teacher, office
    settled_emails(live, [flow.id], expected=5 + 4 + (3 if signed else 0))


def test_two_requests_served_at_once_by_one_process_each_read_their_own(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local server (like any threaded host) serves requests at once in one
    process, while Chalice keeps one ``app.current_request``: a view that read it
    after another request arrived worked on the other request's body and headers."""
    import app as app_module

    first_inside, second_done = threading.Event(), threading.Event()
    original = app_module.remember_language

    def held(language: str) -> str:
        if threading.current_thread().name == "first":
            first_inside.set()
            second_done.wait(10)
        return original(language)

    monkeypatch.setattr(app_module, "remember_language", held)
    answers: dict[str, Any] = {}

    def ask(name: str, first: str, last: str, language: str) -> None:
        body = json.dumps({"first_day": first, "last_day": last})
        headers = {"Content-Type": "application/json", "Accept-Language": language}
        answers[name] = api.client.http.post("/stis/quote", headers=headers, body=body)

    first = threading.Thread(target=ask, args=("first", "2027-01-04", "2027-01-04", "en"), name="first")
    first.start()
    assert first_inside.wait(10)
    ask("second", "2027-02-30", "2027-02-01", "es")  # a refusal, in Spanish
    second_done.set()
    first.join(10)
    figures.add("races_run")
    figures.add("race_requests", 2)
    assert answers["second"].status_code == 422
    assert answers["first"].status_code == 200, answers["first"].json_body
    assert answers["first"].json_body["dates"] == ["2027-01-04"]
