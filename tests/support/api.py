"""The Chalice app in-process (chalice.test.Client) on the embedded AWS: the ``api``
fixture, for tests/api and the in-process reliability tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from chalice.test import Client

from tests.support.aws import REGION, SENDER, sent_messages
from tests.support.fakes import T0, FakeClock
from tests.support.links import link_in


@dataclass
class Api:
    client: Any
    clock: FakeClock

    def post(self, path: str, body: Any = None, token: str = "", **headers: str) -> Any:
        sent = {"Content-Type": "application/json", **headers}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        return self.client.http.post(path, headers=sent, body=data)

    def get(self, path: str, token: str = "", **headers: str) -> Any:
        sent = dict(headers)
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return self.client.http.get(path, headers=sent)

    def deliver(self) -> int:
        from chalicelib.wiring import dispatcher

        return dispatcher().dispatch_due()

    def emails_to(self, address: str) -> list[dict[str, str]]:
        from infra.local.mailbox import _parse

        found = [_parse(m, "") for m in sent_messages()]
        return [m for m in found if m["to"] == address]

    def confirm(self, address: str, name: str | None = None) -> str:
        """The guardian at ``address`` signs the newest request emailed to them
        (confirming it: its days are claimed), typing ``name`` (by default the
        name the page asks for). Returns the request id."""
        self.deliver()
        request_id, token = self.link_for(address)
        view = self.get(f"/stis/requests/{request_id}", token=token).json_body
        typed = view["viewer"]["name"] if name is None else name
        body = {"name": typed, "agree": True, "contract_sha256": view["contract_sha256"]}
        signed = self.post(f"/stis/requests/{request_id}/sign", body, token=token)
        assert signed.status_code == 200, signed.json_body
        self.deliver()
        return request_id

    def link_for(self, address: str) -> tuple[str, str]:
        """(request id, token) from the newest email to ``address``."""
        mails = self.emails_to(address)
        assert mails, f"no email to {address}"
        link = link_in(mails[-1]["text"])
        return link.request_id, link.token


@pytest.fixture
def api(aws: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    from infra.table import create_table

    create_table(boto3.client("dynamodb", region_name=REGION), table_name)
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    monkeypatch.setenv("TABLE_NAME", table_name)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("SITE_URL", "https://portal.alder-creek.example")
    monkeypatch.setenv("SITE_ORIGIN", "https://portal.alder-creek.example")
    monkeypatch.setenv("STAGE", "test")
    from chalicelib import wiring

    wiring.reset()
    from app import app

    clock = FakeClock(T0)
    wiring.records().clock = clock
    wiring.dispatcher().clock = clock
    with Client(app, stage_name="test") as client:
        yield Api(client, clock)
    wiring.reset()
