"""Inject AWS faults at the SDK boundary: the real adapter receives the same
ClientError that AWS would send, before the request reaches moto."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}


class Fault:
    """While ``active``, calls to ``operation`` fail with ``code``; counts them."""

    def __init__(self, client: Any, operation: str, code: str, status: int) -> None:
        self.client = client
        self.event = f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
        self.code = code
        self.status = status
        self.active = True
        self.injected = 0

    def __call__(self, **_: Any) -> tuple[_Response, dict[str, Any]] | None:
        if not self.active:
            return None
        self.injected += 1
        error = {"Error": {"Code": self.code, "Message": "injected by the test"}}
        return _Response(self.status), {**error, "ResponseMetadata": {"HTTPStatusCode": self.status}}


@contextmanager
def failing(client: Any, operation: str, code: str, status: int = 400) -> Iterator[Fault]:
    fault = Fault(client, operation, code, status)
    client.meta.events.register(fault.event, fault)
    try:
        yield fault
    finally:
        client.meta.events.unregister(fault.event, fault)
