"""The office's weekly register (SPEC 3b): each Monday, local time, every school
office gets last week's independent study days of its students with their
results, once, as an email with the register as a CSV file."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.register import RegisterRow
from chalicelib.core.request import DayResult
from chalicelib.email.register import RegisterEmailComposer
from chalicelib.service.register import WeeklyRegister
from tests.support.fakes import FakeMailer

from .conftest import GUARDIAN_EMAIL, Harness

PACIFIC = ZoneInfo("America/Los_Angeles")
RIDGELINE_OFFICE = "office@ridgeline.alder-creek.example"  # reads Spanish here
MADRONE_OFFICE = "office@madrone.alder-creek.example"  # reads English


def spanish_at_ridgeline(district: DistrictConfig) -> DistrictConfig:
    """The demo district with Ridgeline's office reading its emails in Spanish."""
    schools = [
        s.model_copy(update={"office": s.office.model_copy(update={"language": "es"})})
        if s.id == "ridgeline-middle"
        else s
        for s in district.schools
    ]
    return district.model_copy(update={"schools": schools})


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=PACIFIC)  # type: ignore[misc]


@pytest.fixture
def register(harness: Harness, district: DistrictConfig) -> WeeklyRegister:
    return WeeklyRegister(
        harness.records, harness.mailer, RegisterEmailComposer(spanish_at_ridgeline(district))
    )


def registers(mailer: FakeMailer) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for mail in mailer.sent:
        if mail.tags.get("kind") == "weekly_register":
            found.setdefault(mail.to, []).append(mail)
    return found


def csv_rows(mail: object) -> list[list[str]]:
    (attachment,) = mail.attachments  # type: ignore[attr-defined]
    assert attachment.content_type == "text/csv"
    text = attachment.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_on_monday_each_office_gets_last_weeks_days_once(harness: Harness, register: WeeklyRegister) -> None:
    submitted = harness.submit()  # Ridgeline, Monday 4 to Friday 8 January 2027
    harness.confirm(submitted)
    harness.mailer.sent.clear()

    harness.clock.current = local(2027, 1, 11, 6, 0)  # Monday, 6 a.m. in California
    assert register.run() == 2  # one per school of the district
    sent = registers(harness.mailer)
    (ridgeline,) = sent[RIDGELINE_OFFICE]
    assert ridgeline.subject == (  # type: ignore[attr-defined]
        "Registro de estudio independiente: semana del 4 de enero de 2027 (Ridgeline Middle School)"
    )
    rows = csv_rows(ridgeline)
    assert rows[0] == [
        "Fecha",
        "Número de estudiante",
        "Nombre y apellido",
        "Grado",
        "Referencia",
        "Resultado",
        "Código de asistencia",
    ]
    ref = submitted.request.ref
    assert rows[1:] == [
        [f"2027-01-0{d}", "900123", "Mateo Quintana", "7", ref, "Pendiente", ""] for d in range(4, 9)
    ]
    text = ridgeline.text  # type: ignore[attr-defined]
    assert "sus estudiantes tuvieron 5 días escolares de estudio independiente" in text
    assert "Pendiente: los docentes todavía no han registrado el trabajo." in text
    html = ridgeline.html  # type: ignore[attr-defined]
    assert html.count("Mateo Quintana") == 5
    assert "lun 4 ene" in html and "vie 8 ene" in html

    # Madrone had nobody on independent study: a short note, no file.
    (madrone,) = sent[MADRONE_OFFICE]
    assert madrone.attachments == ()  # type: ignore[attr-defined]
    assert "None of your students was on Short-Term Independent Study last week" in madrone.text  # type: ignore[attr-defined]
    assert "Mon, Jan 4 to Fri, Jan 8" in madrone.text  # type: ignore[attr-defined]

    # Later runs that Monday change nothing.
    harness.clock.advance(hours=1)
    assert register.run() == 0
    harness.clock.current = local(2027, 1, 11, 23, 59)
    assert register.run() == 0
    assert len(registers(harness.mailer)[RIDGELINE_OFFICE]) == 1


def test_a_monday_without_a_run_is_caught_up_later_that_week_and_only_then(
    harness: Harness, register: WeeklyRegister
) -> None:
    harness.confirm(harness.submit())  # Ridgeline, 4 to 8 January 2027
    harness.mailer.sent.clear()
    harness.clock.current = local(2027, 1, 10, 23, 59)  # Sunday night: already Monday in UTC
    assert register.run() == 2
    assert "semana del 28 de diciembre de 2026" in registers(harness.mailer)[RIDGELINE_OFFICE][0].subject  # type: ignore[attr-defined]
    harness.mailer.sent.clear()

    harness.clock.current = local(2027, 1, 13, 9, 0)  # no run on Monday 11 January: Wednesday's sends it
    assert register.run() == 2
    (ridgeline,) = registers(harness.mailer)[RIDGELINE_OFFICE]
    assert "semana del 4 de enero de 2027" in ridgeline.subject  # type: ignore[attr-defined]
    assert len(csv_rows(ridgeline)) == 1 + 5
    for later in (local(2027, 1, 15, 17, 0), local(2027, 1, 17, 23, 59)):  # the rest of that week
        harness.clock.current = later
        assert register.run() == 0
    assert len(registers(harness.mailer)[RIDGELINE_OFFICE]) == 1


