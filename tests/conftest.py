"""Shared fixtures: the demo district that ships with the project."""

from __future__ import annotations

import pytest

from chalicelib.config.loader import load
from chalicelib.config.schema import DistrictConfig
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.rules import StisRules


@pytest.fixture(scope="session")
def district() -> DistrictConfig:
    return load()


@pytest.fixture(scope="session")
def calendar(district: DistrictConfig) -> SchoolCalendar:
    return district.calendar()


@pytest.fixture(scope="session")
def rules(district: DistrictConfig) -> StisRules:
    return district.rules()
