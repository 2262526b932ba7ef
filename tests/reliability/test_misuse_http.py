"""Misuse of HTTP: oversized and deeply nested bodies, wrong content types,
wrong methods, and requests from another origin.

Each refusal is a clean 4xx in the error shape of the OpenAPI document.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.http.openapi import Error
from tests.api.conftest import Api, submit_body

from . import figures
from .live import Call, LiveStack

POST_ROUTES = (
    "/stis/quote",
    "/stis/requests",
    "/stis/requests/{id}/sign",
    "/stis/requests/{id}/decline",
    "/stis/requests/{id}/cancel",
)


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    figures.add("misuses_tried")
    assert response.status_code == status, response.json_body
    body = Error.model_validate(response.json_body)
    assert body.error.code == code
    assert "Traceback" not in response.body.decode()
    return response.json_body  # type: ignore[no-any-return]


def service() -> Any:
    from chalicelib.wiring import service

    return service()


class Request:
    """A middle-school request with two teachers, driven in-process."""

    def __init__(self, api: Api, **changes: Any) -> None:
        self.api = api
        body = submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"], **changes)
        response = api.post("/stis/requests", body)
        assert response.status_code == 201, response.json_body
        self.id: str = response.json_body["id"]
        view = api.get(f"/stis/requests/{self.id}", token=self.token("guardian")).json_body
        self.sha: str = view["contract_sha256"]

    def stored(self) -> Any:
        return service().store.get(self.id)

    def token(self, party: str) -> str:
        return str(service().link_token(self.stored(), party))

    def act(self, action: str, headers: dict[str, str], request_id: str = "") -> Any:
        path = f"/stis/requests/{request_id or self.id}"
        if action == "view":
            return self.api.client.http.get(path, headers=headers)
        body: dict[str, Any] = {}
        if action == "sign":
            body = {"name": "Someone Typing", "agree": True, "contract_sha256": self.sha}
        if action == "decline":
            body = {"reason": "Trying a link"}
        sent = {"Content-Type": "application/json", **headers}
        return self.api.client.http.post(f"{path}/{action}", headers=sent, body=json.dumps(body))


def _paths(api: Api) -> list[str]:
    request = Request(api)
    return [p.replace("{id}", request.id) for p in POST_ROUTES]


def test_oversized_and_deeply_nested_bodies_get_a_clean_4xx_everywhere(api: Api) -> None:
    for path in _paths(api):
        for language, start in (("en", "What was sent"), ("es", "Lo que se envió")):
            big = api.post(path, "{" + " " * 40_000 + "}", token="t", **{"Accept-Language": language})
            assert refused(big, 413, "payload_too_large")["error"]["message"].startswith(start)
        for body in ("[" * 30_000, '{"a":' * 5_000 + "1" + "}" * 5_000, "[" * 15_000 + "]" * 15_000):
            refused(api.post(path, body, token="t"), 400, "invalid_input")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/html",
        "application/octet-stream",
        "application/jsonp",
    ],
)
def test_a_body_that_is_not_json_gets_415_in_the_error_shape(api: Api, content_type: str) -> None:
    for path in _paths(api):
        for language, start in (("en", "Please send"), ("es", "Envíe")):
            headers = {"Content-Type": content_type, "Accept-Language": language, "Authorization": "Bearer t"}
            response = api.client.http.post(path, headers=headers, body=json.dumps(submit_body()))
            assert refused(response, 415, "unsupported_media_type")["error"]["message"].startswith(start)


def test_a_method_a_route_does_not_have_gets_405_in_the_error_shape(api: Api) -> None:
    for method, path in (
        ("POST", "/health"),
        ("DELETE", "/schools"),
        ("PUT", "/stis/quote"),
        ("GET", "/stis/requests"),
    ):
        response = api.client.http.request(method, path, headers={"Accept-Language": "es"}, body=b"")
        body = refused(response, 405, "method_not_allowed")
        assert body["error"]["message"].startswith("Esta dirección")
        assert response.headers.get("Allow")


# --- CORS, on the running local stack --------------------------------------------------


def test_only_the_site_origin_is_allowed_by_cors(live: LiveStack) -> None:
    site = live.live.site_url
    evil = "https://evil.example"
    answers = []
    for path in ("/health", "/schools", "/openapi.json", "/stis/requests/abc"):
        answers.append(live.get(path, token="t", Origin=evil))
    for path in ("/stis/quote", "/stis/requests", "/stis/requests/abc/sign", "/stis/requests/abc/cancel"):
        answers.append(live.post(path, {}, token="t", Origin=evil))
        preflight = live.call(
            Call("OPTIONS", path, headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
        )
        answers.append(preflight)
    for answer in answers:
        figures.add("misuses_tried")
        assert answer.status < 500
        allowed = answer.headers.get("access-control-allow-origin")
        assert allowed == site, f"{allowed!r} allowed"
        assert "access-control-allow-credentials" not in answer.headers
