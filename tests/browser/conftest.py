"""Browser tests: the built site in Debian's Chromium, through Playwright.

Once per session: start the real API (``tests.support.live.running_api``: the
Chalice app on an embedded moto), build the site with ``STIS_API_URL`` pointing
at it into a temporary directory, and serve that build on the site port the API
expects (its CORS origin), with the handler `make dev` uses (infra.site.SiteHandler).

Chromium is Debian's, at /usr/bin/chromium (never ``playwright install``). When
it is missing the tests are skipped on a developer's machine, but FAIL when the
``CI`` environment variable is set: a CI run must never pass by skipping them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra.site import SiteHandler, build_site
from tests.support.browser import LAUNCH_ARGS, _missing  # noqa: F401 - used below

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "site" / "docs"


def page_paths() -> list[str]:
    """Every page of the site, in English and in Spanish, as URL paths."""
    paths = []
    for source in sorted(DOCS.rglob("*.md")):
        if source.name.endswith(".es.md"):
            continue
        relative = source.relative_to(DOCS).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "index":
            parts = parts[:-1]
        path = "/" + "".join(f"{part}/" for part in parts)
        paths += [path, "/es" + path]
    return paths


# --- The site and the API -------------------------------------------------------


@dataclass
class Site:
    """A built site served on 127.0.0.1, and the API it was built for."""

    url: str
    api_url: str
    live: Any = None
    district: Any = None
    server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def origins(self) -> set[str]:
        return {origin(self.url), origin(self.api_url)}

    def page(self, path: str) -> str:
        return self.url + path


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def serve(directory: Path, url: str) -> ThreadingHTTPServer:
    port = urlsplit(url).port
    handler = functools.partial(SiteHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port or 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="site", daemon=True).start()
    return server


@contextmanager
def site_for(tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[Site]:
    """Start the real API, build the site for it and serve the build where the
    API expects the site to be (the API's CORS origin and its email links)."""
    try:
        from tests.support.live import running_api
    except ImportError as error:  # pragma: no cover - the support module is missing
        pytest.fail(f"tests/support/live.py cannot be imported: {error}", pytrace=False)
    saved = {key: os.environ.get(key) for key in (extra_env or {})}
    os.environ.update(extra_env or {})
    try:
        stack = running_api()
        live = stack.__enter__()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        build_site(tmp, live.url, extra_env)
        server = serve(tmp, live.site_url)
        try:
            yield Site(url=live.site_url, api_url=live.url, live=live, server=server)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        stack.__exit__(None, None, None)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[Site]:
    """The site as shipped (the demo district), built for a running API."""
    with site_for(tmp_path_factory.mktemp("site")) as built:
        yield built


# --- The browser --------------------------------------------------------------------


@dataclass
class Recorder:
    """Every request a page makes, and every script error it hits."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self, allowed: set[str]) -> list[str]:
        return [url for url in self.requests if not url.startswith("data:") and origin(url) not in allowed]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def _recorded(browser: Any, recorder: Recorder, **context_options: Any) -> Iterator[Any]:
    """A page in a context of its own, its requests and script errors going to ``recorder``."""
    context = browser.new_context(**context_options)
    opened = context.new_page()
    opened.on("request", lambda request: recorder.requests.append(request.url))
    opened.on("pageerror", lambda error: recorder.errors.append(str(error)))
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


@pytest.fixture
def page(browser: Any, recorder: Recorder) -> Iterator[Any]:
    """A fresh page (own cookies and storage), at a desktop size."""
    yield from _recorded(browser, recorder, viewport={"width": 1280, "height": 900}, locale="en-US")


@pytest.fixture
def phone(browser: Any, recorder: Recorder) -> Iterator[Any]:
    """A fresh page the size of a small phone (360 x 740)."""
    yield from _recorded(
        browser,
        recorder,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
