from __future__ import annotations

import json

import pytest

from tests.support.api import Api
from tests.support.bodies import submit_body

GUARDIAN = "elena.quintana@family.example"
OFFICE = "office@madrone.alder-creek.example"


def test_a_request_is_created_and_only_the_guardian_is_emailed_until_they_confirm(api: Api) -> None:
    response = api.post("/stis/requests", submit_body())
    assert response.status_code == 201
    body = response.json_body
    assert body["status"] == "awaiting_guardian"
    assert (body["school_days"], body["days_used"], body["days_remaining"]) == (5, 5, 10)
    assert api.deliver() == 1
    to_guardian = api.emails_to(GUARDIAN)
    assert len(to_guardian) == 1
    assert "https://portal.alder-creek.example/es/stis/sign/#id=" + body["id"] in to_guardian[0]["text"]
    assert "Mateo" not in to_guardian[0]["subject"] + to_guardian[0]["text"]
    assert api.emails_to(OFFICE) == []
    api.confirm(GUARDIAN)
    (to_office,) = api.emails_to(OFFICE)
    assert "Mateo Quintana" in to_office["text"]
    assert "/stis/sign/#id=" + body["id"] in to_office["text"]  # the office's own link


def test_sending_the_same_request_again_returns_it_without_new_email(api: Api) -> None:
    first = api.post("/stis/requests", submit_body())
    api.deliver()
    again = api.post("/stis/requests", submit_body())
    assert again.status_code == 200
    assert again.json_body == first.json_body
    assert api.deliver() == 0
    changed = api.post("/stis/requests", submit_body(last_day="2027-01-07"))
    assert changed.status_code == 409
    assert changed.json_body["error"]["code"] == "request_key_conflict"


def test_the_cap_and_overlap_answer_409_in_the_request_language(api: Api) -> None:
    api.post("/stis/requests", submit_body(last_day="2027-01-15"))
    api.confirm(GUARDIAN)
    too_many = api.post(
        "/stis/requests",
        submit_body(request_key="a1b2c3d4-0000", first_day="2027-02-01", last_day="2027-02-08"),
    )
    assert too_many.status_code == 409
    error = too_many.json_body["error"]
    assert error["code"] == "cap_exceeded"
    assert "quedan 5 de los 15 días" in error["message"]
    assert error["details"]["days_remaining"] == 5
    overlap = api.post(
        "/stis/requests",
        submit_body(
            request_key="a1b2c3d4-0001", language="en", first_day="2027-01-15", last_day="2027-01-15"
        ),
    )
    assert overlap.status_code == 409
    assert overlap.json_body["error"]["code"] == "overlap"
    assert "overlap another request" in overlap.json_body["error"]["message"]
    assert "January" not in overlap.json_body["error"]["message"]  # never the other request's dates
    assert set(error["details"]) == {"requested", "cap", "days_remaining"}


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"school_id": "nowhere"}, 422, "unknown_school", "school_id"),
        ({"teacher_ids": ["t-whitaker"]}, 422, "unknown_teacher", "teacher_ids[0]"),
        ({"teacher_ids": ["t-serrano", "t-okafor"]}, 422, "invalid_input", "teacher_ids"),
        ({"first_day": "2026-12-02", "last_day": "2026-12-02"}, 422, "insufficient_notice", "first_day"),
        ({"first_day": "2027-01-09", "last_day": "2027-01-11"}, 422, "not_a_school_day", "first_day"),
        ({"last_day": "2027-01-26"}, 422, "contract_too_long", "last_day"),
        ({"first_day": "2027-06-07", "last_day": "2027-06-08"}, 422, "blackout", "first_day"),
        ({"first_day": "2027-07-06", "last_day": "2027-07-07"}, 422, "outside_school_year", "first_day"),
    ],
)
def test_rule_refusals_have_their_own_code_and_field(
    api: Api, changes: dict[str, object], status: int, code: str, field: str
) -> None:
    response = api.post("/stis/requests", submit_body(**changes))
    assert response.status_code == status
    error = response.json_body["error"]
    assert error["code"] == code
    assert field in error["fields"]
    assert api.deliver() == 0


def test_late_notice_in_spanish_names_the_earliest_first_day(api: Api) -> None:
    response = api.post("/stis/requests", submit_body(first_day="2026-12-02", last_day="2026-12-02"))
    error = response.json_body["error"]
    assert "jueves, 3 de diciembre de 2026" in error["fields"]["first_day"]
    assert error["details"]["earliest_first_day"] == "2026-12-03"


