"""After approval (issue 15): the teachers record the work, the office gets the
result with attendance codes, a late cancel and an early end give days back and
tell everyone who signed, and the scheduled work can run twice safely."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from tests.api.ridgeline import CASTELLANOS, GUARDIAN, OFFICE, PRINCIPAL, ROJAS
from tests.support.api import Api
from tests.support.aws import sent_emails
from tests.support.bodies import submit_body

DATES = ["2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"]
RECORD_THE_WORK = ("Record the work", "Registre el trabajo")  # each teacher in their language
# 8 a.m. in California the day after the last day: the last day has ended.
AFTER_LAST_DAY = datetime(2027, 1, 9, 16, 0, tzinfo=UTC)


def sign(api: Api, request_id: str, token: str, name: str) -> Any:
    view = api.get(f"/stis/requests/{request_id}", token=token).json_body
    body = {"name": name, "agree": True, "contract_sha256": view["contract_sha256"]}
    return api.post(f"/stis/requests/{request_id}/sign", body, token=token)


def approved_request(api: Api) -> dict[str, str]:
    """A Spanish request for a grade 7 student with two teachers, signed by all:
    the link token of each party, and the request's id under "id"."""
    body = submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"])
    assert api.post("/stis/requests", body).status_code == 201
    request_id = api.confirm(GUARDIAN)
    tokens = {"id": request_id, "guardian": api.link_for(GUARDIAN)[1], "office": api.link_for(OFFICE)[1]}
    for key, address, name in (
        ("t-castellanos", CASTELLANOS, "Inés Castellanos"),
        ("t-rojas", ROJAS, "Camila Rojas"),
    ):
        tokens[key] = api.link_for(address)[1]
        assert sign(api, request_id, tokens[key], name).status_code == 200
    api.deliver()
    tokens["principal"] = api.link_for(PRINCIPAL)[1]
    assert sign(api, request_id, tokens["principal"], "Rafael Ibarra").json_body["status"] == "approved"
    api.deliver()
    return tokens


def jobs() -> Any:
    from chalicelib.wiring import jobs

    return jobs()


def days_used() -> int:
    from chalicelib.wiring import records

    return records().store.days_used("900123", "2026-2027")


def record(credited: dict[str, bool] | None = None, **extra: Any) -> dict[str, Any]:
    credited = credited or {}
    days = [{"date": d, "credited": credited.get(d, True), "received_on": "2027-01-09"} for d in DATES]
    return {"agree": True, "days": days, **extra}


def evaluate(api: Api, tokens: dict[str, str], teacher: str, body: dict[str, Any], lang: str = "en") -> Any:
    return api.post(f"/stis/requests/{tokens['id']}/evaluate?lang={lang}", body, token=tokens[teacher])


def test_two_teachers_record_the_work_and_the_office_gets_one_day_not_credited(api: Api) -> None:
    tokens = approved_request(api)
    before = api.get(f"/stis/requests/{tokens['id']}", token=tokens["guardian"]).json_body
    assert (before["phase"], before["can_evaluate"]) == ("before_start", False)
    assert [r["result"] for r in before["results"]] == ["pending"] * 5

    api.clock.current = AFTER_LAST_DAY
    assert jobs().begin_evaluations() == 1
    assert jobs().begin_evaluations() == 0  # the second run changes nothing
    api.deliver()
    for address in (CASTELLANOS, ROJAS):
        email = api.emails_to(address)[-1]
        assert email["subject"].startswith(RECORD_THE_WORK)
        assert f"#id={tokens['id']}&token=" in email["text"]

    view = api.get(f"/stis/requests/{tokens['id']}", token=tokens["t-rojas"]).json_body
    assert view["status"] == "awaiting_evaluation"
    assert (view["can_evaluate"], view["student_signs_here"]) == (True, True)
    assert (
        view["evaluation_due"] == "2027-01-19"
    )  # five school days after the return on the 11th (the 18th is a holiday)

    first = evaluate(
        api, tokens, "t-castellanos", record(name="ines castellanos", student={"name": "Mateo Quintana"})
    )
    assert first.status_code == 200, first.json_body
    assert first.json_body["status"] == "awaiting_evaluation"
    assert [s["role"] for s in first.json_body["signatures"]][-1] == "student"
    rojas_view = api.get(f"/stis/requests/{tokens['id']}", token=tokens["t-rojas"]).json_body
    assert rojas_view["student_signs_here"] is False  # the student signed once, on the first record

    last = evaluate(api, tokens, "t-rojas", record({"2027-01-06": False}, name="Camila Rojas"))
    assert last.status_code == 200, last.json_body
    closed = last.json_body
    assert closed["status"] == "closed"
    assert closed["phase"] == "closed"
    assert closed["credited_days"] == 4
    assert [r["result"] for r in closed["results"]] == [
        "credited",
        "credited",
        "not_credited",
        "credited",
        "credited",
    ]
    assert days_used() == 5  # a closed agreement still holds its days

    start = len(sent_emails())
    api.deliver()
    mails = {m["To"]: m for m in sent_emails(start)}
    office = mails[OFFICE]
    assert "4 of 5" in office["Subject"]
    attachments = [p for p in office.iter_attachments()]
    assert [a.get_content_type() for a in attachments] == ["text/csv"]
    rows = list(csv.DictReader(io.StringIO(attachments[0].get_content())))
    assert [(r["date"], r["attendance_code"]) for r in rows if r["result"] == "not_credited"] == [
        ("2027-01-06", "ISN")
    ]
    assert sum(1 for r in rows if r["attendance_code"] == "IS") == 4
    family = mails[GUARDIAN]
    assert "4 de 5" in family["Subject"]
    text = family.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "incompleto, sin crédito" in text
    assert not list(family.iter_attachments())


