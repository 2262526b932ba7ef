"""What got in a parent's way in the browser (issue 16), each seen on the screen.

The signing page (its link, its state without a link, a phone), the request
form (errors that follow the answers, dates in the past, grades and teachers),
the calculator, the school calendar, buttons, "back to top", the header on a
phone, headings, and the site's 404. Both languages where the item is words.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from chalicelib.config.loader import load
from tests.browser.conftest import Site, page_paths
from tests.browser.test_calculator import calculate
from tests.browser.test_flows import (
    api,
    assert_accessible,
    fill_spanish_form,
    mail_to,
    sign_link,
    submit_through_api,
)
from tests.browser.test_pages import luminance
from tests.support.browser import wait_for_schools
from tests.support.people import family_address, student_number

pytestmark = pytest.mark.browser

DISTRICT = load()
ELEMENTARY = next(s for s in DISTRICT.schools if s.level == "elementary")
MIDDLE = next(s for s in DISTRICT.schools if s.level != "elementary")
GRADE_ORDER = ["TK", "K", *(str(n) for n in range(1, 13))]
PREFIX = {"en": "", "es": "/es"}


def today() -> date:
    return datetime.now(ZoneInfo(DISTRICT.district.time_zone)).date()


def earliest_day(site: Site) -> str:
    """The earliest first day the API accepts now (the shipped notice rule)."""
    upcoming = [d for d in DISTRICT.calendar().next_school_days(today()) if d > today()]
    status, quote = api(
        site, "POST", "/stis/quote", {"first_day": str(upcoming[0]), "last_day": str(upcoming[0])}
    )
    assert status == 200, quote
    return str(quote["earliest_first_day"] if not quote["notice_ok"] else upcoming[0])


def last_past_school_day() -> date:
    past = [d for year in DISTRICT.calendar().years for d in year.school_days if d < today()]
    assert past, "the demo calendar has no school day before today: add an earlier school year"
    return max(past)


def grades_of(text: str) -> list[str]:
    """The grades a school's "TK-5" / "6-8" names, read here on their own."""
    first, _, last = text.partition("-")
    return GRADE_ORDER[GRADE_ORDER.index(first) : GRADE_ORDER.index(last or first) + 1]


