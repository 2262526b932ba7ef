from __future__ import annotations

from typing import Any

import pytest

from tests.api.ridgeline import CASTELLANOS, GUARDIAN, OFFICE, PRINCIPAL, ROJAS, middle_school_request
from tests.support.api import Api
from tests.support.bodies import submit_body


def sign(api: Api, request_id: str, token: str, name: str, lang: str = "en") -> Any:
    view = api.get(f"/stis/requests/{request_id}?lang={lang}", token=token).json_body
    body = {"name": name, "agree": True, "contract_sha256": view["contract_sha256"]}
    return api.post(f"/stis/requests/{request_id}/sign", body, token=token)


def test_one_request_from_submit_to_approved_by_the_links_in_the_emails(api: Api) -> None:
    request_id, guardian = middle_school_request(api)
    status = api.get(f"/stis/requests/{request_id}?lang=es", token=guardian).json_body
    assert status["status"] == "awaiting_guardian"
    assert status["viewer"]["role"] == "guardian"
    assert (status["can_sign"], status["can_cancel"], status["can_decline"]) == (True, True, False)
    assert "Acuerdo de estudio independiente" in status["contract_text"]
    assert sign(api, request_id, guardian, "Elena Quintana", "es").status_code == 200
    api.deliver()
    for teacher, name in ((ROJAS, "Camila Rojas"), (CASTELLANOS, "Inés Castellanos")):
        teacher_id, teacher_token = api.link_for(teacher)
        assert teacher_id == request_id
        assert sign(api, request_id, teacher_token, name).status_code == 200
        api.deliver()
    _, principal = api.link_for(PRINCIPAL)
    approved = sign(api, request_id, principal, "Rafael Ibarra", "es")
    assert approved.status_code == 200
    assert approved.json_body["status"] == "approved"
    api.deliver()
    final = api.get(f"/stis/requests/{request_id}", token=guardian).json_body
    assert final["status"] == "approved"
    assert [s["role"] for s in final["signatures"]] == ["guardian", "teacher", "teacher", "principal"]
    assert final["whose_turn"] == []
    assert "signs this agreement on returning to school" in final["contract_text"]
    headings = ("Short-Term Independent Study Agreement", "Acuerdo de estudio independiente")
    for address in (GUARDIAN, CASTELLANOS, ROJAS, OFFICE):
        last = api.emails_to(address)[-1]["text"]
        assert any(heading in last for heading in headings), f"{address} did not get the contract"
    office = api.emails_to(OFFICE)
    assert len(office) == 3  # the confirmed request, the principal's turn, the approval
    assert all(
        f"/stis/sign/#id={request_id}&token=" in m["text"] for m in office
    )  # each with the office link


def test_links_used_out_of_turn_as_another_role_twice_or_on_another_request_fail(api: Api) -> None:
    from chalicelib.wiring import records

    request_id, guardian = middle_school_request(api)
    stored = records().store.get(request_id)
    teacher = records().link_token(stored, "t-rojas")  # type: ignore[arg-type]
    principal = records().link_token(stored, "principal")  # type: ignore[arg-type]

    early = sign(api, request_id, teacher, "Camila Rojas")
    assert early.status_code == 409
    assert early.json_body["error"]["code"] == "wrong_state"
    assert "not your turn" in early.json_body["error"]["message"]

    assert sign(api, request_id, guardian, "Elena Quintana").status_code == 200
    as_teacher = sign(api, request_id, principal, "Rafael Ibarra")
    assert as_teacher.status_code == 409

    twice = sign(api, request_id, guardian, "Elena Quintana")
    assert twice.status_code == 409
    assert "already signed" in twice.json_body["error"]["message"]

    other = submit_body(request_key="99999999-aaaa", first_day="2027-02-01", last_day="2027-02-02")
    other_id = api.post("/stis/requests", other).json_body["id"]
    wrong_request = api.get(f"/stis/requests/{other_id}", token=guardian)
    assert wrong_request.status_code == 403
    assert wrong_request.json_body["error"]["code"] == "invalid_token"
    assert api.get(f"/stis/requests/{request_id}").status_code == 403
    assert api.get("/stis/requests/no-such-id", token=guardian).status_code == 404
    stored = records().store.get(request_id)
    assert stored is not None
    assert [s.party.key for s in stored.contract.signatures] == ["guardian"]


