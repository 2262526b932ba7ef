from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chalicelib.config.loader import DEFAULT_PATH, ConfigError, load, parse
from chalicelib.config.schema import DistrictConfig


def demo() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(DEFAULT_PATH.read_text())


def problems_with(data: dict) -> list[str]:  # type: ignore[type-arg]
    text = yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(ConfigError) as refused:
        parse(text)
    return refused.value.problems


def test_the_demo_district_loads(district: DistrictConfig) -> None:
    assert district.district.name == "Alder Creek Unified School District"
    assert [y.id for y in district.school_years] == ["2026-2027", "2027-2028"]
    assert {s.level for s in district.schools} == {"elementary", "middle"}
    assert len(district.stis.blackouts) == 1


def test_the_demo_district_uses_only_example_addresses(district: DistrictConfig) -> None:
    people = [p for s in district.schools for p in (s.principal, *s.teachers)]
    addresses = [p.email for p in people] + [s.office.email for s in district.schools]
    assert all(address.endswith(".example") for address in addresses)


def test_a_date_that_is_not_a_date_is_reported_under_its_key() -> None:
    data = demo()
    data["school_years"][0]["first_day"] = "2026-02-30"
    assert any(p.startswith("school_years[0].first_day:") for p in problems_with(data))


def test_a_teacher_without_an_email_is_reported_under_its_key() -> None:
    data = demo()
    del data["schools"][1]["teachers"][2]["email"]
    assert "schools[1].teachers[2].email: Field required" in problems_with(data)


def test_a_school_year_ending_before_it_starts_is_reported() -> None:
    data = demo()
    data["school_years"][1]["last_day"] = "2027-06-01"
    problems = problems_with(data)
    assert any(p.startswith("school_years[1]:") and "not after first_day" in p for p in problems)


def test_an_unknown_key_is_refused_rather_than_ignored() -> None:
    data = demo()
    data["stis"]["max_day_per_year"] = 20
    assert any(p.startswith("stis.max_day_per_year:") for p in problems_with(data))


def test_an_unknown_time_zone_and_an_unquoted_time_are_reported() -> None:
    data = demo()
    data["district"]["time_zone"] = "America/Alder_Creek"
    data["district"]["school_day_start"] = 480
    problems = problems_with(data)
    assert any(p.startswith("district.time_zone:") for p in problems)
    assert any(p.startswith("district.school_day_start:") and "HH:MM" in p for p in problems)


def test_contract_terms_with_an_unknown_placeholder_are_refused() -> None:
    data = demo()
    data["contract_terms"]["es"][0]["body"] = "Hola $estudiante"
    problems = problems_with(data)
    assert any(p.startswith("contract_terms.es[0].body:") and "estudiante" in p for p in problems)


def test_a_file_that_is_not_yaml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "district.yaml"
    path.write_text("district: [unclosed\n")
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert "not valid YAML" in str(refused.value)
    assert str(path) in str(refused.value)


def test_a_missing_file_says_which_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml" in str(refused.value)
    assert "cannot be read" in str(refused.value)


def test_a_teachers_grades_are_one_text_or_one_per_language() -> None:
    data = demo()
    teachers = data["schools"][0]["teachers"]
    teachers[0]["grades"] = "TK"
    teachers[1]["grades"] = {"en": "Kindergarten", "es": "Kínder"}
    del teachers[2]["grades"]
    loaded = parse(yaml.safe_dump(data, allow_unicode=True)).schools[0].teachers
    assert [t.grades_in("es") for t in loaded[:3]] == ["TK", "Kínder", ""]
    assert [t.grades_in("en") for t in loaded[:3]] == ["TK", "Kindergarten", ""]


def test_grades_given_in_one_language_only_are_reported_under_their_key() -> None:
    data = demo()
    data["schools"][1]["teachers"][1]["grades"] = {"en": "Math 6-8"}
    assert problems_with(data) == [
        "schools[1].teachers[1].grades: give one text, or one text for each language (en and es)"
    ]


def test_a_language_without_a_catalog_is_refused_with_where_to_add_one() -> None:
    data = demo()
    data["district"]["languages"].append("fr")
    problems = problems_with(data)
    assert problems[0] == (
        "district.languages: no catalog for 'fr' (add chalicelib/i18n/locale/fr/LC_MESSAGES/messages.po)"
    )


def test_a_text_missing_one_of_the_districts_languages_is_reported_under_its_key() -> None:
    data = demo()
    del data["absence_tiers"][0]["title"]["es"]
    del data["contract_terms"]["es"]
    data["schools"][0]["principal"]["language"] = "pt"
    assert problems_with(data) == [
        "schools[0].principal.language: 'pt' is not one of the district's (en and es)",
        "absence_tiers[0].title: give the text for each language (en and es)",
        "contract_terms: give the text for each language (en and es)",
    ]


def test_the_demo_district_keeps_the_roster_off(district: DistrictConfig) -> None:
    assert district.roster == "off"
    assert district.roster_school_column == "identifier"


@pytest.mark.parametrize(("written", "mode"), [("off", "off"), ("required", "required"), ("'off'", "off")])
def test_the_roster_is_off_or_required_as_written(written: str, mode: str) -> None:
    text = DEFAULT_PATH.read_text().replace("roster: off ", f"roster: {written} ")
    assert parse(text).roster == mode


@pytest.mark.parametrize("written", ["on", "yes", "optional"])
def test_any_other_roster_mode_is_refused_under_its_key(written: str) -> None:
    text = DEFAULT_PATH.read_text().replace("roster: off ", f"roster: {written} ")
    with pytest.raises(ConfigError) as refused:
        parse(text)
    assert any(p.startswith("roster:") for p in refused.value.problems)
