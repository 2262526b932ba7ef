"""The gettext catalogs: where they live, how they are read, how they are compiled.

Catalogs are ``locale/<language>/LC_MESSAGES/messages.po`` beside this module,
with the English text as msgid (English needs no catalog). ``make catalogs``
(``python -m chalicelib.i18n``, run by ``make test``, ``make dev`` and ``make package``) compiles each to a
``.mo`` beside it; the Lambda bundle ships the ``.mo`` files. A catalog whose
``.mo`` is missing or older than its ``.po`` (a fresh checkout running pytest
directly) is compiled in memory instead, so no language silently falls back to
English.

Babel is imported here only when a catalog is first needed: a cold start that
says nothing to a person does not pay for it.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import NullTranslations

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language of the msgids


def catalog_paths(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@cache
def available_languages() -> frozenset[str]:
    """English (the msgids) and every language with a catalog."""
    return frozenset({SOURCE_LANGUAGE, *(po.parents[1].name for po in catalog_paths())})


@cache
def translations(language: str) -> NullTranslations:
    """The translations for ``language``; English (the msgids) when it has no catalog."""
    from babel.support import NullTranslations, Translations

    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return Translations(compiled, DOMAIN)
    return Translations(io.BytesIO(_compile(po)), DOMAIN)


def _compile(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parents[1].name, domain=DOMAIN)
    errors = [f"{po}: {message.id!r}: {error}" for message, errs in catalog.check() for error in errs]
    if errors:
        raise ValueError("catalog errors:\n" + "\n".join(errors))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write ``messages.mo`` beside every ``messages.po``; return the files written."""
    written = []
    for po in catalog_paths(locale_dir):
        mo = po.with_suffix(".mo")
        mo.write_bytes(_compile(po))
        written.append(mo)
    return written
