"""Whether a typed signature names the person who must sign.

A signer types their full name; it must be the name the request or the
district's configuration has for them, read as a person would read it: letter
case, accents, punctuation and spacing do not count ("maria jose de la o"
signs for "María-José de la O"), anything else does ("asdf" signs for nobody).
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The letters of ``name``, without accents, case, punctuation or spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = (c for c in decomposed if c.isalnum() and not unicodedata.combining(c))
    return "".join(letters).casefold()


def same_name(typed: str, expected: str) -> bool:
    """True when ``typed`` names ``expected`` (both must hold a letter)."""
    key = name_key(typed)
    return bool(key) and key == name_key(expected)
