"""The submit body fuzzed in-process by hypothesis (chalice.test.Client on the
embedded AWS): names with accents, emoji, right-to-left text, control
characters, CR LF meant for email headers, HTML and script and template
syntax in every text field, huge numbers, wrong types, and dates at every
boundary of the calendar.

Never a 5xx; every refusal in the documented error shape and language;
anything accepted is stored exactly as sent (trimmed) and emailed with the
text escaped in the HTML part and no header added; no log line carries it.
"""

from __future__ import annotations

import copy
import json
import logging
import unicodedata
import uuid
from datetime import date, timedelta
from html.parser import HTMLParser
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.config.loader import load
from chalicelib.http.responses import Error, SubmitResult
from chalicelib.i18n.text import GENERAL, PROBLEMS
from chalicelib.logs import JsonFormatter
from tests.support import figures
from tests.support.api import Api
from tests.support.aws import EMAIL_HEADERS, sent_emails, sent_messages

NASTY_TEXT = [
    "José Ñúñez-Ábrego",
    "Zoë O'Connor-Łukasiewicz",
    "李小龍",
    "👩‍👧‍👦 Family",
    "مريم الحسيني",
    "שָׁלוֹם כהן",
    "\u202eevil\u202c",
    "a\u200bb\u200dc",
    "\u00a0\u00a0",
    "   ",
    "",
    "Ana\r\nBcc: victim@evil.example",
    "Ana\nSubject: hi",
    "Ana\rX-Header: 1",
    "tab\there",
    "nul\x00byte",
    "esc\x1b[31mred",
    "line\u2028separator",
    "del\x7f",
    "c1\x85control",
    "<script>alert('x')</script>",
    "w<",
    "a<b>c",
    "</td></tr></table><p>hi</p>",
    "&lt;&#x3C;&amp;",
    '"><img src=x onerror=alert(1)>',
    "<a href='https://evil.example'>click</a>",
    "Tom & Jerry &amp; &lt;b&gt;",
    "{{ 7*7 }}{% if true %}yes{% endif %}",
    "${7*7} #{7*7} %s %n %(x)s",
    "'; DROP TABLE requests; --",
    "../../../etc/passwd",
    '=HYPERLINK("https://evil.example")',
    "x" * 80,
    "x" * 81,
    "y" * 120,
    "y" * 121,
    "z" * 500,
    "z" * 501,
]

NASTY_VALUES: list[Any] = [
    None,
    0,
    -1,
    10**400,
    1e308,
    -1e308,
    float("inf"),
    True,
    [],
    {},
    ["x"],
    {"$ne": None},
]


def boundary_dates() -> list[str]:
    anchors = [
        date(2026, 8, 12), date(2027, 6, 10), date(2027, 8, 11), date(2028, 6, 8),  # school years
        date(2027, 6, 4), date(2027, 6, 7),  # the blackout's edges
        date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 7), date(2026, 12, 8),  # notice (today is 1 Dec 2026)
        date(2027, 1, 18), date(2027, 2, 15), date(2026, 12, 21), date(2027, 1, 4),  # holidays, a break's edges
        date(2027, 3, 12), date(2027, 3, 15), date(2027, 11, 5), date(2027, 11, 8),  # daylight saving changes
        date(2028, 2, 28), date(2028, 3, 1), date(2026, 12, 31), date(2027, 1, 1),
    ]  # fmt: skip
    found = {d + timedelta(days=k) for d in anchors for k in (-1, 0, 1)}
    return sorted(d.isoformat() for d in found)


ODD_DATES = ["2028-02-29", "2027-02-29", "2027-13-01", "2027-00-10", "2027-01-32", "0000-01-01", "0001-01-01",
             "9999-12-31", "2027-1-4", "20270104", " 2027-01-04", "2027-01-04T08:00:00", "2027-01-04Z", "٢٠٢٧-٠١-٠٤",
             "2027-01-04\n"]  # fmt: skip

SCHOOLS = {
    "madrone-elementary": ["t-okafor", "t-lindqvist", "t-serrano", "t-nakamura", "t-alvarado", "t-brennan"],
    "ridgeline-middle": ["t-castellanos", "t-whitaker", "t-mbeki", "t-rojas", "t-holm", "t-duarte"],
}
_students = count(1)


ACCEPTABLE_TEXT = [
    t
    for t in NASTY_TEXT
    if t.strip()
    and len(t) <= 80
    and not any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in t)
]
printable = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
good_text = st.one_of(st.sampled_from(ACCEPTABLE_TEXT), st.text(printable, min_size=1, max_size=80))
# A name holds letters, marks, spaces, hyphens, apostrophes and periods (SPEC section 5);
# any other text drawn for a name checks that it is refused cleanly.
name_chars = st.one_of(
    st.characters(codec="utf-8", categories=("L", "M")), st.sampled_from([" ", "-", "'", "’", "."])
)
good_name = st.one_of(good_text, st.text(name_chars, min_size=1, max_size=80))
bad_text = st.one_of(
    st.sampled_from(NASTY_TEXT), st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=130)
)
any_value = st.sampled_from(NASTY_VALUES).map(copy.deepcopy)  # fresh: a body may be changed in place
nasty = st.one_of(bad_text, any_value)
day = st.one_of(
    st.sampled_from(boundary_dates()), st.sampled_from(ODD_DATES), any_value, st.dates().map(date.isoformat)
)
FIRST_DAYS = [
    "2027-01-04",
    "2027-02-01",
    "2027-03-15",
    "2027-09-13",
    "2027-11-08",
    "2028-01-10",
    "2028-02-28",
]


