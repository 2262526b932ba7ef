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
import compileall
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BACKEND, ENV, ROOT, first_requests, machine, median, school_days_ahead

CHILD = str(Path(__file__).with_name("coldstart_child.py"))
TARGET_RATIO = 1.15


def chalice_memory_mb() -> int:
    """The API function's memory in prod (backend/.chalice/config.json)."""
    stage = json.loads((BACKEND / ".chalice" / "config.json").read_text())["stages"]["prod"]
    own = stage.get("lambda_functions", {}).get("api_handler", {})
    return int(own.get("lambda_memory_size", stage.get("lambda_memory_size", 128)))


def child_envs() -> dict[str, dict[str, str]]:
    """The environment of each kind of cold start: the first submit and the first
    status view, each with the DynamoDB answers it needs."""
    first, last = school_days_ahead()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(ENV)
    envs = {}
    for name, (lambda_event, answers, _) in first_requests(first, last).items():
        envs[name] = {
            **env,
            "BENCH_BACKEND": str(BACKEND),
            "BENCH_EVENT": json.dumps(lambda_event),
            "BENCH_ANSWERS": json.dumps(answers),
        }
    return envs


def deployed(target: Path, compiled: bool) -> Path:
    """backend/ as the bundle holds it: sources with bytecode, and (``compiled``)
    the district file validated once, as `make package` ships it."""
    from chalicelib.config.loader import compile_district

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(BACKEND, target, ignore=shutil.ignore_patterns(".chalice", "district.compiled"))
    compileall.compile_dir(target, quiet=1)
    if compiled:
        config = target / "chalicelib" / "config"
        compile_district(config / "district.compiled", config / "district.yaml")
    return target


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
    """Wall seconds (spawn to exit), CPU seconds (user + system), output (the
    app's: a JSON line with its status and CPU seconds per phase)."""
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


# The model of a cold start in Lambda (assumptions, not measurements):
FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB, in proportion below
PLATFORM_S = 0.15  # sandbox start and code load before the runtime's Python runs
RESTORE_S = 0.30  # SnapStart resuming the snapshot (memory paged in on demand)
ROUND_TRIP_S = 0.008  # one DynamoDB call in the same region
GB_SECOND = 0.0000166667  # USD, x86, us-west-2
RESTORE_PER_GB = 0.0001397998  # USD per GB restored (SnapStart, Python)
CACHE_PER_GB_SECOND = 0.0000015046  # USD per GB-second a version's snapshot is cached
MEMORIES = (512, 1024, 1769, 3008)


def lambda_model(cpu: dict[str, float], calls: int, chosen_mb: int) -> None:
    """Cold starts in Lambda from the CPU measured here, one core of this machine
    counted as one Lambda vCPU."""

    def share(mb: int) -> float:
        return min(1.0, mb / FULL_VCPU_MB)

    def plain(mb: int) -> float:
        return PLATFORM_S + cpu["total"] / share(mb) + calls * ROUND_TRIP_S

    def snapstart(mb: int) -> float:
        return RESTORE_S + cpu["request"] / share(mb) + calls * ROUND_TRIP_S

    print(f"\nLambda cold start of a submit, modelled from the CPU above (chosen memory {chosen_mb} MB)")
    print(
        f"{'memory':>8} {'vCPU':>6} {'cold start':>11} {'USD/cold start':>15}"
        f" {'SnapStart':>10} {'USD/restore':>12}"
    )
    for mb in sorted({*MEMORIES, chosen_mb}):
        gb = mb / 1024
        cost = plain(mb) * gb * GB_SECOND
        restored = snapstart(mb) * gb * GB_SECOND + gb * RESTORE_PER_GB
        mark = "  <- chosen" if mb == chosen_mb else ""
        print(
            f"{mb:>5} MB {share(mb):6.2f} {plain(mb) * 1000:8.0f} ms {cost:15.7f} "
            f"{snapstart(mb) * 1000:7.0f} ms {restored:12.7f}{mark}"
        )
    gb = chosen_mb / 1024
    print(
        f"assumed: {PLATFORM_S * 1000:.0f} ms of Lambda's own start before Python; SnapStart resumes in "
        f"{RESTORE_S * 1000:.0f} ms, then runs only the first request (client, validator, handler); "
        f"{calls} DynamoDB calls of {ROUND_TRIP_S * 1000:.0f} ms; a vCPU as fast as one core here; "
        f"x86 list prices. SnapStart also bills its cache: ${CACHE_PER_GB_SECOND * gb * 86400 * 30:.2f} "
        f"a month per published version at {chosen_mb} MB."
    )


