"""The core imports only the standard library and never reads the clock."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

CORE = Path(__file__).parents[3] / "backend" / "chalicelib" / "core"
FORBIDDEN = re.compile(r"import boto3|from chalice|datetime\.now|date\.today|\.utcnow\(|time\.time\(")


def core_files() -> list[Path]:
    files = sorted(CORE.glob("*.py"))
    assert files, f"no core modules found in {CORE}"
    return files


def test_no_core_module_touches_aws_chalice_or_the_clock() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in core_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    outside = []
    for path in core_files():
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "__future__":
                    outside.append(f"{path.name}: {name}")
    assert outside == []
