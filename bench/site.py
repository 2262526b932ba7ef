"""The site: bytes transferred and requests per page, every page in both
languages, and Lighthouse (mobile) on the home, STIS and request-form pages.

The site is built with mkdocs (--strict) and served locally as CloudFront
serves it: gzip for text files of 1,000 bytes to 10 MB, ETag and Last-Modified,
the same security headers (the CSP aside: it would upgrade the local API's
http:// address). The API runs too (embedded AWS + the Chalice app, as in
`make dev`), so the request form loads its schools as in production.

Each page is opened in Debian's Chromium through Playwright with an empty
cache, as a 360 px phone; everything it loads (the search index its worker
fetches included) is added up: compressed bodies plus headers.

    python bench/site.py [--no-lighthouse] [--lighthouse-only]

Lighthouse is the npm package pinned in bench/lighthouse/package-lock.json
(`make bench` installs it with `npm ci`); reports go to build/bench/lighthouse/.
Targets: 100 in performance, accessibility, best practices and SEO; under 150 KB
transferred per page.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine

from tests.support.browser import LAUNCH_ARGS as CHROMIUM_ARGS

OUT = ROOT / "build" / "bench"
LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGET_KB = 150
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE_PAGES = ("", "stis/", "stis/request/")
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".webmanifest"}
HEADERS = {  # infra/stack.yaml, SiteResponseHeaders (the CSP aside)
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Tally:
    """What the site server sent: responses and bytes (status line, headers, body)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.responses = 0
        self.bytes = 0
        self.paths: list[str] = []

    def add(self, size: int, path: str = "") -> None:
        with self.lock:
            self.bytes += size
            if path:
                self.responses += 1
                self.paths.append(path)

    def take(self) -> tuple[int, int, list[str]]:
        with self.lock:
            taken = (self.responses, self.bytes, self.paths)
            self.responses, self.bytes, self.paths = 0, 0, []
        return taken


