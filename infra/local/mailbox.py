"""A local mailbox: every email the embedded SES accepted, newest first.

``GET /`` lists them, ``GET /messages/<id>`` shows one in full (its HTML in a
sandboxed frame, its links working), ``GET /messages.json`` returns
``[{"id", "to", "subject", "text", "html", "sent_at", "attachments": [{"filename",
"content_type", "size"}]}]`` and ``GET /messages/<id>/attachments/<index>`` one file's bytes.

``POST /jobs`` runs the scheduled work now. ``POST /clock {"now": "ISO 8601"}``
sets the clock the local API and jobs read, ``DELETE /clock`` goes back to real
time, ``GET /clock`` says what it reads (infra/local/clock.py).
"""

from __future__ import annotations

import email
import html
import json
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

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

    def messages(self) -> list[dict[str, Any]]:
        found = []
        with self._lock:
            for sent in list(_ses_backend(self.region).sent_messages):
                found.append(_parse(sent, self._stamp(sent.id)))
        found.reverse()
        return found

    def attachment(self, message_id: str, index: int) -> Attached | None:
        """The ``index``-th file of a message (0 first), or None."""
        with self._lock:
            recorded = list(_ses_backend(self.region).sent_messages)
        sent = next((m for m in recorded if m.id == message_id), None)
        if sent is None or getattr(sent, "raw_data", None) is None:
            return None
        files = _attachments(email.message_from_string(sent.raw_data, policy=email_policy))
        return files[index] if 0 <= index < len(files) else None

    def _stamp(self, message_id: str) -> str:
        return self._seen.setdefault(message_id, self.clock.now().astimezone(UTC).isoformat())

    def clear(self) -> None:
        with self._lock:
            _ses_backend(self.region).sent_messages.clear()
            self._seen.clear()


@dataclass(frozen=True)
class Attached:
    """One file of a message as the mailbox serves it."""

    filename: str
    content_type: str
    data: bytes

    def listed(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": len(self.data)}


def _attachments(message: EmailMessage) -> list[Attached]:
    found = []
    for index, part in enumerate(message.iter_attachments()):
        data = part.get_payload(decode=True)
        found.append(
            Attached(
                filename=part.get_filename() or f"attachment-{index + 1}",
                content_type=part.get_content_type(),
                data=data if isinstance(data, bytes) else b"",
            )
        )
    return found


def _parse(sent: Any, stamp: str) -> dict[str, Any]:
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
            "attachments": [],
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
        "attachments": [a.listed() for a in _attachments(message)],
    }


# Served inline (a browser shows them); anything else is downloaded, so a file
# sent by the system can never run as a page of the mailbox.
INLINE_TYPES = {"application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif"}