@st.composite
def valid_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A body the API should accept, its text drawn from accents, emoji, RTL, HTML, script..."""
    school = draw(st.sampled_from(sorted(SCHOOLS)))
    most = 1 if school == "madrone-elementary" else 3
    first = date.fromisoformat(draw(st.sampled_from(FIRST_DAYS)))
    body: dict[str, Any] = {
        "request_key": "fresh",
        "language": draw(st.sampled_from(["en", "es"])),
        "school_id": school,
        "teacher_ids": draw(
            st.lists(st.sampled_from(SCHOOLS[school]), min_size=1, max_size=most, unique=True)
        ),
        "student": {
            "first_name": draw(good_name),
            "last_name": draw(good_name),
            "student_id": "fresh",
            "grade": "1" if school == "madrone-elementary" else "7",
        },
        "guardian": {
            "name": draw(good_name),
            "email": "fresh",
            "phone": draw(st.sampled_from(["", "(555) 010-0199"])),
        },
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=draw(st.integers(0, 4)))).isoformat(),
    }
    if draw(st.booleans()):
        reason = draw(st.lists(good_text, min_size=1, max_size=3))
        body["reason"] = draw(st.sampled_from(["\n", "\r\n"])).join(reason)[:500]
    return body


PATHS = [("request_key",), ("language",), ("school_id",), ("teacher_ids",), ("student",), ("student", "first_name"),
         ("student", "last_name"), ("student", "student_id"), ("student", "grade"), ("guardian",), ("guardian", "name"),
         ("guardian", "email"), ("guardian", "phone"), ("first_day",), ("last_day",), ("reason",)]  # fmt: skip
SPECIAL: dict[str, list[Any]] = {
    "email": [
        "a@b",
        "a@b.example\r\nBcc: x@evil.example",
        "<a@b.example>",
        "a@@b.example",
        "x" * 250 + "@b.example",
    ],
    "grade": ["13", "k", " 1", "0"],
    "language": ["EN", "fr", "es-MX", ""],
    "teacher_ids": [
        [],
        ["t-nobody"],
        ["t-serrano", "t-serrano"],
        ["t-okafor", "t-serrano"],
        ["t-rojas"] * 13,
    ],
    "school_id": ["nowhere", "MADRONE-ELEMENTARY", "x" * 65],
}


@st.composite
def submit_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Half the time a valid body; otherwise one to three of its parts made wrong."""
    body = draw(valid_bodies())
    if draw(st.booleans()):
        return body
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3, unique=True)):
        holder = body
        for key in path[:-1]:
            holder = holder[key] if isinstance(holder.get(key), dict) else {}
        field = path[-1]
        choice = draw(st.integers(0, 4))
        if choice == 0:
            holder.pop(field, None)
        elif field in ("first_day", "last_day"):
            holder[field] = draw(day)
        elif field in SPECIAL and choice < 3:
            holder[field] = draw(st.sampled_from(SPECIAL[field]))
        else:
            holder[field] = draw(nasty)
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.sampled_from(["extra", "__proto__", "status", "id"]))] = draw(nasty)
    return body


def freshen(body: dict[str, Any]) -> dict[str, Any]:
    """Unique keys, student and guardian per example, so examples do not meet each other."""
    n = next(_students)
    if body.get("request_key") == "fresh":
        body["request_key"] = str(uuid.uuid4())
    student, guardian = body.get("student"), body.get("guardian")
    if isinstance(student, dict) and student.get("student_id") == "fresh":
        student["student_id"] = str(100_000_000 + n)
    if isinstance(guardian, dict) and guardian.get("email") == "fresh":
        guardian["email"] = f"fuzz.{n}@family.example"
    return body


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


ENGLISH = {*GENERAL.values(), *PROBLEMS.values()}  # the msgids: the English text
OFFICES = ("office@madrone.alder-creek.example", "office@ridgeline.alder-creek.example")
TEACHERS = tuple(t.email for s in load().schools for t in s.teachers)


