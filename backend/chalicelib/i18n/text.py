"""What the back end says to people: API error messages, the labels of states,
events and roles, and the fixed words of the contract text.

Each sentence is written once, in English, as a gettext msgid; the catalogs
(``locale/``) give it in the other languages. ``N_`` only marks a msgid for
extraction; the lookup happens when the words are needed, in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..core.errors import StisError
from .catalogs import translations
from .dates import format_date


def N_(message: str) -> str:  # gettext's name for "mark for extraction only"
    return message


def gettext(message: str, language: str, **facts: Any) -> str:
    """``message`` in ``language``, with ``%(name)s`` filled in from ``facts``."""
    translated = str(translations(language).gettext(message))
    return translated % facts if facts else translated


STATES = {
    "awaiting_guardian": N_("Waiting for the parent or guardian to sign"),
    "awaiting_teacher": N_("Waiting for the teacher's signature"),
    "awaiting_principal": N_("Waiting for the principal's signature"),
    "approved": N_("Approved"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled by the parent or guardian"),
    "void": N_("Void: not fully signed before the first day"),
    "expired": N_("Expired: not confirmed in time"),
    "awaiting_evaluation": N_("Waiting for the teacher's record of the work"),
    "closed": N_("Closed: the work has been recorded"),
}

EVENTS = {
    "submitted": N_("Request sent"),
    "signed": N_("Signed"),
    "approved": N_("Agreement approved"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
    "void": N_("Void"),
    "expired": N_("Expired"),
    "reminded": N_("Reminder sent"),
    "emailed": N_("Email sent"),
    "ended_early": N_("Ended early by the school office"),
    "evaluation_started": N_("Last day over: the teachers record the work"),
    "evaluated": N_("Work recorded"),
    "closed": N_("Closed: every teacher has recorded the work"),
    "evaluation_reminded": N_("Reminder to record the work sent"),
    "evaluation_overdue": N_("The school office was told the record is overdue"),
}

ROLES = {
    "guardian": N_("parent or guardian"),
    "teacher": N_("teacher"),
    "principal": N_("principal"),
    "office": N_("school office"),
    "student": N_("student"),
}

GRADES = {"K": N_("Kindergarten"), "TK": N_("Transitional kindergarten")}

CONTRACT_LABELS = {
    "title": N_("Short-Term Independent Study Agreement"),
    "facts_heading": N_("The student and the dates"),
    "student": N_("Student"),
    "grade": N_("Grade"),
    "school": N_("School"),
    "school_year": N_("School year"),
    "teacher": N_("Supervising teacher"),
    "teachers": N_("Supervising teachers"),
    "principal": N_("Principal"),
    "dates": N_("Dates of independent study"),
    "date_range": N_("from $first_day to $last_day"),
    "school_days": N_("Number of school days"),
    "days_listed": N_("School days covered"),
    "work_due": N_("Work due"),
    "terms_heading": N_("What the family and the school agree to"),
    "signatures": N_("Signatures"),
    "electronic": N_(
        "The parent or guardian signs first, then each teacher, then the principal, all electronically."
    ),
    "student_on_return": N_(
        "The student signs this agreement on returning to school, when the teacher records the finished work."
    ),
    "student_before": N_("The student signs this agreement before independent study begins."),
    "guardian_line": N_("Parent or guardian"),
    "student_line": N_("Student"),
}

GENERAL = {
    "bad_json": N_("We could not read what was sent. Please reload the page and try again."),
    "fields": N_("Some answers need to be corrected."),
    "payload_too_large": N_("What was sent is too large. Please shorten your answers."),
    "unsupported_media_type": N_("Please send the form as JSON."),
    "method_not_allowed": N_("This address does not accept that kind of request."),
    "not_found": N_("We could not find that request. Check the link in your email."),
    "invalid_token": N_("This link is not valid for this request. Use the link from your latest email."),
    "missing_token": N_("Open this page from the link in your email."),
    "request_key_conflict": N_(
        "This form was already sent with other answers. Reload the page to start a new request."
    ),
    "try_again": N_(
        "Many changes are happening at the same moment. Please wait a few seconds and try again."
    ),
    "unknown_school": N_("Choose the school from the list."),
    "unknown_teacher": N_("Choose the student's teacher from the list for this school."),
    "not_on_roster": N_(
        "This request does not match the school's records. Check the student ID, the school and "
        "your email address: use the address the school has for you. If they are right, call "
        "the school office."
    ),
    "contract_changed": N_("The agreement changed after you opened it. Please read it again, then sign."),
    "internal": N_("Something went wrong on our side. Your answers are safe; please try again later."),
    "link_expired": N_(
        "This link no longer works: the request ended a while ago. The school office can give you a copy."
    ),
    "open_per_guardian": N_(
        "Several requests from this email address are still waiting to be confirmed. Confirm or "
        "cancel them with the links in your email, or try again later."
    ),
    "open_per_student": N_(
        "Several requests for this student are still waiting for a parent to confirm them. Confirm "
        "them with the links in the email, or try again later."
    ),
    "refused_per_student": N_(
        "Too many requests for this student were refused today. Please try again tomorrow, or call "
        "the school office."
    ),
}

PROBLEMS = {
    "required": N_("This is required."),
    "repeated": N_("Each teacher may be chosen only once."),
    "one_teacher": N_("At an elementary school, choose the student's one classroom teacher."),
    "too_many": N_("Choose at most %(max)s teachers."),
    "last_before_first": N_("The last day must be the same as the first day or after it."),
    "too_long": N_("This is too long: at most %(max_length)s characters."),
    "email": N_("Enter an email address like name@example.com."),
    "date": N_("Enter a real date, like 2027-01-04."),
    "choice": N_("Choose one of the options."),
    "unexpected": N_("This field is not part of the form."),
    "agree": N_("Check the box to say you agree."),
    "text": N_("Enter text here."),
    "invalid": N_("This answer is not valid."),
    "request_key": N_("Reload the page and send the form again."),
    "sha256": N_("Reload the page to see the agreement, then sign."),
    "phone": N_("Enter a phone number using digits, like (555) 010-1234."),
    "control": N_("Remove the special characters from this answer."),
    "student_id": N_("Enter the student number: %(hint)s."),
    "grade_not_at_school": N_("This school does not have that grade. Check the grade and the school."),
    "name_chars": N_("Write the name with letters only: no digits, symbols or web addresses."),
    "no_links": N_("Leave web addresses out of the reason."),
    "day_not_in_contract": N_("This date is not a school day of this agreement."),
    "day_repeated": N_("This date is recorded twice."),
    "days_missing": N_("Record every school day of the agreement."),
    "received_in_future": N_("This date has not come yet."),
    "no_days_yet": N_("No school day of the agreement has passed yet: choose the last day."),
    "not_before_last_day": N_("Choose a day before the agreement's last day."),
    "hash": N_("Give the file's SHA-256: 64 characters, digits and the letters a to f."),
}

WRONG_STATE = {
    "ended": N_("This request is closed (%(state)s); it can no longer be changed."),
    "not_your_turn": N_("It is not your turn to sign yet. You will get an email when it is."),
    "already_signed": N_("You have already signed this request."),
    "too_late": N_("The first day has already started, so this can no longer be done."),
    "not_allowed": N_("This link cannot do that."),
    "not_agreed": N_("Check the box to say you agree."),
    "already_recorded": N_("You have already recorded the work for this agreement."),
    "not_yet": N_("The work can be recorded once the last day of independent study is over."),
    "not_started": N_("Independent study has not started yet: cancel the agreement instead."),
    "nothing_to_end": N_("The agreement already ends on that day."),
    "not_approved": N_("The agreement is not approved (%(state)s), so there is no signed copy yet."),
}

RULES = {
    "not_a_school_day": N_("%(day)s is not a school day. Choose a school day."),
    "outside_school_year": N_("%(day)s is outside the school year."),
    "outside_school_year_end": N_(
        "The dates must be in one school year; the last school day of %(school_year)s is %(last)s."
    ),
    "contract_too_long": N_("That is %(days)s school days; one agreement covers at most %(max_days)s."),
    "contract_too_short": N_("One agreement must cover at least %(min_days)s school days."),
    "blackout": N_("Independent study is not available during %(name)s (%(start)s to %(end)s)."),
    "insufficient_notice": N_(
        "These dates need at least %(hours)s hours' notice before school starts on the first day."
    ),
    "date_passed": N_("This first day is in the past."),
    "earliest_first_day": N_("The earliest first day you can ask for now is %(earliest)s."),
    "no_dates_left": N_("There are no dates left in this school year."),
    "cap_exceeded": N_(
        "This request is for %(requested)s school days, but the student has "
        "%(days_remaining)s of the %(cap)s days allowed this school year left."
    ),
    "overlap": N_("These dates overlap another request for this student."),
    "name_mismatch": N_(
        "This is not the name we have for you. Type your full name as it appears here: %(expected)s."
    ),
    "student_name_mismatch": N_(
        "This is not the student's name as the request gives it. Type the student's full name as it "
        "appears here: %(expected)s."
    ),
}


RESULTS = {
    "credited": N_("work complete, earns credit"),
    "not_credited": N_("not complete, no credit"),
    "pending": N_("not recorded yet"),
}


def result_label(result: str, language: str) -> str:
    """One school day's result after the absence, in ``language``."""
    return gettext(RESULTS[result], language) if result in RESULTS else result


