"""One ``store`` fixture, once per implementation of the Store port: every test
in this folder is a clause of the Store contract that both must keep."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from chalicelib.adapters.dynamodb import DynamoStore
from chalicelib.service.ports import Store
from infra.table import create_table
from tests.support.aws import REGION
from tests.support.fakes import InMemoryStore


@pytest.fixture(params=["in memory", "DynamoDB"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "in memory":
        return InMemoryStore()
    request.getfixturevalue("aws")
    client = boto3.client("dynamodb", region_name=REGION, config=Config(max_pool_connections=50))
    table: str = request.getfixturevalue("table_name")
    create_table(client, table)
    return DynamoStore(client, table)
