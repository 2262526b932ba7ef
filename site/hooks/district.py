"""MkDocs hook: the district configuration's numbers and data in the pages.

Pages never type a policy number by hand. They write ``{{ stis.max_days_per_year }}``
(or a block such as ``{{ stis.notice_table }}``) and this hook fills it in from
``backend/chalicelib/config/district.yaml`` (or the file named by ``DISTRICT_CONFIG``),
in the page's language. A placeholder this hook does not know stops the build.

It also checks the API address (``extra.api_url``, from ``STIS_API_URL``) and hands
the templates what they need: the address for the ``<meta name="stis-api-url">`` tag,
the content security policy, and a small JSON block for the page scripts.
"""

from __future__ import annotations

import html
import math
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "backend") not in sys.path:
    sys.path.insert(0, str(ROOT / "backend"))

from chalicelib.config.loader import ConfigError, load  # noqa: E402
from chalicelib.config.schema import DistrictConfig  # noqa: E402
from chalicelib.core.students import GRADES  # noqa: E402
from chalicelib.i18n import format_date, format_time  # noqa: E402

# California law, not district policy (so not in district.yaml): the numbers the
# pages quote from the Education Code. Named here so no page types them by hand.
LAW = {
    "chronic_absence_percent": 10,  # chronic absentee: 10% or more of days enrolled
    "truant_full_days": 3,  # EC 48260: 3 full days without a valid excuse ...
    "truant_minutes": 30,  # ... or tardy/absent over 30 minutes ...
    "truant_occasions": 3,  # ... on 3 occasions in one school year
    "habitual_truant_reports": 3,  # EC 48262: reported truant 3 or more times
    "chronic_truant_percent": 10,  # EC 48263.6: 10% or more of days without excuse
    "sarb_since": 1974,  # SARBs exist since 1974 (EC 48320 onward)
}

# What the forms accept: the API's input limits (backend/chalicelib/http/schemas.py).
FORM = {
    "reason_max_length": 500,
    "student_name_max_length": 80,
    "name_max_length": 120,
    "student_id_max_length": 20,
}
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "days_col": "School days missed",
        "notice_col": "Notice needed (at least)",
        "range": "{a} to {b} school days",
        "one": "{a} school day",
        "hours": "{h} hours",
        "hours_days": "{h} hours ({d} days)",
        "hours_day": "{h} hours ({d} day)",
        "absences_col": "Absences this school year",
        "step_col": "What happens",
        "tier_at": "{n} absences",
        "tier_more": "{n} or more absences",
        "year_col": "School year",
        "first_col": "First day of school",
        "last_col": "Last day of school",
        "blackout": "{name}: {a} to {b}",
        "no_blackouts": "There are no dates this year when independent study is closed.",
        "signs_on_return": (
            "Your child signs the agreement when they come back to school, on the page where the "
            "teacher records the finished work."
        ),
        "signs_before": (
            "Your child signs the agreement before the independent study starts: when you sign, "
            "your child types their own name beside yours."
        ),
        "grades": "Grades",
        "phone": "Phone",
        "email": "Email",
        "hours_label": "Office hours",
        "address": "Address",
        "principal": "Principal",
        "TK": "Transitional kindergarten (TK)",
        "K": "Kindergarten (K)",
        "grade_n": "Grade {n}",
        "choose": "Choose a grade",
        "date_col": "Date",
        "what_col": "What",
        "first_day": "First day of school",
        "last_day": "Last day of school",
        "span": "{a} to {b}",
        "year_heading": "School year {year}",
    },
    "es": {
        "days_col": "Días de clase que faltará",
        "notice_col": "Aviso necesario (como mínimo)",
        "range": "De {a} a {b} días de clase",
        "one": "{a} día de clase",
        "hours": "{h} horas",
        "hours_days": "{h} horas ({d} días)",
        "hours_day": "{h} horas ({d} día)",
        "absences_col": "Faltas en este ciclo escolar",
        "step_col": "Qué sucede",
        "tier_at": "{n} faltas",
        "tier_more": "{n} faltas o más",
        "year_col": "Ciclo escolar",
        "first_col": "Primer día de clases",
        "last_col": "Último día de clases",
        "blackout": "{name}: del {a} al {b}",
        "no_blackouts": "Este año no hay fechas en las que el estudio independiente esté cerrado.",
        "signs_on_return": (
            "Su hijo o hija firma el acuerdo cuando regresa a la escuela, en la página donde su "
            "docente registra el trabajo terminado."
        ),
        "signs_before": (
            "Su hijo o hija firma el acuerdo antes de que empiece el estudio: cuando usted firma, "
            "su hijo o hija escribe su propio nombre junto al de usted."
        ),
        "grades": "Grados",
        "phone": "Teléfono",
        "email": "Correo electrónico",
        "hours_label": "Horario de la oficina",
        "address": "Dirección",
        "principal": "Director o directora",
        "TK": "Kínder de transición (TK)",
        "K": "Kínder (K)",
        "grade_n": "Grado {n}",
        "choose": "Elija un grado",
        "date_col": "Fecha",
        "what_col": "Qué pasa",
        "first_day": "Primer día de clases",
        "last_day": "Último día de clases",
        "span": "Del {a} al {b}",
        "year_heading": "Ciclo escolar {year}",
    },
}


