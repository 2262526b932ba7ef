"""The roster's items on moto's DynamoDB (the table made from infra/stack.yaml):
an import writes every student where a submit's batch get finds them, and the
next import replaces the roster, removing whoever left."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.adapters.roster import INDEX_PK, roster_key, student_from_item
from chalicelib.core.roster import RosterStudent, check_on_roster
from infra.roster import table as table_roster
from infra.roster.table import put_students
from infra.table import create_table
from tests.support.aws import REGION


def student(number: int, school: str = "ridgeline-middle", email: str = "") -> RosterStudent:
    return RosterStudent(
        student_id=f"{5550000 + number}",
        first_name=f"Pupil{number}",
        last_name="Fictional",
        grade="7",
        school_ids=frozenset({school}),
        guardian_emails=frozenset({email or f"Guardian{number}@Family.Example"}),
    )


@pytest.fixture
def dynamodb(aws: str, table_name: str) -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    create_table(client, table_name, stream=False)
    return client


def fetch(client: Any, table: str, *ids: str) -> dict[str, RosterStudent]:
    answer = client.batch_get_item(RequestItems={table: {"Keys": [roster_key(i) for i in ids]}})
    return {s.student_id: s for s in map(student_from_item, answer["Responses"][table])}


def test_an_imported_student_is_found_by_the_key_a_submit_uses(dynamodb: Any, table_name: str) -> None:
    students = [student(n) for n in range(30)]  # more than one batch of 25
    assert put_students(dynamodb, table_name, students) == table_roster.RosterWrite(written=30, removed=0)
    found = fetch(dynamodb, table_name, "5550003", "5550029", "9999999")
    assert found == {"5550003": students[3], "5550029": students[29]}
    entry = found["5550003"]
    assert check_on_roster(entry, "ridgeline-middle", "GUARDIAN3@family.example").name == "Pupil3 Fictional"


def test_the_next_import_replaces_the_roster(dynamodb: Any, table_name: str) -> None:
    put_students(dynamodb, table_name, [student(1), student(2), student(3)])
    moved = student(2, school="madrone-elementary", email="new.address@family.example")
    assert put_students(dynamodb, table_name, [moved, student(4)]) == table_roster.RosterWrite(2, 2)
    found = fetch(dynamodb, table_name, "5550001", "5550002", "5550003", "5550004")
    assert sorted(found) == ["5550002", "5550004"]
    assert found["5550002"].school_ids == {"madrone-elementary"}
    assert found["5550002"].guardian_emails == {"new.address@family.example"}
    assert table_roster.indexed_ids(dynamodb, table_name) == {"5550002", "5550004"}


def test_a_smaller_roster_leaves_no_index_chunk_behind(
    dynamodb: Any, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_roster, "INDEX_CHUNK", 4)
    put_students(dynamodb, table_name, [student(n) for n in range(10)])  # three chunks
    put_students(dynamodb, table_name, [student(n) for n in range(5)])  # two
    chunks = dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": INDEX_PK}},
    )["Items"]
    assert [c["sk"]["S"] for c in chunks] == ["00000", "00001"]
    assert table_roster.indexed_ids(dynamodb, table_name) == {f"{5550000 + n}" for n in range(5)}
    assert sorted(fetch(dynamodb, table_name, *(f"{5550000 + n}" for n in range(10)))) == [
        f"{5550000 + n}" for n in range(5)
    ]


def test_a_student_listed_twice_is_refused_before_anything_is_written(dynamodb: Any, table_name: str) -> None:
    with pytest.raises(ValueError, match="twice"):
        put_students(dynamodb, table_name, [student(1), student(1)])
    assert fetch(dynamodb, table_name, "5550001") == {}