def state_label(state: str, language: str) -> str:
    return gettext(STATES[state], language) if state in STATES else state


def audit_label(event: str, language: str) -> str:
    return gettext(EVENTS[event], language) if event in EVENTS else event


def _role_name(role: str, language: str) -> str:
    return gettext(ROLES[role], language) if role in ROLES else role


PERSON_IN_ROLE = {
    "guardian": N_("%(name)s, parent or guardian"),
    "teacher": N_("%(name)s, teacher"),
    "principal": N_("%(name)s, principal"),
}


def party_label(
    key: str,
    role: str,
    teachers: Mapping[str, str],
    principal: str,
    language: str,
    guardian: str = "",
) -> str:
    """Who a party is, named where the name is known: "Inés Castellanos, teacher"
    / "Inés Castellanos, docente" (no brackets, so it can sit inside some)."""
    names = {"teacher": teachers.get(key, key), "principal": principal, "guardian": guardian}
    if names.get(role):
        return gettext(PERSON_IN_ROLE[role], language, name=names[role])
    role_name = _role_name(role, language)
    return role_name[:1].upper() + role_name[1:]


# A signer's role on the record of signatures: the words the agreement's signature lines use.
SIGNER_ROLES = {
    "guardian": "guardian_line",
    "teacher": "teacher",
    "principal": "principal",
    "student": "student_line",
}


