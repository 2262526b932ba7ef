"""A typed signature must name the signer, as a person would read the name."""

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.names import same_name


def test_case_accents_punctuation_and_spacing_do_not_count() -> None:
    assert same_name("maria jose de la o", "María-José de la O")
    assert same_name("  INÉS   CASTELLANOS ", "Inés Castellanos")
    assert same_name("Dolores O'Neil-Ferreira", "dolores oneil ferreira")
    assert same_name("Muñoz Núñez", "munoz nunez")


def test_another_name_or_nonsense_does_not_sign() -> None:
    assert not same_name("asdf", "Dolores Ferreira")
    assert not same_name("Dolores", "Dolores Ferreira")
    assert not same_name("Dolores Ferreira Ruiz", "Dolores Ferreira")
    assert not same_name("", "Dolores Ferreira")
    assert not same_name("...", "...")


LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúüñçàèâêôãõ", min_size=1, max_size=12)


@given(st.lists(LATIN, min_size=1, max_size=4), st.sampled_from([" ", "-", "  ", ". ", "'"]))
def test_a_name_signs_for_itself_however_it_is_spaced_and_capitalised(parts: list[str], gap: str) -> None:
    name = " ".join(parts)
    assert same_name(gap.join(p.upper() for p in parts), name)
    assert same_name(name.title(), name)


@given(LATIN, LATIN)
def test_a_different_spelling_does_not_sign(typed: str, expected: str) -> None:
    plain = str.maketrans("áéíóúüñçàèâêôãõ", "aeiouuncaeaeoao")
    if typed.translate(plain) != expected.translate(plain):
        assert not same_name(typed, expected)
