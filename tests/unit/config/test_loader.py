from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chalicelib.config.loader import DEFAULT_PATH, ConfigError, compile_district, load, load_compiled, parse
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


# --- the compiled form `make package` ships ----------------------------------------


def test_the_compiled_district_loads_without_pyyaml_and_equals_the_validated_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    compiled = compile_district(tmp_path / "district.compiled")
    script = (
        "import sys; sys.modules['yaml'] = None\n"  # any import of PyYAML now fails
        "from pathlib import Path\n"
        "from chalicelib.config.loader import load_compiled\n"
        f"config = load_compiled(Path({str(compiled)!r}))\n"
        "assert config is not None, 'not loaded'\n"
        "print(config.model_dump_json())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == load().model_dump_json()


def test_a_compiled_district_that_no_longer_matches_its_file_is_not_used(tmp_path: Path) -> None:
    source = tmp_path / "district.yaml"
    source.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    compiled = compile_district(tmp_path / "district.compiled", source)
    assert load_compiled(compiled, source) == load(source)
    source.write_text(
        source.read_text(encoding="utf-8").replace("Alder Creek", "Alder Brook", 1), encoding="utf-8"
    )
    assert load_compiled(compiled, source) is None  # district() then validates the file itself


def test_a_damaged_or_missing_compiled_district_is_not_used(tmp_path: Path) -> None:
    compiled = compile_district(tmp_path / "district.compiled")
    header, _, body = compiled.read_bytes().partition(b"\n")
    compiled.write_bytes(header + b"\n" + body[: len(body) // 2])
    assert load_compiled(compiled) is None
    assert load_compiled(tmp_path / "absent.compiled") is None


def test_compiling_a_district_with_a_mistake_fails_naming_the_key(tmp_path: Path) -> None:
    data = demo()
    data["school_years"][0]["first_day"] = "2026-02-30"
    source = tmp_path / "district.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"school_years\[0\]\.first_day"):
        compile_district(tmp_path / "district.compiled", source)
    assert not (tmp_path / "district.compiled").exists()


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
