"""The embedded AWS: moto's server, answering one request at a time.

moto's backends are plain Python objects, not safe to change from several
threads at once; DynamoDB itself applies each request (a transaction
included) atomically. A lock around the application gives the same promise,
so concurrent clients see DynamoDB's isolation, not moto's races.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class _OneAtATime:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


class EmbeddedAws:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = _OneAtATime(DomainDispatcherApplication(create_backend_app))
        self.server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="aws", daemon=True)

    def start(self) -> EmbeddedAws:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
