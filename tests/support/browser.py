"""Debian's Chromium through Playwright, shared by every test that uses a browser.

One Playwright and one browser for the whole session (Playwright's sync API
cannot run twice at once in one process). When Chromium is missing the tests
are skipped on a developer's machine but FAIL when ``CI`` is set: a CI run must
never pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    """Skip locally, fail in CI (CI is set): browser tests never pass by skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: install Debian's chromium package")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright Python package is missing (pip install -r requirements-dev.txt)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def wait_for_schools(page: Any) -> None:
    """Wait until the request form has its school list from the API.

    A locator, not ``wait_for_function``: Playwright polls a string predicate
    through ``eval``, which the pages' Content-Security-Policy refuses whenever
    the list is slow to arrive."""
    page.locator("#school option").nth(1).wait_for(state="attached")