@pytest.mark.parametrize(
    ("language", "passed", "earliest"),
    [
        (
            "es",
            "Este primer día ya pasó.",
            "Lo más pronto que puede empezar ahora es el jueves, 3 de diciembre de 2026.",
        ),
        ("en", "This first day is in the past.", "Thursday, December 3, 2026"),
    ],
)
@pytest.mark.parametrize("first_day", ["2026-11-30", "2026-12-01"])
def test_a_first_day_already_begun_is_called_past_not_too_soon(
    api: Api, language: str, passed: str, earliest: str, first_day: str
) -> None:
    # The clock reads Tuesday 1 December, 9 a.m.: Monday is gone, and Tuesday's school day has begun.
    response = api.post(
        "/stis/requests", submit_body(language=language, first_day=first_day, last_day="2026-12-02")
    )
    assert response.status_code == 422
    error = response.json_body["error"]
    assert error["code"] == "insufficient_notice"
    assert error["details"]["past"] is True
    message = error["fields"]["first_day"]
    assert message.startswith(passed)
    assert earliest in message
    assert "notice" not in message and "aviso" not in message


def test_a_first_day_still_ahead_but_too_close_is_about_notice(api: Api) -> None:
    response = api.post("/stis/requests", submit_body(first_day="2026-12-02", last_day="2026-12-02"))
    error = response.json_body["error"]
    assert error["details"]["past"] is False
    assert "aviso de al menos" in error["fields"]["first_day"]
    assert "ya pasó" not in error["fields"]["first_day"]


def test_field_errors_come_back_at_their_fields_in_spanish(api: Api) -> None:
    body = submit_body(guardian={"name": "", "email": "elena@"}, student={"first_name": "Mateo"})
    response = api.post("/stis/requests", body)
    assert response.status_code == 422
    error = response.json_body["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == "Hay respuestas que debe corregir."
    assert error["fields"]["guardian.email"].startswith("Escriba un correo electrónico")
    assert error["fields"]["guardian.name"] == "Este dato es obligatorio."
    assert error["fields"]["student.last_name"] == "Este dato es obligatorio."
    assert error["fields"]["student.grade"] == "Este dato es obligatorio."


def test_the_language_comes_from_the_body_then_accept_language_then_english(api: Api) -> None:
    bad = {"first_day": "nope", "last_day": "2027-01-04"}
    assert api.post("/stis/quote", bad).json_body["error"]["message"].startswith("Some answers")
    spanish = api.post("/stis/quote", bad, **{"Accept-Language": "es"})
    assert spanish.json_body["error"]["message"].startswith("Hay respuestas")
    body = submit_body(language="en", guardian={"name": "A", "email": "x"})
    english = api.post("/stis/requests", body, **{"Accept-Language": "es"})
    assert english.json_body["error"]["message"].startswith("Some answers")


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[1, 2, 3]", 422),
        ("null", 422),
        ('"a string"', 422),
        ("12", 422),
        (json.dumps(submit_body(unexpected="x")), 422),
        (json.dumps(submit_body(teacher_ids="t-serrano")), 422),
        (
            json.dumps(
                submit_body(student={"first_name": ["x"], "last_name": 3, "student_id": {}, "grade": 13})
            ),
            422,
        ),
        (json.dumps(submit_body(first_day=20270104)), 422),
        (json.dumps(submit_body(reason="x" * 501)), 422),
        (
            json.dumps(submit_body(guardian={"name": "Ana\r\nBcc: x@evil.example", "email": "a@b.example"})),
            422,
        ),
        (b"\xff\xfe\x00", 400),
    ],
)
def test_malformed_bodies_get_a_clear_4xx_and_never_a_5xx(api: Api, raw: str | bytes, status: int) -> None:
    response = api.post("/stis/requests", raw)
    assert response.status_code == status
    error = response.json_body["error"]
    assert error["code"] == "invalid_input"
    assert error["message"]
    assert "Traceback" not in response.body.decode()


def test_a_ten_megabyte_body_is_refused_as_too_large(api: Api) -> None:
    response = api.post("/stis/requests", submit_body(reason="x" * 10_000_000))
    assert response.status_code == 413
    assert response.json_body["error"]["code"] == "payload_too_large"


def test_a_reason_may_hold_an_emoji_but_not_a_direction_override(api: Api) -> None:
    family = (
        "Visita a la abuela \U0001f468\u200d\U0001f469\u200d\U0001f467"  # a family emoji, joined by U+200D
    )
    assert api.post("/stis/requests", submit_body(reason=family)).status_code == 201
    hidden = api.post("/stis/requests", submit_body(request_key="b1b2c3d4-0000", reason="Visita \u202eanalp"))
    assert hidden.status_code == 422
    assert "reason" in hidden.json_body["error"]["fields"]
