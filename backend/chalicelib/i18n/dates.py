"""Dates and times in a person's language, as Babel's locale data writes them.

One style per language, shared by the API, the emails, the contract text and
the site: ``Monday, January 4, 2027`` / ``lunes, 4 de enero de 2027``, times on
a 12-hour clock (``8:00 a.m.`` / ``8:00 a. m.``, as the site writes them). Babel
is imported on first use.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

# English day periods as the site and American style guides write them.
_DAY_PERIODS = {"en": {"AM": "a.m.", "PM": "p.m."}}


def format_date(day: date, language: str) -> str:
    """The day with its weekday, in ``language``."""
    from babel.dates import format_date as babel_date

    return str(babel_date(day, "full", locale=language))


def format_time(moment: time | datetime, language: str) -> str:
    """The clock time (12-hour, with the locale's a.m./p.m.)."""
    from babel.dates import format_skeleton

    text = str(format_skeleton("hm", moment, locale=language))
    periods = _DAY_PERIODS.get(language.split("_")[0])
    if periods:
        text = re.sub(r"\s?\b(AM|PM)\b", lambda m: " " + periods[m.group(1)], text)
    return text


def datetime_label(moment: datetime, language: str) -> str:
    """Date and time joined the way the locale joins them."""
    from babel.dates import get_datetime_format

    pattern = str(get_datetime_format("full", locale=language)).replace("'", "")
    return pattern.replace("{1}", format_date(moment.date(), language)).replace(
        "{0}", format_time(moment, language)
    )
