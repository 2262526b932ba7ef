"""What one approved contract costs on AWS, at list prices, beside the price of
one envelope of a commercial e-signature service.

Runs one contract from request to approval through the real app on the
embedded AWS (moto): the parent checks dates and submits, every party opens
the link and signs, the emails go out. Every DynamoDB call is captured and
priced by DynamoDB's own rules (item sizes, strongly consistent reads,
transactions at twice the units, writes to the two secondary indexes); emails
and API requests are counted. Lambda time and CloudFront bytes are assumptions
(stated below; bench/handlers.py and bench/site.py measure their inputs).

    python bench/cost.py

Prices: AWS public list prices for us-west-2 (Oregon), which match us-east-1,
as of 2025, without the free tier. They change; check aws.amazon.com/pricing.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aws_calls import Clock, embedded_aws, moto_backend
from common import ROOT, submit_body

sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

PRICES = {  # USD, us-west-2, on demand, as of 2025
    "lambda_gb_second": 0.0000166667,  # x86, first 6 billion GB-s a month
    "lambda_request": 0.20 / 1e6,
    "api_gateway_request": 3.50 / 1e6,  # REST API, first 333 million a month
    "dynamodb_write_unit": 0.625 / 1e6,  # on-demand, since the 50% cut of November 2024
    "dynamodb_read_unit": 0.125 / 1e6,
    "ses_email": 0.10 / 1000,  # outbound
    "ses_attachment_gb": 0.12,  # data of messages with attachments (the agreement PDF, the .ics)
    "cloudfront_gb": 0.085,  # to the internet, North America, first 10 TB
    "cloudfront_request": 0.0100 / 10_000,  # HTTPS
}
ASSUMPTIONS = {
    "lambda_memory_gb": 1769 / 1024,  # backend/.chalice/config.json: the API at 1,769 MB (1 vCPU)
    # Billed time per invocation: every one a cold start without SnapStart (init is
    # billed for on-demand functions since August 2025): ~1 s of CPU measured on one
    # core by bench/coldstart.py, on the one vCPU of 1,769 MB, plus Lambda's own start
    # and the DynamoDB and SES round trips. A pessimistic bound: warm calls take ~50 ms.
    "lambda_seconds_per_invocation": 1.2,
    "quotes_per_request": 3,  # the form checks the dates as the parent changes them
    "status_views_after": 2,  # the parent comes back to the status page
    # CloudFront: the parent reads 5 pages (the first with an empty cache,
    # ~125 KB as bench/site.py measures it, then ~15 KB each), the teacher and
    # the principal open the signing page once each (~121 KB).
    "site_kb_per_contract": 125 + 4 * 15 + 2 * 121,
    "site_requests_per_contract": 14 + 4 * 3 + 2 * 13,
}
ENVELOPE = (
    "DocuSign eSignature Standard: US$25 per user a month billed annually, with about"
    " 100 envelopes per user a year, so about US$3.00 an envelope (Business Pro:"
    " US$40, about US$4.80); list prices on docusign.com as of 2024"
)
PDF_RENDERS = 1  # the approving signature (the approved emails read the PDF it kept)
INDEXES = (("by_due", "due_pk", "due_sk", "ALL"), ("by_outbox", "outbox_pk", "outbox_sk", "KEYS_ONLY"))


# --- DynamoDB's item size and capacity rules ------------------------------------------


def _value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = len(inner.lstrip("-").replace(".", "").strip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "B":
        return len(inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in inner)
    raise ValueError(kind)


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int) -> int:  # strongly consistent
    return max(1, math.ceil(size / 4096))


def _index_keys(item: dict[str, Any] | None, hash_name: str, range_name: str) -> Any:
    if not item or hash_name not in item or range_name not in item:
        return None
    return (json.dumps(item[hash_name]), json.dumps(item[range_name]))


def _projected(item: dict[str, Any] | None, keys: tuple[str, ...], projection: str) -> int:
    if projection == "ALL":
        return item_size(item)
    return item_size({k: v for k, v in (item or {}).items() if k in ("pk", "sk", *keys)})


def index_writes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
    """Write units the secondary indexes take for one item changing from old to new."""
    units = 0
    for _, hash_name, range_name, projection in INDEXES:
        before = _index_keys(old, hash_name, range_name)
        after = _index_keys(new, hash_name, range_name)
        if before is None and after is None:
            continue
        keys = (hash_name, range_name)
        if before == after:
            if projection == "ALL":
                larger = max(_projected(old, keys, projection), _projected(new, keys, projection))
                units += write_units(larger)
            continue
        if before is not None:
            units += write_units(_projected(old, keys, projection))  # the old entry is deleted
        if after is not None:
            units += write_units(_projected(new, keys, projection))
    return units


class Meter:
    """Prices every DynamoDB call the app makes (botocore's before-parameter-build
    and after-call events: the call's parameters, then its answer)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.reads = 0.0
        self.writes = 0.0
        self.write_calls = 0
        self.calls: Counter[str] = Counter()
        self.largest = 0
        self._pending: list[tuple[dict[str, Any] | None, dict[str, Any], int]] = []

    def _current(self, key: dict[str, Any]) -> dict[str, Any] | None:
        found = moto_backend().get_item(self.table, key)
        return found.to_json()["Attributes"] if found else None

    def before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        self._pending = []
        if name == "PutItem":
            item = params["Item"]
            self._pending.append((self._current({"pk": item["pk"], "sk": item["sk"]}), item, 1))
        elif name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                kind, operation = next(iter(entry.items()))
                key = operation.get("Key") or {k: operation["Item"][k] for k in ("pk", "sk")}
                old = self._current(key)
                if kind == "Put":
                    new: dict[str, Any] = operation["Item"]
                elif kind == "Delete":
                    new = {}
                else:  # Update: ADD days_used; the item keeps its size give or take a digit
                    new = dict(old or {**key, "days_used": {"N": "15"}, "expires_at": {"N": "1" * 10}})
                self._pending.append((old, new, 2))
        if self._pending:
            self.write_calls += 1

    def after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        name = model.name
        if name == "GetItem":
            self.reads += read_units(item_size(parsed.get("Item")))
        elif name == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                self.reads += sum(read_units(item_size(i)) for i in items) or 1
        elif name == "Query":  # a secondary index: eventually consistent, half price
            self.reads += 0.5 * read_units(sum(item_size(i) for i in parsed.get("Items", [])))
        cancelled = "Error" in parsed
        for old, new, factor in self._pending:
            size = max(item_size(old), item_size(new))
            self.largest = max(self.largest, size)
            self.writes += factor * write_units(size)
            if not cancelled:
                self.writes += index_writes(old, new or None)
        self._pending = []


def main() -> int:
    server, table = embedded_aws("cost")
    from chalice.test import Client

    from app import app

    logging.getLogger("stis").setLevel(logging.WARNING)
    from chalicelib.wiring import dispatcher, records

    records().clock = Clock()
    dispatcher().clock = records().clock
    meter = Meter(table)
    events = records().store.client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb", meter.before)
    events.register("after-call.dynamodb", meter.after)
    emails = Counter[str]()
    attached_bytes = 0

    def email_sent(model: Any, params: dict[str, Any], **_: Any) -> None:
        nonlocal attached_bytes
        emails.update([model.name])
        raw = params.get("Content", {}).get("Raw")
        if raw:  # a message with attachments goes as raw MIME; SES bills its size
            attached_bytes += len(raw["Data"])

    dispatcher().mailer.client.meta.events.register(  # type: ignore[attr-defined]
        "before-parameter-build.sesv2", email_sent
    )
    # The agreement PDF is made once per contract, by the API function on the approving
    # signature, which keeps it (and its SHA-256) in the approval's transaction; the
    # stream function reads it back for the approved emails (one GetItem, not counted
    # here, where one process keeps the PDF in memory). The render is timed on its own.
    from chalicelib.documents import agreement_pdf as pdf_module

    render = pdf_module.render_agreement_pdf
    render_seconds: list[float] = []

    def timed_render(*args: Any, **kwargs: Any) -> bytes:
        started = time.process_time()
        made = render(*args, **kwargs)
        render_seconds.append(time.process_time() - started)
        return made

    pdf_module.render_agreement_pdf = timed_render  # type: ignore[assignment]

    api_requests = 0
    dispatches = 0
    with Client(app, stage_name="test") as client:

        def call(method: str, path: str, body: Any = None, token: str = "") -> Any:
            nonlocal api_requests
            api_requests += 1
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            sent = None if body is None else json.dumps(body)
            response = client.http.request(method, path, headers=headers, body=sent or b"")
            assert response.status_code < 300, (path, response.body)
            return response.json_body

        def emails_out() -> None:
            nonlocal dispatches
            dispatches += 1
            dispatcher().dispatch(request_id)

        first, last = date(2027, 2, 1), date(2027, 2, 5)
        call("GET", "/schools")
        for _ in range(ASSUMPTIONS["quotes_per_request"]):
            call("POST", "/stis/quote", {"first_day": first.isoformat(), "last_day": last.isoformat()})
        body = submit_body(7, first, last)
        request_id = call("POST", "/stis/requests", body)["id"]
        emails_out()
        stored = records().store.get(request_id)
        assert stored is not None
        for party in ["guardian", *body["teacher_ids"], "principal"]:
            token = records().link_token(stored, party)
            view = call("GET", f"/stis/requests/{request_id}", token=token)
            typed = view["viewer"]["name"]  # each signer types their own name
            signed = {"name": typed, "agree": True, "contract_sha256": view["contract_sha256"]}
            call("POST", f"/stis/requests/{request_id}/sign", signed, token)
            emails_out()
        token = records().link_token(stored, "guardian")
        for _ in range(ASSUMPTIONS["status_views_after"]):
            assert call("GET", f"/stis/requests/{request_id}", token=token)["status"] == "approved"
    server.stop()

    # Every write reaches the table's stream; the stream invokes the email dispatcher.
    stream_invocations = meter.write_calls
    invocations = api_requests + stream_invocations
    assert render_seconds, "the approval made no agreement PDF"
    pdf_seconds = PDF_RENDERS * max(render_seconds)
    gb_seconds = invocations * ASSUMPTIONS["lambda_memory_gb"] * ASSUMPTIONS["lambda_seconds_per_invocation"]
    pdf_gb_seconds = pdf_seconds * ASSUMPTIONS["lambda_memory_gb"]
    sent = emails["SendEmail"]
    attached_gb = attached_bytes / 1024**3
    kb = ASSUMPTIONS["site_kb_per_contract"]
    lines = [
        (
            "Lambda requests",
            f"{invocations} ({api_requests} API, {stream_invocations} stream)",
            invocations * PRICES["lambda_request"],
        ),
        ("Lambda compute", f"{gb_seconds:.1f} GB-s", gb_seconds * PRICES["lambda_gb_second"]),
        (
            "Lambda, PDF",
            f"{PDF_RENDERS} render, {max(render_seconds) * 1000:.0f} ms CPU: {pdf_gb_seconds:.1f} GB-s",
            pdf_gb_seconds * PRICES["lambda_gb_second"],
        ),
        ("API Gateway (REST)", f"{api_requests} requests", api_requests * PRICES["api_gateway_request"]),
        ("DynamoDB writes", f"{meter.writes:.0f} write units", meter.writes * PRICES["dynamodb_write_unit"]),
        ("DynamoDB reads", f"{meter.reads:.1f} read units", meter.reads * PRICES["dynamodb_read_unit"]),
        ("SES", f"{sent} emails", sent * PRICES["ses_email"]),
        (
            "SES attachments",
            f"{attached_bytes / 1024:.0f} KB of messages with files",
            attached_gb * PRICES["ses_attachment_gb"],
        ),
        (
            "CloudFront",
            f"{kb} KB, {ASSUMPTIONS['site_requests_per_contract']} requests",
            kb / 1024 / 1024 * PRICES["cloudfront_gb"]
            + ASSUMPTIONS["site_requests_per_contract"] * PRICES["cloudfront_request"],
        ),
    ]
    total = sum(cost for _, _, cost in lines)
    print("Cost of one approved contract on AWS, list prices us-west-2 as of 2025, no free tier")
    print(
        f"  flow: 1 school list, {ASSUMPTIONS['quotes_per_request']} quotes, 1 submit; guardian,"
        f" teacher and principal each open and sign; {ASSUMPTIONS['status_views_after']} status"
        f" views after; {dispatches} email dispatches"
    )
    print(
        f"  DynamoDB calls: {', '.join(f'{k} x{v}' for k, v in sorted(meter.calls.items()))};"
        f" the largest item written is {meter.largest / 1024:.1f} KB (the agreement PDF's)"
    )
    for name, quantity, cost in lines:
        print(f"  {name:20} {quantity:34} ${cost:.6f}")
    print(f"  {'total':20} {'':34} ${total:.6f}  (about {total * 100:.2f} US cents)")
    print(
        f"  with every invocation a {ASSUMPTIONS['lambda_seconds_per_invocation']} s cold start at"
        f" {ASSUMPTIONS['lambda_memory_gb'] * 1024:.0f} MB; at 50 ms warm, Lambda compute is"
        f" ${invocations * ASSUMPTIONS['lambda_memory_gb'] * 0.05 * PRICES['lambda_gb_second']:.6f}"
    )
    print(
        f"beside one e-signature envelope: {ENVELOPE}:"
        f" about {3.00 / total:,.0f} times the AWS cost of a contract"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
