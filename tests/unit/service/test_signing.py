from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.core.contract import State
from chalicelib.core.errors import ContractChanged, InsufficientNotice, WrongState
from chalicelib.service.errors import InvalidInput, InvalidToken, LinkExpired, NameMismatch, NotFound

from .conftest import GUARDIAN_EMAIL, Harness

CASTELLANOS = "i.castellanos@ridgeline.alder-creek.example"
WHITAKER = "p.whitaker@ridgeline.alder-creek.example"
PRINCIPAL = "principal@ridgeline.alder-creek.example"
OFFICE = "office@ridgeline.alder-creek.example"


def started(harness: Harness) -> tuple[str, str]:
    request = harness.submit().request
    harness.deliver()
    return request.id, harness.token_in_email_to(GUARDIAN_EMAIL)


def test_a_request_goes_from_guardian_to_both_teachers_to_the_principal_and_is_approved(
    harness: Harness,
) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian, "Elena Quintana")
    harness.deliver()
    whitaker = harness.token_in_email_to(WHITAKER)
    castellanos = harness.token_in_email_to(CASTELLANOS)
    assert harness.mailer.to(PRINCIPAL) == []
    harness.sign(request_id, whitaker, "Paul Whitaker")
    harness.deliver()
    assert harness.mailer.to(PRINCIPAL) == []  # one teacher has not signed yet
    harness.sign(request_id, castellanos, "Inés Castellanos")
    harness.deliver()
    principal = harness.token_in_email_to(PRINCIPAL)
    view = harness.sign(request_id, principal, "Rafael Ibarra")
    harness.deliver()
    assert view.request.state is State.APPROVED  # type: ignore[attr-defined]
    approved = [m for m in harness.mailer.sent if m.tags["kind"] == "approved"]
    assert sorted(m.to for m in approved) == sorted([GUARDIAN_EMAIL, WHITAKER, CASTELLANOS, OFFICE])
    stored = harness.store.get(request_id)
    assert stored is not None
    assert [s.name for s in stored.contract.signatures] == [
        "Elena Quintana",
        "Paul Whitaker",
        "Inés Castellanos",
        "Rafael Ibarra",
    ]
    signature = stored.contract.signatures[0]
    assert signature.source_ip == "192.0.2.7"
    assert signature.user_agent == "Test browser"
    assert signature.signed_at == harness.clock.now()
    assert len(signature.contract_sha256) == 64
    events = [e.event for e in stored.audit if e.event != "emailed"]
    assert events == ["submitted", "signed", "signed", "signed", "signed", "approved"]
    office_mail = [m.tags["kind"] for m in harness.mailer.to(OFFICE)]
    assert office_mail == ["office_new_request", "status_changed", "approved"]  # from the confirmation on


def test_links_signed_out_of_turn_or_reused_or_for_another_request_sign_nothing(
    harness: Harness,
) -> None:
    request_id, guardian = started(harness)
    teacher = harness.records.link_token(harness.store.get(request_id), "t-whitaker")  # type: ignore[arg-type]
    principal = harness.records.link_token(harness.store.get(request_id), "principal")  # type: ignore[arg-type]
    with pytest.raises(WrongState) as early:
        harness.sign(request_id, teacher)
    assert early.value.details["reason"] == "not_your_turn"
    harness.sign(request_id, guardian)
    with pytest.raises(WrongState) as principal_as_teacher:
        harness.sign(request_id, principal)
    assert principal_as_teacher.value.details["reason"] == "not_your_turn"
    with pytest.raises(WrongState) as reused:
        harness.sign(request_id, guardian)
    assert reused.value.details["reason"] == "already_signed"
    other = harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 2)).request
    with pytest.raises(InvalidToken):
        harness.sign(other.id, guardian)
    with pytest.raises(InvalidToken):
        harness.signing.view(request_id, guardian[:-1] + ("A" if guardian[-1] != "A" else "B"))
    with pytest.raises(NotFound):
        harness.signing.view("no-such-request", guardian)
    stored = harness.store.get(request_id)
    assert stored is not None
    assert len(stored.contract.signatures) == 1


def test_signing_a_contract_whose_text_changed_is_refused(harness: Harness) -> None:
    request_id, guardian = started(harness)
    with pytest.raises(ContractChanged):
        harness.signing.sign(request_id, guardian, "Elena Quintana", True, "0" * 64, "192.0.2.7", "ua")
    spanish = harness.signing.view(request_id, guardian, "es").contract_sha256
    view = harness.signing.sign(request_id, guardian, "Elena Quintana", True, spanish, "192.0.2.7", "ua")
    assert view.request.state is State.AWAITING_TEACHER


