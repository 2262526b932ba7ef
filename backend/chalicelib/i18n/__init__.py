"""One language layer: every word the back end says to a person, in their language.

Sentences and labels are English gettext msgids (``text.py``) translated by the
catalogs in ``locale/`` through Babel; dates and times are Babel's
(``dates.py``); emails are Jinja2 templates with ``{% trans %}`` blocks
(``chalicelib.email``). Adding a language is a catalog and an entry in the
district file's ``languages``: no Python changes.
"""

from __future__ import annotations

from .catalogs import available_languages, translations
from .dates import datetime_label, format_date, format_time
from .lists import join_names, language_name
from .text import (
    audit_label,
    contract_labels,
    format_grade,
    general_message,
    gettext,
    party_label,
    problem_message,
    result_label,
    rule_message,
    signer_role,
    state_label,
)

__all__ = [
    "audit_label",
    "available_languages",
    "contract_labels",
    "datetime_label",
    "format_date",
    "format_grade",
    "format_time",
    "general_message",
    "gettext",
    "join_names",
    "language_name",
    "party_label",
    "problem_message",
    "result_label",
    "rule_message",
    "signer_role",
    "state_label",
    "translations",
]
