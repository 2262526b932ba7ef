"""Writing the roster into a stage's table (``python -m infra.roster``), with the
item shape of ``chalicelib.adapters.roster``.

The roster is replaced as a whole: every student of the export is written and
those the previous import listed and this one does not are removed. The list
is the index items (pk=ROSTER_INDEX, sk=<nnnnn>), kept such that a crash at any
point leaves no student the next import cannot find.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.roster import INDEX_PK, roster_key, student_item
from chalicelib.core.roster import RosterStudent

INDEX_CHUNK = 2000  # ids per index item: well under DynamoDB's 400 KB per item
BATCH = 25  # BatchWriteItem's limit


@dataclass(frozen=True)
class RosterWrite:
    """What an import changed in the table."""

    written: int
    removed: int


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batch_write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    """Every request written, 25 at a time, retrying what DynamoDB leaves unprocessed."""
    for batch in _chunks(requests, BATCH):
        pending: dict[str, Any] = {table: list(batch)}
        for attempt in range(10):
            answer = client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))
        else:
            raise RuntimeError("DynamoDB kept refusing part of the roster: try the import again")


def indexed_ids(client: Any, table: str) -> set[str]:
    """The student ids the roster's index lists."""
    ids: set[str] = set()
    arguments: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": INDEX_PK}},
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**arguments)
        for item in page.get("Items", []):
            ids.update(value["S"] for value in item["ids"]["L"])
        if "LastEvaluatedKey" not in page:
            return ids
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _write_index(client: Any, table: str, ids: Iterable[str], previous_chunks: int) -> int:
    ordered = sorted(ids)
    chunks = list(_chunks(ordered, INDEX_CHUNK))
    puts = [
        {
            "PutRequest": {
                "Item": {
                    "pk": {"S": INDEX_PK},
                    "sk": {"S": f"{n:05d}"},
                    "ids": {"L": [{"S": i} for i in chunk]},
                }
            }
        }
        for n, chunk in enumerate(chunks)
    ]
    deletes = [
        {"DeleteRequest": {"Key": {"pk": {"S": INDEX_PK}, "sk": {"S": f"{n:05d}"}}}}
        for n in range(len(chunks), previous_chunks)
    ]
    _batch_write(client, table, puts + deletes)
    return len(chunks)


def put_students(client: Any, table: str, students: Sequence[RosterStudent]) -> RosterWrite:
    """Make ``students`` the roster: write each, remove those no longer in it."""
    new_ids = [s.student_id for s in students]
    if len(set(new_ids)) != len(new_ids):
        raise ValueError("a student id is listed twice")
    old_ids = indexed_ids(client, table)
    old_chunks = -(-len(old_ids) // INDEX_CHUNK)
    # First the index lists both rosters, so a crash below leaves nothing unlisted.
    chunks = _write_index(client, table, old_ids | set(new_ids), old_chunks)
    _batch_write(client, table, [{"PutRequest": {"Item": student_item(s)}} for s in students])
    removed = sorted(old_ids - set(new_ids))
    _batch_write(client, table, [{"DeleteRequest": {"Key": roster_key(i)}} for i in removed])
    _write_index(client, table, new_ids, chunks)
    return RosterWrite(written=len(students), removed=len(removed))