def contrast(page: Any, selector: str) -> float:
    colours = page.eval_on_selector(
        selector, "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    dark, light = sorted(luminance(c) for c in colours)
    return (light + 0.05) / (dark + 0.05)


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def back_to_top_clear_of(page: Any, selector: str) -> None:
    """ "Back to top", if shown, does not cover ``selector``."""
    page.wait_for_timeout(400)  # Material shows it after the scroll ends
    top = page.locator(".md-top")
    if top.get_attribute("hidden") is not None:
        return
    button, target = top.bounding_box(), page.locator(selector).bounding_box()
    assert not overlaps(button, target), f"back to top {button} covers {selector} {target}"


def new_request(site: Site, language: str) -> dict[str, Any]:
    """A request sent through the API; its guardian's email and signing link."""
    email = family_address("guardian")
    submit_through_api(site, email, language, earliest_day(site))
    messages = mail_to(site, email)
    assert messages, "the guardian got no email"
    return {"email": email, "link": sign_link(messages[0])}


# --- The signing page ------------------------------------------------------------


@pytest.mark.parametrize(("start", "other"), [("en", "es"), ("es", "en")])
def test_the_signing_link_survives_reload_and_language_switch(
    page: Any, site: Site, start: str, other: str
) -> None:
    link = new_request(site, start)["link"]
    token = link.split("token=")[1]
    page.goto(link)
    page.wait_for_selector("#sign-view:not([hidden])")
    # Read once, then gone from the address bar and from this entry of history.
    assert "token" not in page.url
    assert page.url.endswith(f"{PREFIX[start]}/stis/sign/")
    assert token not in json.dumps(page.evaluate("[location.href, history.state]"))

    page.reload()
    page.wait_for_selector("#sign-view:not([hidden])")
    assert "Sam Lee" in page.inner_text("#contract")

    page.click(".md-header__option .md-select button")
    page.click(f"a.md-select__link[hreflang={other}]")
    page.wait_for_url(site.page(f"{PREFIX[other]}/stis/sign/"))
    page.wait_for_selector("#sign-view:not([hidden])")
    assert page.is_hidden("#sign-problem")
    words = {"en": "Waiting for your signature", "es": "Falta su firma"}
    assert page.inner_text("#status-title") == words[other]
    assert_accessible(page)
    # Its buttons, hovered and focused, stay readable.
    for button in ("#sign-form button[type=submit]", "#cancel-start"):
        page.hover(button)
        page.wait_for_timeout(200)  # the colours ease for 125 ms
        assert contrast(page, button) >= 4.5, button
        assert_accessible(page)
    page.click("#cancel-start")
    page.focus("#cancel-yes")
    page.wait_for_timeout(200)
    assert contrast(page, "#cancel-yes") >= 4.5
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_review_and_sign_opened_from_the_menu_explains_itself(page: Any, site: Site, language: str) -> None:
    page.goto(site.page(f"{PREFIX[language]}/"))
    page.click("nav a[href$='stis/sign/']:visible >> nth=0")
    page.wait_for_selector("#sign-nolink:not([hidden])")
    assert page.is_hidden("#sign-problem")
    assert page.is_hidden("#error-summary")
    text = page.inner_text("#sign-nolink")
    words = {
        "en": ("Open this page from your email", "send a request"),
        "es": ("Abra esta página desde su correo", "envíe una solicitud"),
    }
    for part in words[language]:
        assert part in text
    page.click("#sign-nolink a[href$='request/']")
    page.wait_for_url(site.page(f"{PREFIX[language]}/stis/request/"))


@pytest.mark.parametrize(("language", "you"), [("en", "until you sign"), ("es", "hasta que usted firme")])
def test_a_phone_can_jump_to_the_signature_and_is_spoken_to(
    phone: Any, site: Site, language: str, you: str
) -> None:
    phone.set_viewport_size({"width": 375, "height": 740})
    link = new_request(site, language)["link"]
    phone.goto(link)
    phone.wait_for_selector("#sign-view:not([hidden])")
    status = phone.inner_text("#status-text")
    assert you in status
    assert not re.search(r"parent or guardian|padre, la madre o el tutor", status)
    jump = phone.locator("#sign-below")
    box = jump.bounding_box()
    assert box and box["y"] + box["height"] <= 740, f"the jump link is below the first screen: {box}"
    form_top = phone.locator("#sign-form").bounding_box()
    assert form_top and form_top["y"] > 2 * 740, "the form is near the top anyway: this test proves nothing"
    jump.click()
    assert phone.evaluate("document.activeElement.id") == "sign-name"
    field = phone.locator("#sign-name").bounding_box()
    assert field and 0 <= field["y"] <= 740
    assert "token" not in phone.url
    assert_accessible(phone)

    # Signing: the notice is not covered by "back to top".
    phone.fill("#sign-name", "Alex Lee")
    phone.check("#sign-agree")
    phone.click("#sign-form button[type=submit]")
    phone.wait_for_selector("#sign-notice:not([hidden])")
    back_to_top_clear_of(phone, "#sign-notice")
    assert_accessible(phone)


# --- The request form ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "school_error"),
    [("en", "Choose your child's school"), ("es", "Elija la escuela de su hijo o hija")],
)
def test_errors_go_away_as_each_answer_is_put_right(
    page: Any, site: Site, language: str, school_error: str
) -> None:
    page.goto(site.page(f"{PREFIX[language]}/stis/request/"))
    wait_for_schools(page)
    page.click("#request-form button[type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(school_error)
    assert page.title().startswith("Error: ")
    shown = summary.locator("li").count()
    assert shown >= 8

    page.select_option("#school", ELEMENTARY.id)
    expect(summary).not_to_contain_text(school_error)
    assert page.is_hidden("#school-error")
    assert summary.locator("li").count() == shown - 1

    teacher = ELEMENTARY.teachers[0]
    page.check(f"#teacher-{teacher.id}")
    page.fill("#student-first-name", "Nora")
    page.fill("#student-last-name", "Quintero")
    page.fill("#student-id", student_number())
    page.select_option("#student-grade", "K")
    page.fill("#guardian-name", "Rosa Quintero")
    page.fill("#guardian-email", "rosa@")
    # Still wrong, with a new reason: the field and the summary say the same.
    email_error = page.inner_text("#guardian-email-error")
    assert email_error.split(":", 1)[1].strip() in summary.inner_text()
    page.fill("#guardian-email", "rosa.quintero@example.com")
    assert summary.locator("li").count() == 2  # only the two dates are left
    day = earliest_day(site)
    page.fill("#first-day", day)
    page.fill("#last-day", day)
    expect(summary).to_be_hidden()
    assert not page.title().startswith("Error: ")
    assert page.locator(".portal-field--error").count() == 0
    assert page.locator("[aria-invalid]").count() == 0
    page.wait_for_selector(".portal-quote__ok")
    # The deadline's time is written as the pages write times: "8:00 a.m." / "8:00 a. m.".
    half = {"en": r"\d:\d\d [ap]\.m\.", "es": r"\d:\d\d\s[ap]\.\s?m\."}[language]
    assert re.search(half, page.inner_text("#quote")), page.inner_text("#quote")
    assert_accessible(page)

    # The single teacher of an elementary school is "Teacher" on the check page.
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#check:not([hidden])")
    label = {"en": "Teacher", "es": "Maestro o maestra"}[language]
    assert page.locator("#check-list dt", has_text=re.compile(f"^{label}$")).count() == 1


@pytest.mark.parametrize(
    ("language", "quote", "error", "wrong"),
    [
        ("en", "in the past", "This first day is in the past", "too soon"),
        ("es", "Estas fechas ya pasaron", "Este primer día ya pasó", "demasiado"),
    ],
)
def test_a_date_in_the_past_is_called_past(
    page: Any, site: Site, language: str, quote: str, error: str, wrong: str
) -> None:
    day = str(last_past_school_day())
    page.goto(site.page(f"{PREFIX[language]}/stis/request/"))
    wait_for_schools(page)
    page.fill("#first-day", day)
    page.fill("#last-day", day)
    page.wait_for_selector(".portal-quote__short")
    assert quote in page.inner_text("#quote")
    assert wrong not in page.inner_text("#quote")
    fill_spanish_form(page, "rosa@example.com", day, day)  # the rest of the form, right
    page.click("#request-form button[type=submit]")
    expect(page.locator("#first-day-error")).to_contain_text(error)
    assert wrong not in page.inner_text("#error-summary")
    back_to_top_clear_of(page, "#error-summary")


def test_past_or_too_soon_is_the_apis_word_not_the_browsers_clock(page: Any, site: Site) -> None:
    """A family's computer whose clock runs days behind still hears that a gone
    date is in the past: the API decides, by its clock."""
    day = last_past_school_day()
    behind = datetime.combine(day - timedelta(days=3), time(12), ZoneInfo(DISTRICT.district.time_zone))
    page.clock.set_fixed_time(behind)  # the browser believes the day is still ahead
    page.goto(site.page("/stis/request/"))
    wait_for_schools(page)
    page.fill("#first-day", str(day))
    page.fill("#last-day", str(day))
    page.wait_for_selector(".portal-quote__short")
    assert "in the past" in page.inner_text("#quote")
    assert "notice" not in page.inner_text("#quote .portal-quote__short strong")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_grade_list_offers_only_the_schools_grades(page: Any, site: Site, language: str) -> None:
    page.goto(site.page(f"{PREFIX[language]}/stis/request/"))
    wait_for_schools(page)

    def offered() -> list[str]:
        return [
            v for v in page.eval_on_selector_all("#student-grade option", "os => os.map(o => o.value)") if v
        ]

    district = sorted({g for s in DISTRICT.schools for g in grades_of(s.grades)}, key=GRADE_ORDER.index)
    assert offered() == district
    assert "12" not in district, "the demo district has a high school: pick another check"
    page.select_option("#school", ELEMENTARY.id)
    assert offered() == grades_of(ELEMENTARY.grades)
    page.select_option("#student-grade", "K")
    page.select_option("#school", MIDDLE.id)
    assert offered() == grades_of(MIDDLE.grades)
    assert page.input_value("#student-grade") == ""  # a grade the school lacks is not kept


def test_phone_errors_are_not_under_back_to_top(phone: Any, site: Site) -> None:
    phone.goto(site.page("/es/stis/request/"))
    wait_for_schools(phone)
    phone.mouse.wheel(0, 5000)
    phone.wait_for_timeout(300)
    phone.click("#request-form button[type=submit]")
    phone.wait_for_selector("#error-summary:not([hidden])")
    back_to_top_clear_of(phone, "#error-summary")


# --- The calculator ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "zero", "share", "line"),
    [
        ("en", "must be 1 or more", "7.5%", "10%"),
        ("es", "tienen que ser por lo menos 1", "7,5\u00a0%", "10\u00a0%"),
    ],
)
def test_the_calculator_speaks_each_language_and_its_numbers(
    page: Any, site: Site, language: str, zero: str, share: str, line: str
) -> None:
    page.goto(site.page(f"{PREFIX[language]}/absence-tiers/"))
    calculate(page, 0, 0)
    assert zero in page.inner_text("#days-enrolled-error")
    if language == "es":
        calculate(page, "", "x")
        assert page.inner_text("#days-enrolled-error").endswith(
            "Escriba los días de clase con un número entero, por ejemplo 60"
        )
        calculate(page, 20, 10)
        assert "más que los días de clase que lleva en la escuela" in page.inner_text("#days-enrolled-error")
    page.fill("#days-enrolled", "40")
    expect(page.locator("#error-summary")).to_be_hidden()
    calculate(page, 3, 40)
    text = page.inner_text("#tier-result")
    assert share in text
    assert line in text
    # One way of writing a percentage on the whole page: "10%" in English, "10 %" in Spanish.
    other = {"en": "\u00a0%", "es": "%"}[language]
    assert re.findall(r"\d" + other, page.inner_text("article")) == []
    assert_accessible(page)


