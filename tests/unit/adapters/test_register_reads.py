"""The register's batched reads (DynamoStore.get_many): 100 keys a call, and the
keys DynamoDB leaves unprocessed asked again, never dropped."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.dynamodb import DynamoStore
from chalicelib.service.errors import Busy


class BatchClient:
    """Answers BatchGetItem with no items, leaving ``leave`` keys unprocessed ``times`` times."""

    def __init__(self, leave: int = 0, times: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.leave, self.times = leave, times

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        keys = RequestItems["t"]["Keys"]
        assert RequestItems["t"]["ConsistentRead"] is True
        self.calls.append(keys)
        if self.times and self.leave:
            self.times -= 1
            return {"Responses": {"t": []}, "UnprocessedKeys": {"t": {"Keys": keys[: self.leave]}}}
        return {"Responses": {"t": []}}


def test_ids_are_read_a_hundred_at_a_time_each_once() -> None:
    client = BatchClient()
    ids = [f"id-{n}" for n in range(250)] + ["id-3"]
    assert DynamoStore(client, "t").get_many(ids) == []
    assert [len(keys) for keys in client.calls] == [100, 100, 50]
    asked = [k["pk"]["S"] for keys in client.calls for k in keys]
    assert asked == [f"REQ#id-{n}" for n in range(250)]


def test_unprocessed_keys_are_asked_again() -> None:
    client = BatchClient(leave=7, times=2)
    DynamoStore(client, "t").get_many([f"id-{n}" for n in range(20)])
    assert [len(keys) for keys in client.calls] == [20, 7, 7]


def test_keys_left_unprocessed_every_time_answer_busy() -> None:
    with pytest.raises(Busy):
        DynamoStore(BatchClient(leave=1, times=100), "t").get_many(["a", "b"])
