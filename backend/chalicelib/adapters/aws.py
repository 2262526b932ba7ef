"""boto3 clients, built once per process (a Lambda container) and only when
first needed, so a cold start that serves a quote never loads them."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..settings import settings

# Stages that run in AWS (see settings.Settings.stage).
AWS_STAGES = ("dev", "prod")


def _config() -> Any:
    from botocore.config import Config

    # botocore checks each call's parameters against the API model before sending
    # it, and DynamoDB and SES check them again on arrival. In AWS their check is
    # enough: skipping botocore's halves the client's CPU time for a submit's
    # transaction (bench/handlers.py). Locally and in tests it stays on, so a
    # malformed call fails early even against moto.
    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        # The embedded AWS of `make dev` answers one call at a time, so under a burst a
        # call waits its turn behind the others, minutes on a busy machine. Locally the
        # SDK waits for it rather than give up and retry: moto ignores the transactions'
        # ClientRequestToken, so a retried write that had been applied reads as a
        # conflict (in AWS the token makes the retry harmless, and 5 s is plenty).
        read_timeout=5 if settings().stage in AWS_STAGES else 600,
        parameter_validation=settings().stage not in AWS_STAGES,
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
