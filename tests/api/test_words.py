"""The words the back end's emails and answers use for people, through the
whole stack: who did what, the family's language, times of day."""

from __future__ import annotations

import re

from tests.api.test_signing import CASTELLANOS, GUARDIAN, OFFICE, ROJAS, middle_school_request, sign
from tests.support.api import Api

# Ridgeline's office reads English; Inés Castellanos and Camila Rojas read Spanish.


def test_the_office_is_told_who_cancelled_and_the_familys_language_not_to_call_itself(api: Api) -> None:
    request_id, guardian = middle_school_request(api)  # the family reads Spanish
    assert sign(api, request_id, guardian, "Elena Quintana", "es").status_code == 200  # confirmed
    assert api.post(f"/stis/requests/{request_id}/cancel", {}, token=guardian).status_code == 200
    api.deliver()
    office_emails = api.emails_to(OFFICE)
    assert len(office_emails) == 2  # the confirmed request, then the cancellation
    assert "it was withdrawn by Elena Quintana, parent or guardian." in office_emails[-1]["text"]
    for office_email in office_emails:
        for part in (office_email["text"], office_email["html"]):
            assert "The family reads Spanish." in part
            assert "Thank you," not in part  # no thanks from Ridgeline to Ridgeline
            assert "Call the Ridgeline Middle School office" not in part
    # The family's own email still closes with the school and its phone number.
    to_family = api.emails_to(GUARDIAN)[-1]["text"]
    assert "Llame a la oficina de Ridgeline Middle School" in to_family
    assert "La familia lee" not in to_family


def test_declined_says_who_by_name_and_role_in_emails_and_in_the_status(api: Api) -> None:
    request_id, guardian = middle_school_request(api)  # the family reads Spanish
    sign(api, request_id, guardian, "Elena Quintana", "es")
    api.deliver()
    to_office = api.emails_to(OFFICE)[-1]["text"]
    assert "Waiting for: Inés Castellanos, teacher; Camila Rojas, teacher" in to_office
    _, castellanos = api.link_for(CASTELLANOS)
    declined = api.post(
        f"/stis/requests/{request_id}/decline", {"reason": "Tiene examen esa semana."}, token=castellanos
    )
    assert declined.status_code == 200
    assert declined.json_body["ending"]["by_role"] == "teacher"
    assert declined.json_body["ending"]["by_name"] == "Inés Castellanos"
    api.deliver()
    to_family = api.emails_to(GUARDIAN)[-1]["text"]
    assert "Lo rechazó Inés Castellanos, docente.\n\nMotivo:\nTiene examen esa semana." in to_family
    assert "(maestro)" not in to_family and "(docente)" not in to_family
    status = api.get(f"/stis/requests/{request_id}", token=guardian).json_body
    assert status["ending"]["by_name"] == "Inés Castellanos"
    assert api.emails_to(ROJAS)  # the other teacher was asked and is told too


def test_every_time_in_an_email_says_a_m_or_p_m_as_its_language_writes_it(api: Api) -> None:
    request_id, guardian = middle_school_request(api)
    assert sign(api, request_id, guardian, "Elena Quintana", "es").status_code == 200
    api.deliver()
    for teacher, name in ((CASTELLANOS, "Inés Castellanos"), (ROJAS, "Camila Rojas")):
        _, token = api.link_for(teacher)
        assert sign(api, request_id, token, name, "es").status_code == 200
        api.deliver()
    times = 0
    # The family and Inés Castellanos read Spanish ("9:07 a. m."), the office English ("9:07 a.m.").
    for address, period in (
        (GUARDIAN, r"\s[ap]\.\sm\."),
        (CASTELLANOS, r"\s[ap]\.\sm\."),
        (OFFICE, r"\s[ap]\.m\."),
    ):
        for mail in api.emails_to(address):
            for clock in re.finditer(r"\b\d{1,2}:\d\d\b(.{0,6})", mail["text"]):
                times += 1
                assert re.match(period, clock.group(1)), mail["text"]
    assert times >= 4
