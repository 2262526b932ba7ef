"""Fixtures every folder may use. The shared ones live in tests/support/ and are
loaded here as plugins, so no folder imports another folder's conftest."""

from __future__ import annotations

import pytest

from chalicelib.config.loader import load
from chalicelib.config.schema import DistrictConfig
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.rules import StisRules

pytest_plugins = [
    "tests.support.aws",  # an embedded AWS (moto server) for integration and API tests
    "tests.support.api",  # the Chalice app in-process (chalice.test.Client) on that AWS
    "tests.support.browser",  # Chromium through Playwright, one per session
    "tests.support.live_stack",  # the real local stack over HTTP (python -m infra.local)
]


@pytest.fixture(scope="session")
def district() -> DistrictConfig:
    return load()


@pytest.fixture(scope="session")
def calendar(district: DistrictConfig) -> SchoolCalendar:
    return district.calendar()


@pytest.fixture(scope="session")
def rules(district: DistrictConfig) -> StisRules:
    return district.rules()
