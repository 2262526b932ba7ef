"""The back end's layers import only downward: the core nothing of the app; the
use cases the core and the configuration; adapters, email and HTTP the use
cases; only ``wiring.py`` and ``app.py`` put everything together (and ``snapstart.py``
takes it apart again before a Lambda snapshot)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).parents[2] / "backend" / "chalicelib"

# What each package of chalicelib may import from chalicelib (itself always).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "i18n": {"core"},
    "config": {"core", "i18n"},
    "service": {"core", "config", "i18n"},
    "adapters": {"core", "config", "service", "settings"},
    "email": {"core", "config", "service", "i18n"},
    "documents": {"core", "config", "service", "i18n"},
    "http": {"core", "config", "service", "i18n", "logs"},
    "logs": set(),
    "settings": set(),
}


def _package(path: Path) -> str:
    return path.relative_to(CHALICELIB).parts[0].removesuffix(".py")


def _imported_packages(path: Path) -> set[str]:
    """The chalicelib packages a module imports, absolute or relative."""
    found: set[str] = set()
    depth_of_package = len(path.relative_to(CHALICELIB).parts) - 1
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.startswith("chalicelib."):
                found.add(node.module.split(".")[1])
            elif node.level > depth_of_package and node.module:  # ..x from inside a package
                found.add(node.module.split(".")[0])
            elif node.level > depth_of_package:  # from .. import x
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("chalicelib."))
    return found


MODULES = sorted(p for p in CHALICELIB.rglob("*.py") if _package(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CHALICELIB)))
def test_each_module_imports_only_from_the_layers_below(path: Path) -> None:
    package = _package(path)
    outside = _imported_packages(path) - ALLOWED[package] - {package}
    assert outside == set(), f"{package} may not import {sorted(outside)}"


def test_every_package_has_a_place_in_the_layers() -> None:
    packages = {_package(p) for p in CHALICELIB.rglob("*.py")} - {"__init__", "wiring", "snapstart"}
    assert packages <= set(ALLOWED), f"add {sorted(packages - set(ALLOWED))} to ALLOWED"
