"""backend/.chalice/config.json, the hand-written IAM policies of each stage, and
filling the template in for a stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.template import (
    AWS_STAGES,
    CHALICE_CONFIG,
    TemplateError,
    chalice_config,
    csp_length,
    render,
    site_host,
)

CHALICE_DIR = CHALICE_CONFIG.parent


def _policy(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CHALICE_DIR / name).read_text(encoding="utf-8"))
    return document


def test_local_and_test_stages_override_nothing_the_runner_sets() -> None:
    """`make dev` and the tests point the app at the embedded AWS themselves; a
    stage of config.json must not overwrite that (Chalice applies it last)."""
    stages = chalice_config()["stages"]
    for stage in ("local", "test"):
        assert stages[stage]["environment_variables"] == {"STAGE": stage}


def test_no_stage_sets_an_endpoint_or_a_secret() -> None:
    config = chalice_config()
    for stage, settings in config["stages"].items():
        variables = settings.get("environment_variables", {})
        assert "AWS_ENDPOINT_URL" not in variables, stage
        assert "TOKEN_SECRET" not in variables, stage
    assert "environment_variables" not in config


# Which policy file each function of a stage runs with (backend/.chalice/config.json).
POLICY_FILES = {
    "api_handler": "policy-{stage}.json",
    "send_reminders": "policy-{stage}-jobs.json",
    "void_expired": "policy-{stage}-jobs.json",
    "retry_emails": "policy-{stage}-send.json",
    "dispatch_emails": "policy-{stage}-stream.json",
    "send_register": "policy-{stage}-register.json",
}


def _policy_files(stage: str) -> dict[str, str]:
    settings = chalice_config()["stages"][stage]
    files = {"api_handler": settings["iam_policy_file"]}
    for function, overrides in settings["lambda_functions"].items():
        files[function] = overrides.get("iam_policy_file", settings["iam_policy_file"])
    return files


def _sids(name: str) -> list[str]:
    return [statement["Sid"] for statement in _policy(name)["Statement"]]


@pytest.mark.parametrize("stage", AWS_STAGES)
def test_aws_stages_use_their_hand_written_policies(stage: str) -> None:
    settings = chalice_config()["stages"][stage]
    assert settings["autogen_policy"] is False
    files = _policy_files(stage)
    assert files == {function: name.format(stage=stage) for function, name in POLICY_FILES.items()}
    for name in set(files.values()):
        for statement in _policy(name)["Statement"]:
            actions = statement["Action"]
            assert "*" not in "".join(actions), (name, actions)
            for resource in statement["Resource"]:
                assert isinstance(resource, dict), (name, resource)
                assert "*" not in json.dumps(resource).replace("/stream/*", ""), (name, resource)
    assert site_host(stage).endswith(".example")


@pytest.mark.parametrize("stage", AWS_STAGES)
def test_each_policy_adds_to_the_api_functions_only_what_its_functions_need(stage: str) -> None:
    """The API function reads and writes the table and reads the secret; the jobs may
    also report a failed event; the senders also send; the stream trigger also reads
    the stream."""
    core = [
        "ReadAndWriteTheTable",
        "QueryTheWorkIndexes",
        "QueryAStudentsDays",
        "ReadTheTokenSecret",
        "WriteOwnLogs",
    ]
    assert _sids(f"policy-{stage}.json") == core
    assert _sids(f"policy-{stage}-jobs.json") == [*core, "ReportFailedEvents"]
    assert _sids(f"policy-{stage}-send.json") == [*core, "ReportFailedEvents", "SendAsTheSender"]
    # The register job queries the register's partitions instead of the work indexes.
    assert _sids(f"policy-{stage}-register.json") == [
        "ReadAndWriteTheTable",
        "QueryTheRegister",
        "ReadTheTokenSecret",
        "WriteOwnLogs",
        "ReportFailedEvents",
        "SendAsTheSender",
    ]
    assert _sids(f"policy-{stage}-stream.json") == [
        *core,
        "ReportFailedEvents",
        "SendAsTheSender",
        "ReadTheTableStream",
    ]
    # A statement that appears in several files is the same statement in each.
    seen: dict[str, Any] = {}
    for name in set(_policy_files(stage).values()):
        for statement in _policy(name)["Statement"]:
            assert seen.setdefault(statement["Sid"], statement) == statement, (name, statement["Sid"])


def test_the_stages_share_one_policy_shape() -> None:
    """A stage's policy refers to its own stack's resources; the files only differ
    when a district makes them differ on purpose."""
    for suffix in ("", "-jobs", "-send", "-stream", "-register"):
        assert _policy(f"policy-dev{suffix}.json") == _policy(f"policy-prod{suffix}.json")


def test_render_fills_in_the_stage() -> None:
    template = render("dev", ["'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"])
    assert template["Parameters"]["Stage"]["Default"] == "dev"
    assert template["Parameters"]["SiteDomainName"]["Default"] == site_host("dev")
    assert template["Parameters"]["TokenSecretParameter"]["Default"] == "/stis-portal/dev/token-secret"
    assert render("prod")["Parameters"]["TokenSecretParameter"]["Default"] == "/stis-portal/prod/token-secret"
    assert csp_length(template) < 1783


@pytest.mark.parametrize("stage", ["local", "test", "staging"])
def test_render_refuses_stages_that_do_not_deploy(stage: str) -> None:
    with pytest.raises(TemplateError, match="stage must be one of"):
        render(stage)


def test_render_refuses_what_is_not_a_script_hash() -> None:
    with pytest.raises(TemplateError, match="not a CSP script hash"):
        render("prod", ["'unsafe-inline'"])


def test_render_refuses_a_policy_cloudfront_would_refuse() -> None:
    hashes = [f"'sha256-{n:044d}'" for n in range(40)]
    with pytest.raises(TemplateError, match="over CloudFront's"):
        render("prod", hashes)


@pytest.mark.parametrize(
    ("origin", "url"),
    [
        ("http://attendance.alder-creek.example", "http://attendance.alder-creek.example"),
        ("https://attendance.alder-creek.example/stis", "https://attendance.alder-creek.example"),
        ("https://attendance.alder-creek.example", "https://elsewhere.example"),
    ],
)
def test_site_host_wants_one_https_origin(origin: str, url: str) -> None:
    config = {"stages": {"prod": {"environment_variables": {"SITE_ORIGIN": origin, "SITE_URL": url}}}}
    with pytest.raises(TemplateError):
        site_host("prod", config)


def test_policy_files_are_valid_json_with_a_version() -> None:
    for path in sorted(Path(CHALICE_DIR).glob("policy-*.json")):
        assert json.loads(path.read_text(encoding="utf-8"))["Version"] == "2012-10-17"


def test_deploy_guide_names_every_parameter_and_output_it_uses() -> None:
    from infra.template import INFRA, load

    guide = (INFRA / "DEPLOY.md").read_text(encoding="utf-8")
    template = load()
    for name in template["Parameters"]:
        assert f"`{name}`" in guide, name
    for name in ("ApiUrl", "SiteUrl", "SiteBucketName", "SiteDistributionId", "TableName"):
        assert name in template["Outputs"] and f"out {name}" in guide, name
    assert "make package STAGE=$STAGE" in guide


def test_packaging_refuses_additions_to_a_function_chalice_did_not_make() -> None:
    from infra.package import check_packaged

    merge = {"Resources": {"StisTable": {"Type": "AWS::DynamoDB::Table"}, "SendReminders": {}}}
    renamed = {"Resources": {"StisTable": {"Type": "AWS::DynamoDB::Table"}, "SendReminders": {}}}
    with pytest.raises(TemplateError, match="SendReminders"):
        check_packaged(renamed, merge)
    made = {"Resources": {"SendReminders": {"Type": "AWS::Serverless::Function"}}}
    check_packaged(made, merge)
