"""A local mailbox: every email the embedded SES accepted, newest first.

``GET /`` lists them, ``GET /messages/<id>`` shows one in full (its HTML in a
sandboxed frame, its links working), ``GET /messages.json`` returns
``[{"id", "to", "subject", "text", "html", "sent_at"}]``.

``POST /jobs`` runs the scheduled work now. ``POST /clock {"now": "ISO 8601"}``
sets the clock the local API and jobs read, ``DELETE /clock`` goes back to real
time, ``GET /clock`` says what it reads (infra/local/clock.py).
"""

from __future__ import annotations

import email
import html
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from infra.local.clock import ClockError, LocalClock, parse_now


def _ses_backend(region: str) -> Any:
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][region]


class Mailbox:
    """Reads the messages moto's SES recorded (moto runs in this process)."""

    def __init__(self, region: str, clock: LocalClock | None = None) -> None:
        self.region = region
        self.clock = clock or LocalClock()
        self._seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def messages(self) -> list[dict[str, str]]:
        found = []
        with self._lock:
            for sent in list(_ses_backend(self.region).sent_messages):
                stamp = self._seen.setdefault(sent.id, self.clock.now().astimezone(UTC).isoformat())
                found.append(_parse(sent, stamp))
        found.reverse()
        return found

    def clear(self) -> None:
        with self._lock:
            _ses_backend(self.region).sent_messages.clear()
            self._seen.clear()


def _parse(sent: Any, stamp: str) -> dict[str, str]:
    raw = getattr(sent, "raw_data", None)
    if raw is None:  # a simple (non-MIME) message
        to = ", ".join(sent.destinations.get("ToAddresses", []))
        return {
            "id": sent.id,
            "to": to,
            "subject": sent.subject,
            "text": sent.body,
            "html": sent.body,
            "sent_at": stamp,
        }
    message = email.message_from_string(raw, policy=email_policy)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return {
        "id": sent.id,
        "to": str(message["To"] or ""),
        "subject": str(message["Subject"] or "").strip(),
        "text": text_part.get_content() if text_part else "",  # type: ignore[attr-defined]
        "html": html_part.get_content() if html_part else "",  # type: ignore[attr-defined]
        "sent_at": stamp,
    }


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;line-height:1.5}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}}
pre{{white-space:pre-wrap;background:#f5f5f5;padding:1rem}}
iframe{{width:100%;height:40rem;border:1px solid #999}}
a{{color:#0b4f9c}}
.clock{{background:#fff4ce;border:1px solid #8a6d00;padding:.5rem .75rem}}
</style></head><body>{body}</body></html>"""


def _clock_banner(clock: LocalClock | None) -> str:
    """A person walking through with the clock moved is told so on every page."""
    if clock is None or not clock.is_set:
        return ""
    shown = clock.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC (%A)")
    real = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<p class="clock" role="status"><strong>Clock set to {html.escape(shown)}</strong>: '
        f"real time is {html.escape(real)}. The local API and jobs read the set clock; "
        "<code>DELETE /clock</code> goes back to real time.</p>"
    )


def _list_page(messages: list[dict[str, str]], clock: LocalClock | None = None) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(m['sent_at'][11:19])}</td><td>{html.escape(m['to'])}</td>"
        f'<td><a href="/messages/{html.escape(m["id"])}">{html.escape(m["subject"])}</a></td></tr>'
        for m in messages
    )
    body = (
        f"{_clock_banner(clock)}<h1>Local mailbox</h1><p>Every email the local system sent, newest first. "
        "Reload to see new ones. <a href='/messages.json'>JSON</a></p>"
        f"<table><thead><tr><th>Time (UTC)</th><th>To</th><th>Subject</th></tr></thead>"
        f"<tbody>{rows or '<tr><td colspan=3>No email yet.</td></tr>'}</tbody></table>"
    )
    return PAGE.format(title="Local mailbox", body=body)


def _message_page(m: dict[str, str], clock: LocalClock | None = None) -> str:
    body = (
        f'{_clock_banner(clock)}<p><a href="/">&larr; All messages</a></p>'
        f"<h1>{html.escape(m['subject'])}</h1>"
        f"<p>To: {html.escape(m['to'])}<br>Sent: {html.escape(m['sent_at'])}</p>"
        '<h2>HTML part</h2><iframe title="HTML part" '
        'sandbox="allow-popups allow-top-navigation-by-user-activation" '
        f'srcdoc="{html.escape(m["html"], quote=True)}"></iframe>'
        f"<h2>Text part</h2><pre>{_linkify(m['text'])}</pre>"
    )
    return PAGE.format(title=html.escape(m["subject"]), body=body)


def _linkify(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("http://", "https://")) and " " not in stripped:
            lines.append(f'<a href="{html.escape(stripped, quote=True)}">{html.escape(stripped)}</a>')
        else:
            lines.append(html.escape(line))
    return "\n".join(lines)


def serve(
    mailbox: Mailbox,
    host: str,
    port: int,
    on_jobs: Callable[[], dict[str, int]] | None = None,
    clock: LocalClock | None = None,
) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            if path == "/jobs" and on_jobs is not None:
                self._send(200, "application/json", json.dumps(on_jobs()))
            elif path == "/clock" and clock is not None:
                declared = self.headers.get("Content-Length") or "0"
                length = int(declared) if declared.isdigit() else 0
                body = self.rfile.read(min(length, 10_000)) if length > 0 else b""
                try:
                    clock.set(parse_now(body))
                except ClockError as error:
                    self._send(400, "application/json", json.dumps({"error": str(error)}))
                    return
                self._send(200, "application/json", json.dumps(clock.describe()))
            else:
                self._send(404, "text/plain; charset=utf-8", "Not found.")

        def do_DELETE(self) -> None:
            if self.path.split("?")[0] == "/clock" and clock is not None:
                clock.reset()
                self._send(200, "application/json", json.dumps(clock.describe()))
            else:
                self._send(404, "text/plain; charset=utf-8", "Not found.")

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/clock" and clock is not None:
                self._send(200, "application/json", json.dumps(clock.describe()))
                return
            messages = mailbox.messages()
            if path == "/messages.json":
                self._send(200, "application/json", json.dumps(messages, ensure_ascii=False))
            elif path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", _list_page(messages, clock))
            elif path.startswith("/messages/"):
                wanted = path.removeprefix("/messages/")
                match = next((m for m in messages if m["id"] == wanted), None)
                if match is None:
                    self._send(404, "text/plain; charset=utf-8", "No such message.")
                else:
                    self._send(200, "text/html; charset=utf-8", _message_page(match, clock))
            else:
                self._send(404, "text/plain; charset=utf-8", "Not found.")

        def _send(self, status: int, kind: str, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="mailbox", daemon=True).start()
    return server
