"""Cold start: a fresh Python process that imports the app and serves one
submit, against the floor (a process that only imports boto3, pydantic and
chalice and creates one DynamoDB client). They run alternately, many times;
the medians of wall time (spawn to exit) and CPU time are printed, and the
ratio app / floor (target: at most 1.15). CPU time is the steadier figure on
a shared machine; Lambda bills wall time.

A third case runs the app as `chalice package` ships it: app.py, chalicelib
and the dependencies' sources with no bytecode, which the Lambda runtime
cannot write (its code directory is read-only), so every cold start compiles
them. boto3 and botocore come from the Lambda runtime, as bytecode.

Then the modules the app imports beyond the floor, by the time
``python -X importtime`` gives them: what the gap is made of.

    python bench/coldstart.py [--runs 15] [--no-explain]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BACKEND, ENV, ROOT, event, machine, median, school_days_ahead, submit_body

CHILD = str(Path(__file__).with_name("coldstart_child.py"))
TARGET_RATIO = 1.15


def child_env() -> dict[str, str]:
    first, last = school_days_ahead()
    submit = event("POST", "/stis/requests", submit_body(1, first, last))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(ENV)
    env.update({"BENCH_BACKEND": str(BACKEND), "BENCH_EVENT": json.dumps(submit)})
    return env


def packaged(target: Path) -> Path:
    """What deployment.zip holds, unpacked: app.py, chalicelib, chalice's two
    runtime files and the wheels of backend/requirements.txt, without bytecode."""
    shutil.rmtree(target, ignore_errors=True)
    no_bytecode = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(BACKEND / "chalicelib", target / "chalicelib", ignore=no_bytecode)
    shutil.copy2(BACKEND / "app.py", target / "app.py")
    chalice = importlib.metadata.distribution("chalice")
    for name in ("chalice/__init__.py", "chalice/app.py"):
        (target / "chalice").mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(str(chalice.locate_file(name))), target / name)
    requirements = (BACKEND / "requirements.txt").read_text().splitlines()
    for line in requirements:
        name = line.split("==")[0].strip()
        if not name or name.startswith("#"):
            continue
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            relative = str(file)
            if "__pycache__" in relative or relative.startswith("..") or relative.endswith(".pyc"):
                continue
            source = Path(str(distribution.locate_file(file)))
            if source.is_file():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / relative)
    return target


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
    parser.add_argument("--runs", type=int, default=15, help="cold starts of each kind")
    parser.add_argument("--no-explain", action="store_true", help="leave out the import breakdown")
    args = parser.parse_args()
    env = child_env()
    package = packaged(ROOT / "build" / "bench" / "package")
    envs = {
        "floor": env,
        "app": env,
        "packaged": {**env, "BENCH_BACKEND": str(package), "PYTHONDONTWRITEBYTECODE": "1"},
    }

    # One of each first, untimed: compiles any missing bytecode, warms the page cache.
    for mode in ("app", "packaged"):
        output = run("app", envs[mode])[2]
        if "status 201" not in output.splitlines()[-1:]:
            raise SystemExit(f"the app's first submit did not answer 201:\n{output}")
    run("floor", env)

    walls: dict[str, list[float]] = {mode: [] for mode in envs}
    cpus: dict[str, list[float]] = {mode: [] for mode in envs}
    for _ in range(args.runs):
        for mode in envs:  # in turn, so all see the same machine
            wall, cpu, _ = run("floor" if mode == "floor" else "app", envs[mode])
            walls[mode].append(wall)
            cpus[mode].append(cpu)

    print(f"Cold start ({args.runs} runs each, in turn; {machine()})")
    floor_wall, floor_cpu = median(walls["floor"]), median(cpus["floor"])
    print(f"{'':48} {'wall median':>12} {'CPU median':>11}   {'x floor (wall, CPU)':>20}")
    rows = (
        ("floor: import boto3+pydantic+chalice, 1 client", "floor"),
        ("app: import app, serve 1 submit (Stubber)", "app"),
        ("app as chalice packages it (no bytecode)", "packaged"),
    )
    for label, mode in rows:
        wall, cpu = median(walls[mode]), median(cpus[mode])
        ratios = f"{wall / floor_wall:10.2f} {cpu / floor_cpu:9.2f}"
        print(f"{label:48} {wall * 1000:9.0f} ms {cpu * 1000:8.0f} ms   {ratios}")
    worst = max(median(walls["app"]) / floor_wall, median(cpus["app"]) / floor_cpu)
    verdict = "met" if worst <= TARGET_RATIO else "MISSED"
    print(f"ratio app / floor, target <= {TARGET_RATIO}: {verdict} ({worst:.2f} at worst)")
    if not args.no_explain:
        explain(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
