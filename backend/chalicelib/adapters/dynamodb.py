"""The ``Store`` on one DynamoDB table (defined in infra/stack.yaml).

Items:
  pk=REQ#<id>              sk=REQ            the request: contract, signatures, links (hashes),
                                             audit trail and email outbox; ``version`` guards writes
  pk=KEY#<request_key>     sk=KEY            request_key -> request id, body hash
  pk=STU#<student>#<year>  sk=TOTAL          ``days_used``: school days held by confirmed contracts
  pk=STU#<student>#<year>  sk=DAY#<date>     one school day held by a confirmed contract
  pk=STU#<student>#<year>  sk=REFUSED#<date> ``refused``: requests refused that (local) day
  pk=OPEN#S#<student>      sk=OPEN           ``open``: the student's unconfirmed requests
  pk=OPEN#G#<sha256(addr)> sk=OPEN           ``open``: one guardian address's unconfirmed requests
  pk=REGISTER#<school>#<monday> sk=REQ#<id>  a contract holding days that school week (the
                                             office's weekly register reads the partition)
  pk=REGISTER#<school>#<monday> sk=SENT      ``status`` sending (until ``until``) or sent
  pk=AGREEMENT#<sha256>    sk=AGREEMENT      an issued agreement PDF's hash -> request id (verify)
                                             and the PDF itself (``pdf``, binary, ~40 KB),
                                             written in the approval's transaction
Sparse global secondary indexes (only items with work to do carry their keys):
  by_due     due_pk="AWAITING"   due_sk="<due_at, UTC>#<id>"                (projection ALL)
             due_pk="EVALUATION" due_sk="<last_day_ends_at_least, UTC>#<id>" (approved and
                                 awaiting_evaluation: the scheduled work after the absence)
  by_outbox  outbox_pk="PENDING" outbox_sk="<next email attempt, UTC>#<id>" (keys only)

A submit reads the student's partition (one Query: held days, today's
refusals), then writes one transaction: the request_key must be new, both
open counters must stay under their limits, and the request is written. It
holds no days. The guardian's signature claims them: one transaction, on the
request's version, in which the total plus this contract must stay within the
cap and every school day must be free; so two confirmations for one student
arriving together can never pass the cap or overlap. Giving days back, and
closing an unconfirmed request, are transactions on the version too, so each
happens exactly once. An early end (``SHORTEN``) gives back the released days
and moves the kept days' last day in the same transaction.
The claim also files the request under each school week
it touches (REGISTER#...), so the weekly register is one Query per school and
one BatchGetItem per 100 requests, never a scan.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError

from ..core.contract import Days, State
from ..core.errors import CapExceeded, Overlap
from ..core.register import weeks_of
from ..core.request import StoredRequest
from ..core.roster import RosterStudent
from ..core.rules import HeldDays
from ..service.errors import (
    OPEN_RETRY_AFTER,
    Busy,
    DuplicateRequestKey,
    StaleWrite,
    TooManyRequests,
    Unavailable,
)
from ..service.ports import OpenLimits, RegisterWeek, StudentDays
from .codec import from_dict, to_dict
from .roster import roster_key, student_from_item

BATCH_GET_MAX = 100  # keys per BatchGetItem
REGISTER_KEPT = timedelta(days=400)  # a sent marker outlives the school year it belongs to

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

BUSY_CODES = {
    "TransactionConflict",
    "TransactionConflictException",
    "TransactionInProgressException",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


# boto3's TypeSerializer and TypeDeserializer, for the types a record holds,
# without their generic type tests (a third of a submit's own time went there).
# The output is the same; other types (sets, bytes, Decimal, huge numbers) go to
# boto3's own.
_EXACT_INT = 10**38  # DynamoDB numbers keep 38 digits


def _attr(value: Any) -> dict[str, Any]:
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is dict:
        return {"M": {k: _attr(v) for k, v in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [_attr(v) for v in value]}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_EXACT_INT < value < _EXACT_INT:
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    result: Any = _serializer.serialize(value)
    return dict(result)


def _value(attr: dict[str, Any]) -> Any:
    for kind, value in attr.items():  # the first key, as TypeDeserializer reads it
        if kind == "S" or kind == "BOOL":
            return value
        if kind == "M":
            return {k: _value(v) for k, v in value.items()}
        if kind == "L":
            return [_value(v) for v in value]
        if kind == "NULL":
            return None
        break
    plain: Any = attr
    return _deserializer.deserialize(plain)


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


def _code(error: Exception) -> str:
    response = getattr(error, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _raise_if_busy(error: Exception) -> None:
    """DynamoDB's "not now" (throttled, in conflict) as ``Busy``; no answer in
    time, after the SDK's own retries, as ``Unavailable``."""
    if isinstance(error, BotoConnectionError | HTTPClientError):
        raise Unavailable() from None
    if _code(error) in BUSY_CODES:
        raise Busy() from None


