"""The deployment template (infra/stack.yaml): load it, fill it in for a stage,
and cut out its stateful part for a stack without Chalice (moto, tests).

`stack.yaml` is merged into `chalice package` output. Its resources without a
``Type`` are additions to resources Chalice generates (environment variables,
log groups, the stream trigger's source, throttling); the others are whole.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

INFRA = Path(__file__).resolve().parent
ROOT = INFRA.parent
STACK = INFRA / "stack.yaml"
BACKEND = ROOT / "backend"
CHALICE_CONFIG = BACKEND / ".chalice" / "config.json"

#: The stages that deploy to AWS (``local`` and ``test`` never leave the machine).
AWS_STAGES = ("dev", "prod")
#: What holds data: what a test or a local stack creates without Chalice.
STATEFUL = ("StisTable", "EmailConfigurationSet", "SiteBucket")
#: The part of it moto's CloudFormation can create (it has no AWS::SES::ConfigurationSet).
LOCAL_STATEFUL = ("StisTable", "SiteBucket")
#: CloudFront's limit for the Content-Security-Policy header value.
CSP_MAX_LENGTH = 1783

CSP_PATH = (
    "SiteResponseHeaders",
    "Properties",
    "ResponseHeadersPolicyConfig",
    "SecurityHeadersConfig",
    "ContentSecurityPolicy",
    "ContentSecurityPolicy",
    "Fn::Sub",
)


class TemplateError(Exception):
    pass


def load(path: Path = STACK) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def chalice_config(path: Path = CHALICE_CONFIG) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return config


def stage_environment(stage: str, config: dict[str, Any] | None = None) -> dict[str, str]:
    config = chalice_config() if config is None else config
    stages = config.get("stages", {})
    if stage not in stages:
        raise TemplateError(f"stage {stage!r} is not in backend/.chalice/config.json")
    merged: dict[str, str] = dict(config.get("environment_variables", {}))
    merged.update(stages[stage].get("environment_variables", {}))
    return merged


def site_host(stage: str, config: dict[str, Any] | None = None) -> str:
    """The host of the stage's SITE_ORIGIN (config.json), which must be https."""
    environment = stage_environment(stage, config)
    origin = environment.get("SITE_ORIGIN", "")
    parts = urlsplit(origin)
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise TemplateError(f"SITE_ORIGIN of stage {stage!r} must be https://<host>, got {origin!r}")
    site_url = environment.get("SITE_URL", "")
    if urlsplit(site_url).scheme != "https" or urlsplit(site_url).hostname != parts.hostname:
        raise TemplateError(
            f"SITE_URL of stage {stage!r} must be an https URL on {parts.hostname}, got {site_url!r}"
        )
    return parts.hostname


def _csp(template: dict[str, Any]) -> list[Any]:
    node: Any = template["Resources"]
    for key in CSP_PATH:
        node = node[key]
    if not (isinstance(node, list) and len(node) == 2 and isinstance(node[1], dict)):
        raise TemplateError("the site's Content-Security-Policy is not a Fn::Sub with a map")
    return node


