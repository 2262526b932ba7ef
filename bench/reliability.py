"""Reliability and security, measured: run tests/reliability and print its figures.

Cases fuzzed, races run, faults injected, misuses tried, and what was lost
(every "lost" figure is asserted to be zero by the test that counts it, so a
run that passes has lost nothing).

    python bench/reliability.py            the size `make test` runs (a few minutes)
    python bench/reliability.py --long     STIS_LONG=1: every part at its long size
    python bench/reliability.py --markdown the figures as the README's table
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from tests.support.figures import NAMES  # noqa: E402 - after the path is set

LOST = ("server_errors", "lost_requests", "lost_emails", "duplicate_emails", "leaked_secrets")


def run(long: bool, figures_path: Path, extra: list[str]) -> tuple[int, float]:
    env = {**os.environ, "STIS_RELIABILITY_FIGURES": str(figures_path)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "backend"), str(ROOT)])
    if long:
        env["STIS_LONG"] = "1"
    command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider", *extra]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    return result.returncode, time.monotonic() - started


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def show(data: dict[str, Any], seconds: float | None, markdown: bool) -> None:
    figures = data["figures"]
    machine = data["machine"]
    where = f"{machine['cores']} cores ({machine['cpu']}), Python {machine['python']}, {machine['system']}"
    size = "long (STIS_LONG=1)" if data["long"] else "the size `make test` runs"
    took = f", in {duration(seconds)}" if seconds is not None else ""
    if markdown:
        print(f"Measured at {size} on {where}{took}.\n")
        print("| figure | count |\n|---|---:|")
        for name, label in NAMES.items():
            print(f"| {label} | {figures.get(name, 0):,} |")
        return
    print(f"\nReliability and security, at {size}{took}")
    print(f"on {where}\n")
    for name, label in NAMES.items():
        marker = "  <- must be 0" if name in LOST else ""
        print(f"  {figures.get(name, 0):>7,}  {label}{marker}")
    lost = sum(figures.get(name, 0) for name in LOST)
    print(f"\n  lost, leaked or failed: {lost}")


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--long", action="store_true", help="run every part at its long size (STIS_LONG=1)")
    parser.add_argument("--markdown", action="store_true", help="print the figures as a Markdown table")
    parser.add_argument(
        "--figures", type=Path, help="print the figures of an earlier run (its figures.json) without running"
    )
    args, extra = parser.parse_known_args()
    if args.figures:
        show(json.loads(args.figures.read_text()), None, args.markdown)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figures.json"
        code, seconds = run(args.long, path, extra)
        if not path.exists():
            print("!! the reliability tests wrote no figures", file=sys.stderr)
            return code or 1
        data = json.loads(path.read_text())
    show(data, seconds, args.markdown)
    if code != 0:
        print("\n!! some reliability tests failed: the figures above are not a clean run", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