# --- The calendar, buttons, header, headings, 404 ---------------------------------------


@pytest.mark.parametrize(("language", "link"), [("en", "school calendar"), ("es", "calendario escolar")])
def test_the_school_calendar_names_every_holiday_and_break(
    page: Any, site: Site, language: str, link: str
) -> None:
    page.goto(site.page(f"{PREFIX[language]}/why-attendance/"))
    page.click(f"article a:text-is('{link}')")
    page.wait_for_url(site.page(f"{PREFIX[language]}/calendar/"))
    text = page.inner_text("article")
    for year in DISTRICT.school_years:
        assert year.id.replace("-", "\u2013") in text
        for day_off in year.non_school_days:
            assert day_off.name[language] in text
    assert page.evaluate("document.documentElement.lang") == language
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/absence-tiers/", "/es/stis/request/"])
def test_primary_buttons_stay_readable_on_hover_and_focus(page: Any, site: Site, path: str) -> None:
    page.goto(site.page(path))
    button = ".md-button--primary:visible >> nth=0"
    page.hover(button)
    page.wait_for_timeout(200)  # the colours ease for 125 ms
    assert contrast(page, button) >= 4.5
    assert_accessible(page)
    page.mouse.move(0, 0)
    page.focus(button)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    page.wait_for_timeout(200)
    assert contrast(page, button) >= 4.5
    assert_accessible(page)


