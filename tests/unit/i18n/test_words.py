"""The words parents and office clerks read: one name for the thing, in each
language's own style."""

from __future__ import annotations

import re

from chalicelib.i18n import audit_label, gettext

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
