"""The one site build that `make dev`, `make package`, the browser tests and the
benchmarks share: the API's address reaches every page, and a build that fails
says why."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from chalicelib.config.loader import DEFAULT_PATH
from infra.site import SiteBuildError, SiteHandler, build_site


def test_every_page_carries_the_api_address_it_was_built_for(tmp_path: Path) -> None:
    stale = tmp_path / "site" / "left-over.html"
    stale.parent.mkdir()
    stale.write_text("from an earlier build")
    site = build_site(tmp_path / "site", "https://api.alder-creek.example")
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 10
    for page in pages:
        if "/api/" in page.as_posix():
            continue
        assert '<meta name="stis-api-url" content="https://api.alder-creek.example">' in page.read_text()
    assert not stale.exists(), "a file from an earlier build was left in the site"


def build_refused(tmp_path: Path, old: str, new: str) -> str:
    """Build with the demo district file edited (``old`` -> ``new``): the refusal's text."""
    broken = tmp_path / "district.yaml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(SiteBuildError) as refused:
        build_site(tmp_path / "site", "https://api.alder-creek.example", {"DISTRICT_CONFIG": str(broken)})
    return str(refused.value)


def test_a_district_file_with_a_mistake_stops_the_build_and_names_the_key(tmp_path: Path) -> None:
    refused = build_refused(tmp_path, "max_days_per_year: 15", "max_days_per_year: lots")
    assert "max_days_per_year" in refused


def test_a_school_whose_grades_cannot_be_read_stops_the_build(tmp_path: Path) -> None:
    refused = build_refused(tmp_path, "grades: 6-8\n", "grades: sixth to eighth\n")
    assert "schools[1].grades" in refused  # Ridgeline's, named by its key in the district file
    assert "sixth to eighth" in refused


def test_the_local_site_server_answers_an_unknown_address_with_the_sites_404(tmp_path: Path) -> None:
    (tmp_path / "404.html").write_text("<h1>Page not found</h1>", encoding="utf-8")
    (tmp_path / "stis").mkdir()
    (tmp_path / "stis" / "index.html").write_text("<h1>STIS</h1>", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(base + "/stis/", timeout=10) as found:
            assert found.status == 200
            assert b"STIS" in found.read()
        for path in ("/no-such-page/", "/es/nothing.html", "/stis/missing.js"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(base + path, timeout=10)
            assert missing.value.code == 404
            assert missing.value.headers["Content-Type"] == "text/html; charset=utf-8"
            assert missing.value.read() == b"<h1>Page not found</h1>"
    finally:
        server.shutdown()
        server.server_close()
