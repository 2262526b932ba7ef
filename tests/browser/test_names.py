"""Signing with a name that means something, in Chromium, in both languages: the
page says which name to type, a made-up name is refused next to its field with
the expected name, and the right name (in any case) signs. With
``student_signs: before_start`` the student types their name on the same page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalicelib.config.loader import DEFAULT_PATH, load
from tests.browser.conftest import Site, site_for
from tests.browser.test_flows import assert_accessible, mail_to, sign_link, submit_through_api
from tests.browser.test_rough_edges import earliest_day
from tests.support.people import family_address

pytestmark = pytest.mark.browser

# submit_through_api asks for Sam Lee, with Alex Lee as the parent.
WORDS = {
    "en": {
        "hint": "Type your full name as it appears here: Alex Lee",
        "refused": "Type your full name as it appears here: Alex Lee.",
        "student_refused": "Type the student's full name as it appears here: Sam Lee.",
        "later": "Sam Lee signs the agreement after coming back to school",
        "on_return": "Student: Sam Lee, signs on returning to school",
        "signed": "Parent or guardian: alex lee, signed on",
        "student_signed": "Student: sam LEE, signed on",
    },
    "es": {
        "hint": "Escriba su nombre completo tal como aparece aquí: Alex Lee",
        "refused": "Escriba su nombre completo tal como aparece aquí: Alex Lee.",
        "student_refused": "Escriba el nombre completo del estudiante tal como aparece aquí: Sam Lee.",
        "later": "Sam Lee firma el acuerdo al regresar a la escuela",
        "on_return": "Estudiante: Sam Lee, firma al regresar a la escuela",
        "signed": "Padre, madre o tutor: alex lee, firmó el",
        "student_signed": "Estudiante: sam LEE, firmó el",
    },
}


@pytest.fixture(scope="module")
def student_signs_first(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Site]:
    """The API and site on a copy of the demo district whose students sign before the start."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["stis"]["student_signs"] = "before_start"
    config = tmp_path_factory.mktemp("district") / "district.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with site_for(tmp_path_factory.mktemp("site"), {"DISTRICT_CONFIG": str(config)}) as built:
        built.district = load(config)
        yield built


def open_as_guardian(page: Any, site: Site, language: str) -> None:
    email = family_address("names")
    submit_through_api(site, email, language, earliest_day(site))
    page.goto(sign_link(mail_to(site, email)[0]))
    page.wait_for_selector("#sign-view:not([hidden])")


def press_sign(page: Any) -> None:
    page.check("#sign-agree")
    page.click("#sign-form button[type=submit]")


@pytest.mark.parametrize("language", ["en", "es"])
def test_asdf_is_refused_with_the_expected_name_and_the_right_name_signs(
    page: Any, site: Site, language: str
) -> None:
    words = WORDS[language]
    open_as_guardian(page, site, language)
    assert page.inner_text("#sign-name-hint") == words["hint"]
    assert not page.is_visible("#field-sign-student-name")  # the demo district: the student signs on return
    assert words["later"] in page.inner_text("#sign-student-later")
    assert words["on_return"] in page.inner_text("#signature-list")

    page.fill("#sign-name", "asdf")
    press_sign(page)
    page.wait_for_selector("#sign-name-error:not([hidden])")
    assert words["refused"] in page.inner_text("#sign-name-error")
    assert words["refused"] in page.inner_text("#error-summary")
    assert page.get_attribute("#sign-name", "aria-invalid") == "true"
    assert page.is_visible("#sign-form")  # nothing was signed
    assert_accessible(page)

    page.fill("#sign-name", "alex lee")
    press_sign(page)
    page.wait_for_selector("#sign-notice:not([hidden])")
    assert not page.is_visible("#sign-form")
    signatures = page.inner_text("#signature-list")
    assert words["signed"] in signatures  # the name as typed
    assert words["on_return"] in signatures


@pytest.mark.parametrize("language", ["en", "es"])
def test_with_before_start_the_student_signs_on_the_guardians_page(
    page: Any, student_signs_first: Site, language: str
) -> None:
    words = WORDS[language]
    open_as_guardian(page, student_signs_first, language)
    assert page.is_visible("#field-sign-student-name")
    assert "Sam Lee" in page.inner_text("#sign-student-name-hint")
    assert not page.is_visible("#sign-student-later")

    page.fill("#sign-name", "Alex Lee")
    press_sign(page)  # the student's name left out
    page.wait_for_selector("#sign-student-name-error:not([hidden])")
    page.fill("#sign-student-name", "asdf")
    press_sign(page)
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent.includes(text)",
        arg=["sign-student-name-error", words["student_refused"]],
    )
    assert page.is_hidden("#sign-name-error")
    assert_accessible(page)

    page.fill("#sign-name", "alex lee")
    page.fill("#sign-student-name", "sam LEE")
    press_sign(page)
    page.wait_for_selector("#sign-notice:not([hidden])")
    signatures = page.inner_text("#signature-list")
    assert words["signed"] in signatures
    assert words["student_signed"] in signatures
