"""What the benchmarks share: paths, a deployment-like environment, Lambda
proxy events for the API's routes, and request bodies that pass the rules
(built by tests/support/bodies.py, as the tests build them).

Nothing here imports the app: a benchmark imports it when it means to time it.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the tests' support modules (they import no app code)

from tests.support.bodies import submit_body as _submit_body  # noqa: E402 - after the path is set
from tests.support.figures import machine as _machine  # noqa: E402

REGION = "us-west-2"

# What the Lambda function is given in AWS (see infra/), with throwaway values.
ENV = {
    "STAGE": "prod",  # as deployed: see AWS_STAGES in chalicelib/adapters/aws.py
    "TABLE_NAME": "stis-bench",
    "SITE_URL": "https://attendance.alder-creek.example",
    "SITE_ORIGIN": "https://attendance.alder-creek.example",
    "SENDER_EMAIL": "attendance@alder-creek.example",
    "TOKEN_SECRET": "bench-secret-bench-secret-bench-secret",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    # Never ask an instance metadata service for anything.
    "AWS_EC2_METADATA_DISABLED": "true",
}


def use_backend() -> None:
    """Put backend/ first on sys.path and the bench environment in os.environ."""
    for path in (str(ROOT), str(BACKEND)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.update(ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)


def machine() -> str:
    """The machine a figure was measured on, with its load average."""
    about = _machine()
    load = ""
    with contextlib.suppress(OSError):
        load = " load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{about['cpu']}, {about['cores']} cores, Python {about['python']}, {about['system']};{load}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def event(
    method: str,
    path: str,
    body: Any = None,
    token: str = "",
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event, as Lambda hands it to the app."""
    headers = {
        "accept-language": "en-US,en;q=0.9",
        "user-agent": "Mozilla/5.0 (Linux; Android 14) bench",
        "host": "api.alder-creek.example",
    }
    if body is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.7", "userAgent": headers["user-agent"]},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


class LambdaContext:
    function_name = "stis-portal-test"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    invoked_function_arn = "arn:aws:lambda:us-west-2:000000000000:function:stis-portal-test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def submit_body(n: int, first: date, last: date, student: str | None = None) -> dict[str, Any]:
    """Request ``n`` (its key, student id and family address derived from ``n``), in
    English, for one student of Ridgeline Middle (ids are 6 to 9 digits in the demo
    district; one address may have only a few unconfirmed requests open)."""
    return _submit_body(
        request_key=str(uuid.UUID(int=n)),
        language="en",
        school_id="ridgeline-middle",
        teacher_ids=["t-whitaker"],
        student={
            "first_name": "Test",
            "last_name": "Student",
            "student_id": student or str(700000 + n),
            "grade": "7",
        },
        guardian={"name": "Test Parent", "email": f"parent{n}@family.example"},
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        reason="Family visit",
    )


def school_days_ahead(days: int = 5, weeks: int = 3, today: date | None = None) -> tuple[date, date]:
    """The first ``days`` school days of one school year starting ``weeks``
    from today in the demo district's calendar (so the notice rule is met)."""
    use_backend()
    from chalicelib.config.loader import load

    calendar = load().calendar()
    start = (today or date.today()) + timedelta(weeks=weeks)
    ahead = calendar.next_school_days(start)
    for index, first in enumerate(ahead):
        run = ahead[index : index + days]
        year = calendar.year_of(first)
        if len(run) == days and year is not None and year.contains(run[-1]):
            return first, run[-1]
    raise SystemExit("no run of school days ahead in the demo calendar; extend district.yaml")


def first_requests(first: date, last: date) -> dict[str, tuple[dict[str, Any], list[Any], int]]:
    """A parent's first submit and first status view, as Lambda events, with the
    DynamoDB answers each needs and the status it must get: made by the app itself
    in this process (its submit's items captured, the link token its own), so a
    fresh process can replay them with botocore's Stubber."""
    use_backend()
    import logging

    from botocore.stub import Stubber

    import app as handler_module
    from chalicelib.adapters.aws import client
    from chalicelib.wiring import service

    logging.getLogger("stis").disabled = True  # its request lines, not the bench's output
    dynamodb = client("dynamodb")
    captured: dict[str, Any] = {}

    def capture(params: dict[str, Any], **_: Any) -> None:
        captured["items"] = params["TransactItems"]

    submit_answers: list[Any] = [
        ["transact_write_items", {}],
        ["get_item", {"Item": {"days_used": {"N": "5"}}}],
    ]
    submit = event("POST", "/stis/requests", submit_body(1, first, last))
    with Stubber(dynamodb) as stubber:
        for operation, answer in submit_answers:
            stubber.add_response(operation, answer)
        dynamodb.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", capture)
        created = handler_module.app(submit, LambdaContext())
        dynamodb.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", capture)
        assert created["statusCode"] == 201, created
        item = captured["items"][-1]["Put"]["Item"]
        request_id = item["pk"]["S"].removeprefix("REQ#")
        stubber.add_response("get_item", {"Item": item})
        stored = service().store.get(request_id)
        assert stored is not None
        token = service().link_token(stored, "guardian")
    status = event(
        "GET",
        f"/stis/requests/{request_id}",
        token=token,
        resource="/stis/requests/{request_id}",
        path_parameters={"request_id": request_id},
    )
    return {
        "submit": (submit, submit_answers, 201),
        "status": (status, [["get_item", {"Item": item}]], 200),
    }
