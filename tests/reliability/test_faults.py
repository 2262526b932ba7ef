"""Faults: SES throttled and down, DynamoDB in conflict, throttled and silent.

In-process (chalice.test.Client on the embedded AWS), the errors injected at
the SDK boundary. Nothing is lost, nothing is sent twice, and when the store
stays busy the reader is told to try again (429 ``try_again``), which then works.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.support import figures
from tests.support.api import Api
from tests.support.bodies import submit_body
from tests.support.faults import cancelled, inject, no_answer

GUARDIAN = "elena.quintana@family.example"
TEACHERS = ("i.castellanos@ridgeline.alder-creek.example", "c.rojas@ridgeline.alder-creek.example")
PRINCIPAL = "principal@ridgeline.alder-creek.example"
OFFICE = "office@ridgeline.alder-creek.example"
MADRONE_OFFICE = "office@madrone.alder-creek.example"
MADRONE_TEACHER = "l.serrano@madrone.alder-creek.example"


def dynamodb() -> Any:
    from chalicelib.wiring import records

    return records().store.client  # type: ignore[attr-defined]


def ses() -> Any:
    from chalicelib.wiring import dispatcher

    return dispatcher().mailer.client  # type: ignore[attr-defined]


def stored(request_id: str) -> Any:
    from chalicelib.wiring import records

    return records().store.get(request_id)


def token(request_id: str, party: str) -> str:
    from chalicelib.wiring import records

    return records().link_token(stored(request_id), party)


def days_used(student_id: str = "900123") -> int:
    from chalicelib.wiring import records

    return records().store.days_used(student_id, "2026-2027")  # type: ignore[attr-defined]


def middle_school(**changes: Any) -> dict[str, Any]:
    return submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"], **changes)


def sign(api: Api, request_id: str, party: str, name: str) -> Any:
    link = token(request_id, party)
    view = api.get(f"/stis/requests/{request_id}", token=link).json_body
    body = {"name": name, "agree": True, "contract_sha256": view["contract_sha256"]}
    return api.post(f"/stis/requests/{request_id}/sign", body, token=link)


def mail_counts(api: Api) -> Counter[str]:
    from infra.local.mailbox import _parse
    from tests.support.aws import sent_messages

    return Counter(_parse(m, "")["to"] for m in sent_messages())


def settle(api: Api, rounds: int = 30) -> None:
    """Let the retries run: six hours in steps, delivering each time."""
    for _ in range(rounds):
        api.clock.advance(minutes=15)
        api.deliver()


def assert_every_email_once(api: Api, expected: dict[str, int]) -> None:
    counts = mail_counts(api)
    lost = sum(max(n - counts.get(to, 0), 0) for to, n in expected.items())
    twice = sum(max(n - expected.get(to, 0), 0) for to, n in counts.items())
    figures.add("lost_emails", lost)
    figures.add("duplicate_emails", twice)
    assert dict(counts) == expected


def test_ses_throttled_then_down_for_hours_loses_no_email_and_sends_none_twice(api: Api) -> None:
    """A whole approval happens while SES refuses every email; then SES comes back."""
    with (
        inject(ses(), "SendEmail", "TooManyRequestsException", 429, times=40) as throttled,
        inject(ses(), "SendEmail", "ServiceUnavailable", 503) as down,
    ):
        created = api.post("/stis/requests", middle_school(language="en"))
        assert created.status_code == 201
        request_id = created.json_body["id"]
        steps = [("guardian", "Elena Quintana"), ("t-castellanos", "Inés Castellanos")]
        steps += [("t-rojas", "Camila Rojas"), ("principal", "Rafael Ibarra")]
        for party, name in steps:
            api.deliver()
            api.clock.advance(minutes=10)
            assert sign(api, request_id, party, name).status_code == 200  # the reader never sees SES
        settle(api, rounds=12)
        assert mail_counts(api) == Counter()
        assert throttled.injected == 40
        assert down.injected > 0
    settle(api)
    # submitted: the guardian only; guardian signed: two teachers + office; teachers signed:
    # principal + office; approved: guardian, two teachers, office.
    expected = {GUARDIAN: 2, TEACHERS[0]: 2, TEACHERS[1]: 2, PRINCIPAL: 1, OFFICE: 3}
    assert_every_email_once(api, expected)
    final = stored(request_id)
    assert final.state.value == "approved"
    assert {m.status for m in final.outbox} == {"sent"}
    assert all(m.attempts > 1 for m in final.outbox)


def test_a_transaction_conflict_on_submit_is_retried_and_stored_once(api: Api) -> None:
    conflict = cancelled("None", "None", "None", "TransactionConflict")
    with inject(
        dynamodb(), "TransactWriteItems", "TransactionCanceledException", extra=conflict, times=3
    ) as fault:
        created = api.post("/stis/requests", submit_body())
    assert fault.injected == 3
    assert created.status_code == 201
    assert created.json_body["days_used"] == 5  # once confirmed
    assert days_used() == 0  # unconfirmed: it holds nothing yet
    api.deliver()
    assert_every_email_once(api, {GUARDIAN: 1})
    api.confirm(GUARDIAN)
    assert days_used() == 5  # stored once: its days are claimed once
    assert_every_email_once(api, {GUARDIAN: 1, MADRONE_OFFICE: 1, MADRONE_TEACHER: 1})


def test_a_store_that_stays_throttled_says_try_again_and_the_retry_works(api: Api) -> None:
    with inject(dynamodb(), "TransactWriteItems", "ProvisionedThroughputExceededException") as fault:
        busy = api.post("/stis/requests", submit_body(language="es"))
    assert fault.injected == 4  # the service tried four times
    assert busy.status_code == 429
    assert busy.json_body["error"]["code"] == "try_again"
    assert busy.json_body["error"]["message"].startswith("Hay muchos cambios")
    api.deliver()
    assert mail_counts(api) == Counter()  # nothing stored, nothing owed
    again = api.post("/stis/requests", submit_body(language="es"))
    assert again.status_code == 201
    api.confirm(GUARDIAN)
    assert days_used() == 5


def test_a_submit_whose_answer_is_lost_is_found_again_by_its_request_key(api: Api) -> None:
    """The write happened but the answer timed out: the reader is told to try again, and
    the same form sent again finds the request it made, with no second email."""
    with no_answer(dynamodb(), "TransactWriteItems") as fault:
        lost = api.post("/stis/requests", submit_body())
    assert fault.injected == 1
    assert lost.status_code == 429
    assert lost.json_body["error"]["code"] == "try_again"
    again = api.post("/stis/requests", submit_body())
    assert again.status_code == 200
    assert again.json_body["days_used"] == 5
    api.deliver()
    api.post("/stis/requests", submit_body())
    settle(api, rounds=3)
    assert_every_email_once(api, {GUARDIAN: 1})
    assert api.confirm(GUARDIAN) == again.json_body["id"]
    assert days_used() == 5


def test_reads_that_stay_throttled_say_try_again_not_500(api: Api) -> None:
    request_id = api.post("/stis/requests", submit_body()).json_body["id"]
    link = token(request_id, "guardian")
    with inject(dynamodb(), "GetItem", "ThrottlingException") as fault:
        response = api.get(f"/stis/requests/{request_id}", token=link)
    assert fault.injected == 1
    assert response.status_code == 429
    assert response.json_body["error"]["code"] == "try_again"
    assert api.get(f"/stis/requests/{request_id}", token=link).status_code == 200


def test_signing_and_cancelling_ride_through_conflicts_and_throttling(api: Api) -> None:
    request_id = api.post("/stis/requests", middle_school(last_day="2027-01-22")).json_body["id"]
    assert days_used() == 0
    # the guardian's signature claims the days in one transaction: conflicts, then throttling
    conflict = cancelled("TransactionConflict", "None")
    with (
        inject(
            dynamodb(), "TransactWriteItems", "TransactionCanceledException", extra=conflict, times=2
        ) as conflicted,
        inject(dynamodb(), "TransactWriteItems", "ThrottlingException", times=1) as throttled,
    ):
        assert sign(api, request_id, "guardian", "Elena Quintana").status_code == 200
    assert conflicted.injected == 2
    assert throttled.injected == 1
    assert days_used() == 14  # claimed once
    with inject(dynamodb(), "PutItem", "ProvisionedThroughputExceededException") as stays:
        busy = sign(api, request_id, "t-rojas", "Camila Rojas")
    assert stays.injected == 4
    assert busy.status_code == 429
    assert [s.party.key for s in stored(request_id).contract.signatures] == ["guardian"]
    assert sign(api, request_id, "t-rojas", "Camila Rojas").status_code == 200
    link = token(request_id, "guardian")
    with inject(dynamodb(), "TransactWriteItems", "TransactionCanceledException", extra=conflict, times=2):
        cancelled_now = api.post(f"/stis/requests/{request_id}/cancel", {}, token=link)
    assert cancelled_now.status_code == 200
    assert cancelled_now.json_body["status"] == "cancelled"
    assert days_used() == 0  # given back exactly once
    again = api.post(f"/stis/requests/{request_id}/cancel", {}, token=link)
    assert again.status_code == 409
    assert days_used() == 0


def test_a_store_busy_while_recording_sent_emails_does_not_send_them_again(api: Api) -> None:
    request_id = api.post("/stis/requests", submit_body()).json_body["id"]
    api.deliver()
    assert sign(api, request_id, "guardian", "Elena Quintana").status_code == 200
    # the dispatcher claims (a PutItem), sends, then records (a PutItem): the record is throttled
    with inject(dynamodb(), "PutItem", "ThrottlingException", skip=1, times=3) as fault:
        assert api.deliver() == 2  # the office and the teacher
    assert fault.injected == 3
    settle(api, rounds=4)  # past the five-minute lease of a claim
    assert_every_email_once(api, {GUARDIAN: 1, MADRONE_OFFICE: 1, MADRONE_TEACHER: 1})


def test_one_request_with_its_store_busy_does_not_hold_back_the_others_emails(api: Api) -> None:
    first = api.post("/stis/requests", submit_body()).json_body["id"]
    api.post(
        "/stis/requests",
        submit_body(request_key="second-0001", first_day="2027-02-01", last_day="2027-02-02"),
    )

    def about_first(params: dict[str, Any]) -> bool:
        return first in str(params.get("body", ""))

    with inject(dynamodb(), "GetItem", "ThrottlingException", when=about_first) as fault:
        assert api.deliver() == 1  # the second request's confirm-and-sign email
    assert fault.injected >= 1
    assert api.deliver() == 1  # the first one's, on the next run
    assert_every_email_once(api, {GUARDIAN: 2})
