"""AWS faults at the SDK boundary, counted in the reliability figures.

``inject`` answers a call with an AWS error before it reaches moto: the
adapter gets the same ClientError AWS would send (a TransactionCanceledException
carries its CancellationReasons). ``no_answer`` lets the call through and then
raises a read timeout: the write happened, the caller cannot know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ReadTimeoutError

from tests.support import figures


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}


class Injected:
    def __init__(
        self,
        code: str,
        status: int,
        extra: dict[str, Any] | None,
        times: int | None,
        skip: int,
        when: Callable[[dict[str, Any]], bool] | None,
    ) -> None:
        self.code = code
        self.status = status
        self.extra = extra or {}
        self.times = times
        self.skip = skip
        self.when = when
        self.active = True
        self.calls = 0
        self.injected = 0

    def applies(self, params: dict[str, Any]) -> bool:
        if not self.active:
            return False
        if self.when is not None and not self.when(params):
            return False
        self.calls += 1
        if self.calls <= self.skip:
            return False
        if self.times is not None and self.injected >= self.times:
            return False
        self.injected += 1
        figures.add("faults_injected")
        return True

    def before_call(self, params: dict[str, Any], **_: Any) -> tuple[_Response, dict[str, Any]] | None:
        if not self.applies(params):
            return None
        error = {"Error": {"Code": self.code, "Message": "injected by the test"}}
        return _Response(self.status), {
            **error,
            **self.extra,
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }

    def after_call(self, **_: Any) -> None:
        if self.applies({}):
            raise ReadTimeoutError(endpoint_url="http://dynamodb.injected")


@contextmanager
def _on(client: Any, stage: str, operation: str, handler: Callable[..., Any]) -> Iterator[None]:
    """``handler`` hears ``stage`` (before-call, after-call) of ``operation`` while inside."""
    event = f"{stage}.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    client.meta.events.register(event, handler)
    try:
        yield
    finally:
        client.meta.events.unregister(event, handler)


@contextmanager
def inject(
    client: Any,
    operation: str,
    code: str,
    status: int = 400,
    extra: dict[str, Any] | None = None,
    times: int | None = None,
    skip: int = 0,
    when: Callable[[dict[str, Any]], bool] | None = None,
) -> Iterator[Injected]:
    """Calls to ``operation`` fail with ``code`` (after ``skip`` calls, at most ``times``)."""
    fault = Injected(code, status, extra, times, skip, when)
    with _on(client, "before-call", operation, fault.before_call):
        yield fault


@contextmanager
def no_answer(client: Any, operation: str, times: int = 1) -> Iterator[Injected]:
    """The call reaches the store, then its answer is lost (a read timeout)."""
    fault = Injected("ReadTimeout", 0, None, times, 0, None)
    with _on(client, "after-call", operation, fault.after_call):
        yield fault


def cancelled(*codes: str) -> dict[str, Any]:
    """The CancellationReasons of a TransactionCanceledException."""
    return {"CancellationReasons": [{"Code": code, "Message": code} for code in codes]}
