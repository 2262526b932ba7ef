"""Warm handler time per route, AWS stubbed: the Lambda handler (``app.app``)
is called with API Gateway events thousands of times in one process, each
DynamoDB call answered by botocore's Stubber.

For each route it prints the median and p99 of
  total      the whole call, as Lambda bills it (less the runtime's own overhead)
  AWS        time inside the DynamoDB client (botocore's checks and the Stubber)
  app's own  total minus AWS: Chalice routing, validation, the STIS rules,
             tokens, JSON and the log line
Target: submit under 2 ms median of the app's own time.

    python bench/handlers.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    LambdaContext,
    event,
    machine,
    median,
    percentile,
    school_days_ahead,
    submit_body,
    use_backend,
)

TARGET_SUBMIT_MS = 2.0


class Timed:
    """Wraps the client's ``_make_api_call``: every API method goes through it."""

    def __init__(self, client: Any) -> None:
        self.inner = client._make_api_call
        self.spent = 0
        client._make_api_call = self

    def __call__(self, operation: str, params: dict[str, Any]) -> Any:
        started = time.perf_counter_ns()
        try:
            return self.inner(operation, params)
        finally:
            self.spent += time.perf_counter_ns() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000, help="timed calls per route")
    parser.add_argument("--warmup", type=int, default=200, help="untimed calls per route first")
    args = parser.parse_args()

    first, last = school_days_ahead()
    use_backend()
    from botocore.stub import Stubber

    import app as handler_module
    from chalicelib.adapters.aws import client
    from chalicelib.wiring import records

    # The log line is written as in AWS (formatted JSON), to a sink rather than the terminal.
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger("stis").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)

    dynamodb = client("dynamodb")
    timer = Timed(dynamodb)
    stubber = Stubber(dynamodb)
    stubber.activate()
    lambda_handler = handler_module.app
    context = LambdaContext()

    # One submit, to capture the items a real request stores.
    captured: dict[str, Any] = {}

    def capture(params: dict[str, Any], **_: Any) -> None:
        captured["items"] = params["TransactItems"]

    dynamodb.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", capture)
    stubber.add_response("transact_write_items", {})
    stubber.add_response("get_item", {"Item": {"days_used": {"N": "5"}}})
    body = submit_body(1, first, last)
    created = lambda_handler(event("POST", "/stis/requests", body), context)
    assert created["statusCode"] == 201, created
    dynamodb.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", capture)
    items = captured["items"]
    request_item = items[-1]["Put"]["Item"]
    key_item = items[0]["Put"]["Item"]
    request_id = request_item["pk"]["S"].removeprefix("REQ#")
    stored = records().store.get  # only for the tokens below
    stubber.add_response("get_item", {"Item": request_item})
    stored_request = stored(request_id)
    assert stored_request is not None
    guardian = records().link_token(stored_request, "guardian")
    principal = records().link_token(stored_request, "principal")
    stubber.assert_no_pending_responses()

    with_request = {"Item": request_item}
    cancelled_submit = {
        "CancellationReasons": [{"Code": "ConditionalCheckFailed", "Item": key_item}]
        + [{"Code": "None"}] * (len(items) - 1)
    }
    quote_body = {"first_day": first.isoformat(), "last_day": last.isoformat()}
    _stubbed(stubber, [("get_item", with_request)])
    status_path = f"/stis/requests/{request_id}"
    status_event = event("GET", status_path, token=guardian, **_path("{request_id}", request_id))
    viewed = lambda_handler(status_event, context)
    view_body = json.loads(viewed["body"])
    sign_body = {
        "name": view_body["viewer"]["name"],
        "agree": True,
        "contract_sha256": view_body["contract_sha256"],
    }

    def fresh_submit() -> dict[str, Any]:
        return event("POST", "/stis/requests", dict(body, request_key=str(uuid.uuid4())))

    Route = tuple[str, Callable[[], dict[str, Any]], list[tuple[str, Any]], int]
    routes: list[Route] = [
        ("GET /health", lambda: event("GET", "/health"), [], 200),
        ("GET /schools", lambda: event("GET", "/schools"), [], 200),
        ("POST /stis/quote", lambda: event("POST", "/stis/quote", quote_body), [], 200),
        (
            "POST /stis/requests (submit)",
            fresh_submit,
            [("transact_write_items", {}), ("get_item", {"Item": {"days_used": {"N": "5"}}})],
            201,
        ),
        (
            "POST /stis/requests (replayed)",
            lambda: event("POST", "/stis/requests", body),
            [
                ("!transact_write_items", cancelled_submit),
                (
                    "batch_get_item",
                    {"Responses": {"stis-bench": [request_item, {"pk": {"S": "x"}, "sk": {"S": "TOTAL"}}]}},
                ),
            ],
            200,
        ),
        (
            "GET /stis/requests/{id} (status)",
            lambda: event("GET", status_path, token=guardian, **_path("{request_id}", request_id)),
            [("get_item", with_request)],
            200,
        ),
        (
            "POST .../sign (guardian)",
            lambda: _action("sign", request_id, sign_body, guardian),
            [("get_item", with_request), ("put_item", {})],
            200,
        ),
        (
            "POST .../decline (principal)",
            lambda: _action("decline", request_id, {"reason": "Not this week"}, principal),
            [("get_item", with_request), ("transact_write_items", {})],
            200,
        ),
        (
            "POST .../cancel (guardian)",
            lambda: _action("cancel", request_id, {}, guardian),
            [("get_item", with_request), ("transact_write_items", {})],
            200,
        ),
    ]

    print(f"Warm handler time per route, AWS stubbed ({args.calls} calls each; {machine()})")
    print(f"{'route':34} {'total':>15} {'AWS (stub)':>15} {'app own':>15}")
    print(f"{'':34} {'median   p99':>15} {'median   p99':>15} {'median   p99':>15}  (ms)")
    verdict = ""
    for name, make_event, answers, status in routes:
        totals: list[float] = []
        aws: list[float] = []
        own: list[float] = []
        for n in range(args.warmup + args.calls):
            incoming = make_event()
            _stubbed(stubber, answers)
            spent_before = timer.spent
            started = time.perf_counter_ns()
            response = lambda_handler(incoming, context)
            total = time.perf_counter_ns() - started
            in_aws = timer.spent - spent_before
            if response["statusCode"] != status:
                raise SystemExit(f"{name} answered {response['statusCode']}: {response['body'][:300]}")
            if n >= args.warmup:
                totals.append(total / 1e6)
                aws.append(in_aws / 1e6)
                own.append((total - in_aws) / 1e6)
        stubber.assert_no_pending_responses()
        print(
            f"{name:34} {median(totals):7.3f} {percentile(totals, 0.99):7.3f}"
            f" {median(aws):7.3f} {percentile(aws, 0.99):7.3f}"
            f" {median(own):7.3f} {percentile(own, 0.99):7.3f}"
        )
        if "(submit)" in name:
            met = median(own) < TARGET_SUBMIT_MS
            verdict = (
                f"submit, app's own time: median {median(own):.3f} ms; "
                f"target < {TARGET_SUBMIT_MS} ms: {'met' if met else 'MISSED'}"
            )
    print(verdict)
    return 0


def _path(template: str, request_id: str) -> dict[str, Any]:
    return {"resource": f"/stis/requests/{template}", "path_parameters": {"request_id": request_id}}


def _action(action: str, request_id: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    """The event of ``POST /stis/requests/{id}/<action>`` by the holder of ``token``."""
    resource = _path(f"{{request_id}}/{action}", request_id)
    return event("POST", f"/stis/requests/{request_id}/{action}", body, token=token, **resource)


def _stubbed(stubber: Any, answers: list[tuple[str, Any]]) -> None:
    """Queue one answer per DynamoDB call the next request makes ('!' = an error)."""
    for method, answer in answers:
        if method.startswith("!"):
            stubber.add_client_error(
                method[1:],
                service_error_code="TransactionCanceledException",
                service_message="Transaction cancelled",
                http_status_code=400,
                modeled_fields=copy.deepcopy(answer),
            )
        else:
            stubber.add_response(method, answer)


if __name__ == "__main__":
    sys.exit(main())