# --- Formatting ---------------------------------------------------------------


# Dates and times as the back end writes them (Babel, one style per language).
long_date = format_date
clock = format_time


def percent(number: int, language: str) -> str:
    """A percentage written the language's way, as the pages' scripts write it
    (Intl.NumberFormat): "10%" in English, "10 %" in Spanish."""
    return str(format_percent(number / 100, locale=language))


def tel(phone: str) -> str:
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def cell(text: str) -> str:
    """Text for a Markdown table cell (no pipes, one line)."""
    return " ".join(text.replace("|", "&#124;").split())


# --- Blocks -------------------------------------------------------------------


def notice_rows(district: DistrictConfig) -> list[tuple[int, int, int]]:
    """(first, last, hours) for each block of days up to the longest contract."""
    stis = district.stis
    rows = []
    for block in range(1, math.ceil(stis.max_days_per_contract / stis.notice_block_days) + 1):
        first = max((block - 1) * stis.notice_block_days + 1, stis.min_days_per_contract)
        last = min(block * stis.notice_block_days, stis.max_days_per_contract)
        if first <= last:
            rows.append((first, last, block * stis.notice_hours_per_block))
    return rows


def hours_text(hours: int, language: str) -> str:
    w = WORDS[language]
    if hours and hours % 24 == 0:
        days = hours // 24
        return (w["hours_day"] if days == 1 else w["hours_days"]).format(h=hours, d=days)
    return w["hours"].format(h=hours)


def notice_table(district: DistrictConfig, language: str) -> str:
    w = WORDS[language]
    lines = [f"| {w['days_col']} | {w['notice_col']} |", "|---|---|"]
    for first, last, hours in notice_rows(district):
        days = w["one"].format(a=first) if first == last else w["range"].format(a=first, b=last)
        lines.append(f"| {days} | {hours_text(hours, language)} |")
    return "\n".join(lines)


def tier_label(district: DistrictConfig, index: int, language: str) -> str:
    w = WORDS[language]
    tier = district.absence_tiers[index]
    last = index == len(district.absence_tiers) - 1
    return (w["tier_more"] if last else w["tier_at"]).format(n=tier.absences)


def tiers_table(district: DistrictConfig, language: str) -> str:
    w = WORDS[language]
    lines = [f"| {w['absences_col']} | {w['step_col']} |", "|---|---|"]
    for index, tier in enumerate(district.absence_tiers):
        label = tier_label(district, index, language)
        lines.append(
            f"| **{cell(label)}** | **{cell(tier.title[language])}.** {cell(tier.what_happens[language])} |"
        )
    return "\n".join(lines)


def school_years_table(district: DistrictConfig, language: str) -> str:
    w = WORDS[language]
    lines = [f"| {w['year_col']} | {w['first_col']} | {w['last_col']} |", "|---|---|---|"]
    for year in district.school_years:
        lines.append(
            f"| {year.id} | {long_date(year.first_day, language)} | {long_date(year.last_day, language)} |"
        )
    return "\n".join(lines)


