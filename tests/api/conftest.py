"""The Chalice app through chalice.test.Client, on the embedded AWS."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from chalice.test import Client

from tests.conftest import REGION, SENDER, sent_messages
from tests.support.fakes import T0, FakeClock

LINK = re.compile(r"^(https?://\S+/stis/sign/#id=(\S+)&token=(\S+))$", re.M)


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

    def link_for(self, address: str) -> tuple[str, str]:
        """(request id, token) from the newest email to ``address``."""
        mails = self.emails_to(address)
        assert mails, f"no email to {address}"
        match = LINK.search(mails[-1]["text"])
        assert match, f"no link in the email to {address}"
        return match.group(2), match.group(3)


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
    from chalicelib import snapstart, wiring

    snapstart.forget()  # settings, clients, the token secret and the use cases, read anew
    from app import app

    clock = FakeClock(T0)
    wiring.service().clock = clock
    wiring.dispatcher().clock = clock
    with Client(app, stage_name="test") as client:
        yield Api(client, clock)
    snapstart.forget()


def submit_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_key": "4b0e7c52-8d7a-4f0e-9d55-1c1b2c3d4e5f",
        "language": "es",
        "school_id": "madrone-elementary",
        "teacher_ids": ["t-serrano"],
        "student": {
            "first_name": "Mateo",
            "last_name": "Quintana",
            "student_id": "900123",
            "grade": "1",
        },
        "guardian": {"name": "Elena Quintana", "email": "elena.quintana@family.example"},
        "first_day": "2027-01-04",
        "last_day": "2027-01-08",
        "reason": "Visita a la familia",
    }
    body.update(changes)
    return body
