"""An embedded AWS (moto's server over real HTTP) for the integration and API
tests: the ``aws`` fixture points boto3 at it; ``sent_messages`` reads what SES sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email import message_from_string
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import Any

import boto3
import pytest

from infra.local.aws import EmbeddedAws
from infra.local.stack import free_port

REGION = "us-west-2"
SENDER = "attendance@alder-creek.example"
# Every header an email of the portal may carry: nothing a parent's text could add.
EMAIL_HEADERS = frozenset({"From", "To", "Subject", "Auto-Submitted", "MIME-Version", "Content-Type"})


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


def sent_emails(start: int = 0) -> list[EmailMessage]:
    """The emails SES sent (from the ``start``-th on), parsed."""
    return [
        message_from_string(m.raw_data, policy=email_policy)  # type: ignore[misc]
        for m in sent_messages()[start:]
    ]
