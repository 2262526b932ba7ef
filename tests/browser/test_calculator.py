"""The absence calculator: the right tier for the count, chronic absence at 10%."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.config.loader import load
from tests.browser.conftest import Recorder, Site

pytestmark = pytest.mark.browser

DISTRICT = load()
TIERS = DISTRICT.absence_tiers


def calculate(page: Any, absent: object, enrolled: object) -> str:
    page.fill("#days-absent", str(absent))
    page.fill("#days-enrolled", str(enrolled))
    page.click("#tier-calculator button[type=submit]")
    return str(page.inner_text("#tier-result"))


def expected_tier(absent: int) -> Any:
    reached = [tier for tier in TIERS if absent >= tier.absences]
    return reached[-1] if reached else None


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_count_shows_its_tier(page: Any, site: Site, recorder: Recorder, language: str) -> None:
    page.goto(
        site.page("/absence-tiers/" if language == "en" else "/es/absence-tiers/"),
        wait_until="networkidle",
    )
    before = len(recorder.requests)
    counts = sorted({0, 1} | {t.absences for t in TIERS} | {t.absences - 1 for t in TIERS} | {40})
    for absent in counts:
        text = calculate(page, absent, 180)
        tier = expected_tier(absent)
        result = page.locator("#tier-result")
        assert result.get_attribute("data-tier") == (str(tier.absences) if tier else "")
        if tier:
            assert tier.title[language] in text
            assert tier.what_happens[language].split(".")[0] in text
        for other in TIERS:
            if other is not tier:
                assert f": {other.title[language]}\n" not in text + "\n"
    page.wait_for_load_state("networkidle")
    assert recorder.requests[before:] == [], "the calculator sent something"


@pytest.mark.parametrize(
    ("absent", "enrolled", "chronic"),
    [(9, 100, "no"), (10, 100, "yes"), (17, 180, "no"), (18, 180, "yes"), (0, 1, "no")],
)
def test_chronic_absence_is_ten_percent_or_more(
    page: Any, site: Site, absent: int, enrolled: int, chronic: str
) -> None:
    page.goto(site.page("/absence-tiers/"))
    text = calculate(page, absent, enrolled)
    assert page.get_attribute("#tier-result", "data-chronic") == chronic
    assert ("This is chronic absence" in text) == (chronic == "yes")


def test_wrong_numbers_are_explained_in_the_pages_language(page: Any, site: Site) -> None:
    page.goto(site.page("/es/absence-tiers/"))
    calculate(page, "", "abc")
    assert page.is_visible("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Escriba cuántos días ha faltado" in page.inner_text("#days-absent-error")
    assert "número entero" in page.inner_text("#days-enrolled-error")
    assert page.title().startswith("Error: ")
    calculate(page, 20, 10)
    assert "no pueden ser más" in page.inner_text("#days-enrolled-error")
    calculate(page, 4, 10)
    assert not page.is_visible("#error-summary")
    assert page.get_attribute("#tier-result", "data-tier") == str(expected_tier(4).absences)