def test_signing_text_that_changed_is_refused_and_agreeing_is_required(api: Api) -> None:
    request_id, guardian = middle_school_request(api)
    changed = api.post(
        f"/stis/requests/{request_id}/sign",
        {"name": "Elena Quintana", "agree": True, "contract_sha256": "a" * 64},
        token=guardian,
    )
    assert changed.status_code == 409
    assert changed.json_body["error"]["code"] == "contract_changed"
    view = api.get(f"/stis/requests/{request_id}", token=guardian).json_body
    not_agreed = api.post(
        f"/stis/requests/{request_id}/sign",
        {"name": "Elena Quintana", "agree": False, "contract_sha256": view["contract_sha256"]},
        token=guardian,
    )
    assert not_agreed.status_code == 422
    assert "agree" in not_agreed.json_body["error"]["fields"]


def test_a_teacher_declines_with_a_reason_and_the_guardian_is_told(api: Api) -> None:
    request_id, guardian = middle_school_request(api, language="en")
    sign(api, request_id, guardian, "Elena Quintana")
    api.deliver()
    _, rojas = api.link_for(ROJAS)
    no_reason = api.post(f"/stis/requests/{request_id}/decline", {"reason": " "}, token=rojas)
    assert no_reason.status_code == 422
    guardian_declines = api.post(f"/stis/requests/{request_id}/decline", {"reason": "x"}, token=guardian)
    assert guardian_declines.status_code == 409
    declined = api.post(
        f"/stis/requests/{request_id}/decline", {"reason": "Final project due that week"}, token=rojas
    )
    assert declined.status_code == 200
    assert declined.json_body["status"] == "declined"
    assert declined.json_body["ending"]["reason"] == "Final project due that week"
    api.deliver()
    assert "Final project due that week" in api.emails_to(GUARDIAN)[-1]["text"]


def test_the_guardian_cancels_and_the_days_come_back(api: Api) -> None:
    request_id, guardian = middle_school_request(api, last_day="2027-01-22")  # 14 days
    teacher_cancel = api.post(f"/stis/requests/{request_id}/cancel", {}, token="x" * 43)
    assert teacher_cancel.status_code == 403
    cancelled = api.post(f"/stis/requests/{request_id}/cancel", {}, token=guardian)
    assert cancelled.status_code == 200
    assert cancelled.json_body["status"] == "cancelled"
    ok = api.post(  # 15 school days around Presidents' week: possible only with the 14 given back
        "/stis/requests",
        submit_body(request_key="77777777-cccc", first_day="2027-02-01", last_day="2027-02-26"),
    )
    assert ok.status_code == 201
    assert ok.json_body["days_used"] == 15


@pytest.mark.parametrize("path", ["sign", "decline", "cancel"])
def test_actions_need_a_bearer_token(api: Api, path: str) -> None:
    request_id, _ = middle_school_request(api)
    response = api.post(f"/stis/requests/{request_id}/{path}", {})
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "invalid_token"


def test_the_office_cancels_with_a_reason_through_its_own_link(api: Api) -> None:
    request_id, guardian = middle_school_request(api)
    assert sign(api, request_id, guardian, "Elena Quintana").status_code == 200
    api.deliver()
    office_id, office = api.link_for(OFFICE)
    assert office_id == request_id
    view = api.get(f"/stis/requests/{request_id}", token=office).json_body
    assert view["viewer"]["role"] == "office"
    assert (view["can_sign"], view["can_cancel"], view["can_decline"]) == (False, True, False)
    refused = api.post(f"/stis/requests/{request_id}/cancel", {}, token=office)
    assert refused.status_code == 422
    assert refused.json_body["error"]["fields"] == {"reason": refused.json_body["error"]["message"]}
    cancelled = api.post(
        f"/stis/requests/{request_id}/cancel", {"reason": "Duplicate of a phoned request."}, token=office
    )
    assert cancelled.status_code == 200
    assert cancelled.json_body["ending"]["by_role"] == "office"
    api.deliver()
    for address in (GUARDIAN, CASTELLANOS, ROJAS):
        assert "Duplicate of a phoned request." in api.emails_to(address)[-1]["text"]


def test_limits_answer_429_with_a_time_to_try_again_in_the_readers_language(api: Api) -> None:
    for n in range(3):
        body = submit_body(
            request_key=f"limit-key-{n}",
            student={"first_name": "Ana", "last_name": "Ruiz", "student_id": f"90050{n}", "grade": "1"},
        )
        assert api.post("/stis/requests", body).status_code == 201
    fourth = api.post(
        "/stis/requests",
        submit_body(
            request_key="limit-key-9",
            student={"first_name": "Ana", "last_name": "Ruiz", "student_id": "900509", "grade": "1"},
        ),
    )
    assert fourth.status_code == 429
    assert fourth.json_body["error"]["code"] == "too_many_requests"
    assert int(fourth.headers["Retry-After"]) > 0
    assert "esperan su confirmación" in fourth.json_body["error"]["message"]  # the body asked in Spanish
