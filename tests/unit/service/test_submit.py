from __future__ import annotations

from datetime import date

import pytest

from chalicelib.core import errors
from chalicelib.service.errors import InvalidInput, RequestKeyConflict, UnknownSchool, UnknownTeacher

from .conftest import GUARDIAN_EMAIL, Harness


def test_a_request_is_stored_awaiting_the_guardian_and_counts_its_days(harness: Harness) -> None:
    result = harness.submit()
    assert result.created
    assert result.request.state.value == "awaiting_guardian"
    assert (result.days_used, result.days_remaining) == (5, 10)
    assert harness.store.get(result.request.id) is not None


def test_the_guardian_and_the_office_are_emailed_once_the_request_is_stored(harness: Harness) -> None:
    harness.submit()
    assert harness.mailer.sent == []  # nothing is sent before the dispatcher runs
    assert harness.deliver() == 2
    to_guardian = harness.mailer.to(GUARDIAN_EMAIL)
    to_office = harness.mailer.to("office@ridgeline.alder-creek.example")
    assert len(to_guardian) == 1
    assert len(to_office) == 1
    assert "https://portal.alder-creek.example/es/stis/sign/#id=" in to_guardian[0].text
    assert harness.deliver() == 0


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
    assert len(harness.mailer.sent) == 2


def test_the_same_request_key_with_another_body_is_a_conflict(harness: Harness) -> None:
    harness.submit(request_key="same-key")
    with pytest.raises(RequestKeyConflict):
        harness.submit(request_key="same-key", body_sha256="body-2", last_day=date(2027, 1, 7))


def test_the_sixteenth_day_of_the_year_is_refused_until_days_come_back(harness: Harness) -> None:
    ten = harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 15))
    with pytest.raises(errors.CapExceeded) as refused:
        harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 8))  # 6 days
    assert refused.value.details["days_remaining"] == 5
    harness.deliver()
    token = harness.token_in_email_to(GUARDIAN_EMAIL)
    harness.signing.cancel(ten.request.id, token)
    again = harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 8))
    assert again.days_used == 6


def test_overlapping_dates_are_refused_with_the_other_request_dates(harness: Harness) -> None:
    harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 8))
    with pytest.raises(errors.Overlap) as refused:
        harness.submit(first_day=date(2027, 1, 8), last_day=date(2027, 1, 12))
    assert refused.value.details["first_day"] == date(2027, 1, 4)


def test_another_student_is_not_limited_by_the_first(harness: Harness) -> None:
    from chalicelib.core.request import Student

    harness.submit(first_day=date(2027, 1, 4), last_day=date(2027, 1, 22))  # 14 days (MLK Day)
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
