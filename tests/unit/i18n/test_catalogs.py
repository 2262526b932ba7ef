"""The language layer: every sentence has its translation, catalogs compile,
dates read the way each language writes them, and Babel loads only when used."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from chalicelib.i18n import catalogs, datetime_label, format_date, format_time, general_message, gettext

BACKEND = Path(__file__).parents[3] / "backend"
METHODS = [("chalicelib/**.py", "python"), ("chalicelib/email/templates/**", "jinja2")]
JINJA = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "newstyle_gettext": "true"}


def spoken() -> set[str]:
    """Every msgid the back end's code and email templates use."""
    found = extract_from_dir(str(BACKEND), METHODS, options_map={"chalicelib/email/templates/**": JINJA})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_the_back_end_has_sentences_to_translate() -> None:
    ids = spoken()
    assert "Some answers need to be corrected." in ids  # an API error
    assert "Approved: independent study for %(student_name)s" in ids  # an email subject


@pytest.mark.parametrize("po", catalogs.catalog_paths(), ids=lambda p: p.parents[1].name)
def test_every_sentence_has_a_translation_with_the_same_placeholders(po: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    assert sorted(spoken() - translated) == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_compiled_catalogs_are_read_and_a_missing_one_is_compiled_in_memory(tmp_path: Path) -> None:
    source = catalogs.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
    copy = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(source.read_bytes())
    written = catalogs.compile_catalogs(tmp_path)
    assert written == [copy.with_suffix(".mo")]
    assert written[0].stat().st_size > 1000


def test_spanish_readers_get_spanish_and_unknown_languages_get_the_english_text() -> None:
    assert general_message("fields", "es") == "Hay respuestas que debe corregir."
    assert general_message("fields", "en") == "Some answers need to be corrected."
    assert gettext("Choose at most %(max)s teachers.", "es", max=3) == "Elija como máximo 3 docentes."


def test_dates_and_times_are_written_as_each_language_writes_them() -> None:
    assert format_date(date(2027, 3, 31), "en") == "Wednesday, March 31, 2027"
    assert format_date(date(2027, 3, 31), "es") == "miércoles, 31 de marzo de 2027"
    afternoon = datetime(2027, 3, 31, 15, 5)
    assert format_time(afternoon, "en") == "3:05 p.m."
    # Babel's es locale: "p. m." with narrow no-break spaces.
    assert format_time(afternoon, "es").replace("\u202f", " ") == "3:05 p. m."
    assert datetime_label(afternoon, "en") == "Wednesday, March 31, 2027, 3:05 p.m."
    assert datetime_label(afternoon, "es").replace("\u202f", " ") == (
        "miércoles, 31 de marzo de 2027, 3:05 p. m."
    )


def test_babel_is_imported_only_when_words_are_needed() -> None:
    code = (
        "import sys\n"
        "import chalicelib.i18n, chalicelib.email.render, chalicelib.http.errors, chalicelib.service.outbox\n"
        "assert 'babel' not in sys.modules, 'imported at start-up'\n"
        "from chalicelib.i18n import general_message\n"
        "general_message('fields', 'es')\n"
        "assert 'babel.support' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(BACKEND)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
