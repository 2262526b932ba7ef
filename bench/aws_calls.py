"""Count the DynamoDB (and SES) calls each operation makes, and check that the
counts do not grow with the number of requests already in the table.

Runs the real Chalice app (chalice.test.Client) on the embedded AWS (moto's
server) and counts calls with botocore's event hooks. The same operations run
twice: with 10 requests stored, then with 10,000. The stored requests are made
by the app's own submit code (so they have the real items: request, key, days,
student total) and written with BatchWriteItem, their emails already sent.
Emails are sent later by the outbox dispatcher (the table stream in AWS), so
they are counted apart.

    python bench/aws_calls.py [--stored 10 10000]
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
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, submit_body

sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

# The most DynamoDB calls each operation should need (0: answered from the configuration).
TARGETS = {
    "quote": 0,
    "submit": 2,
    "status": 1,
    "sign": 2,
    "sign (approval: issues the PDF)": 2,
    "evaluate (closes it)": 2,
}
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
REGION = "us-west-2"
# The Monday after the bench's signed week (1 to 5 February 2027), 8 a.m. in California.
REGISTER_MONDAY = datetime(2027, 2, 8, 16, 0, tzinfo=UTC)
# The Saturday after the evaluated week (8 to 12 February 2027), 10 a.m. in California.
AFTER_EVALUATED_WEEK = datetime(2027, 2, 13, 18, 0, tzinfo=UTC)


class Calls:
    def __init__(self) -> None:
        self.counter: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.counter[model.name] += 1

    def take(self) -> Counter[str]:
        taken, self.counter = self.counter, Counter()
        return taken


class Clock:
    now_value = NOW

    def now(self) -> datetime:
        return self.now_value


class _Recorder:
    """A DynamoDB client that keeps a submit's writes as plain items instead of sending them."""

    class exceptions:  # what the store catches on a real client
        class TransactionCanceledException(Exception):
            pass

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        for operation in TransactItems:
            if "Put" in operation:
                self.items.append(operation["Put"]["Item"])
            else:  # a counter (the open requests): ADD on a new item is a put of it
                update = operation["Update"]
                values = update["ExpressionAttributeValues"]
                self.items.append({**update["Key"], "open": values[":one"], "expires_at": values[":exp"]})
        return {}

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {"Item": {"days_used": {"N": "0"}}}


def stored_items(count: int, first_n: int, table: str) -> list[dict[str, Any]]:
    """The items ``count`` submitted requests leave in the table, emails sent."""
    from chalicelib.adapters.dynamodb import DynamoStore
    from chalicelib.config.loader import district
    from chalicelib.core.request import Guardian, Student
    from chalicelib.service.ports import StudentDays
    from chalicelib.service.records import Records
    from chalicelib.service.submitting import SubmitCommand, Submitting
    from chalicelib.settings import settings

    recorder = _Recorder()
    writer = DynamoStore(recorder, table)

    class EmailsSent:
        """Writes what a submit writes, its emails already sent (checks nothing: a seed)."""

        def student_days(self, student_id: str, school_year: str, today: date) -> StudentDays:
            return StudentDays((), 0)

        def create(self, request: Any, limits: Any) -> None:
            sent = tuple(replace(m, status="sent", sent_at=NOW) for m in request.outbox)
            writer.create(replace(request, outbox=sent), limits)

    seeder = Submitting(Records(district(), EmailsSent(), Clock(), settings().token_secret))  # type: ignore[arg-type]
    firsts = [date(2027, 1, 4), date(2027, 1, 11), date(2027, 2, 1), date(2027, 3, 1)]
    for n in range(first_n, first_n + count):
        first = firsts[n % len(firsts)]
        body = submit_body(n, first, date.fromordinal(first.toordinal() + n % 3))
        seeder.submit(
            SubmitCommand(
                request_key=body["request_key"],
                language="es" if n % 2 else "en",
                school_id=body["school_id"],
                teacher_ids=tuple(body["teacher_ids"]),
                student=Student(**body["student"]),
                guardian=Guardian(**body["guardian"]),
                first_day=first,
                last_day=date.fromordinal(first.toordinal() + n % 3),
                reason="",
                body_sha256=uuid.uuid4().hex * 2,
            )
        )
    return recorder.items


