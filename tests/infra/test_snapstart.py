"""The runtime and SnapStart in the packaged template: prod as configured
(SnapStart on), and prod with the setting off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.template import STACK, TemplateError, snapstart_enabled

ALIAS = {"Ref": "APIHandler.Alias"}


def _integrations(resources: dict[str, Any]) -> list[Any]:
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    return [
        method["x-amazon-apigateway-integration"]["uri"]
        for operations in paths.values()
        for method in operations.values()
        if "x-amazon-apigateway-integration" in method
        and method["x-amazon-apigateway-integration"].get("uri")
    ]


def _lambda_integrations(resources: dict[str, Any]) -> list[Any]:
    return [uri for uri in _integrations(resources) if "lambda:path" in str(uri)]


def _cfn_lint(template: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(template)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_function_runs_on_python_3_13(resources: dict[str, Any]) -> None:
    functions = {n: r for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    assert {r["Properties"]["Runtime"] for r in functions.values()} == {"python3.13"}


def test_the_stages_setting_says_whether_snapstart_is_on() -> None:
    assert snapstart_enabled("prod") is True
    assert snapstart_enabled("dev") is False


def test_a_snapstart_setting_other_than_on_or_off_is_refused(tmp_path: Path) -> None:
    stack = yaml.safe_load(STACK.read_text(encoding="utf-8"))
    stack["Mappings"]["StageSettings"]["prod"]["SnapStart"] = "yes"
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump(stack), encoding="utf-8")
    with pytest.raises(TemplateError, match="must be on or off"):
        snapstart_enabled("prod", path)


def test_with_snapstart_api_gateway_calls_a_published_version_through_the_alias(
    resources: dict[str, Any],
) -> None:
    api = resources["APIHandler"]["Properties"]
    assert api["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert api["AutoPublishAlias"] == "live"
    integrations = _lambda_integrations(resources)
    assert len(integrations) >= 5  # one per route
    for uri in integrations:
        pattern, variables = uri["Fn::Sub"]
        assert "${APIHandler.Arn}" not in pattern
        assert "${ApiFunctionAlias}/invocations" in pattern
        assert variables == {"ApiFunctionAlias": ALIAS}
    assert resources["APIHandlerInvokePermission"]["Properties"]["FunctionName"] == ALIAS
    # Only the API answers people; the scheduled and stream functions start cold.
    others = [
        r for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function" and n != "APIHandler"
    ]
    assert others and all("SnapStart" not in r["Properties"] for r in others)


def test_without_snapstart_api_gateway_calls_the_function_itself(packaged_without_snapstart: Path) -> None:
    template = yaml.safe_load(packaged_without_snapstart.read_text(encoding="utf-8"))
    resources = template["Resources"]
    api = resources["APIHandler"]["Properties"]
    assert "SnapStart" not in api and "AutoPublishAlias" not in api
    integrations = _lambda_integrations(resources)
    assert integrations and all("${APIHandler.Arn}" in str(uri) for uri in integrations)
    assert resources["APIHandlerInvokePermission"]["Properties"]["FunctionName"] == {"Ref": "APIHandler"}
    _cfn_lint(packaged_without_snapstart)