def test_a_teacher_declines_and_everyone_concerned_hears_why_and_the_days_come_back(
    harness: Harness,
) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    harness.deliver()
    whitaker = harness.token_in_email_to(WHITAKER)
    castellanos = harness.token_in_email_to(CASTELLANOS)
    harness.sign(request_id, whitaker, "Paul Whitaker")
    view = harness.signing.decline(request_id, castellanos, "Exámenes esa semana")
    assert view.request.state is State.DECLINED
    harness.deliver()
    ended = sorted(m.to for m in harness.mailer.sent if m.tags["kind"] == "ended")
    assert ended == sorted([GUARDIAN_EMAIL, WHITAKER, OFFICE])
    assert harness.store.days_used("900123", "2026-2027") == 0
    with pytest.raises(WrongState) as closed:
        harness.sign(request_id, castellanos)
    assert closed.value.details["reason"] == "ended"


def test_the_guardian_cancels_before_the_first_day_but_not_after(harness: Harness) -> None:
    request_id, guardian = started(harness)
    assert harness.signing.cancel(request_id, guardian).request.state is State.CANCELLED
    other = harness.submit(first_day=date(2027, 2, 1), last_day=date(2027, 2, 2)).request
    harness.deliver()
    token = harness.token_in_email_to(GUARDIAN_EMAIL, other.id)
    harness.clock.current = other.first_day_starts
    with pytest.raises(WrongState) as late:
        harness.signing.cancel(other.id, token)
    assert late.value.details["reason"] == "too_late"
    assert harness.store.get(other.id).state is State.EXPIRED  # never confirmed  # type: ignore[union-attr]


