"""The body of ``POST /stis/requests``: one builder for every folder and for bench/.

The defaults are a request the demo district (district.yaml) accepts: Mateo
Quintana, grade 1 at Madrone Elementary with Ms. Serrano, the first school week
of January 2027, asked in Spanish. Each keyword replaces a whole field (a test
that leaves a field out or breaks it builds what it needs from these); the
default student's grade is one the named school has (grade 7 at Ridgeline)."""

from __future__ import annotations

from typing import Any

# A grade each demo school teaches, for the default student.
GRADE_AT = {"madrone-elementary": "1", "ridgeline-middle": "7"}


def submit_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_key": "4b0e7c52-8d7a-4f0e-9d55-1c1b2c3d4e5f",
        "language": "es",
        "school_id": "madrone-elementary",
        "teacher_ids": ["t-serrano"],
        "student": {
            "first_name": "Mateo",
            "last_name": "Quintana",
            "student_id": "900123",
            "grade": GRADE_AT.get(changes.get("school_id", "madrone-elementary"), "1"),
        },
        "guardian": {"name": "Elena Quintana", "email": "elena.quintana@family.example"},
        "first_day": "2027-01-04",
        "last_day": "2027-01-08",
        "reason": "Visita a la familia",
    }
    body.update(changes)
    return body
