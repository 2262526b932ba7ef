from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.core import errors
from chalicelib.core.contract import State
from chalicelib.core.request import Guardian, Student
from chalicelib.service.errors import (
    InvalidInput,
    RequestKeyConflict,
    TooManyRequests,
    UnknownSchool,
    UnknownTeacher,
)

from .conftest import GUARDIAN_EMAIL, Harness

OFFICE = "office@ridgeline.alder-creek.example"
TEACHERS = ("i.castellanos@ridgeline.alder-creek.example", "p.whitaker@ridgeline.alder-creek.example")


def test_a_request_waits_for_the_guardian_and_holds_no_days_until_then(harness: Harness) -> None:
    result = harness.submit()
    assert result.created
    assert result.request.state is State.AWAITING_GUARDIAN
    assert (result.days_used, result.days_remaining) == (5, 10)  # what they will be once confirmed
    assert harness.store.days_used("900123", "2026-2027") == 0
    harness.confirm(result)
    assert harness.store.days_used("900123", "2026-2027") == 5


def test_until_the_guardian_signs_only_the_guardian_gets_one_email(harness: Harness) -> None:
    result = harness.submit()
    assert harness.mailer.sent == []  # nothing is sent before the dispatcher runs
    assert harness.deliver() == 1
    assert [m.to for m in harness.mailer.sent] == [GUARDIAN_EMAIL]
    assert "https://portal.alder-creek.example/es/stis/sign/#id=" in harness.mailer.sent[0].text
    assert harness.deliver() == 0
    harness.confirm(result)
    told = sorted(m.to for m in harness.mailer.sent[1:])
    assert told == sorted([OFFICE, *TEACHERS])


def test_the_confirmation_email_carries_nothing_the_requester_typed(harness: Harness) -> None:
    lure = "URGENT your account is locked visit evil"
    harness.submit(
        student=Student("URGENT", "your account is locked visit evil", "900123", "7"),
        guardian=Guardian("Payroll Update Required", GUARDIAN_EMAIL),
        reason="Click https://evil.example/login",
    )
    harness.deliver()
    (mail,) = harness.mailer.sent
    for part in (mail.subject, mail.text, mail.html):
        assert lure not in part and "URGENT" not in part and "Payroll" not in part and "evil" not in part
    assert "Ridgeline Middle School" in mail.subject


def test_the_same_request_key_and_body_returns_the_same_request_and_sends_nothing_new(
    harness: Harness,
) -> None:
    first = harness.submit(request_key="same-key")
    harness.deliver()
    again = harness.submit(request_key="same-key")
    assert not again.created
    assert again.request.id == first.request.id
    assert again.days_used == 5
    assert harness.deliver() == 0
    assert len(harness.mailer.sent) == 1


def test_the_same_request_key_with_another_body_is_a_conflict(harness: Harness) -> None:
    harness.submit(request_key="same-key")
    with pytest.raises(RequestKeyConflict):
        harness.submit(request_key="same-key", body_sha256="body-2", last_day=date(2027, 1, 7))


def test_the_sixteenth_confirmed_day_is_refused_with_only_the_days_left(harness: Harness) -> None:
    ten = harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 15))
    harness.confirm(ten)
    with pytest.raises(errors.CapExceeded) as refused:
        harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 8))  # 6 days
    assert refused.value.details == {"requested": 6, "cap": 15, "days_remaining": 5}


def test_a_strangers_unconfirmed_requests_hold_none_of_the_childs_days(harness: Harness) -> None:
    for n, (first, last) in enumerate(
        [(date(2027, 1, 4), date(2027, 1, 22)), (date(2027, 2, 1), date(2027, 2, 5))]
    ):
        harness.submit(
            guardian=Guardian("A Stranger", f"stranger{n}@elsewhere.example"), first_day=first, last_day=last
        )
    parent = harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 15))
    harness.confirm(parent)
    assert harness.store.days_used("900123", "2026-2027") == 10


def test_overlapping_dates_are_refused_without_saying_which(harness: Harness) -> None:
    harness.confirm(harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 8)))
    with pytest.raises(errors.Overlap) as refused:
        harness.submit(first_day=date(2027, 1, 8), last_day=date(2027, 1, 12))
    assert refused.value.details == {}


def test_of_two_requests_for_the_same_days_the_first_confirmed_wins(harness: Harness) -> None:
    first = harness.submit()
    second = harness.submit(guardian=Guardian("Elena Quintana", "elena.q@work.example"))
    harness.confirm(first)
    harness.deliver()
    token = harness.token_in_email_to("elena.q@work.example", second.request.id)
    with pytest.raises(errors.Overlap):
        harness.sign(second.request.id, token)
    assert harness.store.days_used("900123", "2026-2027") == 5


def test_a_family_that_mistyped_its_address_succeeds_at_once_with_the_right_one(harness: Harness) -> None:
    mistyped = harness.submit(guardian=Guardian("Elena Quintana", "elena.quintan@family.example"))
    corrected = harness.submit()  # the same dates, a new form
    harness.confirm(corrected)
    assert harness.store.days_used("900123", "2026-2027") == 5
    harness.clock.advance(hours=49)
    assert harness.jobs.end_unsigned() == 1
    assert harness.store.get(mistyped.request.id).state is State.EXPIRED  # type: ignore[union-attr]


