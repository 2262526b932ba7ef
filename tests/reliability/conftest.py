"""Reliability and security: fuzzing, races, faults and misuse, measured.

In-process runs use the Chalice app through chalice.test.Client (the ``api``
fixture of tests/api); HTTP runs use the real local stack (``python -m
infra.local --no-site``), started once for the session. STIS_LONG=1 runs
every part at its long size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from infra.local.stack import free_port
from tests.api.conftest import api  # noqa: F401 - the in-process API fixture
from tests.support.live import running_api

from . import figures
from .live import STACKS, LiveStack


@pytest.fixture(scope="session", autouse=True)
def _write_figures() -> Iterator[None]:
    yield
    figures.write()


@contextmanager
def local_stack() -> Iterator[LiveStack]:
    """The local stack on free ports, with its embedded AWS on a port we know."""
    aws_port = free_port()
    before = os.environ.get("STIS_AWS_PORT")
    os.environ["STIS_AWS_PORT"] = str(aws_port)  # running_api passes the environment on
    try:
        with running_api() as running:
            stack = LiveStack(running, aws_port)
            STACKS.append(stack)
            yield stack
    finally:
        if before is None:
            os.environ.pop("STIS_AWS_PORT", None)
        else:
            os.environ["STIS_AWS_PORT"] = before


@pytest.fixture(scope="session")
def live() -> Iterator[LiveStack]:
    """One local stack for the session."""
    with local_stack() as stack:
        yield stack


@pytest.fixture
def fresh_live() -> Iterator[LiveStack]:
    """A local stack of its own, its table empty (moto copies the whole table on
    every transaction, so a burst of them is fastest on a small one)."""
    with local_stack() as stack:
        yield stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log check reads everything the local stack printed: run it last."""
    last = [item for item in items if item.nodeid.startswith("tests/reliability/test_logs.py")]
    if last:
        items[:] = [item for item in items if item not in last] + last
