"""The roster in the STIS table (``infra/stack.yaml``), beside the requests.

Items:
  pk=ROSTER#<canonical student id>  sk=ROSTER   one student: names, grade, school ids,
                                                guardians' addresses (lower case)
  pk=ROSTER_INDEX                   sk=<nnnnn>  the student ids of the current roster,
                                                in chunks (``infra/roster/table.py``)

No TTL: the roster lasts until the next import replaces it. A submit reads a
student's item by ``roster_key`` (inside the batch get it already makes). The
import that writes these items (``infra/roster/table.py``) runs with the
operator's credentials, not in the Lambda functions: their roles need no
batch write or query for it.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from ..core.roster import RosterStudent

ROSTER_PREFIX = "ROSTER#"
ROSTER_SK = "ROSTER"
INDEX_PK = "ROSTER_INDEX"
_deserializer = TypeDeserializer()


def roster_key(student_id: str) -> dict[str, Any]:
    """The key of a student's roster item (``student_id`` canonical), for get or batch get."""
    return {"pk": {"S": ROSTER_PREFIX + student_id}, "sk": {"S": ROSTER_SK}}


def student_item(student: RosterStudent) -> dict[str, Any]:
    return {
        **roster_key(student.student_id),
        "student_id": {"S": student.student_id},
        "first_name": {"S": student.first_name},
        "last_name": {"S": student.last_name},
        "grade": {"S": student.grade},
        "school_ids": {"L": [{"S": s} for s in sorted(student.school_ids)]},
        "guardian_emails": {"L": [{"S": e} for e in sorted(student.guardian_emails)]},
    }


def student_from_item(item: dict[str, Any]) -> RosterStudent:
    """The student a roster item holds (the item as the DynamoDB client returns it)."""
    plain = {key: _deserializer.deserialize(value) for key, value in item.items()}
    return RosterStudent(
        student_id=str(plain["student_id"]),
        first_name=str(plain["first_name"]),
        last_name=str(plain["last_name"]),
        grade=str(plain["grade"]),
        school_ids=frozenset(str(s) for s in plain["school_ids"]),
        guardian_emails=frozenset(str(e) for e in plain["guardian_emails"]),
    )
