"""``python -m infra.roster import DIR --stage local`` over the fictional demo
export, into the table of a local stack on moto's server: every student the
export lists can be found by a submit, a later export replaces the roster,
and a broken export changes nothing and says what is wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

import infra.roster.__main__ as roster_cli
from chalicelib.adapters.roster import roster_key, student_from_item
from chalicelib.core.roster import NotOnRoster, check_on_roster
from infra.table import create_table
from tests.support.aws import REGION

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "infra" / "roster" / "demo"


@pytest.fixture
def local_stack(aws: str, table_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A table on moto, written where `make dev` says where its table is."""
    client = boto3.client("dynamodb", region_name=REGION)
    create_table(client, table_name, stream=False)
    where = tmp_path / "local-aws.json"
    where.write_text(json.dumps({"endpoint_url": aws, "region": REGION, "table": table_name}))
    monkeypatch.setenv("STIS_LOCAL_AWS_FILE", str(where))
    return client


def on_roster(client: Any, table: str, student_id: str) -> Any:
    item = client.get_item(TableName=table, Key=roster_key(student_id)).get("Item")
    return student_from_item(item) if item else None


def test_the_demo_export_is_imported_and_checked_as_a_submit_would(
    local_stack: Any, table_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert roster_cli.main(["import", str(DEMO), "--stage", "local"]) == 0
    out = capsys.readouterr().out
    assert "students: 5" in out
    assert f"written to {table_name}: 5 student(s), 0 removed" in out
    sofia = on_roster(local_stack, table_name, "5550206")
    assert check_on_roster(sofia, "ridgeline-middle", "Paula.Soto@family.example").name == "Sofía Ruiz Soto"
    with pytest.raises(NotOnRoster):
        check_on_roster(sofia, "madrone-elementary", "paula.soto@family.example")
    # Skipped rows are not on the roster: at a school of another district, tobedeleted.
    assert on_roster(local_stack, table_name, "5550908") is None
    assert on_roster(local_stack, table_name, "5550110") is None


def test_a_later_export_replaces_the_roster(
    local_stack: Any, table_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert roster_cli.main(["import", str(DEMO), "--stage", "local"]) == 0
    later = tmp_path / "later"
    shutil.copytree(DEMO, later)
    users = (later / "users.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (later / "users.csv").write_text(
        "".join(u for u in users if not u.startswith("stu-001,")), encoding="utf-8"
    )
    assert roster_cli.main(["import", str(later), "--stage", "local"]) == 0
    assert "4 student(s), 1 removed" in capsys.readouterr().out
    assert on_roster(local_stack, table_name, "5550101") is None
    assert on_roster(local_stack, table_name, "5550102") is not None


def test_a_dry_run_and_an_export_matching_no_school_write_nothing(
    local_stack: Any, table_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert roster_cli.main(["import", str(DEMO), "--stage", "local", "--dry-run"]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert on_roster(local_stack, table_name, "5550101") is None
    assert roster_cli.main(["import", str(DEMO), "--stage", "local"]) == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(DEMO, elsewhere)
    orgs = (elsewhere / "orgs.csv").read_text(encoding="utf-8")
    (elsewhere / "orgs.csv").write_text(
        orgs.replace(",madrone-elementary,", ",m1,").replace(",ridgeline-middle,", ",r1,")
    )
    assert roster_cli.main(["import", str(elsewhere), "--stage", "local"]) == 1
    assert "the roster was left as it is" in capsys.readouterr().err
    assert on_roster(local_stack, table_name, "5550101") is not None


def run_cli(*args: str, local_aws: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'backend'}{os.pathsep}{ROOT}",
        "STIS_LOCAL_AWS_FILE": str(local_aws),
    }
    return subprocess.run(
        [sys.executable, "-m", "infra.roster", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_the_command_names_the_file_row_and_column_of_a_broken_export(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(DEMO, broken)
    users = (broken / "users.csv").read_text(encoding="utf-8")
    (broken / "users.csv").write_text(users.replace(",parent,,,Luis,", ",uncle,,,Luis,"), encoding="utf-8")
    result = run_cli("import", str(broken), "--stage", "local", local_aws=tmp_path / "none.json")
    assert result.returncode == 1
    assert "users.csv, row 11, column role: 'uncle' is not a OneRoster 1.1 role" in result.stderr
    assert "Luis" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_the_command_says_to_start_the_local_stack_when_none_runs(tmp_path: Path) -> None:
    result = run_cli("import", str(DEMO), "--stage", "local", local_aws=tmp_path / "none.json")
    assert result.returncode == 2
    assert "start `make dev` first" in result.stderr
