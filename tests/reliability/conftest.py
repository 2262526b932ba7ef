"""Reliability and security: fuzzing, races, faults and misuse, measured.

In-process runs use the Chalice app through chalice.test.Client (the ``api``
fixture, tests/support/api.py); HTTP runs use the real local stack (the ``live``
and ``fresh_live`` fixtures, tests/support/live_stack.py). The figures they count
(tests/support/figures.py) are written at the end of the session. STIS_LONG=1
runs every part at its long size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import figures


@pytest.fixture(scope="session", autouse=True)
def _write_figures() -> Iterator[None]:
    yield
    figures.write()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log check reads everything the local stack printed: run it last."""
    last = [item for item in items if item.nodeid.startswith("tests/reliability/test_logs.py")]
    if last:
        items[:] = [item for item in items if item not in last] + last
