"""Names as each language writes them: lists of people (``A, B, and C`` /
``A, B y C``) and the names of languages (``Spanish`` / ``español``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def join_names(names: Sequence[str], language: str) -> str:
    """The names joined as the locale joins a list (Babel), with Spanish's
    ``e`` instead of ``y`` before an "i" sound ("Camila Rojas e Inés Mora")."""
    items = [str(name) for name in names]
    if len(items) <= 1:
        return "".join(items)
    from babel.lists import format_list

    joined = str(format_list(items, locale=language))
    last = items[-1]
    if language.split("_")[0] == "es" and _starts_with_i_sound(last) and joined.endswith(f" y {last}"):
        joined = f"{joined[: -len(last) - 3]} e {last}"
    return joined


def language_name(code: str, language: str) -> str:
    """The name of the language ``code`` as a ``language`` reader writes it
    mid-sentence: "Spanish" in English, "español" in Spanish (Babel's data)."""
    from babel import Locale

    return str(Locale.parse(code).get_language_name(language) or code)


def _starts_with_i_sound(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if plain.startswith("h"):
        plain = plain[1:]
    # "Inés", "Hilda" take "e"; "hielo", "Iowa"-like diphthongs keep "y".
    return plain.startswith("i") and plain[1:2] not in {"a", "e", "o", "u"}