def moto_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def embedded_aws(prefix: str) -> tuple[Any, str]:
    """Start an embedded AWS (moto), point the app at it and create a table like the
    deployed one, without its stream (nothing counted here reads the stream, and
    moto keeps every stream record); returns the server (to stop) and the table's name."""
    import boto3

    from infra.local.aws import EmbeddedAws
    from infra.local.stack import free_port
    from infra.table import create_table

    server = EmbeddedAws(free_port()).start()
    table = f"{prefix}-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "TABLE_NAME": table,
            "SITE_URL": "http://127.0.0.1:8001",
            "STAGE": "test",
        }
    )
    os.environ.pop("AWS_REGION", None)
    create_table(boto3.client("dynamodb", region_name=REGION), table, stream=False)
    boto3.client("ses", region_name=REGION).verify_email_identity(
        EmailAddress="attendance@alder-creek.example"
    )
    return server, table


def cheap_moto_transactions(table_name: str) -> None:
    """moto backs up a whole table with copy.deepcopy for each operation of a
    transaction (for its rollback): minutes per transaction at 10,000 stored
    requests. Here a transaction backs up only the items it names and puts them
    back when it is cancelled: the same all-or-nothing, at a cost that does not
    grow with the table. Only this benchmark's process is changed."""
    backend = moto_backend()
    table = backend.get_table(table_name)
    table.__deepcopy__ = lambda memo: table  # moto's whole-table backup: now a no-op
    keys = [table.hash_key_attr, table.range_key_attr]
    original = backend.transact_write_items

    def transact_write_items(transact_items: list[dict[str, Any]]) -> Any:
        saved = []
        for entry in transact_items:
            operation = next(iter(entry.values()))
            key = operation.get("Key") or {k: operation["Item"][k] for k in keys}
            current = backend.get_item(operation["TableName"], key)
            before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
            saved.append((operation["TableName"], key, before))
        try:
            return original(transact_items)
        except Exception:
            for name, key, before in reversed(saved):
                if before is None:
                    backend.delete_item(name, key)
                else:
                    backend.put_item(name, before)
            raise

    backend.transact_write_items = transact_write_items


