"""Start the real local stack, as `make dev` does, on free ports, for a test.

with running_api() as live:           # API and mailbox only
    live.url, live.mailbox(), live.run_jobs(), live.set_clock(when), live.reset_clock()
with running_api(site=True) as live:  # and the site, built for that API
    live.site_url
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from infra.local.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Live:
    url: str
    mail_url: str
    site_url: str
    output: list[str] = field(default_factory=list)

    def mailbox(self, registers: bool = False) -> list[dict[str, Any]]:
        """Every message, newest first. The offices' weekly registers go out whenever
        the jobs run on a Monday (real or set clock); they are left out unless asked
        for, so a test's count of emails does not depend on the day it runs."""
        with urllib.request.urlopen(f"{self.mail_url}/messages.json", timeout=10) as response:
            messages: list[dict[str, Any]] = json.load(response)
        return [m for m in messages if registers or not is_register(m)]

    def wait_for_mail(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """The mailbox once it holds at least ``count`` messages (newest first)."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.mailbox()
            if len(messages) >= count or time.monotonic() > deadline:
                return messages
            time.sleep(0.2)

    def set_clock(self, when: datetime) -> dict[str, Any]:
        """Move the clock the local API and jobs read to ``when`` (it keeps running)."""
        return self._clock("POST", json.dumps({"now": when.isoformat()}).encode())

    def reset_clock(self) -> dict[str, Any]:
        """Real time again."""
        return self._clock("DELETE")

    def _clock(self, method: str, data: bytes | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.mail_url}/clock", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, Any] = json.load(response)
            return answer

    def run_jobs(self) -> dict[str, int]:
        request = urllib.request.Request(f"{self.mail_url}/jobs", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            counts: dict[str, int] = json.load(response)
            return counts


REGISTER_SUBJECTS = ("Independent study register:", "Registro de estudio independiente:")


def is_register(message: dict[str, Any]) -> bool:
    return str(message.get("subject", "")).startswith(REGISTER_SUBJECTS)


def stack_command(site: bool) -> list[str]:
    return [sys.executable, "-m", "infra.local", *([] if site else ["--no-site"])]


def stack_env(ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(ROOT / "backend"), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            "STIS_API_PORT": str(ports["api"]),
            "STIS_SITE_PORT": str(ports["site"]),
            "STIS_MAIL_PORT": str(ports["mail"]),
        }
    )
    return env


@contextmanager
def running_api(
    site: bool = False, timeout: float = 120, ports: dict[str, int] | None = None
) -> Iterator[Live]:
    """The stack on ``ports`` (keys api, site, mail), free ones by default."""
    ports = ports or {"api": free_port(), "site": free_port(), "mail": free_port()}
    process = subprocess.Popen(
        stack_command(site),
        cwd=ROOT,
        env=stack_env(ports),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    live = Live(
        url=f"http://127.0.0.1:{ports['api']}",
        mail_url=f"http://127.0.0.1:{ports['mail']}",
        site_url=f"http://127.0.0.1:{ports['site']}",
    )
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            live.output.append(line.rstrip())
            if line.startswith("READY "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        while not ready.wait(0.2) and process.poll() is None and time.monotonic() < deadline:
            pass  # a stack that exits (ports in use) fails at once, not after the timeout
        if not ready.is_set() or process.poll() is not None:
            raise RuntimeError("the local stack did not start:\n" + "\n".join(live.output[-40:]))
        yield live
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
