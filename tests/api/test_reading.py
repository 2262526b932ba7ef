from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.bodies import submit_body


def test_health_says_ok(api: Api) -> None:
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_schools_list_teachers_without_any_email_address(api: Api) -> None:
    response = api.get("/schools")
    assert response.status_code == 200
    schools = response.json_body["schools"]
    assert [s["id"] for s in schools] == ["madrone-elementary", "ridgeline-middle"]
    assert {"id": "t-serrano", "name": "Lucía Serrano", "grades": "Grade 1"} in schools[0]["teachers"]
    assert "@" not in response.body.decode()


@pytest.mark.parametrize(
    ("how", "grades"),
    [
        ({"Accept-Language": "es-US,es;q=0.9"}, "Matemáticas, de 6.º a 8.º"),
        ({"Accept-Language": "en-US"}, "Math 6-8"),
        ({}, "Math 6-8"),
    ],
)
def test_a_teachers_subject_is_listed_in_the_readers_language(
    api: Api, how: dict[str, str], grades: str
) -> None:
    response = api.get("/schools", **how)
    assert response.status_code == 200
    ridgeline = response.json_body["schools"][1]
    assert {"id": "t-whitaker", "name": "Paul Whitaker", "grades": grades} in ridgeline["teachers"]


def test_the_lang_parameter_chooses_the_language_of_the_teacher_list(api: Api) -> None:
    response = api.get("/schools?lang=es", **{"Accept-Language": "en"})
    madrone = response.json_body["schools"][0]
    assert {"id": "t-serrano", "name": "Lucía Serrano", "grades": "Primer grado"} in madrone["teachers"]


def test_a_quote_counts_school_days_and_the_notice(api: Api) -> None:
    response = api.post("/stis/quote", {"first_day": "2027-01-04", "last_day": "2027-01-19"})
    assert response.status_code == 200
    assert response.json_body == {
        "school_year": "2026-2027",
        "school_days": 11,
        "dates": [
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08",
            "2027-01-11",
            "2027-01-12",
            "2027-01-13",
            "2027-01-14",
            "2027-01-15",
            "2027-01-19",
        ],  # fmt: skip
        "notice_hours": 72,
        "notice_deadline": "2027-01-01T08:00:00-08:00",
        "notice_ok": True,
        "earliest_first_day": "2026-12-07",
        "first_day_past": False,
    }


def test_a_late_quote_says_so_and_gives_the_earliest_start(api: Api) -> None:
    body = api.post("/stis/quote", {"first_day": "2026-12-02", "last_day": "2026-12-02"}).json_body
    assert body["notice_ok"] is False
    assert body["earliest_first_day"] == "2026-12-03"
    assert body["first_day_past"] is False  # too soon, not gone


@pytest.mark.parametrize("day", ["2026-11-30", "2026-12-01"])  # yesterday; today, school begun
def test_a_quote_for_a_day_already_begun_says_it_is_past(api: Api, day: str) -> None:
    body = api.post("/stis/quote", {"first_day": day, "last_day": day}).json_body
    assert (body["notice_ok"], body["first_day_past"]) == (False, True)


@pytest.mark.parametrize(
    ("first", "last", "code", "field", "english", "spanish"),
    [
        ("2027-01-09", "2027-01-11", "not_a_school_day", "first_day", "not a school day", "no es día"),
        ("2027-07-06", "2027-07-07", "outside_school_year", "first_day", "outside the school", "fuera"),
        ("2027-06-01", "2027-08-12", "outside_school_year", "last_day", "one school year", "mismo ciclo"),
        ("2027-01-04", "2027-01-26", "contract_too_long", "last_day", "at most 15", "máximo 15"),
        ("2027-06-03", "2027-06-08", "blackout", "first_day", "last week", "última semana"),
        ("2027-02-30", "2027-03-01", "invalid_input", "first_day", "real date", "fecha válida"),
        ("2027-01-08", "2027-01-04", "invalid_input", "last_day", "same as the first", "mismo que"),
    ],
)
def test_quote_refusals_name_the_field_in_the_reader_language(
    api: Api, first: str, last: str, code: str, field: str, english: str, spanish: str
) -> None:
    body = {"first_day": first, "last_day": last}
    in_english = api.post("/stis/quote", body)
    in_spanish = api.post("/stis/quote", body, **{"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert in_english.status_code == in_spanish.status_code == 422
    for response, phrase in ((in_english, english), (in_spanish, spanish)):
        error = response.json_body["error"]
        assert error["code"] == code
        assert phrase in error["fields"][field]
        assert error["message"]


def test_a_quote_costs_no_storage_call(api: Api) -> None:
    from chalicelib.wiring import records

    calls: list[str] = []
    client = records().store.client  # type: ignore[attr-defined]
    client.meta.events.register("before-call.dynamodb", lambda **kw: calls.append(kw["model"].name))
    api.post("/stis/quote", {"first_day": "2027-01-04", "last_day": "2027-01-08"})
    assert calls == []


def test_every_answer_is_json_no_cache_keeps_and_no_browser_sniffs(api: Api) -> None:
    answers = {
        "listed": api.get("/schools"),
        "created": api.post("/stis/requests", submit_body()),
        "refused": api.post("/stis/quote", {"first_day": "2027-02-30", "last_day": "2027-03-01"}),
        "not found": api.get("/stis/requests/no-such-request", token="x" * 43),
        "wrong method": api.client.http.request("DELETE", "/schools", headers={}, body=b""),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {"listed": 200, "created": 201, "refused": 422, "not found": 404, "wrong method": 405}
    for name, answer in answers.items():
        headers = {key.lower(): value for key, value in answer.headers.items()}
        assert headers["content-type"].startswith("application/json"), name
        assert headers["cache-control"] == "no-store", name
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["referrer-policy"] == "no-referrer", name