def as_name(typed: str) -> str:
    """A name as stored: NFC, its runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", typed).split())


SITE = "https://portal.alder-creek.example/"
EMAIL_TAGS = {"html", "head", "meta", "title", "style", "body", "table", "tr", "td", "th", "p", "div", "br",
              "strong", "a", "ul", "li", "pre", "h1", "h2", "h3", "span"}  # fmt: skip


def reading(page: str) -> tuple[str, set[str], set[str], list[str]]:
    """An HTML part as a mail reader sees it: its text, tags, attribute names and links."""
    text: list[str] = []
    tags: set[str] = set()
    attributes: set[str] = set()
    links: list[str] = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.add(tag)
            for name, value in attrs:
                attributes.add(name)
                if name == "href":
                    links.append(value or "")

        def handle_data(self, data: str) -> None:
            text.append(data)

    Reader().feed(page)
    return "".join(text), tags, attributes, links


def fresh_table() -> None:
    """Move the store to an empty table: moto copies the whole table on every
    transaction, so a long fuzz run would otherwise slow down as it goes."""
    import boto3

    from chalicelib.wiring import records
    from infra.table import create_table

    name = f"fuzz-{uuid.uuid4().hex[:12]}"
    create_table(boto3.client("dynamodb", region_name="us-west-2"), name)
    records().store.table = name  # type: ignore[attr-defined]


def test_submit_bodies_of_every_kind_never_break_the_api(api: Api) -> None:
    from chalicelib.wiring import records

    logs = LogLines()
    logging.getLogger("stis").addHandler(logs)
    secrets: set[str] = set()
    accepted = 0

    @settings(
        max_examples=figures.size(100, 2000),
        deadline=None,
        database=None,
        derandomize=not figures.LONG,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=submit_bodies())
    def one(body: dict[str, Any]) -> None:
        nonlocal accepted
        body = freshen(body)
        figures.add("fuzz_submit_bodies")
        raw = json.dumps(body, allow_nan=True)
        before = len(sent_messages())
        response = api.post("/stis/requests", raw)
        if response.status_code >= 500:
            figures.add("server_errors")
        assert response.status_code < 500, (body, response.body)
        assert "Traceback" not in response.body.decode()
        if response.status_code >= 400:
            error = Error.model_validate(response.json_body).error
            assert response.status_code in (400, 409, 422), (body, response.json_body)
            if body.get("language") == "es":  # the body's language wins over everything
                assert error.message not in ENGLISH, error.message
                assert not set(error.fields.values()) & ENGLISH, error.fields
            assert api.deliver() == 0
            return
        result = SubmitResult.model_validate(response.json_body)
        accepted += 1
        figures.add("fuzz_submit_accepted")
        stored = records().store.get(result.id)
        assert stored is not None
        assert stored.student.first_name == as_name(body["student"]["first_name"])
        assert stored.student.last_name == as_name(body["student"]["last_name"])
        assert stored.guardian.name == as_name(body["guardian"]["name"])
        assert stored.reason == str(body.get("reason", "")).strip().replace("\r\n", "\n")
        assert api.deliver() == 1
        (confirm,) = sent_emails(before)
        assert str(confirm["To"]) == stored.guardian.email
        typed = [stored.student.first_name, stored.student.last_name, stored.guardian.name]
        typed += stored.reason.split("\n")
        whole = (
            str(confirm["Subject"])
            + "\n"
            + "\n".join(
                part.get_content() for part in confirm.walk() if part.get_content_maintype() == "text"
            )
        )
        for value in typed:  # nothing the requester typed reaches an unconfirmed address
            assert len(value.strip()) < 6 or value.strip() not in whole, f"{value!r} is in the confirm email"
        # the guardian confirms: the school hears of it, with the typed text escaped
        api.confirm(stored.guardian.email, stored.guardian.name)
        mails = sent_emails(before)
        assert len(mails) == 1 + len(stored.contract.teacher_ids) + 1
        secrets.update(
            {stored.student.first_name, stored.student.last_name, stored.guardian.name, stored.guardian.email}
        )
        for mail in mails[1:]:
            assert set(mail.keys()) <= EMAIL_HEADERS
            to = str(mail["To"])
            assert to in (*TEACHERS, *OFFICES)
            page = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
            text, tags, attributes, links = reading(page)
            assert tags <= EMAIL_TAGS, f"a parent's text made tags: {tags - EMAIL_TAGS}"
            assert not [a for a in attributes if a.startswith("on")], attributes
            assert all(link.startswith(SITE) for link in links), links
            shown = [stored.student.first_name, stored.student.last_name]
            if to in OFFICES:
                shown += [stored.guardian.name, *stored.reason.split("\n")]
            for value in shown:  # escaped, the text reads back as typed
                assert value.strip() in text, f"{value!r} does not read back from an HTML email"
        if accepted % 10 == 0:
            fresh_table()

    try:
        one()
    finally:
        logging.getLogger("stis").removeHandler(logs)
    text_of_logs = "\n".join(logs.lines)
    leaked = [s for s in secrets if len(s) >= 4 and s.strip() and s in text_of_logs]
    figures.add("leaked_secrets", len(leaked))
    assert not leaked
    assert accepted > 0, "no body was accepted: the fuzzing never reached the store"