def test_only_contracts_holding_days_are_listed(harness: Harness, register: WeeklyRegister) -> None:
    kept = harness.submit()
    harness.confirm(kept)
    from chalicelib.core.request import Student

    cancelled = harness.submit(
        request_key="other", student=Student("Ana", "Ibarra", "900456", "8"), guardian=kept.request.guardian
    )
    token = harness.confirm(cancelled)
    harness.signing.cancel(cancelled.request.id, token)
    never_signed = harness.submit(request_key="third", student=Student("Leo", "Vidal", "900789", "6"))
    assert never_signed.request.state.value == "awaiting_guardian"
    harness.clock.current = local(2027, 1, 11, 8, 0)
    assert register.run() == 2
    (ridgeline,) = registers(harness.mailer)[RIDGELINE_OFFICE]
    names = {row[2] for row in csv_rows(ridgeline)[1:]}
    assert names == {"Mateo Quintana"}


def test_a_contract_over_two_weeks_is_in_each_weeks_register_with_that_weeks_days(
    harness: Harness, register: WeeklyRegister
) -> None:
    harness.confirm(harness.submit(first_day=date(2027, 1, 7), last_day=date(2027, 1, 12)))
    harness.clock.current = local(2027, 1, 11, 8, 0)
    register.run()
    harness.clock.current = local(2027, 1, 18, 8, 0)
    register.run()
    first, second = registers(harness.mailer)[RIDGELINE_OFFICE]
    assert [row[0] for row in csv_rows(first)[1:]] == ["2027-01-07", "2027-01-08"]
    assert [row[0] for row in csv_rows(second)[1:]] == ["2027-01-11", "2027-01-12"]


def test_a_failed_send_is_tried_again_at_the_next_run_and_then_never_again(
    harness: Harness, register: WeeklyRegister
) -> None:
    harness.confirm(harness.submit())
    harness.mailer.sent.clear()
    harness.clock.current = local(2027, 1, 11, 6, 0)
    harness.mailer.failing = "Throttling"
    assert register.run() == 0
    harness.mailer.failing = ""
    harness.clock.advance(hours=1)
    assert register.run() == 2
    assert register.run() == 0
    assert {to: len(mails) for to, mails in registers(harness.mailer).items()} == {
        RIDGELINE_OFFICE: 1,
        MADRONE_OFFICE: 1,
    }


def test_a_run_holding_a_register_keeps_another_from_sending_it(
    harness: Harness, register: WeeklyRegister
) -> None:
    monday = local(2027, 1, 11, 6, 0)
    harness.clock.current = monday
    assert harness.store.claim_register("ridgeline-middle", date(2027, 1, 4), monday, timedelta(hours=2))
    assert register.run() == 1  # Madrone only: Ridgeline's is being sent by another run
    harness.clock.advance(hours=3)  # that run died mid-send
    assert register.run() == 1
    assert GUARDIAN_EMAIL not in registers(harness.mailer)


# --- the email itself ----------------------------------------------------------------------


def rows_with_results() -> list[RegisterRow]:
    return [
        RegisterRow(date(2027, 1, 4), "900123", "Mateo Quintana", "7", "STIS-7F3A2C", DayResult.CREDITED),
        RegisterRow(date(2027, 1, 5), "900123", "Mateo Quintana", "7", "STIS-7F3A2C", DayResult.NOT_CREDITED),
        RegisterRow(date(2027, 1, 6), "900124", '=HYPERLINK("x")', "7", "STIS-8A1B2C", DayResult.PENDING),
    ]


@pytest.mark.parametrize(
    ("school", "credited", "not_credited", "pending"),
    [
        ("madrone-elementary", "Credited", "Not credited", "Pending"),
        ("ridgeline-middle", "Acreditado", "No acreditado", "Pendiente"),
    ],
)
def test_results_carry_the_districts_attendance_codes(
    district: DistrictConfig, school: str, credited: str, not_credited: str, pending: str
) -> None:
    email = RegisterEmailComposer(spanish_at_ridgeline(district)).compose_register(
        school, date(2027, 1, 4), rows_with_results()
    )
    rows = csv_rows(email)
    assert [row[5:] for row in rows[1:]] == [[credited, "IS"], [not_credited, "ISN"], [pending, ""]]
    # A name that a spreadsheet would run as a formula is kept as text.
    assert rows[3][2] == '\'=HYPERLINK("x")'
    for part in (email.text, email.html):
        assert "IS" in part and "ISN" in part
        assert credited in part and not_credited in part
    assert "&#34;x&#34;" in email.html or "&quot;x&quot;" in email.html  # escaped in the HTML
