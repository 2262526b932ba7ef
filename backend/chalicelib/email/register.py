"""The office's weekly register, composed: the school office's address and
language from the configuration, the rows in that language, an HTML table,
a text part and the same rows as a CSV attachment.

The dispatcher of the register (``service/register.py``) calls this through the
``RegisterComposer`` port; it sends nothing itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..config.schema import DistrictConfig, Text
from ..core.register import RegisterRow, school_week
from ..core.request import DayResult
from ..i18n import format_grade
from ..i18n.text import N_, gettext
from ..service.ports import Attachment, Composed, NoRecipient
from .compose import Renderer
from .render import render_email

RESULTS = {
    DayResult.CREDITED: N_("Credited"),
    DayResult.NOT_CREDITED: N_("Not credited"),
    DayResult.PENDING: N_("Pending"),
}
CSV_COLUMNS = (
    N_("Date"),
    N_("Student ID"),
    N_("Student name"),
    N_("Grade"),
    N_("Reference"),
    N_("Result"),
    N_("Attendance code"),
)
# A spreadsheet reads a cell starting with one of these as a formula; a name typed
# into the request form must stay a name.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RegisterEmailComposer:
    def __init__(self, district: DistrictConfig, render: Renderer = render_email) -> None:
        self.district = district
        self.render = render

    def code_for(self, result: DayResult) -> str:
        codes = self.district.attendance_codes
        if result is DayResult.CREDITED:
            return codes.credited.code
        if result is DayResult.NOT_CREDITED:
            return codes.not_credited.code
        return ""

    def compose_register(self, school_id: str, monday: date, rows: Sequence[RegisterRow]) -> Composed:
        school = self.district.school(school_id)
        if school is None:
            raise NoRecipient(school_id)
        language = school.office.language
        first, last = school_week(monday)
        filename = f"stis-register-{school.id}-{monday.isoformat()}.csv"
        codes = self.district.attendance_codes
        context: dict[str, Any] = {
            "district_name": self.district.district.name,
            "school_name": school.name,
            "week": gettext(
                "%(first)s to %(last)s", language, first=_day(first, language), last=_day(last, language)
            ),
            "week_start": _long_day(first, language),
            "rows": [
                {
                    "day": _day(row.day, language),
                    "student_name": row.student_name,
                    "student_id": row.student_id,
                    "grade": format_grade(row.grade, language),
                    "ref": row.ref,
                    "result": row.result.value,
                    "result_label": gettext(RESULTS[row.result], language),
                    "code": self.code_for(row.result),
                }
                for row in rows
            ],
            "codes": [
                {"code": c.code, "label": _label(c.label, language)}
                for c in (codes.credited, codes.not_credited)
            ],
            "pending": any(row.result is DayResult.PENDING for row in rows),
            "filename": filename,
        }
        email = self.render("weekly_register", language, context)
        attachments: tuple[Attachment, ...] = ()
        if rows:
            attachments = (Attachment(filename, "text/csv", self.csv(rows, language)),)
        return Composed(school.office.email, language, email.subject, email.text, email.html, attachments)

    def csv(self, rows: Sequence[RegisterRow], language: str) -> bytes:
        """The rows as CSV (UTF-8 with a byte order mark, so spreadsheets read the
        accents; ISO dates, so it sorts and imports)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([gettext(column, language) for column in CSV_COLUMNS])
        for row in rows:
            writer.writerow(
                [
                    row.day.isoformat(),
                    _cell(row.student_id),
                    _cell(row.student_name),
                    _cell(row.grade),
                    row.ref,
                    gettext(RESULTS[row.result], language),
                    self.code_for(row.result),
                ]
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _day(day: date, language: str) -> str:
    from babel.dates import format_date as babel_date

    return str(babel_date(day, "EEE d MMM" if language == "es" else "EEE, MMM d", locale=language))


def _long_day(day: date, language: str) -> str:
    """ "4 de enero de 2027", "January 4, 2027": the week's first day in a sentence."""
    from babel.dates import format_date as babel_date

    return str(babel_date(day, "long", locale=language))


def _label(label: Text, language: str) -> str:
    return label.as_dict().get(language) or label.first()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
