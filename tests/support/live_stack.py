"""Talking to the running local stack: HTTP calls (one at a time or all at
once from real threads), its mailbox, and its DynamoDB table.

A pytest plugin: the ``live`` fixture (one local stack for the session) and
``fresh_live`` (a stack of its own for one test)."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import boto3
import pytest

from infra.local.stack import free_port
from tests.support.links import links_in
from tests.support.live import Live, running_api

TABLE = "stis-local"
REGION = "us-west-2"
_counter = itertools.count(1)
STACKS: list[LiveStack] = []  # every local stack the session started, for the log check


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def code(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("code", ""))
        return ""


@dataclass
class Call:
    method: str
    path: str
    body: Any = None
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes | None, dict[str, str]]:
        headers = dict(self.headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.body is None:
            return None, headers
        headers.setdefault("Content-Type", "application/json")
        data = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return data, headers


def unique(prefix: str) -> str:
    """A short unique tag for names and emails of one test."""
    return f"{prefix}{next(_counter)}{uuid.uuid4().hex[:6]}"


def student_number() -> str:
    """A fresh student id in the demo district's form (9 digits, no leading zero,
    so it is already canonical), unique within the session."""
    return str(100_000_000 + (next(_counter) * 7_919 + uuid.uuid4().int % 7_919) % 900_000_000)


class LiveStack:
    def __init__(self, live: Live, aws_port: int) -> None:
        self.live = live
        self.url = live.url
        self.host, port = live.url.removeprefix("http://").split(":")
        self.port = int(port)
        self.dynamodb = boto3.client(
            "dynamodb",
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{aws_port}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

        self.retried = 0
        self._lock = threading.Lock()
        self.secrets: set[str] = set()  # names, emails and tokens sent; the logs must show none

    @property
    def output(self) -> list[str]:
        return self.live.output

    # --- HTTP ------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        for attempt in range(50):
            connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                connection.connect()
                return connection
            except OSError:
                time.sleep(0.02 * (attempt + 1))
        raise RuntimeError("could not connect to the local API")

    @staticmethod
    def _exchange(connection: http.client.HTTPConnection, call: Call) -> Answer:
        data, headers = call.encoded()
        try:
            connection.request(call.method, call.path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)

    def call(self, call: Call) -> Answer:
        return self._exchange(self._connect(), call)

    def get(self, path: str, token: str = "", **headers: str) -> Answer:
        return self.call(Call("GET", path, token=token, headers=headers))

    def post(self, path: str, body: Any = None, token: str = "", **headers: str) -> Answer:
        return self.call(Call("POST", path, {} if body is None else body, token, headers))

    def at_once(self, calls: list[Call], retries: int = 0, timeout: float = 150) -> list[Answer]:
        """Send every call from its own thread at the same instant.

        A barrier releases every thread together; each then connects and
        sends its request as a plain client would (no connection opened
        beforehand, no retry of a refused or reset one). A call answered 429
        ``try_again`` is sent again, unchanged, up to ``retries`` times, as the
        site does; ``self.retried`` counts those. Each call may take ``timeout`` seconds."""
        barrier = threading.Barrier(len(calls))
        answers: list[Answer | BaseException | None] = [None] * len(calls)

        def send(call: Call) -> Answer:
            # A burst queues behind the embedded AWS, which answers one call at a time:
            # on a loaded 2-core machine the last of 110 submits waits over a minute.
            return self._exchange(http.client.HTTPConnection(self.host, self.port, timeout=timeout), call)

        def run(index: int) -> None:
            barrier.wait()
            try:
                answer = send(calls[index])
                for attempt in range(retries):
                    if answer.status != 429:
                        break
                    with self._lock:
                        self.retried += 1
                    time.sleep(min(0.5 * 2**attempt, 4.0))
                    answer = send(calls[index])
                answers[index] = answer
            except BaseException as error:  # reported below
                answers[index] = error

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout + 30)
        failed = [a for a in answers if not isinstance(a, Answer)]
        assert not failed, f"{len(failed)} calls got no answer: {failed[:3]}"
        return [a for a in answers if isinstance(a, Answer)]

    # --- mailbox -----------------------------------------------------------------

    def deliver(self) -> None:
        """Send the emails owed now (what the table stream does in AWS)."""
        self.live.run_jobs()

    def mail_to(self, address: str) -> list[dict[str, Any]]:
        """Messages to ``address``, oldest first."""
        return [m for m in reversed(self.live.mailbox()) if m["to"] == address]

    def link(self, address: str, request_id: str) -> str:
        """The token in the newest email to ``address`` about ``request_id``."""
        deadline = time.monotonic() + 20
        while True:
            for message in reversed(self.mail_to(address)):
                for found in links_in(message["text"]):
                    if found.request_id == request_id:
                        self.secrets.add(found.token)
                        return found.token
            if time.monotonic() > deadline:
                raise AssertionError(f"no link to {request_id} reached {address}")
            self.deliver()
            time.sleep(0.1)

    # --- the table -----------------------------------------------------------------

    def items(self, partition: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.types import TypeDeserializer

        plain = TypeDeserializer()
        response = self.dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": partition}},
            ConsistentRead=True,
        )
        return [{k: plain.deserialize(v) for k, v in item.items()} for item in response["Items"]]

    def request(self, request_id: str) -> dict[str, Any] | None:
        found = self.items(f"REQ#{request_id}")
        return found[0] if found else None

    def key_item(self, request_key: str) -> dict[str, Any] | None:
        found = self.items(f"KEY#{request_key}")
        return found[0] if found else None

    def student_requests(self, student_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.types import TypeDeserializer

        plain = TypeDeserializer()
        found: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"TableName": TABLE, "ConsistentRead": True}
        while True:
            response = self.dynamodb.scan(**arguments)
            for item in response["Items"]:
                if item["sk"]["S"] == "REQ" and item["student"]["M"]["student_id"]["S"] == student_id:
                    found.append({k: plain.deserialize(v) for k, v in item.items()})
            if "LastEvaluatedKey" not in response:
                return found
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# The states that hold days: the guardian has signed (an unconfirmed request holds none).
ACTIVE = {"awaiting_teacher", "awaiting_principal", "approved"}


def check_days(stack: LiveStack, student_id: str, school_year: str, cap: int = 15) -> list[dict[str, Any]]:
    """The invariants of one student's school year, read from the table:
    the TOTAL counter equals the days held by the confirmed requests and is
    within the cap; each DAY# claim belongs to the active request holding that
    day; active requests never overlap. Returns the active requests."""
    requests = [r for r in stack.student_requests(student_id) if r["school_year"] == school_year]
    active = [r for r in requests if r["state"] in ACTIVE]
    held = sum(len(r["dates"]) for r in active)
    items = stack.items(f"STU#{student_id}#{school_year}")
    totals = [i for i in items if i["sk"] == "TOTAL"]
    claims = {i["sk"].removeprefix("DAY#"): i["request_id"] for i in items if i["sk"].startswith("DAY#")}
    used = int(totals[0]["days_used"]) if totals else 0
    assert used == held, f"TOTAL says {used} days, the active requests hold {held}"
    assert 0 <= used <= cap, f"{used} days held, above the cap of {cap}"
    expected = {d: r["id"] for r in active for d in r["dates"]}
    assert claims == expected, "the DAY# claims do not match the active requests' days"
    spans = sorted((date.fromisoformat(r["dates"][0]), date.fromisoformat(r["dates"][-1])) for r in active)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end < start, "two active requests overlap"
    for r in requests:
        signed = [s["party"] for s in r["signatures"]]
        assert len(signed) == len(set(signed)), f"a party signed twice: {signed}"
    return active


def emails_about(stack: LiveStack, request_ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """(request id, recipient, subject) of every email about one of the requests
    (its link names the id; every email names the request's reference)."""
    refs = {"STIS-" + i.replace("-", "")[:6].upper(): i for i in request_ids}
    found = []
    for message in stack.live.mailbox():
        for ref, request_id in refs.items():
            if request_id in message["text"] or ref in message["text"] or ref in message["subject"]:
                found.append((request_id, message["to"], message["subject"]))
                break
    return found


# --- fixtures --------------------------------------------------------------------------


@contextmanager
def local_stack(env: dict[str, str] | None = None) -> Iterator[LiveStack]:
    """The local stack on free ports, with its embedded AWS on a port we know
    (and ``env`` added to its environment, e.g. DISTRICT_CONFIG)."""
    aws_port = free_port()
    added = {"STIS_AWS_PORT": str(aws_port), **(env or {})}
    before = {name: os.environ.get(name) for name in added}
    os.environ.update(added)  # running_api passes the environment on
    try:
        with running_api() as running:
            stack = LiveStack(running, aws_port)
            STACKS.append(stack)
            yield stack
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def live() -> Iterator[LiveStack]:
    """One local stack for the session."""
    with local_stack() as stack:
        yield stack


@pytest.fixture
def fresh_live() -> Iterator[LiveStack]:
    """A local stack of its own, its table empty (moto copies the whole table on
    every transaction, so a burst of them is fastest on a small one)."""
    with local_stack() as stack:
        yield stack