class CloudFrontLike(SimpleHTTPRequestHandler):
    """A static file server that answers as S3 behind CloudFront does, and
    counts what it sends (a browser does not report a worker's own script)."""

    protocol_version = "HTTP/1.1"
    tally = Tally()
    _gzipped: ClassVar[dict[Path, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.tally.add(sum(len(line) for line in self._headers_buffer) + 2, self.path)
        super().end_headers()

    def send_head(self) -> Any:  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to .../
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return None
        body = path.read_bytes()
        encoding = ""
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if accepts_gzip and path.suffix in COMPRESSIBLE and 1_000 <= len(body) <= 10_000_000:
            if path not in self._gzipped:
                self._gzipped[path] = gzip.compress(body, compresslevel=6, mtime=0)
            body, encoding = self._gzipped[path], "gzip"
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", '"' + hashlib.md5(body).hexdigest() + '"')  # as S3 does
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.tally.add(len(body))
        return io.BytesIO(body)


def page_paths(site: Path) -> list[str]:
    """Every page, English first then Spanish, as URL paths."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    english = [p for p in pages if not p.startswith("es/") and p != "es/"]
    spanish = [p for p in pages if p.startswith("es/") or p == "es/"]
    return english + spanish


def _size(path: Path) -> int:
    if path.is_dir():
        path = path / "index.html"
    return path.stat().st_size if path.is_file() else 0


def weigh(base: str, api: str, site: Path, pages: list[str]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in pages:
            context = browser.new_context(
                viewport={"width": 360, "height": 740},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="es-US" if path.startswith("es") else "en-US",
            )
            page = context.new_page()
            finished: list[Any] = []
            failed: list[str] = []
            page.on("requestfinished", lambda request, sink=finished: sink.append(request))
            page.on("requestfailed", lambda request, sink=failed: sink.append(request.url))
            CloudFrontLike.tally.take()
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_timeout(500)  # anything started late (the search index)
            responses, transferred, paths = CloudFrontLike.tally.take()
            api_calls = api_bytes = third_party = 0
            for request in finished:
                if request.url.startswith(base):
                    continue
                if request.url.startswith(api):
                    sizes = request.sizes()
                    api_calls += 1
                    api_bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                elif not request.url.startswith("data:"):
                    third_party += 1
            raw = sum(_size(site / p.lstrip("/").split("?")[0]) for p in paths)
            rows.append(
                {
                    "page": "/" + path,
                    "requests": responses + api_calls + third_party,
                    "api_calls": api_calls,
                    "failed": failed,
                    "transferred": transferred + api_bytes,
                    "uncompressed": raw,
                    "third_party": third_party,
                }
            )
            context.close()
        browser.close()
    return rows


def lighthouse(base: str, pages: list[str], runs: int = 3) -> list[dict[str, Any]]:
    """Lighthouse ``runs`` times per page; the run with the median performance score counts."""
    cli = LIGHTHOUSE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        raise SystemExit(f"Lighthouse is not installed: run `npm ci --prefix {LIGHTHOUSE}`")
    reports = OUT / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    results = []
    for path in pages:
        language, rest = ("es", path.removeprefix("es/")) if path.startswith("es/") else ("en", path)
        name = f"{language}-{rest.strip('/').replace('/', '-') or 'home'}"
        runs_of_page = []
        for run in range(runs):
            output = reports / f"{name}-{run + 1}.json"
            command = [
                "node",
                str(cli),
                base + path,
                "--quiet",
                "--output=json",
                f"--output-path={output}",
                "--only-categories=" + ",".join(CATEGORIES),
                "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
            ]
            for attempt in range(3):  # Lighthouse now and then loses its trace (NO_NAVSTART)
                done = subprocess.run(command, env=env, check=False, timeout=300, capture_output=True)
                if done.returncode == 0:
                    break
                print(f"  Lighthouse failed on /{path} (attempt {attempt + 1}), again", file=sys.stderr)
            else:
                raise SystemExit(f"Lighthouse failed on /{path}:\n{done.stderr.decode()[-2000:]}")
            runs_of_page.append(_summary(path, json.loads(output.read_text())))
        runs_of_page.sort(key=lambda r: r["scores"]["performance"])
        chosen = runs_of_page[len(runs_of_page) // 2]
        chosen["performance_runs"] = [r["scores"]["performance"] for r in runs_of_page]
        results.append(chosen)
    return results


def _summary(path: str, report: dict[str, Any]) -> dict[str, Any]:
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    misses = []
    for category in CATEGORIES:
        if scores[category] == 100:
            continue
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                misses.append(f"{category}: {ref['id']} {audit['score']:.2f} {value}".rstrip())
    metrics = {
        key: report["audits"][key].get("displayValue", "")
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
        )
    }
    return {
        "page": "/" + path,
        "scores": scores,
        "misses": misses,
        "metrics": metrics,
        "version": report["lighthouseVersion"],
        "benchmark_index": report.get("environment", {}).get("benchmarkIndex"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--no-lighthouse", action="store_true", help="page weight only")
    parser.add_argument("--lighthouse-only", action="store_true", help="Lighthouse only")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median counts)")
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]
    import chalice.local

    from infra.local.stack import LocalStack, Ports, free_port
    from infra.site import SiteBuildError, build_site

    chalice.local.ChaliceRequestHandler.log_message = lambda *_: None  # type: ignore[method-assign]
    ports = Ports(api=free_port(), site=free_port(), mail=free_port(), aws=free_port())
    stack = LocalStack(ports, build_site=False)
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        stack.start()
    site = OUT / "site"
    try:
        build_site(site, stack.api_url)
    except SiteBuildError as error:
        raise SystemExit(str(error)) from None
    server = ThreadingHTTPServer(("127.0.0.1", ports.site), partial(CloudFrontLike, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = stack.site_url + "/"
    try:
        if not args.lighthouse_only:
            report_weight(weigh(base, stack.api_url, site, page_paths(site)))
        if not args.no_lighthouse:
            pages = [*LIGHTHOUSE_PAGES, *(f"es/{p}" for p in LIGHTHOUSE_PAGES)]
            report_lighthouse(lighthouse(base, pages, args.runs))
    finally:
        server.shutdown()
        stack.stop()
    return 0


def report_weight(rows: list[dict[str, Any]]) -> None:
    print(f"Site: bytes transferred per page, empty cache, gzip as CloudFront sends it ({machine()})")
    print(f"{'page':40} {'requests':>8} {'transferred':>12} {'uncompressed':>13}")
    for row in rows:
        mark = "" if row["transferred"] <= TARGET_KB * 1024 else "  OVER"
        api = f"  (incl. {row['api_calls']} API call)" if row["api_calls"] else ""
        print(
            f"{row['page']:40} {row['requests']:8} {row['transferred'] / 1024:9.1f} KB"
            f" {row['uncompressed'] / 1024:10.1f} KB{api}{mark}"
        )
        if row["failed"] or row["third_party"]:
            print(f"    failed: {row['failed']}  third-party requests: {row['third_party']}")
    heaviest = max(rows, key=lambda r: r["transferred"])
    over = [r["page"] for r in rows if r["transferred"] > TARGET_KB * 1024]
    print(
        f"{len(rows)} pages; heaviest {heaviest['page']} {heaviest['transferred'] / 1024:.1f} KB;"
        f" target < {TARGET_KB} KB per page: {'met' if not over else 'MISSED on ' + ', '.join(over)}"
    )
    print(f"third-party requests on any page: {sum(r['third_party'] for r in rows)}")


def report_lighthouse(results: list[dict[str, Any]]) -> None:
    version = results[0]["version"] if results else "?"
    bench = results[0]["benchmark_index"] if results else "?"
    runs = len(results[0]["performance_runs"]) if results else 0
    print(
        f"\nLighthouse {version}, mobile emulation, simulated throttling; of {runs} runs per page,"
        f" the median by performance (benchmark index {bench})"
    )
    columns = " ".join(f"{c:>5}" for c in ("perf", "a11y", "b.p.", "SEO"))
    print(f"{'page':24} {columns}   FCP / LCP / TBT / CLS   (perf of each run)")
    all_100 = True
    for result in results:
        scores = result["scores"]
        all_100 &= all(v == 100 for v in scores.values())
        metrics = result["metrics"]
        print(
            f"{result['page']:24} "
            + " ".join(f"{scores[c]:>5}" for c in CATEGORIES)
            + f"   {metrics['first-contentful-paint']} / {metrics['largest-contentful-paint']}"
            f" / {metrics['total-blocking-time']} / {metrics['cumulative-layout-shift']}"
            f"   ({', '.join(str(p) for p in result['performance_runs'])})"
        )
        for miss in result["misses"]:
            print(f"    {miss}")
    print(f"target 100 in all four on every page: {'met' if all_100 else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
