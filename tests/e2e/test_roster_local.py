"""`make roster DIR=...` against a running `make dev`: the stack says where its
table is, the import fills it, and the file goes when the stack stops."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from chalicelib.adapters.roster import roster_key, student_from_item
from tests.support.live import ROOT
from tests.support.live_stack import local_stack


def test_make_roster_loads_the_demo_export_into_the_running_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "local-aws.json"
    monkeypatch.setenv("STIS_LOCAL_AWS_FILE", str(where))
    with local_stack() as stack:
        assert where.exists()
        result = subprocess.run(
            ["make", "--no-print-directory", "roster", "DIR=infra/roster/demo"],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "written to stis-local: 5 student(s)" in result.stdout
        item = stack.dynamodb.get_item(TableName="stis-local", Key=roster_key("555203"))["Item"]
        assert student_from_item(item).school_ids == {"ridgeline-middle"}
    assert not where.exists()
