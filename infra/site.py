"""Build the static site (MkDocs) for one API address: one definition of the build.

`make dev`, `make package`, the browser tests and `bench/site.py` all build the
site through ``build_site``, with ``--strict`` as `make test` does, so what they
serve is what ships. The API's address reaches the pages through STIS_API_URL
(site/hooks/district.py puts it in a <meta> tag).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class SiteBuildError(Exception):
    """mkdocs refused to build the site; the message carries its own output."""


def build_site(target: Path, api_url: str, extra_env: Mapping[str, str] | None = None) -> Path:
    """Build the site into ``target`` (emptied first) for the API at ``api_url``."""
    shutil.rmtree(target, ignore_errors=True)
    env = {**os.environ, "STIS_API_URL": api_url, "NO_MKDOCS_2_WARNING": "1", **(extra_env or {})}
    result = subprocess.run(  # noqa: S603 - our own mkdocs, fixed arguments, no shell
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = "\n".join(part.strip() for part in (result.stdout, result.stderr) if part.strip())
        raise SiteBuildError(f"the site did not build:\n{output}")
    return target


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a built site as CloudFront does: an unknown address gets the
    site's own 404.html with status 404 (not Python's bare "Error response"),
    and nothing is logged (addresses may carry a reader's query)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
