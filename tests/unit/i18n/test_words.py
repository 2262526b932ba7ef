"""The words parents and office clerks read: one name for the thing, in each
language's own style."""

from __future__ import annotations

import re

from chalicelib.i18n import audit_label, gettext, party_label

from .test_catalogs import spoken


def test_parents_read_agreement_never_contract_in_either_language() -> None:
    ids = spoken()
    assert [m for m in ids if re.search(r"\bcontracts?\b", m, re.IGNORECASE)] == []
    spanish = [gettext(m, "es") for m in ids]
    assert [m for m in spanish if re.search(r"\bcontratos?\b", m, re.IGNORECASE)] == []
    assert audit_label("approved", "en") == "Agreement approved"
    assert audit_label("approved", "es") == "Acuerdo aprobado"


def test_spanish_writes_the_programme_in_sentence_case() -> None:
    spanish = [gettext(m, "es") for m in spoken()]
    assert any("estudio independiente a corto plazo" in m for m in spanish)
    assert [m for m in spanish if re.search(r"Independiente|Corto Plazo", m)] == []


def test_spanish_names_staff_in_neutral_or_paired_forms_without_brackets() -> None:
    spanish = [gettext(m, "es") for m in spoken()]
    assert [m for m in spanish if re.search(r"\bmaestr[oa]s?\b|\(a\)|\(s\)|\(as\)|\(os\)", m)] == []
    teachers = {"t-1": "Inés Castellanos"}
    assert party_label("t-1", "teacher", teachers, "Dana Whitfield", "es") == "Inés Castellanos, docente"
    assert party_label("t-1", "teacher", teachers, "Dana Whitfield", "en") == "Inés Castellanos, teacher"
    principal = party_label("p", "principal", teachers, "Dana Whitfield", "es")
    assert principal == "Dana Whitfield, director o directora"
    assert (
        party_label("g", "guardian", teachers, "", "es", "Elena Quintana") == "Elena Quintana, de la familia"
    )
    assert party_label("g", "guardian", teachers, "", "en") == "Parent or guardian"