def school_calendar(district: DistrictConfig, language: str) -> str:
    """Each school year: its first and last day, and every holiday and break by name."""
    w = WORDS[language]
    parts = []
    for year in district.school_years:
        rows = [(year.first_day, long_date(year.first_day, language), w["first_day"])]
        for off in year.non_school_days:
            when = (
                long_date(off.first, language)
                if off.first == off.last
                else w["span"].format(a=long_date(off.first, language), b=long_date(off.last, language))
            )
            rows.append((off.first, when, off.name[language]))
        rows.append((year.last_day, long_date(year.last_day, language), w["last_day"]))
        table = [f"| {w['date_col']} | {w['what_col']} |", "|---|---|"]
        table += [f"| {cell(when)} | {cell(what)} |" for _, when, what in sorted(rows, key=lambda r: r[0])]
        heading = w["year_heading"].format(year=year.id.replace("-", "\u2013"))
        parts.append(f"## {heading} {{ #year-{year.id} }}\n\n" + "\n".join(table))
    return "\n\n".join(parts)


def blackouts(district: DistrictConfig, language: str) -> str:
    w = WORDS[language]
    if not district.stis.blackouts:
        return w["no_blackouts"]
    return "\n".join(
        "- "
        + w["blackout"].format(
            name=b.name[language][:1].upper() + b.name[language][1:],
            a=long_date(b.start, language),
            b=long_date(b.end, language),
        )
        for b in district.stis.blackouts
    )


def school_contacts(district: DistrictConfig, language: str) -> str:
    """One section per school: a heading and a definition list of its office."""
    w = WORDS[language]
    parts = []
    for school in district.schools:
        office = school.office
        rows = [
            (w["grades"], school.grades),
            (w["phone"], f"[{office.phone}]({tel(office.phone)})"),
            (w["email"], f"[{office.email}](mailto:{office.email})"),
            (w["hours_label"], office.hours[language]),
            (w["address"], office.address),
            (w["principal"], school.principal.name),
        ]
        body = "\n\n".join(f"{term}\n:   {value}" for term, value in rows)
        parts.append(f"### {school.name} {{ #{school.id} }}\n\n{body}")
    return "\n\n".join(parts)


def office_list(district: DistrictConfig, language: str) -> str:
    """An HTML list of the school offices (for places where Markdown is not parsed)."""
    w = WORDS[language]
    items = "".join(
        f"<li><strong>{escape(s.name)}</strong>: "
        f'{w["phone"]} <a href="{tel(s.office.phone)}">{escape(s.office.phone)}</a>, '
        f'{w["email"].lower()} <a href="mailto:{escape(s.office.email)}">'
        f"{escape(s.office.email)}</a>. {escape(s.office.hours[language])}.</li>"
        for s in district.schools
    )
    return f'<ul class="portal-offices">{items}</ul>'


def grades_by_school(district: DistrictConfig) -> dict[str, list[str]]:
    return {s.id: list(s.grade_list()) for s in district.schools}


def grade_options(district: DistrictConfig, language: str) -> str:
    """The grade list of the request form: only grades one of the district's schools has."""
    w = WORDS[language]
    offered = {g for grades in grades_by_school(district).values() for g in grades}
    options = [f'<option value="">{escape(w["choose"])}</option>']
    for grade in (g for g in GRADES if g in offered):
        label = w[grade] if grade in ("TK", "K") else w["grade_n"].format(n=grade)
        options.append(f'<option value="{grade}">{escape(label)}</option>')
    return "".join(options)


def example_year(district: DistrictConfig, today: date | None = None) -> Any:
    """The school year the pages use as an example: the current or next one."""
    today = today or datetime.now(ZoneInfo(district.district.time_zone)).date()
    years = district.calendar().years
    return next((y for y in years if y.last_day >= today), years[-1])


# --- The placeholders ---------------------------------------------------------


