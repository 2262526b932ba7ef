"""The rule for a missing Chromium: skip on a developer's machine, fail in CI."""

from __future__ import annotations

import pytest

from tests.support import browser as conftest


def test_missing_chromium_fails_when_ci_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        conftest._missing("/usr/bin/chromium is missing")


def test_missing_chromium_skips_without_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest._missing("/usr/bin/chromium is missing")


def test_the_fixture_uses_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    monkeypatch.setattr(conftest, "CHROMIUM", conftest.Path("/nonexistent/chromium"))
    with pytest.raises(pytest.fail.Exception):
        conftest.chromium.__wrapped__()  # type: ignore[attr-defined]
