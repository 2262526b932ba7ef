"""checkov (a public IaC scanner) on the packaged prod template and the edge web
ACL's template: no check fails. A check that does not fit this product is skipped
in the template itself (``Metadata: checkov: skip``) with its reason, so a new
failing check fails this test until it is fixed or skipped with a reason."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.template import INFRA, ROOT

CHECKOV = ROOT / "build" / "checkov" / "bin" / "checkov"
EDGE = INFRA / "edge.yaml"
# Offline (no Prisma Cloud download), the whole report as JSON.
CHECKOV_OPTIONS = ("--skip-download", "--output", "json")


def _checkov(template: Path) -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make checkov` (make test does)")
    result = subprocess.run(
        [str(CHECKOV), "--file", str(template), "--framework", "cloudformation", *CHECKOV_OPTIONS],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / "build"), "LOG_LEVEL": "ERROR"},
    )
    # Exit code 1 means failed checks; anything else but 0 is checkov failing to run.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    found: dict[str, Any] = report[0] if isinstance(report, list) else report
    return found


def _failures(report: dict[str, Any]) -> list[str]:
    return [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in report["results"]["failed_checks"]]


@pytest.fixture(scope="module")
def prod_report(packaged_path: Path) -> dict[str, Any]:
    return _checkov(packaged_path)


def test_checkov_finds_no_failing_check_in_the_prod_template(prod_report: dict[str, Any]) -> None:
    assert _failures(prod_report) == []
    summary = prod_report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["passed"] >= 90  # 71 before this stack had WAF, DLQs, logs and versioning


def test_every_skipped_check_says_why(prod_report: dict[str, Any]) -> None:
    skipped = prod_report["results"]["skipped_checks"]
    assert skipped
    for check in skipped:
        reason = check.get("check_result", {}).get("suppress_comment", "")
        assert len(reason) >= 20, (check["check_id"], check["resource"])


def test_the_fixes_checkov_asked_for_are_not_skipped(prod_report: dict[str, Any]) -> None:
    """TLS, reserved concurrency, dead-letter queues, access logs, versioning and
    WAF are fixed in the template; only the cases a skip explains are skipped."""
    fixed = {"CKV_AWS_115", "CKV_AWS_76", "CKV_AWS_86", "CKV_AWS_21", "CKV_AWS_68"}
    passed = {c["check_id"] for c in prod_report["results"]["passed_checks"]}
    assert fixed <= passed
    skipped = {
        (c["check_id"], c["resource"].split(".")[-1]) for c in prod_report["results"]["skipped_checks"]
    }
    # Versioning is skipped only for the log bucket (logs are written once and expire).
    assert {(check, r) for check, r in skipped if check in fixed} == {("CKV_AWS_21", "SiteLogBucket")}
    # Dead-letter queue: skipped only where a DLQ cannot receive anything.
    assert {r for check, r in skipped if check == "CKV_AWS_116"} == {"APIHandler", "DispatchEmails"}
    # Access logs: skipped only for the log bucket and the bucket only CloudFront reads.
    assert {r for check, r in skipped if check == "CKV_AWS_18"} == {"SiteBucket", "SiteLogBucket"}


def test_edge_web_acl_template_passes_cfn_lint_and_checkov(packaged_path: Path) -> None:
    import sys

    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(EDGE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _failures(_checkov(EDGE)) == []
    template = yaml.safe_load(EDGE.read_text(encoding="utf-8"))
    acl = template["Resources"]["SiteWebAcl"]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT"
    (rate,) = [rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert template["Outputs"]["WebAclArn"]["Value"] == {"Fn::GetAtt": ["SiteWebAcl", "Arn"]}
