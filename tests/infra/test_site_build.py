"""The one site build that `make dev`, `make package`, the browser tests and the
benchmarks share: the API's address reaches every page, and a build that fails
says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.config.loader import DEFAULT_PATH
from infra.site import SiteBuildError, build_site


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


def test_a_district_file_with_a_mistake_stops_the_build_and_names_the_key(tmp_path: Path) -> None:
    broken = tmp_path / "district.yaml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "max_days_per_year: 15" in text
    broken.write_text(text.replace("max_days_per_year: 15", "max_days_per_year: lots"), encoding="utf-8")
    with pytest.raises(SiteBuildError) as refused:
        build_site(tmp_path / "site", "https://api.alder-creek.example", {"DISTRICT_CONFIG": str(broken)})
    assert "max_days_per_year" in str(refused.value)
