from __future__ import annotations

from datetime import date

import pytest

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.contract_text import ContractFacts, render, sha256_of
from chalicelib.i18n import contract_labels, format_date

DATES = (date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6))


def facts(
    on_return: bool = True, teachers: tuple[str, ...] = ("Lucía Serrano",), language: str = "en"
) -> ContractFacts:
    return ContractFacts(
        district="Alder Creek Unified School District",
        school="Madrone Elementary School",
        student="Mateo Quintana",
        grade="1",
        teachers=teachers,
        principal="Dana Whitfield",
        school_year="2026-2027",
        dates=DATES,
        first_day=format_date(DATES[0], language),
        last_day=format_date(DATES[-1], language),
        student_signs_on_return=on_return,
    )


def test_the_english_contract_names_the_student_dates_and_every_51747_element(
    district: DistrictConfig,
) -> None:
    text = render(facts(), district.contract_terms.sections("en"), contract_labels("en"))
    assert "Student: Mateo Quintana" in text
    assert "Monday, January 4, 2027 - Wednesday, January 6, 2027" in text
    assert "School days: 3" in text
    for heading in ("optional", "Duration", "Objectives", "Resources", "progress", "evaluated"):
        assert heading in text
    assert "$" not in text


def test_the_spanish_contract_is_written_in_spanish(district: DistrictConfig) -> None:
    text = render(facts(language="es"), district.contract_terms.sections("es"), contract_labels("es"))
    assert "Acuerdo de estudio independiente a corto plazo" in text
    assert "lunes, 4 de enero de 2027" in text
    assert "voluntario" in text
    assert "Student:" not in text


def test_when_the_student_signs_on_return_the_contract_says_so(district: DistrictConfig) -> None:
    on_return = render(facts(on_return=True), district.contract_terms.sections("en"), contract_labels("en"))
    before = render(facts(on_return=False), district.contract_terms.sections("en"), contract_labels("en"))
    assert "signs a paper copy of this agreement on returning" in on_return
    assert "before independent study begins" in before


def test_every_named_teacher_gets_a_signature_line(district: DistrictConfig) -> None:
    text = render(
        facts(teachers=("Inés Castellanos", "Paul Whitaker")),
        district.contract_terms.sections("en"),
        contract_labels("en"),
    )
    assert "- Supervising teacher: Inés Castellanos" in text
    assert "- Supervising teacher: Paul Whitaker" in text


def test_the_hash_changes_when_one_character_of_the_text_changes(
    district: DistrictConfig,
) -> None:
    text = render(facts(), district.contract_terms.sections("en"), contract_labels("en"))
    assert sha256_of(text) == sha256_of(str(text))
    assert len(sha256_of(text)) == 64
    assert sha256_of(text) != sha256_of(text.replace("Mateo", "Mateó"))


def test_a_missing_label_stops_the_render_instead_of_writing_a_gap(district: DistrictConfig) -> None:
    labels = contract_labels("en")
    del labels["signatures"]
    with pytest.raises(KeyError, match="signatures"):
        render(facts(), district.contract_terms.sections("en"), labels)
