"""Run the whole system locally: embedded AWS, the API, the site and a mailbox.

    python -m infra.local            (what `make dev` runs)

Ports come from STIS_API_PORT (8000), STIS_SITE_PORT (8001), STIS_MAIL_PORT
(8025) and STIS_AWS_PORT (a free port). Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from infra import site as static_site

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
REGION = "us-west-2"
TABLE = "stis-local"
SENDER = "attendance@alder-creek.example"


# How many connections each local server lets wait to be accepted. The standard
# library's servers listen with a queue of 5, so a burst of clients (a class
# submitting at once, the race tests) met "connection reset"; the kernel caps
# this at net.core.somaxconn (4096 on current Linux).
BACKLOG = 1024


def local_aws_file() -> Path:
    """Where a running stack says where its embedded AWS and table are, for
    `make roster` (``STIS_LOCAL_AWS_FILE`` moves it, for stacks started by tests)."""
    return Path(os.environ.get("STIS_LOCAL_AWS_FILE") or ROOT / "build" / "local-aws.json")


def _forget(path: Path, text: str) -> None:
    """Remove ``path`` if it still describes this stack (another may have started since)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            path.unlink()
    except OSError:
        pass


class StackError(Exception):
    """Something stops the local stack from starting; the message says what to do."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """No server listens on ``port``. The probe binds as the servers do, with
    SO_REUSEADDR, so connections of a stack stopped a moment ago (TIME_WAIT)
    do not count as busy and `make dev` starts again at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hold_a_crowd(server: socketserver.TCPServer) -> None:
    """Let ``server`` queue BACKLOG connections instead of its class's 5
    (listening again on a listening socket only changes its queue)."""
    server.socket.listen(BACKLOG)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


@dataclass
class Ports:
    api: int = 8000
    site: int = 8001
    mail: int = 8025
    aws: int = 0

    @classmethod
    def from_env(cls) -> Ports:
        def read(name: str, default: int) -> int:
            value = os.environ.get(name, "")
            if not value:
                return default
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise StackError(f"{name}={value!r} is not a port number (1-65535)")
            return int(value)

        return cls(
            api=read("STIS_API_PORT", 8000),
            site=read("STIS_SITE_PORT", 8001),
            mail=read("STIS_MAIL_PORT", 8025),
            aws=read("STIS_AWS_PORT", 0),
        )