def test_id_spellings_of_one_student_share_one_cap(harness: Harness) -> None:
    harness.confirm(harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 22)))  # 14 days
    for spelling in ("0900123", "00900123", " 900123 "):
        with pytest.raises(errors.CapExceeded):
            harness.submit(
                student=Student("Mateo", "Quintana", spelling, "7"),
                first_day=date(2027, 2, 1),
                last_day=date(2027, 2, 2),
            )
    for wrong in ("900123-", "-900123", "ab900123", "12345"):
        with pytest.raises(InvalidInput) as refused:
            harness.submit(student=Student("Mateo", "Quintana", wrong, "7"))
        assert refused.value.field == "student.student_id"


def test_a_grade_the_school_does_not_have_is_refused(harness: Harness) -> None:
    with pytest.raises(InvalidInput) as refused:
        harness.submit(student=Student("Mateo", "Quintana", "900123", "12"))  # Ridgeline is 6-8
    assert (refused.value.field, refused.value.details["problem"]) == ("student.grade", "grade_not_at_school")


def test_one_address_may_have_three_unconfirmed_requests_open_at_once(harness: Harness) -> None:
    firsts = [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 19), date(2027, 1, 25)]
    opened = [
        harness.submit(student=Student("Kid", "Number", f"90012{n}", "7"), first_day=day, last_day=day)
        for n, day in enumerate(firsts[:3])
    ]
    with pytest.raises(TooManyRequests) as refused:
        harness.submit(
            student=Student("Kid", "Number", "900129", "7"), first_day=firsts[3], last_day=firsts[3]
        )
    assert refused.value.details["limit"] == "open_per_guardian"
    assert refused.value.details["retry_after"] > 0
    harness.confirm(opened[0])  # a confirmed request is no longer open
    harness.submit(student=Student("Kid", "Number", "900129", "7"), first_day=firsts[3], last_day=firsts[3])


def test_one_student_may_have_three_unconfirmed_requests_open_at_once(harness: Harness) -> None:
    for n in range(3):
        harness.submit(guardian=Guardian("Someone", f"someone{n}@elsewhere.example"))
    with pytest.raises(TooManyRequests) as refused:
        harness.submit()
    assert refused.value.details["limit"] == "open_per_student"


def test_after_ten_refusals_a_student_id_is_refused_until_tomorrow(harness: Harness) -> None:
    harness.confirm(harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 22)))
    for _ in range(10):
        with pytest.raises(errors.CapExceeded):
            harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 5))
    with pytest.raises(TooManyRequests) as refused:
        harness.submit(first_day=date(2027, 3, 1), last_day=date(2027, 3, 1))  # would fit, but not today
    assert refused.value.details["limit"] == "refused_per_student"
    harness.clock.current += timedelta(days=1)
    assert harness.submit(first_day=date(2027, 3, 1), last_day=date(2027, 3, 1)).created


def test_another_student_is_not_limited_by_the_first(harness: Harness) -> None:
    harness.confirm(harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 22)))  # 14 days
    other = harness.submit(student=Student("Ana", "Ruiz", "900777", "6"))
    assert other.days_used == 5


def test_unknown_school_and_teacher_are_refused(harness: Harness) -> None:
    with pytest.raises(UnknownSchool):
        harness.submit(school_id="nowhere-high")
    with pytest.raises(UnknownTeacher) as refused:
        harness.submit(teacher_ids=("t-castellanos", "t-okafor"))  # t-okafor teaches at Madrone
    assert refused.value.field == "teacher_ids[1]"


def test_an_elementary_request_names_exactly_one_teacher(harness: Harness) -> None:
    with pytest.raises(InvalidInput) as refused:
        harness.submit(school_id="madrone-elementary", teacher_ids=("t-serrano", "t-brennan"))
    assert refused.value.details["problem"] == "one_teacher"


def test_late_notice_is_refused(harness: Harness) -> None:
    with pytest.raises(errors.InsufficientNotice) as refused:
        harness.submit(first_day=date(2026, 12, 2), last_day=date(2026, 12, 2))
    assert refused.value.details["earliest_first_day"] == date(2026, 12, 3)


def test_with_a_required_roster_only_a_listed_student_school_and_address_get_through(
    harness: Harness,
) -> None:
    from chalicelib.core.roster import NotOnRoster, RosterStudent

    harness.records.district = harness.records.district.model_copy(update={"roster": "required"})
    harness.submitting.district = harness.records.district
    harness.store.roster["900123"] = RosterStudent(
        "900123",
        "Mateo Andrés",
        "Quintana Ruiz",
        "7",
        frozenset({"ridgeline-middle"}),
        frozenset({GUARDIAN_EMAIL}),
    )
    refusals = []
    for changes in (
        {"student": Student("Mateo", "Quintana", "900124", "7")},  # not on the roster
        {"guardian": Guardian("Elena Quintana", "someone@elsewhere.example")},  # not the family's address
        {
            "school_id": "madrone-elementary",
            "teacher_ids": ("t-serrano",),
            "student": Student("Mateo", "Quintana", "900123", "1"),
        },
    ):
        with pytest.raises(NotOnRoster) as refused:
            harness.submit(**changes)
        refusals.append((refused.value.code, refused.value.details, refused.value.field))
    assert refusals == [refusals[0]] * 3  # one answer, whichever part was wrong
    accepted = harness.submit(student=Student("Matt", "Q", "0900123", "7"))
    assert (accepted.request.student.first_name, accepted.request.student.last_name) == (
        "Mateo Andrés",
        "Quintana Ruiz",
    )