@pytest.mark.parametrize("path", page_paths())
def test_the_header_title_is_whole_on_a_phone(phone: Any, site: Site, path: str) -> None:
    phone.set_viewport_size({"width": 375, "height": 740})
    phone.goto(site.page(path))
    # The site's name, and the page's title that takes its place on scrolling.
    cut = phone.eval_on_selector_all(
        ".md-header__topic .md-ellipsis",
        "els => els.map(el => Math.max(el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight))",
    )
    assert len(cut) == 2
    assert max(cut) <= 1, f"the header's title is cut by {cut} px"


@pytest.mark.parametrize("path", ["/contact/", "/es/contact/", "/calendar/", "/es/calendar/"])
def test_headings_never_skip_a_level(page: Any, site: Site, path: str) -> None:
    page.goto(site.page(path))
    levels = page.eval_on_selector_all("article :is(h1,h2,h3,h4,h5,h6)", "hs => hs.map(h => +h.tagName[1])")
    assert levels[0] == 1
    jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert jumps == []


def test_an_unknown_address_gets_the_sites_own_404(page: Any, site: Site) -> None:
    response = page.goto(site.page("/no-such-page/"))
    assert response is not None and response.status == 404
    assert page.locator(".md-header").count() == 1
    assert "404" in page.inner_text("article")
    assert_accessible(page)
