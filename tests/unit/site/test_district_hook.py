"""The site's MkDocs hook: page numbers come from district.yaml, never by hand."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from mkdocs.exceptions import PluginError

from chalicelib.config.loader import DEFAULT_PATH, parse
from chalicelib.config.schema import DistrictConfig

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "site" / "docs"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("district_hook", ROOT / "site/hooks/district.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _hook()
ENGLISH = sorted(p for p in DOCS.rglob("*.md") if not p.name.endswith(".es.md"))


def twin(page: Path) -> Path:
    return page.with_name(page.name[: -len(".md")] + ".es.md")


def body(page: Path) -> str:
    return re.sub(r"\A---\n.*?\n---\n", "", page.read_text(encoding="utf-8"), flags=re.S)


def front_matter(page: Path) -> dict[str, object]:
    found = re.match(r"\A---\n(.*?)\n---\n", page.read_text(encoding="utf-8"), flags=re.S)
    return dict(yaml.safe_load(found.group(1))) if found else {}


def changed(**stis: object) -> DistrictConfig:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["stis"].update(stis)
    return parse(yaml.safe_dump(data, allow_unicode=True))


# --- Placeholders ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_numbers_come_from_the_configuration(district: DistrictConfig, language: str) -> None:
    text = "{{ stis.max_days_per_year }}/{{stis.max_days_per_contract}}/{{ attendance.illness_days_before_note }}"
    assert hook.render(text, district, language) == (
        f"{district.stis.max_days_per_year}/{district.stis.max_days_per_contract}"
        f"/{district.illness_days_before_note}"
    )


def test_a_changed_configuration_changes_the_page() -> None:
    district = changed(max_days_per_year=12, max_days_per_contract=10, notice_hours_per_block=48)
    page = hook.render(body(DOCS / "stis/index.md"), district, "en")
    page = re.sub(r"\s*\n\s*(?![|#])", " ", page)  # join wrapped lines, keep table rows
    assert "up to 12 school days" in page
    assert "1 to 10 school days" in page
    assert "| 6 to 10 school days | 96 hours (4 days) |" in page
    assert "15" not in page.split("## School years")[0]


def test_an_unknown_placeholder_stops_the_build(district: DistrictConfig) -> None:
    with pytest.raises(PluginError, match=r"unknown placeholder \{\{ stis\.max_days \}\}"):
        hook.render("Up to {{ stis.max_days }} days", district, "en", "stis/index.md")


@pytest.mark.parametrize("text", ["{{ }}", "{{ stis.max_days_per_year", "a }} b", "{{ {{ x }} }}"])
def test_broken_braces_stop_the_build(district: DistrictConfig, text: str) -> None:
    with pytest.raises(PluginError):
        hook.render(text, district, "en")


def test_a_language_without_text_stops_the_build(district: DistrictConfig) -> None:
    with pytest.raises(PluginError, match="language"):
        hook.render("{{ stis.max_days_per_year }}", district, "fr")


def test_the_notice_table_follows_the_rule(district: DistrictConfig) -> None:
    assert hook.notice_rows(district) == [(1, 5, 24), (6, 10, 48), (11, 15, 72)]
    english = hook.notice_table(district, "en")
    spanish = hook.notice_table(district, "es")
    assert "| 1 to 5 school days | 24 hours (1 day) |" in english
    assert "| 11 to 15 school days | 72 hours (3 days) |" in english
    assert "| De 6 a 10 días de clase | 48 horas (2 días) |" in spanish


def test_the_tiers_table_lists_every_tier_in_its_language(district: DistrictConfig) -> None:
    for language in ("en", "es"):
        table = hook.tiers_table(district, language)
        for tier in district.absence_tiers:
            assert tier.title[language] in table
        assert table.count("\n") == len(district.absence_tiers) + 1
    last = district.absence_tiers[-1].absences
    assert f"{last} or more absences" in hook.tiers_table(district, "en")
    assert f"{last} faltas o más" in hook.tiers_table(district, "es")


def test_contacts_come_from_each_school(district: DistrictConfig) -> None:
    for language in ("en", "es"):
        contacts = hook.school_contacts(district, language)
        offices = hook.office_list(district, language)
        for school in district.schools:
            for value in (school.name, school.office.phone, school.office.email, school.office.address):
                assert value in contacts
            assert school.office.hours[language] in contacts
            assert school.office.phone in offices and school.office.email in offices


def test_the_calculator_data_has_no_email_addresses(district: DistrictConfig) -> None:
    data = hook.portal_data(district, "es")
    assert [t["absences"] for t in data["tiers"]] == [t.absences for t in district.absence_tiers]
    assert data["tiers"][0]["title"] == district.absence_tiers[0].title["es"]
    assert "@" not in repr(data)


# --- The API address ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "base", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://api.example.org/prod/", "https://api.example.org/prod", "https://api.example.org"),
    ],
)
def test_the_api_address_is_checked(value: str, base: str, origin: str) -> None:
    assert hook.api_base(value) == (base, origin)


@pytest.mark.parametrize(
    "value",
    ["", None, "api.example.org", "javascript:alert(1)", 'https://a.example/"x', "https://a.example/?q=1"],
)
def test_a_wrong_api_address_stops_the_build(value: object) -> None:
    with pytest.raises(PluginError, match="STIS_API_URL"):
        hook.api_base(value)


# --- The pages ----------------------------------------------------------------------


def test_every_page_has_a_spanish_twin() -> None:
    assert ENGLISH
    spanish = sorted(DOCS.rglob("*.es.md"))
    assert sorted(twin(p) for p in ENGLISH) == spanish


@pytest.mark.parametrize("page", ENGLISH, ids=lambda p: str(p.relative_to(DOCS)))
def test_twins_share_scripts_and_anchors(page: Path) -> None:
    spanish = twin(page)
    assert front_matter(page).get("scripts") == front_matter(spanish).get("scripts")
    anchors = re.compile(r"\{ #([a-z0-9-]+) \}")
    assert anchors.findall(body(page)) == anchors.findall(body(spanish))
    ids = re.compile(r'\bid="([^"]+)"')
    assert ids.findall(body(page)) == ids.findall(body(spanish))


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_placeholder_on_a_page_is_known(district: DistrictConfig, page: Path) -> None:
    language = "es" if page.name.endswith(".es.md") else "en"
    filled = hook.render(body(page), district, language, str(page))
    assert "{{" not in filled


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_no_number_is_typed_by_hand(page: Path) -> None:
    text = body(page)
    text = re.sub(r"\{\{.*?\}\}", "", text)  # filled in from the configuration
    text = re.sub(r"<[^>]+>", "", text)  # HTML attributes (ids, data- messages)
    text = re.sub(r"^\d+\. ", "", text, flags=re.M)  # numbered steps
    text = re.sub(r"Education Code section \d+|sección \d+ del Código de Educación", "", text)
    assert re.findall(r".{0,30}\d.{0,10}", text) == []
