"""Helpers for the misuse tests that drive the API in-process (chalice.test.Client)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.http.openapi import Error
from tests.support import figures
from tests.support.api import Api
from tests.support.bodies import submit_body


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    """Count one misuse and check it got ``status`` and ``code`` in the documented error shape."""
    figures.add("misuses_tried")
    assert response.status_code == status, response.json_body
    body = Error.model_validate(response.json_body)
    assert body.error.code == code
    assert "Traceback" not in response.body.decode()
    return response.json_body  # type: ignore[no-any-return]


def records() -> Any:
    from chalicelib.wiring import records as wired

    return wired()


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
        return records().store.get(self.id)

    def token(self, party: str) -> str:
        return str(records().link_token(self.stored(), party))

    def act(self, action: str, headers: dict[str, str], request_id: str = "") -> Any:
        path = f"/stis/requests/{request_id or self.id}"
        if action == "view":
            return self.api.client.http.get(path, headers=headers)
        body: dict[str, Any] = {}
        if action == "sign":
            seen = self.api.client.http.get(path, headers=headers)
            viewer = (seen.json_body or {}).get("viewer") if seen.status_code == 200 else None
            name = viewer["name"] if viewer else "Someone Typing"  # the name the link's page asks for
            body = {"name": name, "agree": True, "contract_sha256": self.sha}
        if action == "decline":
            body = {"reason": "Trying a link"}
        sent = {"Content-Type": "application/json", **headers}
        return self.api.client.http.post(f"{path}/{action}", headers=sent, body=json.dumps(body))
