"""The roster check: a submit names a student on the roster, at one of the
student's schools, from one of the guardians' addresses; any mismatch is the
same refusal, in the same words, whichever part was wrong."""

from __future__ import annotations

import pytest

from chalicelib.core.roster import NotOnRoster, RosterStudent, check_on_roster
from chalicelib.http.errors import from_rule

ROSA = RosterStudent(
    student_id="5550123",
    first_name="Rosa",
    last_name="Quintanilla",
    grade="7",
    school_ids=frozenset({"ridgeline-middle"}),
    guardian_emails=frozenset({"Parent.Quintanilla@Mail.Example", "abuela.q@mail.example"}),
)


def test_guardian_addresses_are_kept_lower_case() -> None:
    assert ROSA.guardian_emails == {"parent.quintanilla@mail.example", "abuela.q@mail.example"}
    assert ROSA.name == "Rosa Quintanilla"


@pytest.mark.parametrize("email", ["abuela.q@mail.example", " PARENT.quintanilla@mail.example "])
def test_a_listed_guardian_at_the_students_school_matches(email: str) -> None:
    assert check_on_roster(ROSA, "ridgeline-middle", email) is ROSA


@pytest.mark.parametrize(
    ("entry", "school", "email", "part"),
    [
        (None, "ridgeline-middle", "abuela.q@mail.example", "student"),
        (ROSA, "madrone-elementary", "abuela.q@mail.example", "school"),
        (ROSA, "ridgeline-middle", "stranger@mail.example", "guardian"),
        (ROSA, "ridgeline-middle", "abuela.q@mail.example.evil.example", "guardian"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_each_mismatch_gives_the_same_answer_and_only_the_log_knows_which(
    entry: RosterStudent | None, school: str, email: str, part: str, language: str
) -> None:
    with pytest.raises(NotOnRoster) as caught:
        check_on_roster(entry, school, email)
    assert caught.value.part == part
    assert part in repr(caught.value)
    answer = from_rule(caught.value, language)
    assert answer.status == 422
    error = answer.body["error"]
    assert error["code"] == "not_on_roster"
    assert error["fields"] == {}
    assert "details" not in error
    generic = from_rule(NotOnRoster("student"), language).body
    assert answer.body == generic


def test_the_message_is_in_the_readers_language() -> None:
    english = from_rule(NotOnRoster("school"), "en").body["error"]["message"]
    spanish = from_rule(NotOnRoster("school"), "es").body["error"]["message"]
    assert "school's records" in english
    assert "registros de la escuela" in spanish