def verdict(name: str, cpu_ratio: float, extra_ms: float, phases: dict[str, float], floor_ms: float) -> str:
    allowed = (TARGET_RATIO - 1) * floor_ms
    if cpu_ratio <= TARGET_RATIO:
        return f"{name}: x{cpu_ratio:.2f} the floor (CPU), target {TARGET_RATIO}: met"
    return (
        f"{name}: x{cpu_ratio:.2f} the floor (CPU), target {TARGET_RATIO}: "
        f"missed by {extra_ms - allowed:.0f} ms. The app spends {extra_ms:.0f} ms beyond the floor where "
        f"{allowed:.0f} ms is allowed; its first request takes {phases['request'] * 1000:.0f} ms (the "
        "DynamoDB client, which the floor makes too, the body's validator, botocore's first call), "
        "the rest is importing what the floor "
        "does not (pydantic models, email validation, the app: listed below)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="cold starts of each kind")
    parser.add_argument("--no-explain", action="store_true", help="leave out the import breakdown")
    args = parser.parse_args()
    first = child_envs()
    bench = ROOT / "build" / "bench"
    app_dir = str(deployed(bench / "deployed", compiled=True))
    unvalidated_dir = str(deployed(bench / "validating", compiled=False))
    package = packaged(bench / "package")
    envs = {
        "floor": first["submit"],
        "submit": {**first["submit"], "BENCH_BACKEND": app_dir},
        "status": {**first["status"], "BENCH_BACKEND": app_dir},
        "validating": {**first["submit"], "BENCH_BACKEND": unvalidated_dir},
        "packaged": {**first["submit"], "BENCH_BACKEND": str(package), "PYTHONDONTWRITEBYTECODE": "1"},
    }
    expected = {"submit": 201, "status": 200, "validating": 201, "packaged": 201}

    # One of each first, untimed: compiles any missing bytecode, warms the page cache.
    for mode, status in expected.items():
        output = run("app", envs[mode])[2]
        if json.loads(output.splitlines()[-1])["status"] != status:
            raise SystemExit(f"the {mode} cold start did not answer {status}:\n{output}")
    run("floor", envs["floor"])

    walls: dict[str, list[float]] = {mode: [] for mode in envs}
    cpus: dict[str, list[float]] = {mode: [] for mode in envs}
    phases: dict[str, list[dict[str, float]]] = {mode: [] for mode in envs}
    for _ in range(args.runs):
        for mode in envs:  # in turn, so all see the same machine
            wall, cpu, output = run("floor" if mode == "floor" else "app", envs[mode])
            walls[mode].append(wall)
            cpus[mode].append(cpu)
            if mode != "floor":
                phases[mode].append(json.loads(output.splitlines()[-1])["cpu"])

    print(f"Cold start ({args.runs} runs each, in turn; {machine()})")
    floor_wall, floor_cpu = median(walls["floor"]), median(cpus["floor"])
    print(f"{'':52} {'wall median':>12} {'CPU median':>11}   {'x floor (wall, CPU)':>20}")
    rows = (
        ("floor: import boto3+pydantic+chalice, 1 client", "floor"),
        ("app, first submit (as deployed)", "submit"),
        ("app, first status view (as deployed)", "status"),
        ("app, first submit, district file validated at start", "validating"),
        ("app, first submit, as chalice packages it (no bytecode)", "packaged"),
    )
    for label, mode in rows:
        wall, cpu = median(walls[mode]), median(cpus[mode])
        ratios = f"{wall / floor_wall:10.2f} {cpu / floor_cpu:9.2f}"
        print(f"{label:52} {wall * 1000:9.0f} ms {cpu * 1000:8.0f} ms   {ratios}")
    print()
    for name, mode in (("cold submit", "submit"), ("cold status view", "status")):
        cpu = median(cpus[mode])
        middle = {key: median([p[key] for p in phases[mode]]) for key in ("import", "request")}
        print(verdict(name, cpu / floor_cpu, (cpu - floor_cpu) * 1000, middle, floor_cpu * 1000))
    saved = (median(cpus["validating"]) - median(cpus["submit"])) * 1000
    print(f"the district file validated when packaging saves {saved:.0f} ms of CPU per cold start")

    submit_phases = {key: median([p[key] for p in phases["submit"]]) for key in ("import", "request")}
    lambda_model({"total": median(cpus["submit"]), **submit_phases}, 2, chalice_memory_mb())
    if not args.no_explain:
        explain(envs["submit"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