def seed(table: str, count: int, first_n: int) -> int:
    """Store ``count`` requests, written straight into moto's table (as BatchWriteItem
    would, without the HTTP round trips)."""
    backend = moto_backend()
    items = stored_items(count, first_n, table)
    for item in items:
        backend.put_item(table, item)
    return len(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--stored", type=int, nargs="+", default=[10, 10_000], help="requests stored beforehand"
    )
    args = parser.parse_args()
    sizes = sorted(args.stored)

    server, table = embedded_aws("bench")
    cheap_moto_transactions(table)
    from chalice.test import Client

    from app import app

    logging.getLogger("stis").setLevel(logging.WARNING)  # the figures, not the request logs
    from chalicelib.wiring import dispatcher, jobs, records, weekly_register

    records().clock = Clock()
    dispatcher().clock = records().clock
    dynamodb_calls, ses_calls = Calls(), Calls()
    records().store.client.meta.events.register("before-call.dynamodb", dynamodb_calls)  # type: ignore[attr-defined]
    dispatcher().mailer.client.meta.events.register("before-call.sesv2", ses_calls)  # type: ignore[attr-defined]

    columns: dict[int, dict[str, Counter[str]]] = {}
    seeded = 0
    with Client(app, stage_name="test") as client:
        headers = {"Content-Type": "application/json"}

        def post(path: str, body: Any, token: str = "") -> Any:
            sent = dict(headers, **({"Authorization": f"Bearer {token}"} if token else {}))
            return client.http.post(path, headers=sent, body=json.dumps(body))

        for size in sizes:
            started = time.perf_counter()
            items = seed(table, size - seeded, 10_000 + seeded)
            took = time.perf_counter() - started
            print(f"  stored {size - seeded} more requests ({items} items) in {took:.0f} s", file=sys.stderr)
            seeded = size
            n = 1_000_000 + size  # a request key and student of its own for each round
            first, last = date(2027, 2, 1), date(2027, 2, 5)
            dynamodb_calls.take()

            results: dict[str, Counter[str]] = {}
            post("/stis/quote", {"first_day": "2027-01-04", "last_day": "2027-01-08"})
            results["quote"] = dynamodb_calls.take()
            created = post("/stis/requests", submit_body(n, first, last)).json_body
            assert "id" in created, created
            results["submit"] = dynamodb_calls.take()
            replayed = post("/stis/requests", submit_body(n, first, last)).json_body
            results["submit (replayed)"] = dynamodb_calls.take()
            assert replayed == created, (replayed, created)  # nothing of the replay was kept
            stored = records().store.get(created["id"])
            assert stored is not None
            dynamodb_calls.take()
            token = records().link_token(stored, "guardian")
            view = client.http.get(
                f"/stis/requests/{created['id']}", headers={"Authorization": f"Bearer {token}"}
            )
            results["status"] = dynamodb_calls.take()
            post(
                f"/stis/requests/{created['id']}/sign",
                {
                    "name": view.json_body["viewer"]["name"],
                    "agree": True,
                    "contract_sha256": view.json_body["contract_sha256"],
                },
                token,
            )
            results["sign"] = dynamodb_calls.take()
            principal = records().link_token(stored, "principal")
            post(f"/stis/requests/{created['id']}/decline", {"reason": "bench"}, principal)
            results["decline (gives days back)"] = dynamodb_calls.take()
            # A second request signed through to the principal, whose signature approves it:
            # the PDF's hash and its lookup item go in the approval's one transaction.
            approving = post("/stis/requests", submit_body(n + 500_000, first, last)).json_body
            held = records().store.get(approving["id"])
            assert held is not None
            school = records().district.school(held.school_id)
            assert school is not None
            for key, name in (
                ("guardian", held.guardian.name),
                *((t, school.teacher_name(t)) for t in held.teacher_ids),
            ):
                party_token = records().link_token(held, key)
                seen = client.http.get(
                    f"/stis/requests/{held.id}", headers={"Authorization": f"Bearer {party_token}"}
                ).json_body
                body = {"name": name, "agree": True, "contract_sha256": seen["contract_sha256"]}
                post(f"/stis/requests/{held.id}/sign", body, party_token)
            principal_token = records().link_token(held, "principal")
            seen = client.http.get(
                f"/stis/requests/{held.id}", headers={"Authorization": f"Bearer {principal_token}"}
            ).json_body
            body = {"name": school.principal.name, "agree": True, "contract_sha256": seen["contract_sha256"]}
            dynamodb_calls.take()
            signed = post(f"/stis/requests/{held.id}/sign", body, principal_token).json_body
            assert signed.get("status") == "approved", signed
            results["sign (approval: issues the PDF)"] = dynamodb_calls.take()
            dispatcher().dispatch(held.id)  # its emails, out of the way of the rows below
            dynamodb_calls.take()
            ses_calls.take()
            sent = dispatcher().dispatch(created["id"])
            results[f"email dispatch, 1 request ({sent} emails)"] = dynamodb_calls.take()
            results["  SES calls for those emails"] = ses_calls.take()
            jobs().end_unsigned()
            results["job: expire or void unsigned (none due)"] = dynamodb_calls.take()
            dispatcher().dispatch_due()
            results["job: retry emails (none due)"] = dynamodb_calls.take()
            # The weekly register of the week just signed for (the contract signed above,
            # then declined, is filed there): each office's, as the Monday after's first run
            # sends it. The marker of the previous round is removed so each round sends.
            for school in records().district.schools:
                key = {"pk": {"S": f"REGISTER#{school.id}#{first.isoformat()}"}, "sk": {"S": "SENT"}}
                moto_backend().delete_item(table, key)
            Clock.now_value = REGISTER_MONDAY
            registers = weekly_register().run()
            Clock.now_value = NOW
            results[f"job: weekly register ({registers} offices)"] = dynamodb_calls.take()
            results["  SES calls for those registers"] = ses_calls.take()
            Clock.now_value = REGISTER_MONDAY + timedelta(days=1)  # a later run that week
            weekly_register().run()
            Clock.now_value = NOW
            results["job: weekly register (already sent)"] = dynamodb_calls.take()
            # After the absence: another request, signed by everyone, goes to evaluation
            # once its last day has ended, and its one teacher records the work (closing it).
            evaluated = post(
                "/stis/requests", submit_body(n + 600_000, date(2027, 2, 8), date(2027, 2, 12))
            ).json_body
            request = records().store.get(evaluated["id"])
            assert request is not None
            for party, name in (
                ("guardian", "Test Parent"),
                ("t-whitaker", "Paul Whitaker"),
                ("principal", "Rafael Ibarra"),
            ):
                party_token = records().link_token(request, party)
                shown = client.http.get(
                    f"/stis/requests/{request.id}", headers={"Authorization": f"Bearer {party_token}"}
                ).json_body
                answer = post(
                    f"/stis/requests/{request.id}/sign",
                    {"name": name, "agree": True, "contract_sha256": shown["contract_sha256"]},
                    party_token,
                )
                assert answer.status_code == 200, answer.json_body
            dispatcher().dispatch(request.id)
            dynamodb_calls.take()
            Clock.now_value = AFTER_EVALUATED_WEEK
            begun = jobs().begin_evaluations()
            results[f"job: begin evaluations ({begun} due)"] = dynamodb_calls.take()
            jobs().begin_evaluations()
            results["job: begin evaluations (none due)"] = dynamodb_calls.take()
            days = [{"date": d, "credited": True} for d in shown["dates"]]
            teacher = records().link_token(request, "t-whitaker")
            record = {
                "name": "Paul Whitaker",
                "agree": True,
                "days": days,
                "student": {"name": "Test Student"},
            }
            answer = post(f"/stis/requests/{request.id}/evaluate", record, teacher)
            assert answer.json_body.get("status") == "closed", answer.json_body
            results["evaluate (closes it)"] = dynamodb_calls.take()
            jobs().remind_evaluators()
            results["job: evaluation reminders (none due)"] = dynamodb_calls.take()
            dispatcher().dispatch(request.id)
            dynamodb_calls.take()
            Clock.now_value = NOW
            columns[size] = results

    server.stop()
    stored_sizes = " and ".join(f"{s:,}" for s in sizes)
    print(f"AWS calls per operation, with {stored_sizes} requests stored ({machine()})")
    heads = "".join(f"{f'@{s:,}':>9}" for s in sizes)
    print(f"{'operation':40}{heads}  {'target':>6}  detail")
    grows = []
    for name, counts in columns[sizes[0]].items():
        totals = [sum(columns[s][name].values()) for s in sizes]
        target = TARGETS.get(name)
        mark = "" if target is None else f"<= {target}" + ("" if max(totals) <= target else " MISSED")
        detail = ", ".join(f"{op} x{k}" for op, k in sorted(counts.items()))
        if len(set(totals)) > 1:
            grows.append(name)
            detail += "   GROWS: " + " / ".join(
                ", ".join(f"{op} x{k}" for op, k in sorted(columns[s][name].items())) for s in sizes
            )
        print(f"{name:40}{''.join(f'{t:>9}' for t in totals)}  {mark:>6}  {detail}")
    if grows:
        print(f"counts grow with the table for: {', '.join(grows)}")
    else:
        print(f"no count grows with the table ({sizes[0]:,} vs {sizes[-1]:,} requests stored)")
    print(
        "not shown: the daily reminder job reads every request still awaiting a signature"
        " (one query page per 1 MB) and writes one per reminder sent: it grows with the"
        " requests waiting, by design, not with the table"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