def placeholders(district: DistrictConfig, language: str) -> dict[str, Callable[[], str]]:
    d, stis = district.district, district.stis
    tiers = district.absence_tiers
    rows = notice_rows(district)
    example = example_year(district)
    values: dict[str, Callable[[], str]] = {
        "district.name": lambda: d.name,
        "district.short_name": lambda: d.short_name,
        "district.attendance_phone": lambda: d.attendance_phone,
        "district.attendance_phone_link": lambda: f"[{d.attendance_phone}]({tel(d.attendance_phone)})",
        "district.website": lambda: d.website,
        "district.school_day_start": lambda: clock(d.school_day_start, language),
        "attendance.report_within_days": lambda: str(district.report_absence_within_school_days),
        "attendance.illness_days_before_note": lambda: str(district.illness_days_before_note),
        "stis.max_days_per_year": lambda: str(stis.max_days_per_year),
        "stis.min_days_per_contract": lambda: str(stis.min_days_per_contract),
        "stis.max_days_per_contract": lambda: str(stis.max_days_per_contract),
        "stis.notice_hours_per_block": lambda: str(stis.notice_hours_per_block),
        "stis.notice_block_days": lambda: str(stis.notice_block_days),
        "stis.longest_notice_hours": lambda: str(rows[-1][2]),
        "stis.max_teachers": lambda: str(stis.max_teachers),
        "stis.notice_table": lambda: notice_table(district, language),
        "stis.blackouts": lambda: blackouts(district, language),
        "stis.student_signs": lambda: WORDS[language][
            "signs_on_return" if stis.student_signs == "on_return" else "signs_before"
        ],
        "tiers.table": lambda: tiers_table(district, language),
        "tiers.first": lambda: str(tiers[0].absences),
        "tiers.last": lambda: str(tiers[-1].absences),
        "tiers.first_title": lambda: tiers[0].title[language],
        "tiers.last_title": lambda: tiers[-1].title[language],
        "school_years.table": lambda: school_years_table(district, language),
        "calendar.example_year": lambda: example.id,
        "calendar.example_days": lambda: str(len(example.school_days)),
        "calendar.example_chronic_days": lambda: str(
            math.ceil(len(example.school_days) * LAW["chronic_absence_percent"] / 100)
        ),
        "schools.contacts": lambda: school_contacts(district, language),
        "schools.office_list": lambda: office_list(district, language),
        "form.grade_options": lambda: grade_options(district, language),
        "calendar.school_years": lambda: school_calendar(district, language),
        **{f"form.{key}": (lambda value=value: str(value)) for key, value in FORM.items()},
    }
    for key, number in LAW.items():
        values[f"law.{key}"] = lambda number=number: str(number)  # type: ignore[misc]
        if key.endswith("_percent"):
            values[f"law.{key[: -len('_percent')]}_share"] = lambda number=number: percent(number, language)  # type: ignore[misc]
    return values


def render(markdown: str, district: DistrictConfig, language: str, where: str = "page") -> str:
    """Fill every ``{{ name }}`` in ``markdown``; an unknown name is an error."""
    if language not in district.languages:
        raise PluginError(f"{where}: no page text for language {language!r}")
    known = placeholders(district, language)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in known:
            hint = "" if NAME.match(name) else " (write {{ section.name }})"
            raise PluginError(
                f"{where}: unknown placeholder {{{{ {name} }}}}{hint}; known: " + ", ".join(sorted(known))
            )
        return known[name]()

    filled = PLACEHOLDER.sub(fill, markdown)
    leftover = re.search(r"\{\{|\}\}", filled)
    if leftover:
        line = filled.count("\n", 0, leftover.start()) + 1
        raise PluginError(f"{where}: unbalanced placeholder braces near line {line}")
    return filled


def portal_data(district: DistrictConfig, language: str) -> dict[str, Any]:
    """What the page scripts need, in the page's language (no email addresses)."""
    return {
        "language": language,
        "timeZone": district.district.time_zone,
        "chronicPercent": LAW["chronic_absence_percent"],
        "maxTeachers": district.stis.max_teachers,
        "schoolGrades": grades_by_school(district),
        "tiers": [
            {
                "absences": tier.absences,
                "label": tier_label(district, index, language),
                "title": tier.title[language],
                "text": tier.what_happens[language],
            }
            for index, tier in enumerate(district.absence_tiers)
        ],
    }


def api_base(value: object) -> tuple[str, str]:
    """The API base URL (no trailing slash) and its origin, or a build error."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or re.search(r"[\s\"'<>]", text)
    ):
        raise PluginError(
            f"STIS_API_URL (extra.api_url) must be an http(s) URL like "
            f"https://api.example.org/prod, not {text!r}"
        )
    return text.rstrip("/"), f"{parts.scheme}://{parts.netloc}"


# --- MkDocs events ------------------------------------------------------------

_state: dict[str, Any] = {}


def on_config(config: Any) -> Any:
    try:
        _state["district"] = load()
    except ConfigError as error:
        raise PluginError(str(error)) from None
    api_url, api_origin = api_base(config.extra.get("api_url"))
    config.extra["api_url"] = api_url
    config.extra["api_origin"] = api_origin
    return config


def page_language(page: Any, config: Any) -> str:
    return str(getattr(page.file, "locale", None) or config.theme["language"] or "en")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return render(markdown, _state["district"], page_language(page, config), page.file.src_uri)


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    context["portal_data"] = portal_data(_state["district"], page_language(page, config))
    return context
