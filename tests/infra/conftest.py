"""The prod stage packaged once for the whole session (``chalice package`` takes a while)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.package import package

# Stand-ins for the built site's inline script hashes: packaging hashes a real
# site build; these tests check the template, not the site (test_site_csp does).
SCRIPT_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='",
)


@pytest.fixture(scope="session")
def packaged_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return package("prod", tmp_path_factory.mktemp("package") / "prod", SCRIPT_HASHES)


@pytest.fixture(scope="session")
def packaged(packaged_path: Path) -> dict[str, Any]:
    template: dict[str, Any] = yaml.safe_load(packaged_path.read_text(encoding="utf-8"))
    return template


@pytest.fixture(scope="session")
def resources(packaged: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = packaged["Resources"]
    return found


@pytest.fixture(scope="session")
def packaged_without_snapstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """prod packaged with its SnapStart setting turned off."""
    return package("prod", tmp_path_factory.mktemp("package") / "prod-off", SCRIPT_HASHES, snapstart=False)
