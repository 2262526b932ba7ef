"""The stateful part of the deployment template, created by moto's CloudFormation:
the table it makes is the one the template describes and the adapter uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.table import create_stack, create_table, table_properties
from infra.template import LOCAL_STATEFUL, stateful_template

REGION = "us-west-2"


@pytest.fixture
def mocked_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


def _shape(description: dict[str, Any]) -> dict[str, Any]:
    """What the adapter depends on, from describe_table."""
    return {
        "keys": description["KeySchema"],
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]
        ),
        "indexes": sorted(
            (
                index["IndexName"],
                tuple((k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]),
                index["Projection"]["ProjectionType"],
            )
            for index in description.get("GlobalSecondaryIndexes", [])
        ),
        "stream": description.get("StreamSpecification"),
        "billing": description["BillingModeSummary"]["BillingMode"],
    }


def _template_shape() -> dict[str, Any]:
    props = table_properties()
    return {
        "keys": props["KeySchema"],
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]),
        "indexes": sorted(
            (
                index["IndexName"],
                tuple((k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]),
                index["Projection"]["ProjectionType"],
            )
            for index in props["GlobalSecondaryIndexes"]
        ),
        "stream": {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        },
        "billing": props["BillingMode"],
    }


def _ttl(dynamodb: Any, table: str) -> tuple[str, str]:
    description = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    return description.get("TimeToLiveStatus", ""), description.get("AttributeName", "")


def test_cloudformation_creates_the_table_the_template_describes(mocked_aws: None) -> None:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    template = stateful_template("prod", LOCAL_STATEFUL)
    cloudformation.create_stack(
        StackName="stis-prod",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": "prod"}],
    )
    stack = cloudformation.describe_stacks(StackName="stis-prod")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    made = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cloudformation.describe_stack_resources(StackName="stis-prod")["StackResources"]
    }
    assert set(made) == set(LOCAL_STATEFUL)
    description = dynamodb.describe_table(TableName=made["StisTable"])["Table"]
    assert _shape(description) == _template_shape()
    assert description["DeletionProtectionEnabled"] is True  # prod
    assert made["SiteBucket"] in {b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]}


def test_create_stack_gives_the_stack_table_its_ttl_and_recovery(mocked_aws: None) -> None:
    """moto's CloudFormation leaves TimeToLiveSpecification out; create_stack
    applies it, so the table matches what CloudFormation makes in AWS."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = create_stack(cloudformation, dynamodb, "stis-dev", stage="dev")
    description = dynamodb.describe_table(TableName=table)["Table"]
    assert _shape(description) == _template_shape()
    ttl = table_properties()["TimeToLiveSpecification"]
    assert _ttl(dynamodb, table) == ("ENABLED", ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert description["DeletionProtectionEnabled"] is True  # dev's records are kept safe too
    assert description["LatestStreamArn"].startswith(description["TableArn"] + "/stream/")


def test_local_table_and_stack_table_are_the_same(mocked_aws: None) -> None:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    stacked = create_stack(cloudformation, dynamodb, "stis-dev", stage="dev")
    create_table(dynamodb, "stis-local")
    local = dynamodb.describe_table(TableName="stis-local")["Table"]
    from_stack = dynamodb.describe_table(TableName=stacked)["Table"]
    assert _shape(local) == _shape(from_stack)
    assert _ttl(dynamodb, "stis-local") == _ttl(dynamodb, stacked)


def test_stateful_template_is_whole_resources_only() -> None:
    template = stateful_template("prod")
    assert set(template["Resources"]) == {"StisTable", "EmailConfigurationSet", "SiteBucket"}
    assert all("Type" in resource for resource in template["Resources"].values())
    assert set(template["Parameters"]) == {"Stage"}
    assert "Conditions" not in template