def content_disposition(filename: str, content_type: str) -> str:
    """``inline`` or ``attachment`` with the name twice: an ASCII fallback with
    nothing that could end the header or leave the download folder, and the
    real name in UTF-8 (RFC 6266)."""
    kind = "inline" if content_type in INLINE_TYPES else "attachment"
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "attachment"
    plain = "".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c))
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._- ") else "_" for c in plain)
    fallback = fallback.strip(". ") or "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(base, safe='')}"


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;line-height:1.5}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}}
td:nth-child(2){{overflow-wrap:anywhere;min-width:8rem}}
th:first-child,td:first-child{{white-space:nowrap}}
pre{{white-space:pre-wrap;background:#f5f5f5;padding:1rem}}
iframe{{width:100%;height:40rem;border:1px solid #999}}
a{{color:#0b4f9c}}
.clock{{background:#fff4ce;border:1px solid #8a6d00;padding:.5rem .75rem}}
.meta{{color:#555;font-size:.9em}}
.file{{display:inline-block;margin-top:.2rem}}
.files li{{margin:.3rem 0}}
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


def _file_links(m: dict[str, Any]) -> list[str]:
    """One link per attachment: its name opens it; type and size follow."""
    links = []
    for index, a in enumerate(m["attachments"]):
        where = f"/messages/{quote(m['id'], safe='')}/attachments/{index}"
        links.append(
            f'<a href="{html.escape(where, quote=True)}">{html.escape(a["filename"])}</a> '
            f'<span class="meta">({html.escape(a["content_type"])}, {_size(a["size"])})</span>'
        )
    return links


def _list_page(messages: list[dict[str, Any]], clock: LocalClock | None = None) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(m['sent_at'][11:19])}</td><td>{html.escape(m['to'])}</td>"
        f'<td><a href="/messages/{html.escape(m["id"])}">{html.escape(m["subject"])}</a>'
        + "".join(f'<br><span class="file">Attached: {link}</span>' for link in _file_links(m))
        + "</td></tr>"
        for m in messages
    )
    body = (
        f"{_clock_banner(clock)}<h1>Local mailbox</h1><p>Every email the local system sent, newest first. "
        "Reload to see new ones. <a href='/messages.json'>JSON</a></p>"
        f"<table><thead><tr><th>Time (UTC)</th><th>To</th><th>Subject and attachments</th></tr></thead>"
        f"<tbody>{rows or '<tr><td colspan=3>No email yet.</td></tr>'}</tbody></table>"
    )
    return PAGE.format(title="Local mailbox", body=body)


def _message_page(m: dict[str, Any], clock: LocalClock | None = None) -> str:
    links = _file_links(m)
    files = ""
    if links:
        items = "".join(
            f'<li>{link} <a href="{html.escape(_download(m, i), quote=True)}">download</a></li>'
            for i, link in enumerate(links)
        )
        files = f'<h2>Attachments</h2><ul class="files">{items}</ul>'
    body = (
        f'{_clock_banner(clock)}<p><a href="/">&larr; All messages</a></p>'
        f"<h1>{html.escape(m['subject'])}</h1>"
        f"<p>To: {html.escape(m['to'])}<br>Sent: {html.escape(m['sent_at'])}</p>"
        f"{files}"
        '<h2>HTML part</h2><iframe title="HTML part" '
        'sandbox="allow-popups allow-top-navigation-by-user-activation" '
        f'srcdoc="{html.escape(m["html"], quote=True)}"></iframe>'
        f"<h2>Text part</h2><pre>{_linkify(m['text'])}</pre>"
    )
    return PAGE.format(title=html.escape(m["subject"]), body=body)


def _download(m: dict[str, Any], index: int) -> str:
    return f"/messages/{quote(m['id'], safe='')}/attachments/{index}?download=1"


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
            elif path.startswith("/messages/") and "/attachments/" in path:
                self._attachment(path, download="download=1" in self.path.partition("?")[2])
            elif path.startswith("/messages/"):
                wanted = unquote(path.removeprefix("/messages/"))
                match = next((m for m in messages if m["id"] == wanted), None)
                if match is None:
                    self._send(404, "text/plain; charset=utf-8", "No such message.")
                else:
                    self._send(200, "text/html; charset=utf-8", _message_page(match, clock))
            else:
                self._send(404, "text/plain; charset=utf-8", "Not found.")

        def _attachment(self, path: str, download: bool) -> None:
            wanted, _, index = path.removeprefix("/messages/").partition("/attachments/")
            found = mailbox.attachment(unquote(wanted), int(index)) if index.isdigit() else None
            if found is None:
                self._send(404, "text/plain; charset=utf-8", "No such attachment.")
                return
            disposition = content_disposition(found.filename, found.content_type)
            if download:
                disposition = "attachment" + disposition[disposition.index(";") :]
            kind = found.content_type + ("; charset=utf-8" if found.content_type.startswith("text/") else "")
            self._send(200, kind, found.data, {"Content-Disposition": disposition})

        def _send(
            self, status: int, kind: str, text: str | bytes, headers: dict[str, str] | None = None
        ) -> None:
            data = text.encode() if isinstance(text, str) else text
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
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
