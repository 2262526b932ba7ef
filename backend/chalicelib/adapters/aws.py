"""boto3 clients, built once per process (a Lambda container) and only when
first needed, so a cold start that serves a quote never loads them."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..settings import settings


def _config() -> Any:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
    )


@cache
def client(service: str) -> Any:
    import boto3

    current = settings()
    session: Any = boto3.session.Session()
    return session.client(
        service,
        region_name=current.aws_region,
        endpoint_url=current.aws_endpoint_url,
        config=_config(),
    )
