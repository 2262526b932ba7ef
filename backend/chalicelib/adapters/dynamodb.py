"""The ``Store`` on one DynamoDB table (defined in infra/stack.yaml).

Items:
  pk=REQ#<id>              sk=REQ         the request: contract, signatures, links (hashes),
                                          audit trail and email outbox; ``version`` guards writes
  pk=KEY#<request_key>     sk=KEY         request_key -> request id, body hash, student partition
  pk=STU#<student>#<year>  sk=TOTAL       ``days_used``: school days held by active contracts
  pk=STU#<student>#<year>  sk=DAY#<date>  one school day held by an active contract
Sparse global secondary indexes (only items with work to do carry their keys):
  by_due     due_pk="AWAITING"   due_sk="<first day starts, UTC>#<id>"     (projection ALL)
  by_outbox  outbox_pk="PENDING" outbox_sk="<next email attempt, UTC>#<id>" (keys only)

Submitting is one transaction: the request_key must be new, the total plus
this request must stay within the cap, every school day must be free, and the
request is written; so two requests for one student arriving together can
never pass the cap or overlap. Giving days back is one transaction too,
conditional on the request's version, so it happens exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError

from ..core.errors import CapExceeded, Overlap
from ..core.request import StoredRequest
from ..service.errors import Busy, DuplicateRequestKey, StaleWrite, Unavailable
from .codec import from_dict, to_dict

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
            item["due_sk"] = _s(f"{_utc(request.first_day_starts)}#{request.id}")
        next_attempt = request.next_attempt()
        if next_attempt is not None:
            item["outbox_pk"] = _s("PENDING")
            item["outbox_sk"] = _s(f"{_utc(next_attempt)}#{request.id}")
        return item

    # --- Store ------------------------------------------------------------------

    def create(self, request: StoredRequest, cap: int) -> int:
        days = request.school_days
        partition = self.student_partition(request.student.student_id, request.school_year)
        expires = _n(request.expires_at)
        old = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
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
                    **old,
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": _s(partition), "sk": _s("TOTAL")},
                    "UpdateExpression": "ADD days_used :n SET expires_at = :exp",
                    "ConditionExpression": "attribute_not_exists(days_used) OR days_used <= :limit",
                    "ExpressionAttributeValues": {
                        ":n": _n(days),
                        ":limit": _n(cap - days),
                        ":exp": expires,
                    },
                    **old,
                }
            },
        ]
        for day in request.dates:
            items.append(
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
                        **old,
                    }
                }
            )
        items.append(
            {
                "Put": {
                    "TableName": self.table,
                    "Item": self._request_item(request),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as error:
            self._explain_cancelled_submit(error, days, cap)
        except Exception as error:
            _raise_if_busy(error)
            raise
        return self.days_used(request.student.student_id, request.school_year)

    def _explain_cancelled_submit(self, error: Exception, days: int, cap: int) -> None:
        reasons = getattr(error, "response", {}).get("CancellationReasons", [])
        codes = [r.get("Code", "None") for r in reasons]
        if reasons and codes[0] == "ConditionalCheckFailed":
            old = _plain(reasons[0].get("Item", {}))
            raise DuplicateRequestKey(
                str(old.get("request_id", "")), str(old.get("body_sha256", ""))
            ) from None
        if len(reasons) > 1 and codes[1] == "ConditionalCheckFailed":
            used = int(_plain(reasons[1].get("Item", {})).get("days_used", 0))
            raise CapExceeded(used, days, cap) from None
        for reason in reasons[2:-1]:
            if reason.get("Code") == "ConditionalCheckFailed":
                other = _plain(reason.get("Item", {}))
                raise Overlap(
                    date.fromisoformat(str(other["first_day"])),
                    date.fromisoformat(str(other["last_day"])),
                ) from None
        raise Busy() from None

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

    def update(self, request: StoredRequest, release_days: bool = False) -> StoredRequest:
        stored = replace(request, version=request.version + 1)
        put = {
            "TableName": self.table,
            "Item": self._request_item(stored),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": _n(request.version)},
        }
        try:
            if release_days:
                self.client.transact_write_items(TransactItems=self._release(stored, put))
            else:
                self.client.put_item(**put)
        except self.client.exceptions.ConditionalCheckFailedException:
            raise StaleWrite() from None
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = getattr(error, "response", {}).get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise StaleWrite() from None
            raise Busy() from None
        except Exception as error:
            _raise_if_busy(error)
            raise
        return stored

    def _release(self, request: StoredRequest, put: dict[str, Any]) -> list[dict[str, Any]]:
        partition = self.student_partition(request.student.student_id, request.school_year)
        items: list[dict[str, Any]] = [
            {"Put": put},
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": _s(partition), "sk": _s("TOTAL")},
                    "UpdateExpression": "ADD days_used :minus",
                    "ConditionExpression": "days_used >= :n",
                    "ExpressionAttributeValues": {
                        ":minus": _n(-request.school_days),
                        ":n": _n(request.school_days),
                    },
                }
            },
        ]
        for day in request.dates:
            items.append(
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": {"pk": _s(partition), "sk": _s(f"DAY#{day.isoformat()}")},
                        "ConditionExpression": "request_id = :id",
                        "ExpressionAttributeValues": {":id": _s(request.id)},
                    }
                }
            )
        return items

    def awaiting(self, starting_before: datetime) -> Iterator[StoredRequest]:
        for item in self._query("by_due", "due_pk", "AWAITING", "due_sk", f"{_utc(starting_before)}~"):
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
        while True:
            with _answered():
                response = self.client.query(**arguments)
            yield from response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            arguments["ExclusiveStartKey"] = last


def requests_with_mail_due(new_images: Iterable[dict[str, Any]]) -> list[str]:
    """The ids of the requests whose stream records (new images) show an email
    owed, each once, in a stable order."""
    ids = {
        image["pk"]["S"].removeprefix("REQ#")
        for image in new_images
        if "outbox_pk" in image and image.get("sk", {}).get("S") == "REQ"
    }
    return sorted(ids)
