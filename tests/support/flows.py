"""Requests and signatures on the local stack, as the site and the emails drive them."""

from __future__ import annotations

import uuid
from datetime import date
from functools import cache
from typing import Any

from chalicelib.config.loader import load
from tests.support.bodies import submit_body
from tests.support.live_stack import Answer, Call, LiveStack, student_number, unique

MADRONE = {
    "school_id": "madrone-elementary",
    "teacher_ids": ["t-serrano"],
    "teacher_emails": ["l.serrano@madrone.alder-creek.example"],
    "principal": "principal@madrone.alder-creek.example",
    "office": "office@madrone.alder-creek.example",
    "grade": "1",
}
RIDGELINE = {
    "school_id": "ridgeline-middle",
    "teacher_ids": ["t-castellanos", "t-rojas"],
    "teacher_emails": [
        "i.castellanos@ridgeline.alder-creek.example",
        "c.rojas@ridgeline.alder-creek.example",
    ],
    "principal": "principal@ridgeline.alder-creek.example",
    "office": "office@ridgeline.alder-creek.example",
    "grade": "7",
}


@cache
def school_days(first: date = date(2027, 1, 4), last: date = date(2027, 5, 28)) -> tuple[date, ...]:
    return tuple(load().calendar().school_days_between(first, last))


def body(
    school: dict[str, Any],
    student_id: str,
    guardian_email: str,
    first: date,
    last: date,
    language: str = "en",
    **changes: Any,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "request_key": str(uuid.uuid4()),
        "language": language,
        "school_id": school["school_id"],
        "teacher_ids": list(school["teacher_ids"]),
        "student": {
            "first_name": "Rosalind",
            "last_name": "Ferreira",
            "student_id": student_id,
            "grade": school["grade"],
        },
        "guardian": {"name": "Dolores Ferreira", "email": guardian_email},
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "reason": "Family visit",
    }
    return submit_body(**{**fields, **changes})


def sign_call(stack: LiveStack, request_id: str, token: str, name: str | None = None) -> Call:
    """The sign call the page makes, typing ``name`` (by default the name the page asks for)."""
    view = stack.get(f"/stis/requests/{request_id}", token=token)
    assert view.status == 200, view.body
    sha = view.body["contract_sha256"]
    typed = view.body["viewer"]["name"] if name is None else name
    return Call(
        "POST",
        f"/stis/requests/{request_id}/sign",
        {"name": typed, "agree": True, "contract_sha256": sha},
        token,
    )


def sign(stack: LiveStack, request_id: str, token: str, name: str | None = None) -> Answer:
    answer = stack.call(sign_call(stack, request_id, token, name))
    assert answer.status == 200, answer.body
    return answer


class Flow:
    """One request on the local stack, moved along by the links in its emails."""

    def __init__(
        self, stack: LiveStack, school: dict[str, Any], first: date, last: date, **changes: Any
    ) -> None:
        self.stack = stack
        self.school = school
        self.student_id = student_number()
        self.guardian = f"{unique('guardian')}@family.example"
        if "student" in changes:
            changes["student"] = {
                **changes["student"],
                "student_id": self.student_id,
                "grade": school["grade"],
            }
        if "guardian" in changes:
            self.guardian = changes["guardian"]["email"]
        self.body = body(school, self.student_id, self.guardian, first, last, **changes)
        answer = stack.post("/stis/requests", self.body)
        assert answer.status == 201, answer.body
        self.id: str = answer.body["id"]
        student, guardian = self.body["student"], self.body["guardian"]
        stack.secrets.update(
            {student["first_name"], student["last_name"], guardian["name"], guardian["email"]}
        )
        stack.deliver()

    def token(self, party: str) -> str:
        if party == "guardian":
            return self.stack.link(self.guardian, self.id)
        if party == "principal":
            return self.stack.link(self.school["principal"], self.id)
        if party == "office":
            return self.stack.link(self.school["office"], self.id)
        index = self.school["teacher_ids"].index(party)
        return self.stack.link(self.school["teacher_emails"][index], self.id)

    def sign(self, party: str, name: str | None = None) -> Answer:
        """``party`` signs through their emailed link, typing ``name`` (by default their own)."""
        if name is not None:
            self.stack.secrets.add(name)
        answer = sign(self.stack, self.id, self.token(party), name)
        self.stack.deliver()
        return answer

    def to_principal(self) -> None:
        """Signed by the guardian and every teacher: the principal's turn."""
        self.sign("guardian")
        for teacher in self.school["teacher_ids"]:
            self.sign(teacher)
