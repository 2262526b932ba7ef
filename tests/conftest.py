"""Shared fixtures: the demo district, and an embedded AWS (moto server) for
the integration and API tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.config.loader import load
from chalicelib.config.schema import DistrictConfig
from chalicelib.core.calendar import SchoolCalendar
from chalicelib.core.rules import StisRules
from infra.local.aws import EmbeddedAws
from infra.local.stack import free_port

# Chromium through Playwright, one per session for every folder that needs a browser.
pytest_plugins = ["tests.support.browser"]

REGION = "us-west-2"
SENDER = "attendance@alder-creek.example"


@pytest.fixture(scope="session")
def district() -> DistrictConfig:
    return load()


@pytest.fixture(scope="session")
def calendar(district: DistrictConfig) -> SchoolCalendar:
    return district.calendar()


@pytest.fixture(scope="session")
def rules(district: DistrictConfig) -> StisRules:
    return district.rules()


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[str]:
    """moto's server on a free port, over real HTTP, one request at a time."""
    server = EmbeddedAws(free_port()).start()
    yield server.url
    server.stop()


@pytest.fixture
def aws(embedded_aws: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", embedded_aws)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    _ses().sent_messages.clear()
    return embedded_aws


def _ses() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][REGION]


@pytest.fixture
def table_name() -> str:
    return f"stis-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def sesv2(aws: str) -> Any:
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    return boto3.client("sesv2", region_name=REGION)


def sent_messages() -> list[Any]:
    return list(_ses().sent_messages)
