"""The DynamoDB and SES adapters against moto's server (real HTTP), with the table
made from infra/stack.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from chalicelib.adapters.dynamodb import DynamoStore
from chalicelib.adapters.ses import SesMailer
from chalicelib.config.schema import DistrictConfig
from chalicelib.email.compose import EmailComposer
from chalicelib.service.outbox import Dispatcher
from chalicelib.service.records import Records
from chalicelib.service.submitting import Submitting
from infra.table import create_stack, create_table
from tests.support.aws import REGION, SENDER, sent_messages  # noqa: F401 - shared with tests
from tests.support.fakes import T0, FakeClock


@pytest.fixture(params=["from the template", "made by CloudFormation"])
def store(request: pytest.FixtureRequest, aws: str, table_name: str) -> DynamoStore:
    """Every adapter test runs twice: on the table `make dev` makes from
    infra/stack.yaml, and on the one moto's CloudFormation makes from the
    stateful part of the deployment template (one definition of the table)."""
    client = boto3.client("dynamodb", region_name=REGION, config=Config(max_pool_connections=50))
    if request.param == "from the template":
        create_table(client, table_name)
        return DynamoStore(client, table_name)
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    return DynamoStore(client, create_stack(cloudformation, client, f"stack-{table_name}"))


@dataclass
class System:
    submitting: Submitting
    dispatcher: Dispatcher
    store: DynamoStore
    clock: FakeClock


@pytest.fixture
def system(district: DistrictConfig, store: DynamoStore, sesv2: Any) -> System:
    clock = FakeClock(T0)
    secret = "integration-secret-integration-secret"
    mailer = SesMailer(sesv2, SENDER)
    dispatcher = Dispatcher(store, mailer, clock, EmailComposer(district, secret, "http://127.0.0.1:8001"))
    return System(Submitting(Records(district, store, clock, secret)), dispatcher, store, clock)
