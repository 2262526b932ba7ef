"""Misuse of HTTP: oversized and deeply nested bodies, wrong content types,
wrong methods, and requests from another origin.

Each refusal is a clean 4xx in the error shape of the OpenAPI document.
"""

from __future__ import annotations

import json

import pytest

from tests.support import figures
from tests.support.api import Api
from tests.support.bodies import submit_body
from tests.support.inprocess import Request, refused
from tests.support.live_stack import Call, LiveStack

POST_ROUTES = (
    "/stis/quote",
    "/stis/requests",
    "/stis/requests/{id}/sign",
    "/stis/requests/{id}/decline",
    "/stis/requests/{id}/cancel",
)


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