def test_contracts_not_signed_when_the_first_day_starts_become_void(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    harness.clock.current = datetime(2027, 1, 4, 15, 59).replace(tzinfo=harness.clock.current.tzinfo)
    assert harness.jobs.end_unsigned() == 0
    harness.clock.advance(minutes=1)  # 8:00 in California
    assert harness.jobs.end_unsigned() == 1
    assert harness.jobs.end_unsigned() == 0
    assert harness.store.get(request_id).state is State.VOID  # type: ignore[union-attr]
    assert harness.store.days_used("900123", "2026-2027") == 0
    harness.deliver()
    void_mail = [m.to for m in harness.mailer.sent if m.tags["kind"] == "ended"]
    assert sorted(void_mail) == sorted([GUARDIAN_EMAIL, CASTELLANOS, WHITAKER, OFFICE])  # everyone asked


def test_reminders_start_once_the_guardian_has_confirmed_and_stop_after_three(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.clock.advance(days=1)  # Wednesday 9 a.m. in California
    assert harness.jobs.send_reminders() == 0  # nobody is reminded of an unconfirmed request
    harness.sign(request_id, guardian)
    assert harness.jobs.send_reminders() == 0  # the teachers' first email is today's
    harness.clock.advance(days=1, hours=-3)  # Thursday 6 a.m.
    assert harness.jobs.send_reminders() == 0  # before the reminder hour
    harness.clock.advance(hours=2)
    assert harness.jobs.send_reminders() == 1
    assert harness.jobs.send_reminders() == 0  # once a day
    harness.deliver()
    whitaker = harness.token_in_email_to(WHITAKER)
    assert harness.token_in_email_to(WHITAKER) == harness.records.link_token(
        harness.store.get(request_id), "t-whitaker"
    )  # type: ignore[arg-type]
    for _ in range(4):
        harness.clock.advance(days=1)
        harness.jobs.send_reminders()
    harness.deliver()
    reminded = [m.to for m in harness.mailer.sent if m.tags["kind"] == "reminder"]
    assert sorted(reminded) == sorted([CASTELLANOS, WHITAKER] * 3)  # three each, then no more
    assert GUARDIAN_EMAIL not in reminded and whitaker


def test_views_say_who_may_do_what(harness: Harness) -> None:
    request_id, guardian = started(harness)
    view = harness.signing.view(request_id, guardian)
    assert (view.can_sign, view.can_cancel, view.can_decline) == (True, True, False)
    assert view.sign_by == harness.store.get(request_id).confirm_by  # type: ignore[union-attr]
    teacher = harness.records.link_token(harness.store.get(request_id), "t-whitaker")  # type: ignore[arg-type]
    before = harness.signing.view(request_id, teacher)  # a link copied ahead of its turn
    assert (before.can_sign, before.can_cancel, before.can_decline) == (False, False, False)
    harness.sign(request_id, guardian)
    teacher_view = harness.signing.view(request_id, teacher)
    assert (teacher_view.can_sign, teacher_view.can_cancel, teacher_view.can_decline) == (True, False, True)
    office = harness.records.link_token(harness.store.get(request_id), "office")  # type: ignore[arg-type]
    office_view = harness.signing.view(request_id, office)
    assert (office_view.can_sign, office_view.can_cancel, office_view.can_decline) == (False, True, False)
    harness.clock.advance(days=60)
    late = harness.signing.view(request_id, guardian)
    assert (late.can_sign, late.can_cancel) == (False, False)
    assert late.request.created_at + timedelta(days=60) == harness.clock.now()


def test_the_office_cancels_with_a_reason_and_everyone_asked_so_far_is_told(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    office = harness.records.link_token(harness.store.get(request_id), "office")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as no_reason:
        harness.signing.cancel(request_id, office)
    assert no_reason.value.field == "reason"
    view = harness.signing.cancel(request_id, office, "The family phoned: the trip is off.")
    assert view.request.state is State.CANCELLED
    assert view.request.contract.ending.reason == "The family phoned: the trip is off."  # type: ignore[union-attr]
    assert harness.store.days_used("900123", "2026-2027") == 0
    harness.deliver()
    ended = sorted(m.to for m in harness.mailer.sent if m.tags["kind"] == "ended")
    assert ended == sorted([GUARDIAN_EMAIL, CASTELLANOS, WHITAKER, OFFICE])


def test_an_expired_request_tells_the_guardian_only(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.clock.advance(hours=48)
    assert harness.jobs.end_unsigned() == 1
    harness.deliver()
    assert [m.to for m in harness.mailer.sent if m.tags["kind"] == "ended"] == [GUARDIAN_EMAIL]
    with pytest.raises(WrongState):
        harness.sign(request_id, guardian)


def test_the_guardian_cannot_confirm_once_the_notice_has_run_out(harness: Harness) -> None:
    request = harness.submit(first_day=date(2026, 12, 3), last_day=date(2026, 12, 3)).request
    harness.deliver()
    guardian = harness.token_in_email_to(GUARDIAN_EMAIL)
    assert request.confirm_by < request.first_day_starts - timedelta(hours=23)  # the notice deadline
    harness.clock.current = request.confirm_by + timedelta(minutes=1)
    with pytest.raises(InsufficientNotice):
        harness.sign(request.id, guardian)
    assert harness.store.days_used("900123", "2026-2027") == 0


def test_links_stop_working_sixty_days_after_the_end_but_the_offices_does_not(harness: Harness) -> None:
    request_id, guardian = started(harness)
    office = harness.records.link_token(harness.store.get(request_id), "office")  # type: ignore[arg-type]
    harness.signing.cancel(request_id, guardian)
    harness.clock.advance(days=59)
    harness.signing.view(request_id, guardian)
    harness.clock.advance(days=1)
    with pytest.raises(LinkExpired):
        harness.signing.view(request_id, guardian)
    assert harness.signing.view(request_id, office).request.state is State.CANCELLED


# --- names that mean something ------------------------------------------------------------


def test_a_made_up_name_signs_nothing_and_the_refusal_names_the_expected_one(harness: Harness) -> None:
    request_id, guardian = started(harness)
    with pytest.raises(NameMismatch) as refused:
        harness.sign(request_id, guardian, "asdf")
    assert refused.value.field == "name"
    assert refused.value.details == {"expected": "Elena Quintana"}
    stored = harness.store.get(request_id)
    assert stored is not None
    assert stored.state is State.AWAITING_GUARDIAN
    assert stored.contract.signatures == ()
    assert harness.signing.view(request_id, guardian).viewer_name == "Elena Quintana"


def test_case_accents_punctuation_and_spaces_do_not_count(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian, "  elena   QUINTANA ")
    harness.deliver()
    castellanos = harness.token_in_email_to(CASTELLANOS)
    assert harness.signing.view(request_id, castellanos).viewer_name == "Inés Castellanos"
    harness.sign(request_id, castellanos, "ines castellanos")
    stored = harness.store.get(request_id)
    assert stored is not None
    # What the signer typed is what the record keeps.
    assert [s.name for s in stored.contract.signatures] == ["  elena   QUINTANA ", "ines castellanos"]


def test_a_teacher_must_type_their_own_name_not_a_colleagues(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    harness.deliver()
    whitaker = harness.token_in_email_to(WHITAKER)
    with pytest.raises(NameMismatch) as refused:
        harness.sign(request_id, whitaker, "Inés Castellanos")
    assert refused.value.details == {"expected": "Paul Whitaker"}


def test_a_signer_out_of_turn_hears_why_even_with_a_wrong_name(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    with pytest.raises(WrongState) as again:
        harness.sign(request_id, guardian, "asdf")
    assert again.value.details["reason"] == "already_signed"


def test_the_office_goes_by_the_schools_name_and_the_student_signs_on_return(harness: Harness) -> None:
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian)
    harness.deliver()
    office = harness.token_in_email_to(OFFICE)
    view = harness.signing.view(request_id, office)
    assert view.viewer_name == "Ridgeline Middle School"
    assert view.student_signs == "on_return"


def test_with_on_return_the_guardian_page_takes_no_student_name(harness: Harness) -> None:
    request_id, guardian = started(harness)
    with pytest.raises(InvalidInput) as refused:
        harness.sign(request_id, guardian, student_name="Mateo Quintana")
    assert refused.value.field == "student"
    harness.sign(request_id, guardian)
    stored = harness.store.get(request_id)
    assert stored is not None
    assert [s.party.role.value for s in stored.contract.signatures] == ["guardian"]


def test_with_before_start_the_student_signs_beside_the_guardian(student_signs_first: Harness) -> None:
    harness = student_signs_first
    request_id, guardian = started(harness)
    view = harness.signing.view(request_id, guardian)
    assert view.student_signs == "before_start"
    with pytest.raises(InvalidInput) as missing:
        harness.sign(request_id, guardian)
    assert missing.value.field == "student.name"
    with pytest.raises(NameMismatch) as wrong:
        harness.sign(request_id, guardian, student_name="asdf")
    assert (wrong.value.field, wrong.value.details) == ("student.name", {"expected": "Mateo Quintana"})
    with pytest.raises(NameMismatch) as guardian_wrong:
        harness.sign(request_id, guardian, "asdf", student_name="Mateo Quintana")
    assert guardian_wrong.value.field == "name"
    assert harness.store.get(request_id).contract.signatures == ()  # type: ignore[union-attr]

    harness.sign(request_id, guardian, student_name="mateo quintana")
    stored = harness.store.get(request_id)
    assert stored is not None
    assert stored.state is State.AWAITING_TEACHER  # the student takes no turn
    guardian_signature, student_signature = stored.contract.signatures
    assert student_signature.party.role.value == "student"
    assert student_signature.name == "mateo quintana"
    assert student_signature.signed_at == guardian_signature.signed_at
    assert student_signature.source_ip == guardian_signature.source_ip
    assert student_signature.user_agent == guardian_signature.user_agent
    assert student_signature.contract_sha256 == guardian_signature.contract_sha256
    assert [e.party for e in stored.audit if e.event == "signed"] == ["guardian", "student"]


def test_with_before_start_only_the_guardian_brings_the_student_name(student_signs_first: Harness) -> None:
    harness = student_signs_first
    request_id, guardian = started(harness)
    harness.sign(request_id, guardian, student_name="Mateo Quintana")
    harness.deliver()
    whitaker = harness.token_in_email_to(WHITAKER)
    with pytest.raises(InvalidInput) as refused:
        harness.sign(request_id, whitaker, student_name="Mateo Quintana")
    assert refused.value.field == "student"
    harness.sign(request_id, whitaker)


@pytest.mark.parametrize(
    ("language", "said", "due"),
    [
        (
            "en",
            "On Tuesday, January 19, 2027, the first school day after independent study ends",
            "Work due: Tuesday, January 19, 2027",
        ),
        (
            "es",
            "El martes, 19 de enero de 2027, primer día de clases después del estudio independiente",
            "Entrega del trabajo: martes, 19 de enero de 2027",
        ),
    ],
)
def test_the_agreement_gives_the_real_day_the_work_is_due(
    harness: Harness, language: str, said: str, due: str
) -> None:
    """Ending Friday January 15, 2027: the weekend and Martin Luther King Jr. Day come
    next, so the work is due on Tuesday the 19th, and the agreement says the date."""
    request = harness.submit(first_day=date(2027, 1, 11), last_day=date(2027, 1, 15)).request
    text = harness.records.contract_text(request, language)
    assert said in " ".join(text.split())
    assert due in text.splitlines()
