"""The intake attacks of issue 13, replayed over HTTP against the local stack.

Each was tried as an attacker would before the intake rules changed (a flood of
emails to one address, a stranger holding a child's days, the cap beaten by
spelling the id differently, refusals telling a stranger a child's dates, a
mistyped address that stuck the family, direction-changing characters in a
name); each test sends the same calls and checks what happens now, reading the
mailbox and the table, not only the answers."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from typing import Any

from tests.support import figures
from tests.support.flows import MADRONE, body, school_days, sign_call
from tests.support.live_stack import Answer, Call, LiveStack, check_days, emails_about, student_number, unique

YEAR = "2026-2027"
OPEN_PER_ADDRESS = 3  # district.yaml, intake.open_per_guardian
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def attack(live: LiveStack, calls: list[Call]) -> list[Answer]:
    """Send the calls one after another, as a script would; count them."""
    figures.add("attack_requests", len(calls))
    answers = [live.call(call) for call in calls]
    errors = [a for a in answers if a.status >= 500]
    figures.add("server_errors", len(errors))
    assert not errors, [a.body for a in errors[:3]]
    return answers


def submit(live: LiveStack, fields: dict[str, Any]) -> Answer:
    return attack(live, [Call("POST", "/stis/requests", fields)])[0]


def names_no_dates(error: dict[str, Any], *held: tuple[date, date]) -> None:
    """A refusal tells nothing of when the child is away: no date in any form."""
    text = json.dumps(error, ensure_ascii=False)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}", text), text
    assert not [m for m in MONTHS if m.lower() in text.lower()], text
    for first, last in held:
        assert first.isoformat() not in text and last.isoformat() not in text
    assert set(error.get("details", {})) <= {"requested", "cap", "days_remaining"}, error


def confirm(live: LiveStack, request_id: str, address: str, name: str = "Dolores Ferreira") -> Answer:
    """The person reading ``address`` follows the confirm-and-sign link and signs."""
    live.deliver()
    token = live.link(address, request_id)
    return attack(live, [sign_call(live, request_id, token, name)])[0]


def test_twenty_five_submits_at_one_address_give_it_three_emails_and_the_office_none(
    live: LiveStack,
) -> None:
    """Before: 25 emails to the victim and 25 to the office, each carrying the
    attacker's text. Now: the open requests per address are limited, the only
    email goes to that address, and it carries nothing the attacker typed."""
    figures.add("attacks_replayed")
    victim = f"{unique('victim')}@family.example"
    bait = {"first_name": "Urgent Your Account Is Locked", "last_name": "Visit The Portal Now"}
    days = school_days()
    calls = []
    for n in range(25):
        fields = body(MADRONE, student_number(), victim, days[n], days[n], reason="Payroll update required")
        fields["student"] = {**fields["student"], **bait}
        calls.append(Call("POST", "/stis/requests", fields))
    answers = attack(live, calls)
    accepted = [a.body["id"] for a in answers if a.status == 201]
    assert len(accepted) == OPEN_PER_ADDRESS, [a.status for a in answers]
    limited = [a for a in answers if a.status == 429]
    assert len(limited) == 25 - OPEN_PER_ADDRESS
    for answer in limited:
        assert answer.code == "too_many_requests"
        assert int(answer.headers["retry-after"]) > 0
        assert answer.body["error"]["message"]
    live.deliver()
    mails = live.mail_to(victim)
    assert len(mails) == OPEN_PER_ADDRESS
    for mail in mails:
        seen = mail["subject"] + mail["text"]
        for typed in (*bait.values(), "Payroll", "Ferreira", "Rosalind"):
            assert typed.lower() not in seen.lower(), f"{typed!r} reached the victim"
    about = emails_about(live, accepted)
    assert {to for _, to, _ in about} == {victim}  # the office and the teachers hear nothing


def test_a_strangers_unconfirmed_request_holds_no_days(live: LiveStack) -> None:
    """Before: a stranger who knew the id held all 15 days and the parent got
    cap_exceeded. Now: the stranger's request holds nothing; the parent's is
    accepted and confirmed for all 15; the stranger can never confirm theirs."""
    figures.add("attacks_replayed")
    days = school_days()
    student = student_number()
    stranger, parent = f"{unique('stranger')}@elsewhere.example", f"{unique('parent')}@family.example"
    first, last = days[30], days[44]  # 15 school days
    held = submit(live, body(MADRONE, student, stranger, first, last))
    assert held.status == 201, held.body
    assert check_days(live, student, YEAR) == []  # nothing held
    own = submit(live, body(MADRONE, student, parent, first, last))
    assert own.status == 201, own.body
    assert own.body["days_used"] == 15 and own.body["days_remaining"] == 0
    assert confirm(live, own.body["id"], parent).status == 200
    active = check_days(live, student, YEAR)
    assert [(r["id"], len(r["dates"])) for r in active] == [(own.body["id"], 15)]
    late = confirm(live, held.body["id"], stranger, "Dolores Ferreira")
    assert late.status == 409 and late.code in ("cap_exceeded", "overlap"), late.body
    names_no_dates(late.body["error"], (first, last))
    assert [r["id"] for r in check_days(live, student, YEAR)] == [own.body["id"]]


def test_spellings_of_one_student_id_share_one_cap(live: LiveStack) -> None:
    """Before: 555001, 0555001, 00555001, 555001- and -555001 each held days for
    one child. Now: the zeros are one student, and the dashes are refused."""
    figures.add("attacks_replayed")
    days = school_days()
    base = str(random.SystemRandom().randrange(100_000, 1_000_000))
    guardian = f"{unique('spell')}@family.example"
    first = submit(live, body(MADRONE, base, guardian, days[10], days[17]))  # 8 days
    assert first.status == 201, first.body
    assert confirm(live, first.body["id"], guardian).status == 200
    more = submit(live, body(MADRONE, "0" + base, guardian, days[20], days[27]))  # 8 more: 16 > 15
    assert more.status == 409 and more.code == "cap_exceeded", more.body
    assert more.body["error"]["details"] == {"requested": 8, "cap": 15, "days_remaining": 7}
    names_no_dates(more.body["error"], (days[10], days[17]))
    again = submit(live, body(MADRONE, "00" + base, guardian, days[14], days[15]))
    assert again.status == 409 and again.code == "overlap", again.body
    names_no_dates(again.body["error"], (days[10], days[17]))
    for spelling in (base + "-", "-" + base, base[:3] + "-" + base[3:]):
        for language in ("en", "es"):
            wrong = submit(live, body(MADRONE, spelling, guardian, days[30], days[30], language))
            assert wrong.status == 422 and wrong.code == "invalid_input", wrong.body
            assert "student.student_id" in wrong.body["error"]["fields"]
    fits = submit(live, body(MADRONE, "00" + base, guardian, days[20], days[26]))  # the 7 left
    assert fits.status == 201, fits.body
    assert fits.body["days_used"] == 15
    assert confirm(live, fits.body["id"], guardian).status == 200
    active = check_days(live, base, YEAR)
    assert sorted(len(r["dates"]) for r in active) == [7, 8]
    assert all(r["student"]["student_id"] == base for r in active)  # stored in the canonical form


def test_no_refusal_names_another_requests_dates(live: LiveStack) -> None:
    """Before: overlap gave the other request's dates and cap_exceeded the days
    used. Now, in either language, a stranger learns neither."""
    figures.add("attacks_replayed")
    days = school_days()
    student = student_number()
    parent = f"{unique('parent')}@family.example"
    own = submit(live, body(MADRONE, student, parent, days[10], days[21]))  # 12 days
    assert own.status == 201, own.body
    assert confirm(live, own.body["id"], parent).status == 200
    held = (days[10], days[21])
    for language in ("en", "es"):
        stranger = f"{unique('stranger')}@elsewhere.example"
        for first, last, code in ((days[15], days[15], "overlap"), (days[25], days[28], "cap_exceeded")):
            refused = submit(live, body(MADRONE, student, stranger, first, last, language))
            assert refused.status == 409 and refused.code == code, refused.body
            names_no_dates(refused.body["error"], held)
            assert "days_used" not in json.dumps(refused.body)


def test_a_family_that_mistyped_its_address_succeeds_on_the_second_try(live: LiveStack) -> None:
    """Before: no link arrived, the corrected form was refused as an overlap and
    the days stayed held until the first day. Now the corrected form goes
    through at once and is confirmed; the mistyped one holds nothing."""
    figures.add("attacks_replayed")
    days = school_days()
    student = student_number()
    right = f"{unique('family')}@family.example"
    typo = right.replace("@family.", "@famly.")
    mistyped = submit(live, body(MADRONE, student, typo, days[10], days[14], "es"))
    assert mistyped.status == 201, mistyped.body
    corrected = submit(live, body(MADRONE, student, right, days[10], days[14], "es"))
    assert corrected.status == 201, corrected.body
    assert confirm(live, corrected.body["id"], right).status == 200
    active = check_days(live, student, YEAR)
    assert [r["id"] for r in active] == [corrected.body["id"]]
    live.deliver()
    assert len(live.mail_to(typo)) == 1  # the one confirm-and-sign email, never answered
    office = [to for rid, to, _ in emails_about(live, [mistyped.body["id"]]) if to != typo]
    assert office == []  # the school never heard of the mistyped one


def test_direction_and_zero_width_characters_in_a_name_are_refused(live: LiveStack) -> None:
    """Before: U+202E and zero-width characters were stored and shown in the
    signed contract. Now they are refused, the field named, in the reader's language."""
    figures.add("attacks_replayed")
    days = school_days()
    messages = set()
    for hidden in ("\u202e", "\u200b", "\u200d", "\u2066", "\ufeff"):
        for field, language in (("student.first_name", "en"), ("guardian.name", "es")):
            guardian = f"{unique('hidden')}@family.example"
            fields = body(MADRONE, student_number(), guardian, days[10], days[10], language)
            part, key = field.split(".")
            fields[part] = {**fields[part], key: f"Ana{hidden}María"}
            refused = submit(live, fields)
            assert refused.status == 422 and refused.code == "invalid_input", refused.body
            assert field in refused.body["error"]["fields"], refused.body
            messages.add((language, refused.body["error"]["fields"][field]))
            assert live.mail_to(guardian) == []
    assert len({m for _, m in messages}) == 2  # one message per language