@dataclass
class LocalStack:
    ports: Ports
    build_site: bool = True
    dispatch_every: float = 0.5
    jobs_every: float = 60.0
    _stoppers: list[Any] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    # One batch of scheduled work at a time: when run_jobs returns (`make jobs`,
    # the mailbox's "run the jobs" button), every email due when it was called
    # has been sent, not left half-way in the background loop's hands.
    _working: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.site}"

    @property
    def mail_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.mail}"

    def check_ports(self) -> None:
        wanted = {"API": self.ports.api, "mailbox": self.ports.mail}
        if self.build_site:
            wanted["site"] = self.ports.site
        if self.ports.aws:
            wanted["embedded AWS"] = self.ports.aws
        busy = [f"{name} port {port}" for name, port in wanted.items() if not port_is_free(port)]
        if busy:
            raise StackError(
                f"{', '.join(busy)} already in use. Is `make dev` already running? "
                "Stop it, or choose other ports with STIS_API_PORT, STIS_SITE_PORT, STIS_MAIL_PORT."
            )

    def start(self) -> None:
        self.check_ports()
        self.ports.aws = self.ports.aws or free_port()
        self._start_aws()
        self._install_clock()
        self._start_api()
        self._start_mailbox()
        if self.build_site:
            self._start_site()
        threading.Thread(target=self._background_work, name="jobs", daemon=True).start()

    # --- parts --------------------------------------------------------------------

    def _start_aws(self) -> None:
        from infra.local.aws import EmbeddedAws

        say(f"starting the embedded AWS (moto server) on port {self.ports.aws}")
        server = EmbeddedAws(self.ports.aws).start()
        self._stoppers.append(server.stop)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.aws}",
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "TABLE_NAME": TABLE,
                "SENDER_EMAIL": SENDER,
                "SITE_URL": self.site_url,
                "SITE_ORIGIN": self.site_url,
                "STAGE": "local",
            }
        )
        import boto3

        from infra.table import create_table

        say("creating the table from infra/stack.yaml")
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, TABLE)
        # Where `make roster` finds this table (python -m infra.roster import DIR --stage local).
        where = local_aws_file()
        aws = json.dumps(
            {"endpoint_url": f"http://127.0.0.1:{self.ports.aws}", "region": REGION, "table": TABLE}
        )
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(aws, encoding="utf-8")
        self._stoppers.append(partial(_forget, where, aws))
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)

    def _install_clock(self) -> None:
        """The API and the jobs read a clock the mailbox can move (POST /clock)."""
        if str(BACKEND) not in sys.path:
            sys.path.insert(0, str(BACKEND))
        from chalicelib.wiring import use_clock
        from infra.local.clock import LocalClock

        self.clock = LocalClock()
        use_clock(self.clock)

    def _start_api(self) -> None:
        from chalice.config import Config
        from chalice.local import create_local_server

        say(f"starting the API on {self.api_url}")
        if str(BACKEND) not in sys.path:
            sys.path.insert(0, str(BACKEND))
        app_module = importlib.import_module("app")
        config = Config.create(chalice_stage="local", app_name="stis-portal", project_dir=str(BACKEND))
        server = create_local_server(app_module.app, config, "127.0.0.1", self.ports.api)
        server.server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
        hold_a_crowd(server.server)
        threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
        self._stoppers.append(partial(_close, server.server))

    def _start_mailbox(self) -> None:
        from infra.local.mailbox import Mailbox, serve

        say(f"starting the mailbox on {self.mail_url}")
        self.mailbox = Mailbox(REGION, self.clock)
        server = serve(self.mailbox, "127.0.0.1", self.ports.mail, on_jobs=self.run_jobs, clock=self.clock)
        hold_a_crowd(server)
        self._stoppers.append(partial(_close, server))

    def _start_site(self) -> None:
        target = ROOT / "build" / "dev-site"
        say(f"building the site for {self.api_url} (mkdocs)")
        try:
            static_site.build_site(target, self.api_url)
        except static_site.SiteBuildError as error:
            raise StackError(str(error)) from None
        say(f"serving the site on {self.site_url}")
        handler = partial(static_site.SiteHandler, directory=str(target))
        server = ThreadingHTTPServer(("127.0.0.1", self.ports.site), handler)
        server.daemon_threads = True
        hold_a_crowd(server)
        threading.Thread(target=server.serve_forever, name="site", daemon=True).start()
        self._stoppers.append(partial(_close, server))

    # --- scheduled work ---------------------------------------------------------------

    def run_jobs(self) -> dict[str, int]:
        """What the AWS schedules and the table stream do, now."""
        from chalicelib.wiring import dispatcher, jobs, weekly_register

        with self._working:
            return self._run_jobs(dispatcher(), jobs(), weekly_register())

    def _run_jobs(self, dispatcher: Any, jobs: Any, register: Any) -> dict[str, int]:
        counts = {
            "voided": jobs.end_unsigned(),
            "reminded": jobs.send_reminders(),
            "evaluations_begun": jobs.begin_evaluations(),
            "evaluations_reminded": jobs.remind_evaluators(),
        }
        counts["emails_sent"] = dispatcher.dispatch_due()
        counts["registers"] = register.run()
        return counts

    def _background_work(self) -> None:
        from chalicelib.wiring import dispatcher

        last_jobs = time.monotonic()
        while not self._stop.wait(self.dispatch_every):
            try:
                with self._working:
                    dispatcher().dispatch_due()
                if time.monotonic() - last_jobs >= self.jobs_every:
                    last_jobs = time.monotonic()
                    self.run_jobs()
            except Exception as error:  # keep the loop alive; say what failed
                print(f"!! background work failed: {type(error).__name__}", flush=True)

    def stop(self) -> None:
        self._stop.set()
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception as error:
                print(f"!! while stopping: {type(error).__name__}", flush=True)
        self._stoppers.clear()


def _close(server: socketserver.TCPServer) -> None:
    """Stop serving and close the listening socket (shutdown() alone keeps it open)."""
    server.shutdown()
    server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--no-site", action="store_true", help="do not build or serve the site")
    args = parser.parse_args(argv)
    try:
        stack = LocalStack(Ports.from_env(), build_site=not args.no_site)
        stack.start()
    except StackError as error:
        print(f"!! {error}", file=sys.stderr, flush=True)
        return 2
    ready = {"api": stack.api_url, "mail": stack.mail_url}
    if stack.build_site:
        ready["site"] = stack.site_url
    print("", flush=True)
    print("The portal is running:", flush=True)
    if stack.build_site:
        print(f"  site     {stack.site_url}   (Spanish: {stack.site_url}/es/)", flush=True)
    print(f"  API      {stack.api_url}", flush=True)
    print(f"  mailbox  {stack.mail_url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    print("READY " + json.dumps(ready), flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    say("stopping")
    stack.stop()
    return 0
