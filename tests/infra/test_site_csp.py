"""The site under the Content-Security-Policy CloudFront sends: the hashes of the
built site's inline scripts, the pre-upload check, and (in Chromium) every page
of a real build served with the deployed header, with no violation."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.csp import check, inline_script_hashes, page_code, script_hash
from infra.template import ROOT, content_security_policy, render

API_ORIGIN = "https://abc123defg.execute-api.us-west-2.amazonaws.com"

PAGE = """<!doctype html><html><head>
<script>var a = 1 &amp;&amp; 2;</script>
<script id="__config" type="application/json">{"not": "run"}</script>
<script src="/assets/app.js"></script>
<script type="module">import "./x.js";</script>
</head><body><p>text</p></body></html>"""


def test_inline_scripts_are_hashed_as_the_browser_sees_them() -> None:
    code = page_code(PAGE)
    # Script text is raw: character references are not decoded inside <script>.
    assert code.inline_scripts == ["var a = 1 &amp;&amp; 2;", 'import "./x.js";']
    assert code.blocked == []
    assert script_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def test_what_no_hash_can_allow_is_reported() -> None:
    code = page_code(
        '<div style="color:red" onclick="go()"><a href="javascript:void(0)">x</a></div><style>p{}</style>'
    )
    assert len(code.blocked) == 4


def _site(tmp_path: Path, script: str) -> Path:
    site = tmp_path / "site"
    (site / "es").mkdir(parents=True)
    (site / "index.html").write_text(f"<script>{script}</script>", encoding="utf-8")
    (site / "es" / "index.html").write_text("<p>hola</p>", encoding="utf-8")
    return site


def _packaged(tmp_path: Path, hashes: list[str]) -> Path:
    path = tmp_path / "sam.yaml"
    path.write_text(yaml.safe_dump(render("prod", hashes)), encoding="utf-8")
    return path


def test_check_passes_a_site_whose_scripts_the_policy_lists(tmp_path: Path) -> None:
    site = _site(tmp_path, "run()")
    assert check(site, _packaged(tmp_path, inline_script_hashes(site))) == []


def test_check_refuses_a_site_with_an_unlisted_inline_script(tmp_path: Path) -> None:
    site = _site(tmp_path, "run()")
    problems = check(site, _packaged(tmp_path, [script_hash("other()")]))
    assert problems and script_hash("run()") in problems[0]


def test_check_refuses_an_unbuilt_site(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="build the site first"):
        inline_script_hashes(tmp_path)


# --- the real site in Chromium -----------------------------------------------------


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    environment = dict(os.environ, STIS_API_URL=f"{API_ORIGIN}/api", NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return site


def _deployed_header(site: Path) -> str:
    pattern, variables = content_security_policy(render("prod", inline_script_hashes(site)))
    host = API_ORIGIN.removeprefix("https://").split(".")[0]
    return (
        pattern.replace("${ScriptHashes}", variables["ScriptHashes"])
        .replace("${RestAPI}", host)
        .replace("${AWS::Region}", "us-west-2")
        .replace("${AWS::URLSuffix}", "amazonaws.com")
    )


@pytest.fixture
def served_site(built_site: Path) -> Iterator[str]:
    header = _deployed_header(built_site)

    class Handler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", header)
            super().end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.browser
def test_every_page_works_under_the_deployed_policy(built_site: Path, served_site: str, browser: Any) -> None:
    pages = sorted(
        str(path.relative_to(built_site)).removesuffix("index.html") for path in built_site.rglob("*.html")
    )
    assert len(pages) > 10
    violations: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()

        def answer(route: Any) -> None:
            body = {"schools": []} if route.request.url.endswith("/schools") else {}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

        page.route(f"{API_ORIGIN}/**", answer)
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
        for path in pages:
            page.goto(f"{served_site}/{path}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(150)
        # Search: mkdocs-material's worker and its index, from the site itself.
        page.goto(f"{served_site}/")
        page.keyboard.press("/")
        page.keyboard.type("study")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
    finally:
        context.close()
    assert violations == []