def signer_role(role: str, language: str) -> str:
    """ "Parent or guardian", "Supervising teacher", "Principal", "Student" (and
    "Padre, madre o tutor legal", "Docente a cargo", ...): a signer's role, as
    the agreement's signature lines name it."""
    key = SIGNER_ROLES.get(role)
    return gettext(CONTRACT_LABELS[key], language) if key else role


def format_grade(grade: str, language: str) -> str:
    return gettext(GRADES[grade], language) if grade in GRADES else grade


def contract_labels(language: str) -> dict[str, str]:
    """The fixed words of the contract text (``core.contract_text``) in ``language``."""
    return {key: gettext(label, language) for key, label in CONTRACT_LABELS.items()}


def _day(value: Any, language: str) -> str:
    return format_date(value, language) if isinstance(value, date) else str(value)


def rule_message(error: StisError, language: str) -> str:
    """The sentence for one refusal, with its facts, in ``language``."""
    d = error.details
    code = error.code

    def say(key: str, **facts: Any) -> str:
        return gettext(RULES[key], language, **facts)

    if code in ("not_a_school_day", "outside_school_year") and "school_year" not in d:
        return say(code, day=_day(d["day"], language))
    if code == "outside_school_year":
        last = _day(d["last_school_day"], language)
        return say("outside_school_year_end", school_year=d["school_year"], last=last)
    if code in ("contract_too_long", "contract_too_short", "cap_exceeded"):
        return say(code, **d)
    if code == "blackout":
        names = d["name"]
        name = names.get(language) or next(iter(names.values()), "")
        return say(code, name=name, start=_day(d["start"], language), end=_day(d["end"], language))
    if code == "insufficient_notice":
        earliest = d.get("earliest_first_day")
        tail = (
            say("earliest_first_day", earliest=_day(earliest, language)) if earliest else say("no_dates_left")
        )
        head = say("date_passed") if d.get("past") else say(code, hours=d["notice_hours"])
        return f"{head} {tail}"
    if code == "overlap":
        return say(code)
    if code == "name_mismatch":
        key = "student_name_mismatch" if error.field == "student.name" else code
        return say(key, expected=d["expected"])
    if code == "too_many_requests":
        limit = GENERAL[d["limit"]]  # (outside the call: the extractor would take "limit" for a msgid)
        return gettext(limit, language)
    if code == "wrong_state":
        template = WRONG_STATE.get(d.get("reason", ""), WRONG_STATE["ended"])
        return gettext(template, language, state=state_label(d.get("state", ""), language).lower())
    if code == "invalid_input" and "problem" in d:
        hint = d.get("hint") or {}
        return problem_message(
            d["problem"], language, {"max": d.get("max", ""), "hint": hint.get(language, "")}
        )
    return gettext(GENERAL.get(code, GENERAL["internal"]), language)


def problem_message(problem: str, language: str, facts: Mapping[str, Any] | None = None) -> str:
    return gettext(PROBLEMS.get(problem, PROBLEMS["invalid"]), language, **(facts or {}))


def general_message(key: str, language: str) -> str:
    return gettext(GENERAL[key], language)
