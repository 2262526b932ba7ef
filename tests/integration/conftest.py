"""The DynamoDB and SES adapters against moto's server (real HTTP), with the table
made from infra/stack.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import DynamoStore
from chalicelib.adapters.ses import SesMailer
from chalicelib.config.schema import DistrictConfig
from chalicelib.service.outbox import Dispatcher
from chalicelib.service.stis import StisService
from tests.conftest import REGION, SENDER, sent_messages  # noqa: F401 - shared with tests
from tests.support.fakes import T0, FakeClock


@dataclass
class System:
    service: StisService
    dispatcher: Dispatcher
    store: DynamoStore
    clock: FakeClock


@pytest.fixture
def system(district: DistrictConfig, store: DynamoStore, sesv2: Any) -> System:
    clock = FakeClock(T0)
    service = StisService(district, store, clock, "integration-secret-integration-secret")
    mailer = SesMailer(sesv2, SENDER)
    dispatcher = Dispatcher(service, store, mailer, clock, "http://127.0.0.1:8001")
    return System(service, dispatcher, store, clock)