def test_recording_twice_out_of_turn_for_a_foreign_date_or_with_the_wrong_name_is_refused(api: Api) -> None:
    tokens = approved_request(api)
    early = evaluate(api, tokens, "t-rojas", record(name="Camila Rojas"))
    assert early.status_code == 409
    assert early.json_body["error"]["code"] == "wrong_state"
    assert "last day" in early.json_body["error"]["message"]

    api.clock.current = AFTER_LAST_DAY
    jobs().begin_evaluations()
    for other in ("guardian", "principal", "office"):
        refused = evaluate(api, tokens, other, record(name="Camila Rojas"))
        assert refused.status_code == 409, other

    foreign = record(name="Camila Rojas")
    foreign["days"][2]["date"] = "2027-01-11"
    wrong_day = evaluate(api, tokens, "t-rojas", foreign, "es")
    assert wrong_day.status_code == 422
    assert wrong_day.json_body["error"]["fields"] == {
        "days[2].date": "Esta fecha no es un día de clase de este acuerdo."
    }
    missing = record(name="Camila Rojas")
    missing["days"] = missing["days"][:4]
    assert evaluate(api, tokens, "t-rojas", missing).json_body["error"]["fields"].keys() == {"days"}

    wrong_name = evaluate(
        api, tokens, "t-rojas", record(name="Inés Castellanos", student={"name": "Mateo Quintana"})
    )
    assert wrong_name.status_code == 422
    assert wrong_name.json_body["error"]["code"] == "name_mismatch"
    assert "Camila Rojas" in wrong_name.json_body["error"]["message"]
    no_student = evaluate(api, tokens, "t-rojas", record(name="Camila Rojas"), "es")
    assert no_student.status_code == 422
    assert "student.name" in no_student.json_body["error"]["fields"]
    wrong_student = evaluate(
        api, tokens, "t-rojas", record(name="Camila Rojas", student={"name": "Ana Ruiz"})
    )
    assert wrong_student.json_body["error"]["code"] == "name_mismatch"
    assert "Mateo Quintana" in wrong_student.json_body["error"]["message"]
    both_wrong = evaluate(
        api, tokens, "t-rojas", record(name="Inés Castellanos", student={"name": "Ana Ruiz"})
    )
    fields = both_wrong.json_body["error"]["fields"]
    assert "Camila Rojas" in fields["name"] and "Mateo Quintana" in fields["student.name"]

    done = evaluate(api, tokens, "t-rojas", record(name="Camila Rojas", student={"name": "Mateo Quintana"}))
    assert done.status_code == 200
    twice = evaluate(api, tokens, "t-rojas", record(name="Camila Rojas"))
    assert twice.status_code == 409
    assert "already recorded" in twice.json_body["error"]["message"]


