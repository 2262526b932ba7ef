"""Every page, in English and Spanish: accessible, local, and usable on a phone."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import Recorder, Site, page_paths
from tests.support.browser import wait_for_schools

pytestmark = pytest.mark.browser

PAGES = page_paths()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def open_page(page: Any, site: Site, path: str) -> None:
    page.goto(site.page(path), wait_until="networkidle")
    if path.endswith("stis/request/"):
        wait_for_schools(page)


def test_every_page_is_listed() -> None:
    assert "/" in PAGES
    assert "/es/" in PAGES
    assert "/stis/request/" in PAGES
    assert "/es/stis/sign/" in PAGES
    assert len(PAGES) % 2 == 0


@pytest.mark.parametrize("path", PAGES)
def test_no_accessibility_violations(page: Any, site: Site, recorder: Recorder, path: str) -> None:
    open_page(page, site, path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert recorder.errors == []


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_site_and_the_api(page: Any, site: Site, recorder: Recorder, path: str) -> None:
    open_page(page, site, path)
    page.mouse.wheel(0, 4000)  # anything loaded lazily further down
    page.wait_for_load_state("networkidle")
    assert recorder.requests, "no request was recorded"
    assert recorder.foreign(site.origins) == []


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overflows_a_small_phone(phone: Any, site: Site, path: str) -> None:
    open_page(phone, site, path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width}px wide at a 360px viewport"
    overflowing = phone.evaluate(
        """() => [...document.querySelectorAll('.md-content *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                && !el.closest('.md-typeset__scrollwrap'))
            .map(el => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className)"""
    )
    assert overflowing == []


def test_pages_carry_the_api_address_from_the_build(page: Any, site: Site) -> None:
    page.goto(site.page("/stis/request/"))
    assert page.get_attribute('meta[name="stis-api-url"]', "content") == site.api_url


@pytest.mark.parametrize(
    ("start", "language", "end"),
    [
        ("/stis/questions/", "es", "/es/stis/questions/"),
        ("/es/absences/", "en", "/absences/"),
        ("/es/stis/request/", "en", "/stis/request/"),
        ("/absence-tiers/", "es", "/es/absence-tiers/"),
    ],
)
def test_language_switch_stays_on_the_same_page(
    page: Any, site: Site, start: str, language: str, end: str
) -> None:
    page.goto(site.page(start))
    page.click(".md-header__option .md-select button")
    page.click(f"a.md-select__link[hreflang={language}]")
    page.wait_for_url(site.page(end))
    assert page.evaluate("document.documentElement.lang") == language


def test_form_pages_without_javascript_point_to_the_school_office(browser: Any, site: Site) -> None:
    from chalicelib.config.loader import load

    district = load()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for path in ("/stis/request/", "/es/stis/request/", "/es/stis/sign/"):
            page.goto(site.page(path))
            assert not page.is_visible("#request-form")
            offices = page.inner_text(".portal-offices")
            for school in district.schools:
                assert school.office.phone in offices
                assert school.office.email in offices
    finally:
        context.close()


# The moment "back to top" appears (Material shows it when a reader scrolls up),
# its colour and opacity as the browser computes them right then.
WATCH_BACK_TO_TOP = """() => {
    const button = document.querySelector('.md-top');
    new MutationObserver((_, observer) => {
        if (button.hidden) return;
        observer.disconnect();
        const style = getComputedStyle(button);
        document.body.dataset.backToTopShown = JSON.stringify(
            {opacity: style.opacity, color: style.color, background: style.backgroundColor});
    }).observe(button, {attributes: true, attributeFilter: ['hidden']});
}"""


def luminance(css_colour: str) -> float:
    red, green, blue, *alpha = (float(part) for part in css_colour[css_colour.index("(") + 1 : -1].split(","))
    # A translucent colour is seen blended into the white page.
    mix = alpha[0] if alpha else 1.0
    channels = [(value * mix + 255 * (1 - mix)) / 255 for value in (red, green, blue)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("path", ["/absences/", "/es/absences/"])
def test_back_to_top_is_readable_the_moment_it_appears(phone: Any, site: Site, path: str) -> None:
    open_page(phone, site, path)
    phone.evaluate(WATCH_BACK_TO_TOP)
    phone.mouse.wheel(0, 3000)
    phone.wait_for_timeout(300)
    phone.mouse.wheel(0, -400)
    phone.locator("body[data-back-to-top-shown]").wait_for(state="attached")
    shown = json.loads(phone.get_attribute("body", "data-back-to-top-shown") or "{}")
    assert float(shown["opacity"]) == 1.0, (
        f"back to top fades in (opacity {shown['opacity']} when it appears)"
    )
    dark, light = sorted((luminance(shown["color"]), luminance(shown["background"])))
    contrast = (light + 0.05) / (dark + 0.05)
    assert contrast >= 4.5, f"back to top has contrast {contrast:.2f} ({shown})"


# Layout shifts not caused by the reader, as Chromium reports them (the CLS of
# Core Web Vitals; 0.1 or less is "good").
LAYOUT_SHIFT = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        resolve(list.getEntries().filter(e => !e.hadRecentInput).reduce((sum, e) => sum + e.value, 0));
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(0), 1000);
})"""


@pytest.mark.parametrize("path", ["/stis/request/", "/es/stis/request/"])
def test_the_request_form_does_not_jump_when_its_script_starts(phone: Any, site: Site, path: str) -> None:
    # On a slow phone the page is painted before the form's script has run.
    def late(route: Any) -> None:
        time.sleep(0.5)
        route.continue_()

    phone.route("**/javascripts/request.js", late)
    open_page(phone, site, path)
    assert phone.is_visible("#request-form")
    shift = phone.evaluate(LAYOUT_SHIFT)
    assert shift <= 0.1, f"the page moved by {shift:.3f} while it loaded"


@pytest.mark.parametrize(
    ("path", "note"), [("/stis/request/", "(Math 6-8)"), ("/es/stis/request/", "(Matemáticas, de 6.º a 8.º)")]
)
def test_teachers_are_described_in_the_pages_language(page: Any, site: Site, path: str, note: str) -> None:
    open_page(page, site, path)
    page.select_option("#school", "ridgeline-middle")
    label = page.locator("#field-teachers label", has_text="Paul Whitaker")
    assert label.inner_text().strip() == f"Paul Whitaker {note}"
