"""Create the STIS table from the deployment template (one definition of it).

Used by the local stack of `make dev` and by the integration tests, which run
against moto: the table they get has the same keys and indexes as in AWS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).with_name("stack.yaml")
TABLE_RESOURCE = "StisTable"


def table_properties(template: Path = TEMPLATE) -> dict[str, Any]:
    document = yaml.safe_load(template.read_text(encoding="utf-8"))
    properties: dict[str, Any] = document["Resources"][TABLE_RESOURCE]["Properties"]
    return properties


def create_table(client: Any, table_name: str, template: Path = TEMPLATE, stream: bool = True) -> None:
    """Create ``table_name`` with the template's keys, indexes, stream and TTL
    (``stream=False``: no stream, for benchmarks that never read it)."""
    props = table_properties(template)
    streams = {}
    if stream:
        view = props["StreamSpecification"]["StreamViewType"]
        streams = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}}
    client.create_table(
        TableName=table_name,
        BillingMode=props["BillingMode"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props.get("GlobalSecondaryIndexes", []),
        SSESpecification={"Enabled": bool(props["SSESpecification"]["SSEEnabled"])},
        **streams,
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
    ttl = props["TimeToLiveSpecification"]
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
    )


def create_stack(
    cloudformation: Any,
    dynamodb: Any,
    stack_name: str,
    stage: str = "dev",
    names: tuple[str, ...] | None = None,
) -> str:
    """Create the stateful part of the deployment template as a CloudFormation
    stack (on moto: ``names`` defaults to what moto's CloudFormation supports);
    returns the name of the table it made.

    moto's CloudFormation does not apply a table's TimeToLiveSpecification or
    PointInTimeRecoverySpecification (AWS does); they are applied here through
    the DynamoDB API when the stack left them off, so the table matches AWS's.
    """
    import json

    from infra.template import LOCAL_STATEFUL, stateful_template

    template = stateful_template(stage, LOCAL_STATEFUL if names is None else names)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
    )
    cloudformation.get_waiter("stack_create_complete").wait(StackName=stack_name)
    resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=TABLE_RESOURCE)[
        "StackResourceDetail"
    ]
    table_name = str(resource["PhysicalResourceId"])
    props = template["Resources"][TABLE_RESOURCE]["Properties"]
    ttl = props["TimeToLiveSpecification"]
    current = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl["Enabled"] and current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    pitr = props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    backups = dynamodb.describe_continuous_backups(TableName=table_name)
    status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    if pitr and status.get("PointInTimeRecoveryStatus") != "ENABLED":
        dynamodb.update_continuous_backups(
            TableName=table_name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    return table_name