def content_security_policy(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The CSP's Fn::Sub pattern and its variables."""
    pattern, variables = _csp(template)
    return str(pattern), dict(variables)


def csp_length(template: dict[str, Any]) -> int:
    """The header's length once deployed (the API id and region at their longest)."""
    pattern, variables = content_security_policy(template)
    value = pattern.replace("${ScriptHashes}", str(variables.get("ScriptHashes", "")))
    value = value.replace("${RestAPI}", "x" * 10)
    value = value.replace("${AWS::Region}", "ap-southeast-4")
    return len(value.replace("${AWS::URLSuffix}", "amazonaws.com.cn"))


def token_secret_parameter(stage: str) -> str:
    """The default name of the stage's SSM SecureString holding the link secret."""
    return f"/stis-portal/{stage}/token-secret"


def render(
    stage: str,
    script_hashes: Sequence[str] = (),
    config: dict[str, Any] | None = None,
    path: Path = STACK,
) -> dict[str, Any]:
    """stack.yaml filled in for ``stage``: the merge template `chalice package` gets."""
    if stage not in AWS_STAGES:
        raise TemplateError(f"stage must be one of {', '.join(AWS_STAGES)}, got {stage!r}")
    template = load(path)
    parameters = template["Parameters"]
    parameters["Stage"]["Default"] = stage
    parameters["SiteDomainName"]["Default"] = site_host(stage, config)
    parameters["TokenSecretParameter"]["Default"] = token_secret_parameter(stage)
    for token in script_hashes:
        if not (token.startswith("'sha256-") and token.endswith("'")):
            raise TemplateError(f"not a CSP script hash: {token!r}")
    _csp(template)[1]["ScriptHashes"] = "".join(f" {token}" for token in sorted(script_hashes))
    length = csp_length(template)
    if length > CSP_MAX_LENGTH:
        raise TemplateError(
            f"the Content-Security-Policy would be {length} characters, over CloudFront's "
            f"{CSP_MAX_LENGTH}: move inline scripts of the site into files"
        )
    return template


#: The alias API Gateway calls when SnapStart is on (SAM's AutoPublishAlias).
SNAPSHOT_ALIAS = "live"
#: The function that serves the API (Chalice's name for it).
API_FUNCTION = "APIHandler"


def snapstart_enabled(stage: str, path: Path = STACK) -> bool:
    """The stage's SnapStart setting (Mappings.StageSettings.<stage>.SnapStart)."""
    value = str(load(path)["Mappings"]["StageSettings"][stage].get("SnapStart", "off"))
    if value not in ("on", "off"):
        raise TemplateError(
            f"SnapStart of stage {stage!r} in infra/stack.yaml must be on or off, got {value!r}"
        )
    return value == "on"


def apply_snapstart(template: dict[str, Any], enabled: bool) -> dict[str, Any]:
    """Chalice's packaged template with SnapStart for the API function, when enabled.

    SnapStart restores published versions only, so the function publishes one per
    deploy behind an alias, and API Gateway (its integration and its permission)
    calls that alias instead of $LATEST. Off: the template is left as it is."""
    if not enabled:
        return template
    resources = template["Resources"]
    function = resources[API_FUNCTION]["Properties"]
    function["AutoPublishAlias"] = SNAPSHOT_ALIAS
    function["SnapStart"] = {"ApplyOn": "PublishedVersions"}
    arn = f"${{{API_FUNCTION}.Arn}}"
    alias = f"{API_FUNCTION}.Alias"  # SAM resolves it in a Ref, not as ${...} in a Sub string
    rewritten = 0

    def to_alias(node: Any) -> Any:
        nonlocal rewritten
        if isinstance(node, list):
            return [to_alias(item) for item in node]
        if not isinstance(node, dict):
            return node
        pattern = node.get("Fn::Sub")
        if len(node) == 1 and isinstance(pattern, str) and arn in pattern:
            rewritten += 1
            return {
                "Fn::Sub": [pattern.replace(arn, "${ApiFunctionAlias}"), {"ApiFunctionAlias": {"Ref": alias}}]
            }
        return {key: to_alias(value) for key, value in node.items()}

    for resource in resources.values():
        if resource.get("Type") == "AWS::Serverless::Api":
            resource["Properties"] = to_alias(resource["Properties"])
        if resource.get("Type") == "AWS::Lambda::Permission" and resource["Properties"].get(
            "FunctionName"
        ) == {"Ref": API_FUNCTION}:
            resource["Properties"]["FunctionName"] = {"Ref": alias}
            rewritten += 1
    if not rewritten:
        raise TemplateError(
            "SnapStart: found no API Gateway integration of the API function to point at its alias"
        )
    return template


def _references(node: Any) -> Iterable[str]:
    """Names a fragment refers to: Ref, Fn::GetAtt, ${...} in Fn::Sub, conditions."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                yield str(target)
            elif key == "Fn::Sub":
                pattern = value[0] if isinstance(value, list) else value
                yield from _sub_names(str(pattern))
            elif key == "Fn::FindInMap" and isinstance(value, list):
                yield str(value[0])
            elif key in ("Condition", "Fn::If") and value:
                yield str(value[0] if isinstance(value, list) else value)
            yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _sub_names(pattern: str) -> Iterable[str]:
    start = pattern.find("${")
    while start != -1:
        end = pattern.find("}", start)
        name = pattern[start + 2 : end]
        if not name.startswith("!"):
            yield name.split(".")[0]
        start = pattern.find("${", end)


def stateful_template(
    stage: str = "prod", names: Sequence[str] = STATEFUL, path: Path = STACK
) -> dict[str, Any]:
    """A template of only ``names`` (and the parameters, mappings and conditions
    they use): the stateful part of the stack, deployable without Chalice."""
    source = load(path)
    resources = {name: copy.deepcopy(source["Resources"][name]) for name in names}
    for name, resource in resources.items():
        if "Type" not in resource:
            raise TemplateError(f"{name} is an addition to a Chalice resource, not a resource")
    used = set(_references(resources))
    conditions = {name: value for name, value in source.get("Conditions", {}).items() if name in used}
    used |= set(_references(conditions))
    parameters = {name: copy.deepcopy(value) for name, value in source["Parameters"].items() if name in used}
    if "Stage" in parameters:
        parameters["Stage"]["Default"] = stage
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": source["AWSTemplateFormatVersion"],
        "Description": "STIS portal: the stateful resources only",
        "Parameters": parameters,
        "Resources": resources,
    }
    if conditions:
        template["Conditions"] = conditions
    mappings = {name: v for name, v in source.get("Mappings", {}).items() if name in used}
    if mappings:
        template["Mappings"] = mappings
    return template
