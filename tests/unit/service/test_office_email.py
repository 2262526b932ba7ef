"""What the office files: the approved email carries everything a clerk needs to
file the agreement and post attendance, and every email that lists signatures
shows each signer's typed name and role (SPEC sections 3 and 4)."""

from __future__ import annotations

import re
from datetime import date

from tests.support.fakes import SentEmail
from tests.support.links import links_in

from .conftest import GUARDIAN_EMAIL, Harness

CASTELLANOS = "i.castellanos@ridgeline.alder-creek.example"
WHITAKER = "p.whitaker@ridgeline.alder-creek.example"
PRINCIPAL = "principal@ridgeline.alder-creek.example"
OFFICE = "office@ridgeline.alder-creek.example"


def approved(harness: Harness, **changes: object) -> str:
    """A request for Monday January 11 to Friday January 15, 2027, signed by everyone
    (the guardian typing their name in lower case); returns its id."""
    from chalicelib.core.request import Guardian

    values: dict[str, object] = {
        "first_day": date(2027, 1, 11),
        "last_day": date(2027, 1, 15),
        "guardian": Guardian("Elena Quintana", GUARDIAN_EMAIL, "(555) 010-7788"),
    }
    request = harness.submit(**(values | changes)).request
    harness.deliver()
    harness.sign(request.id, harness.token_in_email_to(GUARDIAN_EMAIL), "elena quintana")
    harness.deliver()
    for teacher in (CASTELLANOS, WHITAKER):
        harness.sign(request.id, harness.token_in_email_to(teacher))
        harness.deliver()
    harness.sign(request.id, harness.token_in_email_to(PRINCIPAL))
    harness.deliver()
    return request.id


def approved_to(harness: Harness, address: str) -> SentEmail:
    mails = [m for m in harness.mailer.to(address) if m.tags["kind"] == "approved"]
    assert len(mails) == 1
    return mails[0]


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", html).replace("&#39;", "'").split())


def test_the_office_copy_has_what_a_clerk_files_and_posts_attendance_from(harness: Harness) -> None:
    request_id = approved(harness)
    mail = approved_to(harness, OFFICE)
    text = mail.text
    for part in (text, visible(mail.html)):
        for fact in (
            "900123",  # the student id
            "Grade: 7" if part is text else "Grade 7",
            "Elena Quintana",
            "(555) 010-7788",
            "Preferred language: Spanish" if part is text else "Preferred language Spanish",
            "Inés Castellanos and Paul Whitaker",
            "Monday, January 11, 2027",
            "Tuesday, January 12, 2027",
            "Wednesday, January 13, 2027",
            "Thursday, January 14, 2027",
            "Friday, January 15, 2027",
            # Friday the 15th, a weekend and Martin Luther King Jr. Day: due Tuesday the 19th.
            "Work due: Tuesday, January 19, 2027" if part is text else "Work due Tuesday, January 19, 2027",
            "IS",
            "independent study, work complete (counts as attendance)",
            "ISN",
            "independent study, work not complete (absence)",
            "once the teacher has recorded the work".capitalize(),
        ):
            assert fact in part, (fact, part[:400])
    office_links = [link for link in links_in(text) if link.request_id == request_id]
    assert office_links, "no office link"
    stored = harness.store.get(request_id)
    assert stored is not None
    assert harness.records.link_token(stored, "office") == office_links[0].token
    assert "first school day after Friday" not in text


def test_every_approved_email_gives_the_real_due_date(harness: Harness) -> None:
    approved(harness)
    for address, said in (
        (GUARDIAN_EMAIL, "Entrega del trabajo: martes, 19 de enero de 2027"),  # the family reads Spanish
        (WHITAKER, "Work due: Tuesday, January 19, 2027"),
        (CASTELLANOS, "Entrega del trabajo: martes, 19 de enero de 2027"),
    ):
        mail = approved_to(harness, address)
        assert said in mail.text
        assert "primer día de clases después del viernes" not in mail.text
        assert "first school day after Friday" not in mail.text


def test_the_record_of_signatures_shows_typed_names_roles_and_the_students_line(harness: Harness) -> None:
    approved(harness)
    office = approved_to(harness, OFFICE).text
    record = office[office.index("RECORD OF SIGNATURES") :].split("\n\n")[0]
    lines = [line for line in record.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- elena quintana (Parent or guardian), signed on Tuesday, December 1, 2026")
    assert lines[1].startswith("- Inés Castellanos (Supervising teacher), signed on")
    assert lines[2].startswith("- Paul Whitaker (Supervising teacher), signed on")
    assert lines[3].startswith("- Rafael Ibarra (Principal), signed on")
    assert lines[4] == "- Mateo Quintana (Student): Signs on returning to school"
    guardian = approved_to(harness, GUARDIAN_EMAIL)
    assert "- elena quintana (Padre, madre o tutor legal), firmó el martes, 1 de diciembre de 2026" in (
        guardian.text
    )
    assert "Mateo Quintana (Estudiante): Firma al regresar a la escuela" in guardian.text
    assert "elena quintana" in visible(guardian.html)


def test_the_office_hears_of_each_signature_with_the_name_typed(harness: Harness) -> None:
    approved(harness)
    kinds = {m.tags["kind"]: m for m in harness.mailer.to(OFFICE)}
    assert "- elena quintana (Parent or guardian), signed on" in kinds["office_new_request"].text
    assert "- Paul Whitaker (Supervising teacher), signed on" in kinds["status_changed"].text
    for mail in harness.mailer.sent:
        assert "http" not in mail.subject  # an email's link is in its body, never in its subject


def test_with_before_start_the_record_shows_the_students_own_signature(student_signs_first: Harness) -> None:
    harness = student_signs_first
    request = harness.submit(first_day=date(2027, 1, 11), last_day=date(2027, 1, 15)).request
    harness.deliver()
    harness.sign(request.id, harness.token_in_email_to(GUARDIAN_EMAIL), student_name="MATEO QUINTANA")
    harness.deliver()
    office = harness.mailer.to(OFFICE)[-1].text
    assert "- MATEO QUINTANA (Student), signed on Tuesday, December 1, 2026" in office
    assert "Signs on returning to school" not in office


def test_teachers_asked_to_sign_see_when_the_work_is_due(harness: Harness) -> None:
    request = harness.submit(first_day=date(2027, 1, 11), last_day=date(2027, 1, 15)).request
    harness.deliver()
    harness.sign(request.id, harness.token_in_email_to(GUARDIAN_EMAIL))
    harness.deliver()
    asked = [m for m in harness.mailer.to(WHITAKER) if m.tags["kind"] == "review_and_sign"]
    assert "Work due: Tuesday, January 19, 2027" in asked[-1].text
    assert "Work due Tuesday, January 19, 2027" in visible(asked[-1].html)
    spanish = [m for m in harness.mailer.to(CASTELLANOS) if m.tags["kind"] == "review_and_sign"]
    assert "Entrega del trabajo: martes, 19 de enero de 2027" in spanish[-1].text
