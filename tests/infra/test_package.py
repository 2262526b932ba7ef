"""The packaged prod template (``chalice package`` + infra/stack.yaml), checked
with cfn-lint and read back: table, IAM, functions, API, site."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalicelib.settings import Settings
from infra.package import PACKAGING_SECRET_PARAMETER
from infra.table import table_properties
from infra.template import BACKEND, ROOT, stage_environment

from .conftest import SCRIPT_HASHES

ADAPTERS = BACKEND / "chalicelib" / "adapters"
CHALICE_DIR = BACKEND / ".chalice"
STREAM_ACTIONS = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}
# A transaction needs the item-level action of each kind of item it holds.
TRANSACTION_ITEM_ACTIONS = {
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
}
SES_OPERATIONS = {"send_email": "ses:SendEmail", "send_bulk_email": "ses:SendBulkEmail"}
FUNCTIONS = ("APIHandler", "DispatchEmails", "SendReminders", "VoidExpired", "RetryEmails", "SendRegister")
#: The functions that send email: the stream's dispatcher and the retry schedule.
SENDERS = ("DispatchEmails", "RetryEmails", "SendRegister")
#: The functions Lambda invokes from a schedule (asynchronously).
SCHEDULED = ("SendReminders", "VoidExpired", "RetryEmails", "SendRegister")
POLICY_FILES = {
    "APIHandler": "policy-prod.json",
    "SendReminders": "policy-prod-jobs.json",
    "VoidExpired": "policy-prod-jobs.json",
    "RetryEmails": "policy-prod-send.json",
    "SendRegister": "policy-prod-register.json",
    "DispatchEmails": "policy-prod-stream.json",
}
SECRET_PARAMETER_ARN = (
    "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${TokenSecretParameter}"
)
FAILED_EVENTS_QUEUE = {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}


def _functions(resources: dict[str, Any]) -> dict[str, Any]:
    return {n: r for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}


def _roles(resources: dict[str, Any]) -> dict[str, Any]:
    return {n: r for n, r in resources.items() if r["Type"] == "AWS::IAM::Role"}


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in role["Properties"].get("Policies", []):
        found.extend(policy["PolicyDocument"]["Statement"])
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _allowed_actions(role: dict[str, Any]) -> set[str]:
    return {
        action
        for statement in _statements(role)
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
    }


# --- the template as a whole ------------------------------------------------------


def test_cfn_lint_finds_no_errors_in_the_packaged_prod_template(packaged_path: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(packaged_path)], capture_output=True, text=True, check=False)
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 a crash.
    assert result.returncode & 2 == 0 and result.returncode != 1, result.stdout + result.stderr
    assert result.returncode == 0, f"cfn-lint warnings:\n{result.stdout}"


def test_packaging_writes_the_bundle_and_keeps_the_placeholder_secret_out(
    packaged_path: Path,
) -> None:
    bundle = packaged_path.parent / "deployment.zip"
    assert bundle.stat().st_size > 100_000
    assert PACKAGING_SECRET_PARAMETER not in packaged_path.read_text(encoding="utf-8")


def test_every_function_of_the_app_is_in_the_template(resources: dict[str, Any]) -> None:
    assert set(_functions(resources)) == set(FUNCTIONS)
    assert all("Type" in resource for resource in resources.values())


# --- the table --------------------------------------------------------------------


def test_table_has_the_keys_and_indexes_the_adapter_uses(resources: dict[str, Any]) -> None:
    table = resources["StisTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {
        index["IndexName"]: (
            [(key["AttributeName"], key["KeyType"]) for key in index["KeySchema"]],
            index["Projection"]["ProjectionType"],
        )
        for index in props["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "by_due": ([("due_pk", "HASH"), ("due_sk", "RANGE")], "ALL"),
        "by_outbox": ([("outbox_pk", "HASH"), ("outbox_sk", "RANGE")], "KEYS_ONLY"),
    }
    assert {(a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]} == {
        (name, "S") for name in ("pk", "sk", "due_pk", "due_sk", "outbox_pk", "outbox_sk")
    }
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    # The adapter names exactly these attributes and indexes.
    source = (ADAPTERS / "dynamodb.py").read_text(encoding="utf-8")
    for name in ("by_due", "due_pk", "due_sk", "by_outbox", "outbox_pk", "outbox_sk", "expires_at"):
        assert f'"{name}"' in source, name
    # One definition: the deployed table is the one the local stack creates.
    for key in ("KeySchema", "GlobalSecondaryIndexes", "AttributeDefinitions"):
        assert props[key] == table_properties()[key]


def test_table_keeps_its_records_safe(packaged: dict[str, Any], resources: dict[str, Any]) -> None:
    table = resources["StisTable"]
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["DeletionProtectionEnabled"] is True  # in every stage, dev too
    assert packaged["Parameters"]["Stage"]["Default"] == "prod"
    assert table["UpdateReplacePolicy"] == "Retain"


# --- IAM --------------------------------------------------------------------------


def test_iam_policies_have_no_wildcard_action_or_resource(resources: dict[str, Any]) -> None:
    roles = _roles(resources)
    # Chalice gives each function a role of its own when the policy is hand written.
    assert len(roles) == len(FUNCTIONS)
    for name, role in roles.items():
        statements = _statements(role)
        assert statements, name
        for statement in statements:
            assert statement["Effect"] == "Allow", (name, statement)
            for action in _as_list(statement["Action"]):
                assert action != "*" and not action.endswith(":*") and "*" not in action, (
                    name,
                    action,
                )
            for resource in _as_list(statement["Resource"]):
                assert resource != "*", (name, statement["Sid"])
                if isinstance(resource, str):
                    raise AssertionError(f"{name}: literal resource {resource!r}")
            services = {action.split(":")[0] for action in _as_list(statement["Action"])}
            text = json.dumps(statement["Resource"])
            if "dynamodb" in services:
                assert "StisTable" in text, (name, statement)
            if "ssm" in services:
                assert statement["Action"] == ["ssm:GetParameter"]
                assert statement["Resource"] == [{"Fn::Sub": SECRET_PARAMETER_ARN}]
            if "sqs" in services:
                assert statement["Action"] == ["sqs:SendMessage"]
                assert statement["Resource"] == [FAILED_EVENTS_QUEUE]
            if "ses" in services:
                assert services == {"ses"}
                for resource in _as_list(statement["Resource"]):
                    assert re.fullmatch(
                        r"arn:\$\{AWS::Partition\}:ses:\$\{AWS::Region\}:\$\{AWS::AccountId\}:"
                        r"(identity/\$\{Sender(Identity|Email)\}"
                        r"|configuration-set/\$\{EmailConfigurationSet\})",
                        resource["Fn::Sub"],
                    ), resource


def _role_of(resources: dict[str, Any], function: str) -> dict[str, Any]:
    role: dict[str, Any] = _roles(resources)[resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]]
    return role


def test_each_function_runs_with_its_own_hand_written_role(resources: dict[str, Any]) -> None:
    for name in _functions(resources):
        policy = json.loads((CHALICE_DIR / POLICY_FILES[name]).read_text(encoding="utf-8"))
        documents = [p["PolicyDocument"] for p in _role_of(resources, name)["Properties"]["Policies"]]
        assert documents == [policy], name
    roles = {resources[name]["Properties"]["Role"]["Fn::GetAtt"][0] for name in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS)
    stream_policy = json.loads((CHALICE_DIR / "policy-prod-stream.json").read_text("utf-8"))
    stream = stream_policy["Statement"][-1]
    assert set(stream["Action"]) == STREAM_ACTIONS
    assert stream["Resource"] == [{"Fn::Sub": "${StisTable.Arn}/stream/*"}]


def _calls_in_the_code() -> set[str]:
    """The AWS operations the back end calls, as IAM actions."""
    actions: set[str] = set()
    sources = [BACKEND / "app.py", *sorted((BACKEND / "chalicelib").rglob("*.py"))]
    for path in sources:
        source = path.read_text(encoding="utf-8")
        for operation in re.findall(r'\bclient\("ssm"\)\.(\w+)\(', source):
            actions.add("ssm:" + "".join(part.title() for part in operation.split("_")))
        for operation in re.findall(r"\bclient\.(\w+)\(", source):
            if operation in SES_OPERATIONS:
                actions.add(SES_OPERATIONS[operation])
                continue
            action = "dynamodb:" + "".join(part.title() for part in operation.split("_"))
            actions.add(action)
            if operation == "transact_write_items":
                actions |= TRANSACTION_ITEM_ACTIONS
    return actions


def test_roles_allow_exactly_what_the_code_calls(resources: dict[str, Any]) -> None:
    """Every function may call what the code calls, except that only the senders
    may send email; the background functions may also report a failed event."""
    needed = _calls_in_the_code()
    assert {"dynamodb:TransactWriteItems", "ses:SendEmail", "ssm:GetParameter"} <= needed
    for name in FUNCTIONS:
        allowed = _allowed_actions(_role_of(resources, name)) - {"logs:CreateLogStream", "logs:PutLogEvents"}
        expected = needed if name in SENDERS else needed - {"ses:SendEmail"}
        if name != "APIHandler":
            expected = expected | {"sqs:SendMessage"}
        if name == "DispatchEmails":
            expected = expected | STREAM_ACTIONS
        assert allowed == expected, name


def test_the_api_function_cannot_send_email(resources: dict[str, Any]) -> None:
    senders = {
        name
        for name in FUNCTIONS
        if any(action.startswith("ses:") for action in _allowed_actions(_role_of(resources, name)))
    }
    assert senders == set(SENDERS)


def test_functions_read_the_token_secret_from_its_one_ssm_parameter(
    packaged: dict[str, Any], resources: dict[str, Any]
) -> None:
    for name in FUNCTIONS:
        (statement,) = [
            s for s in _statements(_role_of(resources, name)) if "ssm:GetParameter" in _as_list(s["Action"])
        ]
        assert statement["Action"] == ["ssm:GetParameter"]
        assert statement["Resource"] == [{"Fn::Sub": SECRET_PARAMETER_ARN}], name
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["TOKEN_SECRET_PARAMETER"] == {"Ref": "TokenSecretParameter"}
    parameter = packaged["Parameters"]["TokenSecretParameter"]
    assert parameter["Default"] == "/stis-portal/prod/token-secret"
    assert "TokenSecret" not in packaged["Parameters"]


def test_queries_are_limited_to_the_two_work_indexes_and_one_students_days(resources: dict[str, Any]) -> None:
    """No function can list the table: it queries the two work indexes, and on the
    table itself only a student's partition (what a submit checks). The register
    job queries only one school week's register partition, nothing else."""
    register = _role_of(resources, "SendRegister")
    (query,) = [s for s in _statements(register) if "dynamodb:Query" in _as_list(s["Action"])]
    assert query["Action"] == ["dynamodb:Query"]
    assert query["Resource"] == [{"Fn::GetAtt": ["StisTable", "Arn"]}]
    assert query["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["REGISTER#*"]}}
    for role in _roles(resources).values():
        if role is register:
            continue
        queries = [s for s in _statements(role) if "dynamodb:Query" in _as_list(s["Action"])]
        assert [s["Action"] for s in queries] == [["dynamodb:Query"], ["dynamodb:Query"]]
        indexes, table = queries
        assert indexes["Resource"] == [
            {"Fn::Sub": "${StisTable.Arn}/index/by_due"},
            {"Fn::Sub": "${StisTable.Arn}/index/by_outbox"},
        ]
        assert "Condition" not in indexes
        assert table["Resource"] == [{"Fn::GetAtt": ["StisTable", "Arn"]}]
        assert table["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["STU#*"]}}


def test_functions_write_only_their_stacks_log_groups(resources: dict[str, Any]) -> None:
    log_groups = {n for n, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    log_groups -= {"ApiAccessLogGroup"}  # API Gateway's, written by API Gateway
    assert len(log_groups) == len(FUNCTIONS)
    for name, function in _functions(resources).items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert group in log_groups, name
    for role in _roles(resources).values():
        logs = [s for s in _statements(role) if s["Sid"] == "WriteOwnLogs"]
        assert len(logs) == 1
        assert {r["Fn::GetAtt"][0] for r in logs[0]["Resource"]} == log_groups


# --- functions ----------------------------------------------------------------------


def test_functions_get_their_settings_from_the_stack(
    packaged: dict[str, Any], resources: dict[str, Any]
) -> None:
    config = stage_environment("prod")
    for name, function in _functions(resources).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["STAGE"] == "prod"
        assert variables["TABLE_NAME"] == {"Ref": "StisTable"}
        assert variables["SENDER_EMAIL"] == {"Ref": "SenderEmail"}
        assert variables["SES_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}
        assert "TOKEN_SECRET" not in variables, name  # the secret is in SSM, not in the environment
        assert variables["SITE_URL"] == config["SITE_URL"], name
        assert variables["SITE_ORIGIN"] == config["SITE_ORIGIN"], name
        assert "AWS_ENDPOINT_URL" not in variables, name
        # What the app gets once CloudFormation has filled in the references.
        resolved = {
            key: value if isinstance(value, str) else f"resolved-{key.lower()}"
            for key, value in variables.items()
        }
        resolved["SENDER_EMAIL"] = "attendance@alder-creek.example"
        resolved["TOKEN_SECRET_PARAMETER"] = "/stis-portal/prod/token-secret"
        Settings.from_env(resolved)


def test_scheduled_functions_run_on_their_schedules(resources: dict[str, Any]) -> None:
    schedules = {
        name: [
            event["Properties"]["Schedule"]
            for event in function["Properties"].get("Events", {}).values()
            if event["Type"] == "Schedule"
        ]
        for name, function in _functions(resources).items()
    }
    assert schedules["SendReminders"] == ["rate(1 hour)"]
    assert schedules["VoidExpired"] == ["rate(5 minutes)"]
    assert schedules["RetryEmails"] == ["rate(5 minutes)"]
    assert schedules["SendRegister"] == ["rate(1 hour)"]


def test_stream_trigger_reads_this_stacks_table(resources: dict[str, Any]) -> None:
    events = resources["DispatchEmails"]["Properties"]["Events"]
    assert list(events) == ["DispatchEmailsDynamodbEventSource"]
    event = events["DispatchEmailsDynamodbEventSource"]
    assert event["Type"] == "DynamoDB"
    assert event["Properties"]["Stream"] == {"Fn::GetAtt": ["StisTable", "StreamArn"]}
    assert 0 < event["Properties"]["MaximumRetryAttempts"] <= 10
    for name, function in _functions(resources).items():
        if name != "DispatchEmails":
            kinds = {e["Type"] for e in function["Properties"].get("Events", {}).values()}
            assert "DynamoDB" not in kinds, name


# --- API --------------------------------------------------------------------------


def test_api_is_throttled_per_stage(packaged: dict[str, Any], resources: dict[str, Any]) -> None:
    (setting,) = resources["RestAPI"]["Properties"]["MethodSettings"]
    assert setting["ResourcePath"] == "/*" and setting["HttpMethod"] == "*"
    assert setting["ThrottlingRateLimit"] == {
        "Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "ApiRateLimit"]
    }
    assert setting["ThrottlingBurstLimit"] == {
        "Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "ApiBurstLimit"]
    }
    for stage in ("dev", "prod"):
        limits = packaged["Mappings"]["StageSettings"][stage]
        assert 0 < limits["ApiRateLimit"] <= limits["ApiBurstLimit"]


def test_cors_allows_only_the_stages_site_origin(packaged: dict[str, Any], resources: dict[str, Any]) -> None:
    origin = stage_environment("prod")["SITE_ORIGIN"]
    assert origin.startswith("https://")
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    preflights = 0
    for path, methods in paths.items():
        assert "options" in methods, path
        parameters = methods["options"]["x-amazon-apigateway-integration"]["responses"]["default"][
            "responseParameters"
        ]
        assert parameters["method.response.header.Access-Control-Allow-Origin"] == f"'{origin}'"
        preflights += 1
    assert preflights >= 8
    assert packaged["Parameters"]["SiteDomainName"]["Default"] == urlsplit(origin).hostname


# --- the site ---------------------------------------------------------------------


def test_site_bucket_is_private_and_read_only_by_its_distribution(
    resources: dict[str, Any],
) -> None:
    bucket = resources["SiteBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "${SiteDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    access = resources["SiteOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert access["SigningBehavior"] == "always" and access["SigningProtocol"] == "sigv4"


def test_distribution_serves_the_site_over_https_only(resources: dict[str, Any]) -> None:
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert "CustomOriginConfig" not in origin
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SiteResponseHeaders"}
    custom = config["ViewerCertificate"]["Fn::If"][1]
    assert custom["MinimumProtocolVersion"].startswith("TLSv1.2")
    assert custom["SslSupportMethod"] == "sni-only"


def _csp_directives(resources: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    security = resources["SiteResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    csp = security["ContentSecurityPolicy"]
    assert csp["Override"] is True
    pattern, variables = csp["ContentSecurityPolicy"]["Fn::Sub"]
    directives = {}
    for part in pattern.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives, variables


def test_cloudfront_sends_the_security_headers(resources: dict[str, Any]) -> None:
    security = resources["SiteResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    hsts = security["StrictTransportSecurity"]
    assert hsts["Override"] is True and hsts["AccessControlMaxAgeSec"] >= 31_536_000
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"] == {"Override": True, "ReferrerPolicy": "no-referrer"}
    assert security["FrameOptions"]["FrameOption"] == "DENY"


def test_content_security_policy_is_strict_and_lets_the_site_call_its_api(
    resources: dict[str, Any],
) -> None:
    directives, variables = _csp_directives(resources)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'${ScriptHashes}"]
    assert variables["ScriptHashes"].split() == sorted(SCRIPT_HASHES)
    assert directives["connect-src"] == [
        "'self'",
        "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
    ]
    for name in ("style-src", "img-src", "font-src", "base-uri", "form-action", "worker-src"):
        assert directives[name][0] == "'self'", name
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    every_value = " ".join(v for values in directives.values() for v in values)
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"):
        assert unsafe not in every_value.split(), unsafe


def test_outputs_name_what_the_deploy_commands_need(packaged: dict[str, Any]) -> None:
    outputs = packaged["Outputs"]
    for name in ("SiteBucketName", "SiteDistributionId", "SiteUrl", "ApiUrl", "TableName"):
        assert name in outputs, name
    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].endswith(".${AWS::URLSuffix}/api")


def test_the_bundle_ships_bytecode_so_a_cold_start_does_not_compile(packaged_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(packaged_path.parent / "deployment.zip") as bundle:
        names = set(bundle.namelist())
        tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
        for module in ("app", "chalicelib/service/submitting", "pydantic/main", "yaml/__init__"):
            folder, _, stem = module.rpartition("/")
            prefix = f"{folder}/" if folder else ""
            assert f"{prefix}{stem}.py" in names
            assert f"{prefix}__pycache__/{stem}.{tag}.pyc" in names, module
        assert "chalicelib/i18n/locale/es/LC_MESSAGES/messages.mo" in names  # Spanish, compiled
        pyc = bundle.read(f"chalicelib/__pycache__/wiring.{tag}.pyc")
        assert int.from_bytes(pyc[4:8], "little") & 0b11 == 0b01  # checked by hash, never by time


def test_the_bundle_ships_the_district_file_validated(packaged_path: Path, tmp_path: Path) -> None:
    import zipfile

    from chalicelib.config.loader import load, load_compiled

    with zipfile.ZipFile(packaged_path.parent / "deployment.zip") as bundle:
        bundle.extractall(
            tmp_path, [n for n in bundle.namelist() if n.startswith("chalicelib/config/district.")]
        )
    config = tmp_path / "chalicelib" / "config"
    compiled = load_compiled(config / "district.compiled", config / "district.yaml")
    assert compiled is not None, "the function would validate the district file at every cold start"
    assert compiled == load(config / "district.yaml")


# What Lambda's Python runtime provides beside the bundle.
LAMBDA_PROVIDES = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six.py")
FROM_THE_BUNDLE = """
import datetime, json, os, sys
from botocore.stub import Stubber
from common import LambdaContext, event, submit_body
import app
from chalicelib.adapters.aws import client
from chalicelib.config.loader import district
from chalicelib.email import render
from chalicelib.wiring import dispatcher

assert app.__file__.startswith(os.environ["BUNDLE"]), app.__file__
days = district().calendar().next_school_days(datetime.date.today() + datetime.timedelta(weeks=3))
stubber = Stubber(client("dynamodb"))
stubber.add_response("query", {"Items": []})  # the student's confirmed days: none
stubber.add_response("transact_write_items", {})
with stubber:
    answer = app.app(event("POST", "/stis/requests", submit_body(7, days[0], days[2])), LambdaContext())
dispatcher()  # the email function's parts: the outbox, the SES adapter, Jinja
from tests.support.approved import approved  # the approved record the document tests render
from chalicelib.documents.agreement_pdf import render_agreement_pdf
from chalicelib.documents.calendar_ics import render_calendar_ics
record = approved(district(), "es")
pdf = render_agreement_pdf(district(), record, "https://attendance.alder-creek.example")
ics = render_calendar_ics(district(), record)
assert pdf.startswith(b"%PDF-") and b"DejaVu" in pdf and ics.startswith(b"BEGIN:VCALENDAR"), "documents"
environment = render._environment("es")
templates = [environment.get_template(name) for name in environment.list_templates()]
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "dns" or m.startswith("pydantic.v1"))
print(json.dumps({"status": answer["statusCode"], "templates": len(templates), "unused_loaded": loaded}))
"""


def test_the_bundle_leaves_out_what_no_function_imports_and_still_serves(
    packaged_path: Path, tmp_path: Path
) -> None:
    import os
    import zipfile

    import boto3

    bundle = tmp_path / "bundle"
    with zipfile.ZipFile(packaged_path.parent / "deployment.zip") as archive:
        names = archive.namelist()
        archive.extractall(bundle)
    assert not [n for n in names if n.startswith(("dns/", "pydantic/v1/"))]
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site_packages = Path(boto3.__file__).parents[1]
    for name in LAMBDA_PROVIDES:
        (runtime / name).symlink_to(site_packages / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(bundle), str(runtime), str(ROOT / "bench")]),
            "BUNDLE": str(bundle),
            "STAGE": "prod",
            "TOKEN_SECRET": "bundle-test-secret-bundle-test-secret-0001",
            "TABLE_NAME": "stis-bundle",
            "SITE_URL": "https://attendance.alder-creek.example",
            "SITE_ORIGIN": "https://attendance.alder-creek.example",
            "AWS_REGION": "us-west-2",
            "AWS_ACCESS_KEY_ID": "bundle",
            "AWS_SECRET_ACCESS_KEY": "bundle",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    # -S: no site-packages, so nothing outside the bundle and the runtime's boto3 is found.
    result = subprocess.run(
        [sys.executable, "-S", "-c", FROM_THE_BUNDLE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 201
    assert seen["templates"] >= 20  # every email, both languages
    assert seen["unused_loaded"] == []


# --- limits, failures and alarms --------------------------------------------------


def test_every_function_has_reserved_concurrency(packaged: dict[str, Any], resources: dict[str, Any]) -> None:
    settings = packaged["Mappings"]["StageSettings"]
    for name in FUNCTIONS:
        reserved = resources[name]["Properties"]["ReservedConcurrentExecutions"]
        if name in SCHEDULED:
            assert reserved == 1, name  # one run at a time
        else:
            key = "ApiConcurrency" if name == "APIHandler" else "DispatchConcurrency"
            assert reserved == {"Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, key]}
            assert all(0 < settings[stage][key] <= 100 for stage in ("dev", "prod"))


def test_background_functions_keep_what_they_gave_up_on(resources: dict[str, Any]) -> None:
    queue = resources["FailedEventsQueue"]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    for name in SCHEDULED:
        assert resources[name]["Properties"]["DeadLetterQueue"] == {
            "Type": "SQS",
            "TargetArn": FAILED_EVENTS_QUEUE,
        }, name
    stream = resources["DispatchEmails"]["Properties"]["Events"]["DispatchEmailsDynamodbEventSource"]
    assert stream["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == FAILED_EVENTS_QUEUE
    assert "DeadLetterQueue" not in resources["APIHandler"]["Properties"]
    alarm = resources["FailedEventsAlarm"]["Properties"]
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailedEventsQueue", "QueueName"]}}
    ]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_alarms_watch_the_ses_bounce_and_complaint_rates(
    packaged: dict[str, Any], resources: dict[str, Any]
) -> None:
    alarms = {
        r["Properties"]["MetricName"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"]["Namespace"] == "AWS/SES"
    }
    assert set(alarms) == {"Reputation.BounceRate", "Reputation.ComplaintRate"}
    # Below the rates at which SES reviews an account (5% and 0.1%).
    assert 0 < alarms["Reputation.BounceRate"]["Threshold"] < 0.05
    assert 0 < alarms["Reputation.ComplaintRate"]["Threshold"] < 0.001
    for alarm in alarms.values():
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        assert alarm["TreatMissingData"] == "notBreaching"
    assert resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "AlarmByEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }
    # The configuration set publishes the reputation metrics the alarms read.
    options = resources["EmailConfigurationSet"]["Properties"]["ReputationOptions"]
    assert options == {"ReputationMetricsEnabled": True}


# --- AWS WAF and access logs --------------------------------------------------------


def test_the_api_stage_is_behind_a_web_acl_with_a_per_ip_rate_rule(
    packaged: dict[str, Any], resources: dict[str, Any]
) -> None:
    acl = resources["ApiWebAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    assert acl["Properties"]["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    rate = rules["requests-per-client-ip"]
    assert rate["Action"] == {"Block": {}}
    statement = rate["Statement"]["RateBasedStatement"]
    assert statement["AggregateKeyType"] == "IP"
    assert statement["Limit"] == {"Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "ApiRequestsPerIp"]}
    for stage in ("dev", "prod"):
        assert 10 <= packaged["Mappings"]["StageSettings"][stage]["ApiRequestsPerIp"] <= 2000
    association = resources["ApiWebAclAssociation"]
    assert association["Type"] == "AWS::WAFv2::WebACLAssociation"
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    stage = json.loads((CHALICE_DIR / "config.json").read_text(encoding="utf-8"))["api_gateway_stage"]
    assert association["Properties"]["ResourceArn"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}::/restapis/${{RestAPI}}/stages/{stage}"
    }
    # The association waits for the stage SAM makes for Chalice's API.
    assert association["DependsOn"] == f"RestAPI{stage}Stage"


def test_api_access_log_holds_no_personal_data(resources: dict[str, Any]) -> None:
    setting = resources["RestAPI"]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])
    variables = set(re.findall(r"\$context\.[\w.]+", setting["Format"]))
    assert "$context.resourcePath" in variables and "$context.status" in variables
    # Not the path as called (it holds the request id), no query string, no header,
    # no caller's address or identity.
    for leaked in ("$context.path", "$context.identity", "$context.authorizer", "querystring", "header"):
        assert not any(v.startswith(leaked) or leaked in v.lower() for v in variables), leaked
    assert len(fields) == len(variables)


def test_site_bucket_is_versioned_and_keeps_old_versions_a_while(resources: dict[str, Any]) -> None:
    bucket = resources["SiteBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 7


def test_distribution_logs_without_cookies_behind_the_edge_web_acl(
    packaged: dict[str, Any], resources: dict[str, Any]
) -> None:
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": ["SiteLogBucket", "DomainName"]}
    assert config["Logging"]["IncludeCookies"] is False
    logs = resources["SiteLogBucket"]["Properties"]
    assert set(logs["PublicAccessBlockConfiguration"].values()) == {True}
    (expiry,) = logs["LifecycleConfiguration"]["Rules"]
    assert expiry["ExpirationInDays"] == {
        "Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "LogRetentionDays"]
    }
    assert config["WebACLId"] == {
        "Fn::If": ["UseSiteWebAcl", {"Ref": "SiteWebAclArn"}, {"Ref": "AWS::NoValue"}]
    }
    # prod cannot be deployed without its certificate (TLS 1.2 or later) and web ACL.
    rule = packaged["Rules"]["ProdHasCertificateAndEdgeWebAcl"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    asserted = [a["Assert"]["Fn::Not"][0]["Fn::Equals"][0] for a in rule["Assertions"]]
    assert asserted == [{"Ref": "SiteCertificateArn"}, {"Ref": "SiteWebAclArn"}]


def test_the_packaged_api_has_no_clock_to_set(resources: dict[str, Any]) -> None:
    """The local stack's clock (POST :8025/clock) is never deployed: no path of
    the packaged API sets, or even names, a clock."""
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert "/stis/requests" in paths
    assert not [p for p in paths if "clock" in p.lower() or "time" in p.lower()]