@contextmanager
def _answered() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        _raise_if_busy(error)
        raise


class DynamoStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    # --- keys -----------------------------------------------------------------

    @staticmethod
    def request_key(request_id: str) -> dict[str, Any]:
        return {"pk": _s(f"REQ#{request_id}"), "sk": _s("REQ")}

    @staticmethod
    def student_partition(student_id: str, school_year: str) -> str:
        return f"STU#{student_id}#{school_year}"

    def _request_item(self, request: StoredRequest) -> dict[str, Any]:
        item: dict[str, Any] = {k: _attr(v) for k, v in to_dict(request).items()}
        item.update(self.request_key(request.id))
        if request.state.is_awaiting:
            item["due_pk"] = _s("AWAITING")
            item["due_sk"] = _s(f"{_utc(request.due_at)}#{request.id}")
        elif request.state in (State.APPROVED, State.AWAITING_EVALUATION):
            item["due_pk"] = _s("EVALUATION")
            item["due_sk"] = _s(f"{_utc(request.last_day_ends_at_least)}#{request.id}")
        next_attempt = request.next_attempt()
        if next_attempt is not None:
            item["outbox_pk"] = _s("PENDING")
            item["outbox_sk"] = _s(f"{_utc(next_attempt)}#{request.id}")
        return item

    # --- Store ------------------------------------------------------------------

    @staticmethod
    def open_keys(request: StoredRequest) -> list[dict[str, Any]]:
        """The open-request counters of the request's student and guardian address."""
        address = hashlib.sha256(request.guardian.email.strip().lower().encode()).hexdigest()
        return [
            {"pk": _s(f"OPEN#S#{request.student.student_id}"), "sk": _s("OPEN")},
            {"pk": _s(f"OPEN#G#{address}"), "sk": _s("OPEN")},
        ]

    def student_days(self, student_id: str, school_year: str, today: date) -> StudentDays:
        partition = self.student_partition(student_id, school_year)
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": _s(partition)},
            "ConsistentRead": True,
        }
        days: dict[str, list[dict[str, Any]]] = {}
        refused = 0
        for item in self._pages(arguments):
            sort = item["sk"]["S"]
            if sort.startswith("DAY#"):
                days.setdefault(item["request_id"]["S"], []).append(item)
            elif sort == f"REFUSED#{today.isoformat()}":
                refused = int(item.get("refused", {}).get("N", "0"))
        held = tuple(
            HeldDays(
                request_id,
                school_year,
                date.fromisoformat(items[0]["first_day"]["S"]),
                date.fromisoformat(items[0]["last_day"]["S"]),
                len(items),
            )
            for request_id, items in sorted(days.items())
        )
        return StudentDays(held, refused)

    def note_refused(self, student_id: str, school_year: str, today: date) -> None:
        key = {"pk": _s(self.student_partition(student_id, school_year)), "sk": _s(f"REFUSED#{today}")}
        expires = datetime.combine(today, datetime.min.time(), UTC) + timedelta(days=3)
        with _answered():
            self.client.update_item(
                TableName=self.table,
                Key=key,
                UpdateExpression="ADD refused :one SET expires_at = :exp",
                ExpressionAttributeValues={":one": _n(1), ":exp": _n(int(expires.timestamp()))},
            )

    def create(self, request: StoredRequest, limits: OpenLimits) -> None:
        expires = _n(request.expires_at)
        # A counter lives a little past the request it counts, in case it is never closed.
        counter_expires = _n(int((request.confirm_by + timedelta(days=2)).timestamp()))
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        "pk": _s(f"KEY#{request.request_key}"),
                        "sk": _s("KEY"),
                        "request_id": _s(request.id),
                        "body_sha256": _s(request.body_sha256),
                        "expires_at": expires,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            *(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": key,
                        "UpdateExpression": "ADD #open :one SET expires_at = :exp",
                        "ConditionExpression": "attribute_not_exists(#open) OR #open < :limit",
                        "ExpressionAttributeNames": {"#open": "open"},
                        "ExpressionAttributeValues": {
                            ":one": _n(1),
                            ":limit": _n(limit),
                            ":exp": counter_expires,
                        },
                    }
                }
                for key, limit in zip(
                    self.open_keys(request), (limits.per_student, limits.per_guardian), strict=True
                )
            ),
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._request_item(request),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = getattr(error, "response", {}).get("CancellationReasons", [])
            codes = [r.get("Code", "None") for r in reasons]
            if codes and codes[0] == "ConditionalCheckFailed":
                old = _plain(reasons[0].get("Item", {}))
                raise DuplicateRequestKey(
                    str(old.get("request_id", "")), str(old.get("body_sha256", ""))
                ) from None
            if len(codes) > 2 and "ConditionalCheckFailed" in codes[1:3]:
                limit = "open_per_student" if codes[1] == "ConditionalCheckFailed" else "open_per_guardian"
                raise TooManyRequests(limit, OPEN_RETRY_AFTER) from None
            raise Busy() from None
        except Exception as error:
            _raise_if_busy(error)
            raise

    def days_used(self, student_id: str, school_year: str) -> int:
        key = {"pk": _s(self.student_partition(student_id, school_year)), "sk": _s("TOTAL")}
        with _answered():
            response = self.client.get_item(
                TableName=self.table, Key=key, ConsistentRead=True, ProjectionExpression="days_used"
            )
        return int(response.get("Item", {}).get("days_used", {}).get("N", "0"))

    def get(self, request_id: str) -> StoredRequest | None:
        with _answered():
            response = self.client.get_item(
                TableName=self.table, Key=self.request_key(request_id), ConsistentRead=True
            )
        item = response.get("Item")
        return from_dict(_plain(item)) if item else None

    def find_agreement(self, sha256: str) -> StoredRequest | None:
        with _answered():
            response = self.client.get_item(
                TableName=self.table, Key=self.agreement_key(sha256), ConsistentRead=True
            )
        item = response.get("Item")
        return self.get(item["request_id"]["S"]) if item else None

    def issued_pdf(self, sha256: str) -> bytes | None:
        with _answered():
            response = self.client.get_item(
                TableName=self.table,
                Key=self.agreement_key(sha256),
                ProjectionExpression="pdf",
                ConsistentRead=True,
            )
        pdf = response.get("Item", {}).get("pdf")
        return bytes(pdf["B"]) if pdf else None

    def roster_student(self, student_id: str) -> RosterStudent | None:
        with _answered():
            response = self.client.get_item(
                TableName=self.table, Key=roster_key(student_id), ConsistentRead=True
            )
        item = response.get("Item")
        return student_from_item(item) if item else None

    def get_with_days_used(
        self, request_id: str, student_id: str, school_year: str
    ) -> tuple[StoredRequest | None, int]:
        total_key = {"pk": _s(self.student_partition(student_id, school_year)), "sk": _s("TOTAL")}
        with _answered():
            response = self.client.batch_get_item(
                RequestItems={
                    self.table: {
                        "Keys": [self.request_key(request_id), total_key],
                        "ConsistentRead": True,
                    }
                }
            )
        request, used = None, 0
        for item in response.get("Responses", {}).get(self.table, []):
            if item["sk"]["S"] == "REQ":
                request = from_dict(_plain(item))
            else:
                used = int(item.get("days_used", {}).get("N", "0"))
        return request, used

    @staticmethod
    def agreement_key(sha256: str) -> dict[str, Any]:
        return {"pk": _s(f"AGREEMENT#{sha256}"), "sk": _s("AGREEMENT")}

    def update(
        self,
        request: StoredRequest,
        days: Days = Days.KEEP,
        cap: int = 0,
        released: tuple[date, ...] = (),
        issued: bytes = b"",
    ) -> StoredRequest:
        stored = replace(request, version=request.version + 1)
        put = {
            "TableName": self.table,
            "Item": self._request_item(stored),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": _n(request.version)},
        }
        # After the request's own Put and the days' writes, so a cancelled transaction's
        # reasons keep their places (_explain_cancelled_update).
        lookup = []
        if issued:
            item = {
                **self.agreement_key(request.agreement_sha256),
                "request_id": _s(request.id),
                "pdf": {"B": issued},
                "expires_at": _n(request.expires_at),
            }
            lookup = [{"Put": {"TableName": self.table, "Item": item}}]
        try:
            if days is Days.KEEP and not lookup:
                self.client.put_item(**put)
            else:
                others = [] if days is Days.KEEP else self._days_items(stored, days, cap, released)
                self.client.transact_write_items(TransactItems=[{"Put": put}, *others, *lookup])
        except self.client.exceptions.ConditionalCheckFailedException:
            raise StaleWrite() from None
        except self.client.exceptions.TransactionCanceledException as error:
            self._explain_cancelled_update(error, stored, cap)
        except Exception as error:
            _raise_if_busy(error)
            raise
        return stored

    def _explain_cancelled_update(self, error: Exception, request: StoredRequest, cap: int) -> None:
        reasons = getattr(error, "response", {}).get("CancellationReasons", [])
        codes = [r.get("Code", "None") for r in reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            raise StaleWrite() from None
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            used = int(_plain(reasons[1].get("Item", {})).get("days_used", 0))
            raise CapExceeded(used, request.school_days, cap) from None
        if "ConditionalCheckFailed" in codes[2:]:
            raise Overlap() from None
        raise Busy() from None

    def _days_items(
        self, request: StoredRequest, days: Days, cap: int, released: tuple[date, ...] = ()
    ) -> list[dict[str, Any]]:
        """The writes beside the request's own that ``days`` asks for."""
        partition = self.student_partition(request.student.student_id, request.school_year)
        total = {"pk": _s(partition), "sk": _s("TOTAL")}
        closing = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": key,
                    "UpdateExpression": "ADD #open :minus",
                    "ExpressionAttributeNames": {"#open": "open"},
                    "ExpressionAttributeValues": {":minus": _n(-1)},
                }
            }
            for key in self.open_keys(request)
        ]
        if days is Days.CLOSE:
            return closing
        if days is Days.SHORTEN:
            return self._shorten_items(request, partition, total, released)
        count = request.school_days
        if days is Days.CLAIM:
            expires = _n(request.expires_at)
            claim: dict[str, Any] = {
                "Update": {
                    "TableName": self.table,
                    "Key": total,
                    "UpdateExpression": "ADD days_used :n SET expires_at = :exp",
                    "ConditionExpression": "attribute_not_exists(days_used) OR days_used <= :limit",
                    "ExpressionAttributeValues": {
                        ":n": _n(count),
                        ":limit": _n(cap - count),
                        ":exp": expires,
                    },
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            day_items = [
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            "pk": _s(partition),
                            "sk": _s(f"DAY#{day.isoformat()}"),
                            "request_id": _s(request.id),
                            "first_day": _s(request.first_day.isoformat()),
                            "last_day": _s(request.last_day.isoformat()),
                            "expires_at": expires,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for day in request.dates
            ]
            filed = [
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            "pk": _s(self.register_partition(request.school_id, monday)),
                            "sk": _s(f"REQ#{request.id}"),
                            "expires_at": expires,
                        },
                    }
                }
                for monday in weeks_of(request.dates)
            ]
            return [claim, *day_items, *closing, *filed]
        release: dict[str, Any] = {
            "Update": {
                "TableName": self.table,
                "Key": total,
                "UpdateExpression": "ADD days_used :minus",
                "ConditionExpression": "days_used >= :n",
                "ExpressionAttributeValues": {":minus": _n(-count), ":n": _n(count)},
            }
        }
        day_deletes = [
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": {"pk": _s(partition), "sk": _s(f"DAY#{day.isoformat()}")},
                    "ConditionExpression": "request_id = :id",
                    "ExpressionAttributeValues": {":id": _s(request.id)},
                }
            }
            for day in request.dates
        ]
        return [release, *day_deletes]

    def _shorten_items(
        self, request: StoredRequest, partition: str, total: dict[str, Any], released: tuple[date, ...]
    ) -> list[dict[str, Any]]:
        """An early end: the released days go back, the kept ones get the new last day."""
        same_request = {":id": _s(request.id)}
        give_back: dict[str, Any] = {
            "Update": {
                "TableName": self.table,
                "Key": total,
                "UpdateExpression": "ADD days_used :minus",
                "ConditionExpression": "days_used >= :n",
                "ExpressionAttributeValues": {":minus": _n(-len(released)), ":n": _n(len(released))},
            }
        }
        deletes = [
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": {"pk": _s(partition), "sk": _s(f"DAY#{day.isoformat()}")},
                    "ConditionExpression": "request_id = :id",
                    "ExpressionAttributeValues": same_request,
                }
            }
            for day in released
        ]
        kept = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": _s(partition), "sk": _s(f"DAY#{day.isoformat()}")},
                    "UpdateExpression": "SET last_day = :last",
                    "ConditionExpression": "request_id = :id",
                    "ExpressionAttributeValues": {
                        **same_request,
                        ":last": _s(request.last_day.isoformat()),
                    },
                }
            }
            for day in request.dates
        ]
        return [give_back, *deletes, *kept]

    def evaluating(self, due_before: datetime) -> Iterator[StoredRequest]:
        for item in self._query("by_due", "due_pk", "EVALUATION", "due_sk", f"{_utc(due_before)}~"):
            yield from_dict(_plain(item))

    # --- the office's weekly register -----------------------------------------------

    @staticmethod
    def register_partition(school_id: str, monday: date) -> str:
        return f"REGISTER#{school_id}#{monday.isoformat()}"

    def register_week(self, school_id: str, monday: date) -> RegisterWeek:
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": _s(self.register_partition(school_id, monday))},
            "ConsistentRead": True,
        }
        ids: list[str] = []
        sent = False
        for item in self._pages(arguments):
            sort = item["sk"]["S"]
            if sort.startswith("REQ#"):
                ids.append(sort.removeprefix("REQ#"))
            elif sort == "SENT":
                sent = item.get("status", {}).get("S") == "sent"
        return RegisterWeek(tuple(ids), sent)

    def get_many(self, request_ids: Sequence[str]) -> list[StoredRequest]:
        wanted = list(dict.fromkeys(request_ids))
        found: list[StoredRequest] = []
        for start in range(0, len(wanted), BATCH_GET_MAX):
            pending: dict[str, Any] = {
                self.table: {
                    "Keys": [self.request_key(i) for i in wanted[start : start + BATCH_GET_MAX]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(6):
                with _answered():
                    response = self.client.batch_get_item(RequestItems=pending)
                found.extend(from_dict(_plain(i)) for i in response.get("Responses", {}).get(self.table, []))
                left = (response.get("UnprocessedKeys") or {}).get(self.table, {}).get("Keys", [])
                if not left:
                    break
                pending = {self.table: {"Keys": left, "ConsistentRead": True}}
                time.sleep(0.05 * 2**attempt)  # DynamoDB asks to back off before the rest
            else:
                raise Busy()
        return found

    def claim_register(self, school_id: str, monday: date, now: datetime, hold: timedelta) -> bool:
        item = {
            "pk": _s(self.register_partition(school_id, monday)),
            "sk": _s("SENT"),
            "status": _s("sending"),
            "until": _n(int((now + hold).timestamp())),
            "expires_at": _n(int((now + REGISTER_KEPT).timestamp())),
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR (#status = :sending AND #until < :now)",
                ExpressionAttributeNames={"#status": "status", "#until": "until"},
                ExpressionAttributeValues={":sending": _s("sending"), ":now": _n(int(now.timestamp()))},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        except Exception as error:
            _raise_if_busy(error)
            raise
        return True

    def finish_register(self, school_id: str, monday: date, sent: bool) -> None:
        key = {"pk": _s(self.register_partition(school_id, monday)), "sk": _s("SENT")}
        with _answered():
            if sent:
                self.client.update_item(
                    TableName=self.table,
                    Key=key,
                    UpdateExpression="SET #status = :sent REMOVE #until",
                    ExpressionAttributeNames={"#status": "status", "#until": "until"},
                    ExpressionAttributeValues={":sent": _s("sent")},
                )
            else:
                self.client.delete_item(TableName=self.table, Key=key)

    def awaiting(self, due_before: datetime) -> Iterator[StoredRequest]:
        for item in self._query("by_due", "due_pk", "AWAITING", "due_sk", f"{_utc(due_before)}~"):
            yield from_dict(_plain(item))

    def outbox_due(self, now: datetime) -> Iterator[str]:
        for item in self._query("by_outbox", "outbox_pk", "PENDING", "outbox_sk", f"{_utc(now)}~"):
            yield item["pk"]["S"].removeprefix("REQ#")

    def _query(
        self, index: str, hash_name: str, hash_value: str, range_name: str, below: str
    ) -> Iterator[dict[str, Any]]:
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{hash_name} = :h AND {range_name} < :below",
            "ExpressionAttributeValues": {":h": _s(hash_value), ":below": _s(below)},
        }
        yield from self._pages(arguments)

    def _pages(self, arguments: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a Query, page after page."""
        while True:
            with _answered():
                response = self.client.query(**arguments)
            yield from response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            arguments = {**arguments, "ExclusiveStartKey": last}


def requests_with_mail_due(new_images: Iterable[dict[str, Any]]) -> list[str]:
    """The ids of the requests whose stream records (new images) show an email
    owed, each once, in a stable order."""
    ids = {
        image["pk"]["S"].removeprefix("REQ#")
        for image in new_images
        if "outbox_pk" in image and image.get("sk", {}).get("S") == "REQ"
    }
    return sorted(ids)
