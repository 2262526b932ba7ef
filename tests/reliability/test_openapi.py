"""The OpenAPI document: valid 3.1, in step with the Chalice routes, served by
the API and copied into the docs, and true to what the views answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from chalicelib.http import errors
from chalicelib.http.openapi import OPERATIONS, document, render
from tests.support.api import Api
from tests.support.bodies import submit_body

ROOT = Path(__file__).resolve().parents[2]
DOCS_COPY = ROOT / "site" / "docs" / "api" / "openapi.json"


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_route_is_documented_with_its_methods_and_nothing_else() -> None:
    from app import app

    routes = {
        path: {m.lower(): entry.view_name for m, entry in methods.items()}
        for path, methods in app.routes.items()
    }
    documented = {
        path: {method: operation["operationId"] for method, operation in methods.items()}
        for path, methods in document()["paths"].items()
    }
    assert documented == routes


def test_every_error_code_the_service_raises_is_documented() -> None:
    from chalicelib.core.errors import StisError

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    import chalicelib.service.errors  # noqa: F401 - registers the service's errors

    codes = {c.code for c in subclasses(StisError)}
    enum = document()["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    assert codes <= set(enum) == set(errors.STATUS)


def test_the_api_serves_the_document(api: Api) -> None:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.json_body == json.loads(render())


def test_the_docs_copy_is_the_generated_document() -> None:
    assert DOCS_COPY.read_text(encoding="utf-8") == render(), (
        "site/docs/api/openapi.json is out of date: run "
        "`PYTHONPATH=backend python -m chalicelib.http.openapi site/docs/api/openapi.json`"
    )


# --- the response models against real answers ----------------------------------------------


def _operation(method: str, path: str) -> Any:
    for op in OPERATIONS:
        if op.method == method and op.path == path:
            return op
    raise AssertionError(f"{method} {path} is not documented")


def conforms(method: str, path: str, response: Any) -> dict[str, Any]:
    """Check one answer against the document: a documented status, and a body valid
    against that status's schema (formats included)."""
    doc = document()
    op = doc["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in op["responses"], f"{method} {path} answered {status}, not documented"
    schema = op["responses"][status]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": doc["components"]}, format_checker=FormatChecker()
    )
    body = response.json_body
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, problems
    _operation(method, path)
    return body  # type: ignore[no-any-return]


@pytest.fixture
def tokens(api: Api) -> dict[str, Any]:
    from chalicelib.wiring import records

    body = submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"])
    created = api.post("/stis/requests", body)
    request = records().store.get(created.json_body["id"])
    keys = ("guardian", "t-castellanos", "t-rojas", "principal")
    return {"id": request.id, "created": created, **{k: records().link_token(request, k) for k in keys}}


def test_what_the_views_answer_matches_the_documented_responses(api: Api, tokens: dict[str, Any]) -> None:
    request_id = tokens["id"]
    item = "/stis/requests/{request_id}"
    conforms("POST", "/stis/requests", tokens["created"])
    conforms("GET", "/health", api.get("/health"))
    conforms("GET", "/schools", api.get("/schools"))
    conforms("GET", "/openapi.json", api.get("/openapi.json"))
    conforms(
        "POST", "/stis/quote", api.post("/stis/quote", {"first_day": "2027-01-04", "last_day": "2027-01-19"})
    )
    late = conforms(
        "POST", "/stis/quote", api.post("/stis/quote", {"first_day": "2026-12-02", "last_day": "2026-12-02"})
    )
    assert late["notice_ok"] is False
    replay = api.post(
        "/stis/requests", submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"])
    )
    assert conforms("POST", "/stis/requests", replay)["id"] == request_id
    for party in ("guardian", "t-rojas", "principal"):
        conforms("GET", item, api.get(f"/stis/requests/{request_id}?lang=es", token=tokens[party]))
    view = api.get(f"/stis/requests/{request_id}", token=tokens["guardian"]).json_body
    signature = {"name": "Elena Quintana", "agree": True, "contract_sha256": view["contract_sha256"]}
    signed = conforms(
        "POST",
        item + "/sign",
        api.post(f"/stis/requests/{request_id}/sign", signature, token=tokens["guardian"]),
    )
    assert signed["signatures"][0]["role"] == "guardian"
    declined = api.post(f"/stis/requests/{request_id}/decline", {"reason": "Exams"}, token=tokens["t-rojas"])
    assert conforms("POST", item + "/decline", declined)["ending"]["by_role"] == "teacher"
    for party in ("guardian", "t-castellanos"):
        after = conforms("GET", item, api.get(f"/stis/requests/{request_id}", token=tokens[party]))
        assert [e["role"] for e in after["audit"]][:2] == ["guardian", "guardian"]
    other = submit_body(request_key="cancel-me-0001", first_day="2027-02-01", last_day="2027-02-02")
    other_id = api.post("/stis/requests", other).json_body["id"]
    from chalicelib.wiring import records

    guardian = records().link_token(records().store.get(other_id), "guardian")
    cancelled = api.post(f"/stis/requests/{other_id}/cancel", {}, token=guardian)
    assert conforms("POST", item + "/cancel", cancelled)["ending"]["state"] == "cancelled"


@pytest.mark.parametrize(
    ("method", "path", "body", "code"),
    [
        ("POST", "/stis/quote", "{nope", "invalid_input"),
        ("POST", "/stis/quote", {"first_day": "2027-02-30", "last_day": "x"}, "invalid_input"),
        ("POST", "/stis/quote", {"first_day": "2027-01-09", "last_day": "2027-01-11"}, "not_a_school_day"),
        ("POST", "/stis/requests", {**submit_body(), "school_id": "nowhere"}, "unknown_school"),
        ("POST", "/stis/requests", {**submit_body(), "teacher_ids": ["t-whitaker"]}, "unknown_teacher"),
        ("POST", "/stis/requests", {**submit_body(), "last_day": "2027-01-26"}, "contract_too_long"),
        (
            "POST",
            "/stis/requests",
            {**submit_body(), "first_day": "2027-06-07", "last_day": "2027-06-08"},
            "blackout",
        ),
        (
            "POST",
            "/stis/requests",
            {**submit_body(), "first_day": "2026-12-02", "last_day": "2026-12-02"},
            "insufficient_notice",
        ),
        ("POST", "/stis/requests", {**submit_body(), "reason": "x" * 40_000}, "payload_too_large"),
        (
            "POST",
            "/stis/requests/{request_id}/sign",
            {"name": "A", "agree": True, "contract_sha256": "a" * 64},
            "contract_changed",
        ),
        ("POST", "/stis/requests/{request_id}/decline", {"reason": "no"}, "wrong_state"),
        ("POST", "/stis/requests/{request_id}/cancel", {}, "invalid_token"),
        ("GET", "/stis/requests/{request_id}", None, "not_found"),
    ],
)
def test_refusals_match_the_documented_error_shape(
    api: Api, tokens: dict[str, Any], method: str, path: str, body: Any, code: str
) -> None:
    url = path.replace("{request_id}", tokens["id"] if code != "not_found" else "0000-missing")
    token = "" if code == "invalid_token" else tokens["guardian"]
    if method == "GET":
        response = api.get(url, token=token, **{"Accept-Language": "es"})
    else:
        response = api.post(url, body, token=token, **{"Accept-Language": "es"})
    assert conforms(method, path, response)["error"]["code"] == code