def test_the_guardian_cancels_an_approved_agreement_before_the_start_and_everyone_is_told(api: Api) -> None:
    tokens = approved_request(api)
    assert days_used() == 5
    start = len(sent_emails())
    cancelled = api.post(f"/stis/requests/{tokens['id']}/cancel", {}, token=tokens["guardian"])
    assert cancelled.status_code == 200
    assert cancelled.json_body["status"] == "cancelled"
    assert days_used() == 0
    api.deliver()
    emails = sent_emails(start)
    told = sorted(m["To"] for m in emails)
    assert told == sorted([GUARDIAN, CASTELLANOS, ROJAS, PRINCIPAL, OFFICE])
    for email in emails:  # a signed agreement is called one, not a request awaiting signatures
        text = email.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "Nobody needs to sign" not in text and "Ya nadie tiene que firmar" not in text, email["To"]
        assert "agreement" in email["Subject"] or "acuerdo" in email["Subject"], email["Subject"]


def test_the_office_ends_a_started_agreement_early_and_the_later_days_go_back(api: Api) -> None:
    tokens = approved_request(api)
    api.clock.current = datetime(2027, 1, 6, 18, 0, tzinfo=UTC)
    view = api.get(f"/stis/requests/{tokens['id']}", token=tokens["office"]).json_body
    assert (view["phase"], view["can_end"], view["can_cancel"]) == ("in_progress", True, False)
    too_late = api.post(f"/stis/requests/{tokens['id']}/cancel", {"reason": "x"}, token=tokens["office"])
    assert too_late.status_code == 409
    by_guardian = api.post(f"/stis/requests/{tokens['id']}/end", {"reason": "Back"}, token=tokens["guardian"])
    assert by_guardian.status_code == 409
    no_reason = api.post(f"/stis/requests/{tokens['id']}/end", {}, token=tokens["office"])
    assert no_reason.status_code == 422

    start = len(sent_emails())
    ended = api.post(
        f"/stis/requests/{tokens['id']}/end", {"reason": "La familia volvió antes"}, token=tokens["office"]
    )
    assert ended.status_code == 200, ended.json_body
    body = ended.json_body
    assert body["dates"] == ["2027-01-04", "2027-01-05"]  # the days so far: before today
    assert body["early_end"]["released_days"] == 3
    assert body["status"] == "awaiting_evaluation"  # its new last day is over
    assert days_used() == 2
    api.deliver()
    subjects = [(m["To"], str(m["Subject"])) for m in sent_emails(start)]
    told = {to for to, subject in subjects if "early" in subject or "antes de tiempo" in subject}
    assert told == {GUARDIAN, CASTELLANOS, ROJAS, PRINCIPAL, OFFICE}
    asked = {to for to, subject in subjects if subject.startswith(RECORD_THE_WORK)}
    assert asked == {CASTELLANOS, ROJAS}
    twice = api.post(f"/stis/requests/{tokens['id']}/end", {"reason": "again"}, token=tokens["office"])
    assert twice.status_code == 409
    assert days_used() == 2
    short = {"agree": True, "name": "Camila Rojas", "student": {"name": "Mateo Quintana"}}
    short["days"] = [{"date": d, "credited": True} for d in body["dates"]]
    assert evaluate(api, tokens, "t-rojas", short).status_code == 200


def test_reminders_go_once_a_day_a_few_times_and_the_office_hears_once_when_overdue(api: Api) -> None:
    tokens = approved_request(api)
    api.clock.current = AFTER_LAST_DAY
    jobs().begin_evaluations()
    assert jobs().remind_evaluators() == 0  # the first email went out today
    evaluate(
        api, tokens, "t-castellanos", record(name="Inés Castellanos", student={"name": "Mateo Quintana"})
    )
    sent: list[int] = []
    for day in range(11, 22):  # Monday 11 to Thursday 21 January, 9 a.m. in California
        api.clock.current = datetime(2027, 1, day, 17, 0, tzinfo=UTC)
        sent.append(jobs().remind_evaluators())
        assert jobs().remind_evaluators() == 0  # twice in a row: nothing new
    from chalicelib.wiring import records

    stored = records().store.get(tokens["id"])
    assert stored is not None
    reminders = [m.recipient for m in stored.outbox if m.kind == "record_reminder"]
    assert reminders == ["t-rojas"] * 3  # only the teacher who has not recorded, three times at most
    overdue = [m.recipient for m in stored.outbox if m.kind == "evaluation_overdue"]
    assert overdue == ["office"]
    assert [e.at.date().isoformat() for e in stored.audit if e.event == "evaluation_overdue"] == [
        "2027-01-19"
    ]
