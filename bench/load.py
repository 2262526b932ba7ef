"""A bounded load on the local stack: views and submits from plain HTTP clients.

Starts `make dev`'s stack (API, mailbox, embedded AWS; no site) on free
loopback ports, then ``--clients`` threads send ``--requests`` requests in all,
each on a new connection as a browser's first request would: two views
(GET /schools, POST /stis/quote) for each submit (POST /stis/requests, a new
student each, so none is refused for the cap). Prints throughput and p50/p99
latency per kind; any answer other than 200/201 or any connection error is
counted and makes the exit status 1.

    python bench/load.py [--clients 20] [--requests 240]

This measures the local stack (moto answering one request at a time), not AWS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from bench.common import machine, median, percentile, school_days_ahead, submit_body  # noqa: E402
from tests.support.live import running_api  # noqa: E402


def requests_to_send(total: int) -> list[tuple[str, str, str, bytes | None]]:
    """(kind, method, path, body) in the order the clients take them."""
    first, last = school_days_ahead(days=3)
    quote = json.dumps({"first_day": first.isoformat(), "last_day": last.isoformat()}).encode()
    plan: list[tuple[str, str, str, bytes | None]] = []
    for n in range(total):
        if n % 3 == 0:
            body = submit_body(10_000 + n, first, last, student=f"{8_000_000 + n}")
            plan.append(("submit", "POST", "/stis/requests", json.dumps(body).encode()))
        elif n % 3 == 1:
            plan.append(("view: schools", "GET", "/schools", None))
        else:
            plan.append(("view: quote", "POST", "/stis/quote", quote))
    return plan


def run(
    url: str, clients: int, plan: list[tuple[str, str, str, bytes | None]]
) -> tuple[float, dict[str, list[float]], Counter[str]]:
    host, port = url.removeprefix("http://").split(":")
    times: dict[str, list[float]] = {}
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    queue = iter(range(len(plan)))

    def client() -> None:
        while True:
            with lock:
                index = next(queue, None)
            if index is None:
                return
            kind, method, path, body = plan[index]
            started = time.perf_counter()
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                outcome = "" if response.status in (200, 201) else f"{kind}: HTTP {response.status}"
            except OSError as error:
                outcome = f"{kind}: {type(error).__name__}"
            finally:
                connection.close()
            took = time.perf_counter() - started
            with lock:
                if outcome:
                    failures[outcome] += 1
                else:
                    times.setdefault(kind, []).append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, times, failures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20, help="clients sending at once (default 20)")
    parser.add_argument("--requests", type=int, default=240, help="requests in all (default 240)")
    args = parser.parse_args()
    if not 0 < args.clients <= 500 or not 0 < args.requests <= 20_000:
        parser.error("--clients must be 1-500 and --requests 1-20000")
    plan = requests_to_send(args.requests)
    print(f"\nLoad on the local stack: {args.requests} requests from {args.clients} clients at once")
    print(f"on {machine()}\n")
    with running_api() as live:
        seconds, times, failures = run(live.url, args.clients, plan)
    answered = sum(len(v) for v in times.values())
    print(f"  {answered} answered in {seconds:.1f} s: {answered / seconds:.0f} requests/s\n")
    print(f"  {'kind':<16}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}")
    for kind in sorted(times):
        values = [t * 1000 for t in times[kind]]
        print(f"  {kind:<16}{len(values):>7}{median(values):>10.0f}{percentile(values, 0.99):>10.0f}")
    every = [t * 1000 for v in times.values() for t in v]
    if every:
        print(f"  {'all':<16}{len(every):>7}{median(every):>10.0f}{percentile(every, 0.99):>10.0f}")
    if failures:
        print(f"\n!! {sum(failures.values())} requests failed: {dict(failures)}", file=sys.stderr)
        return 1
    print("\n  none refused, reset or answered with an error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
