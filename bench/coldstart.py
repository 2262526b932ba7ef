"""Cold start: a fresh Python process that imports the app and serves one
submit, against the floor (a process that only imports boto3, pydantic and
chalice and creates one DynamoDB client). Both run alternately, many times;
the medians of wall time (spawn to exit) and CPU time are printed, and the
ratio app / floor (target: at most 1.15).

    python bench/coldstart.py [--runs 21] [--explain]

--explain also lists the modules the app imports beyond the floor, by the
time ``python -X importtime`` gives them (what a cold start pays for).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BACKEND, ENV, event, machine, median, school_days_ahead, submit_body

CHILD = str(Path(__file__).with_name("coldstart_child.py"))
TARGET_RATIO = 1.15


def child_env() -> dict[str, str]:
    first, last = school_days_ahead()
    submit = event("POST", "/stis/requests", submit_body(1, first, last))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(ENV)
    env.update({"BENCH_BACKEND": str(BACKEND), "BENCH_EVENT": json.dumps(submit)})
    return env


def run(mode: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds (spawn to exit), CPU seconds (user + system), output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, CHILD, mode], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {mode} cold start failed:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, out.strip()


def explain(env: dict[str, str]) -> None:
    def times(mode: str) -> dict[str, int]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", CHILD, mode],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        own: dict[str, int] = {}
        for line in result.stderr.splitlines():
            if line.startswith("import time:") and "|" in line and "self" not in line:
                _, self_us, _, name = (part.strip() for part in line.replace(":", "|", 1).split("|"))
                own[name.strip()] = int(self_us)
        return own

    floor, app = times("floor"), times("app")
    extra = {name: us for name, us in app.items() if name not in floor}
    groups: dict[str, int] = {}
    for name, us in extra.items():
        top = name.split(".")[0]
        key = ".".join(name.split(".")[:2]) if top == "chalicelib" else top
        groups[key] = groups.get(key, 0) + us
    total = sum(extra.values())
    print(f"\nModules the app imports beyond the floor: {len(extra)}, {total / 1000:.0f} ms of import time")
    for key, us in sorted(groups.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {key:32} {us / 1000:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="cold starts of each kind")
    parser.add_argument("--explain", action="store_true", help="list what the app imports beyond the floor")
    args = parser.parse_args()
    env = child_env()

    # One of each first, untimed: compiles any missing bytecode, warms the page cache.
    output = run("app", env)[2]
    if "status 201" not in output.splitlines()[-1:]:
        raise SystemExit(f"the app's first submit did not answer 201:\n{output}")
    run("floor", env)

    walls: dict[str, list[float]] = {"floor": [], "app": []}
    cpus: dict[str, list[float]] = {"floor": [], "app": []}
    for _ in range(args.runs):
        for mode in ("floor", "app"):  # alternate, so both see the same machine
            wall, cpu, _ = run(mode, env)
            walls[mode].append(wall)
            cpus[mode].append(cpu)

    print(f"Cold start ({args.runs} runs each, alternating; {machine()})")
    print(f"{'':44} {'wall median':>12} {'CPU median':>11}")
    rows = (
        ("floor: import boto3+pydantic+chalice, 1 client", "floor"),
        ("app: import app, serve 1 submit (Stubber)", "app"),
    )
    for label, mode in rows:
        print(f"{label:44} {median(walls[mode]) * 1000:9.0f} ms {median(cpus[mode]) * 1000:8.0f} ms")
    wall_ratio = median(walls["app"]) / median(walls["floor"])
    cpu_ratio = median(cpus["app"]) / median(cpus["floor"])
    verdict = "met" if max(wall_ratio, cpu_ratio) <= TARGET_RATIO else "MISSED"
    print(f"{'ratio app / floor':44} {wall_ratio:12.2f} {cpu_ratio:11.2f}", end="")
    print(f"   target <= {TARGET_RATIO}: {verdict}")
    if args.explain:
        explain(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
