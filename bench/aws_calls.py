"""Count the DynamoDB (and SES) calls each API operation makes.

Runs the real Chalice app (chalice.test.Client) on the embedded AWS and
counts calls with botocore's event hooks. Emails are sent later by the
outbox dispatcher (the table stream in AWS), so they are counted apart.

    python bench/aws_calls.py [--stored N]   (N requests already in the table)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

TARGETS = {"quote": 0, "submit": 2, "status": 1, "sign": 2}


class Calls:
    def __init__(self) -> None:
        self.counter: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.counter[model.name] += 1

    def take(self) -> Counter[str]:
        taken, self.counter = self.counter, Counter()
        return taken


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stored", type=int, default=10, help="requests stored beforehand")
    args = parser.parse_args()

    import boto3

    from infra.local.aws import EmbeddedAws
    from infra.local.stack import free_port
    from infra.table import create_table

    server = EmbeddedAws(free_port()).start()
    table = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-west-2",
            "TABLE_NAME": table,
            "SITE_URL": "http://127.0.0.1:8001",
            "STAGE": "test",
        }
    )
    create_table(boto3.client("dynamodb", region_name="us-west-2"), table)
    boto3.client("ses", region_name="us-west-2").verify_email_identity(
        EmailAddress="attendance@alder-creek.example"
    )
    from chalice.test import Client

    from app import app

    logging.getLogger("stis").setLevel(logging.WARNING)  # the figures, not the request logs
    from chalicelib.wiring import dispatcher, service

    class Clock:
        now_value = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)

        def now(self) -> datetime:
            return self.now_value

    service().clock = Clock()
    dispatcher().clock = service().clock
    dynamodb_calls, ses_calls = Calls(), Calls()
    service().store.client.meta.events.register("before-call.dynamodb", dynamodb_calls)  # type: ignore[attr-defined]
    dispatcher().mailer.client.meta.events.register("before-call.sesv2", ses_calls)  # type: ignore[attr-defined]

    with Client(app, stage_name="test") as client:
        headers = {"Content-Type": "application/json"}

        def post(path: str, body: Any, token: str = "") -> Any:
            sent = dict(headers, **({"Authorization": f"Bearer {token}"} if token else {}))
            return client.http.post(path, headers=sent, body=json.dumps(body))

        def submit_body(n: int, first: date, last: date) -> dict[str, Any]:
            return {
                "request_key": str(uuid.UUID(int=n)),
                "language": "en",
                "school_id": "ridgeline-middle",
                "teacher_ids": ["t-whitaker"],
                "student": {
                    "first_name": "Test",
                    "last_name": "Student",
                    "student_id": f"S{n}",
                    "grade": "7",
                },
                "guardian": {"name": "Test Parent", "email": "parent@family.example"},
                "first_day": first.isoformat(),
                "last_day": last.isoformat(),
            }

        for n in range(args.stored):
            post("/stis/requests", submit_body(10_000 + n, date(2027, 1, 4), date(2027, 1, 5)))
        dynamodb_calls.take()

        results: dict[str, Counter[str]] = {}
        post("/stis/quote", {"first_day": "2027-01-04", "last_day": "2027-01-08"})
        results["quote"] = dynamodb_calls.take()
        created = post("/stis/requests", submit_body(1, date(2027, 2, 1), date(2027, 2, 5))).json_body
        results["submit"] = dynamodb_calls.take()
        post("/stis/requests", submit_body(1, date(2027, 2, 1), date(2027, 2, 5)))
        results["submit (replayed)"] = dynamodb_calls.take()
        stored = service().store.get(created["id"])
        dynamodb_calls.take()
        token = service().link_token(stored, "guardian")  # type: ignore[arg-type]
        view = client.http.get(
            f"/stis/requests/{created['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        results["status"] = dynamodb_calls.take()
        post(
            f"/stis/requests/{created['id']}/sign",
            {"name": "Test Parent", "agree": True, "contract_sha256": view.json_body["contract_sha256"]},
            token,
        )
        results["sign"] = dynamodb_calls.take()
        post(
            f"/stis/requests/{created['id']}/decline",
            {"reason": "bench"},
            service().link_token(stored, "principal"),
        )  # type: ignore[arg-type]
        results["decline (gives days back)"] = dynamodb_calls.take()
        ses_calls.take()
        sent = dispatcher().dispatch(created["id"])
        results[f"email dispatch ({sent} emails)"] = dynamodb_calls.take()
        results[f"  SES calls for those {sent} emails"] = ses_calls.take()

    server.stop()
    print(f"AWS calls per operation ({args.stored} requests stored beforehand)")
    print(f"{'operation':36} {'calls':>5}  {'target':>6}  detail")
    for name, counts in results.items():
        total = sum(counts.values())
        target = TARGETS.get(name)
        mark = "" if target is None else (f"<= {target}" + ("" if total <= target else "  MISSED"))
        detail = ", ".join(f"{op} x{k}" for op, k in sorted(counts.items()))
        print(f"{name:36} {total:>5}  {mark:>6}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
