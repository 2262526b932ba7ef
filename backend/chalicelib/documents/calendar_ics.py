"""The guardian's calendar file (.ics): the days away and the day the work is due.

Deterministic like the PDF: each event's UID comes from the request id, DTSTAMP
from the approval time, so the same record gives the same bytes. Written in the
guardian's language. icalendar is imported only here.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..config.schema import DistrictConfig
from ..core.request import StoredRequest
from ..i18n import format_date, gettext, join_names
from ..i18n.text import N_
from .record import approved_at, approved_with_school

WORDS = {
    "away": N_("Independent study: %(student)s away from %(school)s"),
    "away_text": N_(
        "Short-Term Independent Study agreement %(ref)s. School days of independent study: "
        "%(days)s. Teachers: %(teachers)s."
    ),
    "due": N_("Independent study work due: %(student)s"),
    "due_text": N_(
        "Agreement %(ref)s: the student turns in all the work to %(teachers)s on %(day)s. "
        "A day of independent study counts only when all its work is done."
    ),
}


def _say(key: str, language: str, **facts: object) -> str:
    message = WORDS[key]  # (outside the call: the extractor would take the key for a msgid)
    return gettext(message, language, **facts)


def work_due(district: DistrictConfig, request: StoredRequest) -> date:
    """The day the work is due: the first school day after the last day away
    (the day the student returns), or the last day when the school year ends then."""
    after = district.calendar().next_school_days(request.last_day + timedelta(days=1))
    return after[0] if after else request.last_day


def render_calendar_ics(district: DistrictConfig, request: StoredRequest) -> bytes:
    from icalendar import Calendar, Event

    record, school = approved_with_school(district, request)
    language = record.language
    stamp = approved_at(record)
    facts = {
        "student": record.student.full_name,
        "school": school.name,
        "ref": record.ref,
        "teachers": join_names([school.teacher_name(t) for t in record.teacher_ids], language),
        "days": ", ".join(format_date(d, language) for d in record.dates),
    }
    due = work_due(district, record)
    calendar = Calendar()
    calendar.add("prodid", f"-//{district.district.name}//STIS portal//{language.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    away = Event()
    away.add("uid", f"{record.id}-away@stis")
    away.add("dtstamp", stamp)
    away.add("dtstart", record.first_day)
    away.add("dtend", record.last_day + timedelta(days=1))  # all-day events end the day after
    away.add("summary", _say("away", language, **facts))
    away.add("description", _say("away_text", language, **facts))
    away.add("transp", "TRANSPARENT")
    calendar.add_component(away)
    work = Event()
    work.add("uid", f"{record.id}-work-due@stis")
    work.add("dtstamp", stamp)
    work.add("dtstart", due)
    work.add("dtend", due + timedelta(days=1))
    work.add("summary", _say("due", language, **facts))
    work.add("description", _say("due_text", language, **facts, day=format_date(due, language)))
    calendar.add_component(work)
    return bytes(calendar.to_ical())
