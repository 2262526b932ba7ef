"""The site's Content-Security-Policy and the built site's inline code.

The CloudFront policy allows scripts from the site itself and, inline, only
those whose SHA-256 it lists (mkdocs-material writes a few small ones). This
module computes those hashes from a built site and checks a built site against
a packaged template before it is uploaded:

    python -m infra.csp hashes build/site
    python -m infra.csp check build/site build/package/prod/sam.yaml
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from infra.template import content_security_policy

# <script type="..."> values a browser runs; anything else (application/json) is data.
EXECUTABLE_TYPES = {
    "",
    "text/javascript",
    "application/javascript",
    "module",
    "text/ecmascript",
    "application/ecmascript",
}


@dataclass
class PageCode:
    inline_scripts: list[str] = field(default_factory=list)
    # Things a policy without 'unsafe-inline' blocks and no hash can allow here.
    blocked: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.code = PageCode()
        self._script: list[str] | None = None
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): (value or "") for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on"):
                self.code.blocked.append(f"<{tag} {name}=...> (inline event handler)")
            elif name == "style" and value.strip():
                self.code.blocked.append(f"<{tag} style=...> (inline style attribute)")
            elif name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                self.code.blocked.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            kind = attributes.get("type", "").strip().lower()
            runs = kind in EXECUTABLE_TYPES
            self._script = [] if runs and "src" not in attributes else None
        elif tag == "style":
            self._style = True

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        elif self._style and data.strip():
            self.code.blocked.append("<style> element (inline style)")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.code.inline_scripts.append("".join(self._script))
            self._script = None
        elif tag == "style":
            self._style = False


def page_code(html: str) -> PageCode:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.code


def script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def site_code(site_dir: Path) -> tuple[set[str], dict[str, list[str]]]:
    """The hashes of every inline script of a built site, and what it has that
    the policy would block, by page."""
    pages = sorted(site_dir.rglob("*.html"))
    if not pages:
        raise FileNotFoundError(f"no HTML pages under {site_dir}: build the site first")
    hashes: set[str] = set()
    blocked: dict[str, list[str]] = {}
    for page in pages:
        code = page_code(page.read_text(encoding="utf-8"))
        hashes.update(script_hash(source) for source in code.inline_scripts)
        if code.blocked:
            blocked[str(page.relative_to(site_dir))] = sorted(set(code.blocked))
    return hashes, blocked


def inline_script_hashes(site_dir: Path) -> list[str]:
    return sorted(site_code(site_dir)[0])


def allowed_hashes(template: dict[str, object]) -> set[str]:
    _, variables = content_security_policy(template)
    return set(str(variables.get("ScriptHashes", "")).split())


def check(site_dir: Path, template_path: Path) -> list[str]:
    """What in ``site_dir`` the policy of ``template_path`` would block."""
    template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    hashes, blocked = site_code(site_dir)
    problems = [
        f"inline script {token} is not in the template's script-src "
        "(run `make package` again after building the site)"
        for token in sorted(hashes - allowed_hashes(template))
    ]
    for page, things in blocked.items():
        problems.extend(f"{page}: {thing}" for thing in things)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.csp", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    hashes = commands.add_parser("hashes", help="print the inline script hashes of a built site")
    hashes.add_argument("site_dir", type=Path)
    checking = commands.add_parser("check", help="check a built site against a packaged template")
    checking.add_argument("site_dir", type=Path)
    checking.add_argument("template", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.command == "hashes":
        print("\n".join(inline_script_hashes(arguments.site_dir)))
        return 0
    problems = check(arguments.site_dir, arguments.template)
    for problem in problems:
        print(f"csp: {problem}", file=sys.stderr)
    if problems:
        print("csp: the site would not work under the deployed policy", file=sys.stderr)
        return 1
    print(f"csp: every page of {arguments.site_dir} works under {arguments.template}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
