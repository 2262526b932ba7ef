"""`make dev`'s mailbox lists the files an email carries and serves them byte for
byte, as sent through the real SES adapter to the embedded SES."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest

from chalicelib.adapters.ses import SesMailer
from chalicelib.service.ports import Attachment
from infra.local.mailbox import Mailbox, content_disposition, serve
from infra.local.stack import free_port
from tests.support.aws import REGION, SENDER

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # every byte value, 10 kB
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Estudio independiente – Mateo\r\nEND:VCALENDAR\r\n".encode()


@pytest.fixture
def mail_url(aws: str) -> Iterator[str]:
    port = free_port()
    server = serve(Mailbox(REGION), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def _get(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _send(sesv2: Any, *files: Attachment) -> None:
    SesMailer(sesv2, SENDER).send(
        "elena.quintana@family.example",
        "Acuerdo aprobado STIS-4B0E7C",
        "Adjuntamos el acuerdo.",
        "<p>Adjuntamos el acuerdo.</p>",
        {"kind": "approved"},
        attachments=files,
    )


def test_attachments_are_listed_and_served_byte_for_byte(sesv2: Any, mail_url: str) -> None:
    _send(
        sesv2,
        Attachment("acuerdo-Núñez-STIS-4B0E7C.pdf", "application/pdf", PDF),
        Attachment("estudio independiente.ics", "text/calendar", ICS),
    )
    status, _, raw = _get(f"{mail_url}/messages.json")
    assert status == 200
    [message] = json.loads(raw)
    assert message["attachments"] == [
        {"filename": "acuerdo-Núñez-STIS-4B0E7C.pdf", "content_type": "application/pdf", "size": len(PDF)},
        {"filename": "estudio independiente.ics", "content_type": "text/calendar", "size": len(ICS)},
    ]
    assert message["text"].strip() == "Adjuntamos el acuerdo."  # the body is still the body

    status, headers, data = _get(f"{mail_url}/messages/{message['id']}/attachments/0")
    assert status == 200
    assert data == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        "inline; filename=\"acuerdo-Nunez-STIS-4B0E7C.pdf\"; filename*=UTF-8''acuerdo-N%C3%BA%C3%B1ez-STIS-4B0E7C.pdf"
    )
    status, headers, data = _get(f"{mail_url}/messages/{message['id']}/attachments/1")
    assert status == 200
    assert data == ICS
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Content-Disposition"].startswith('attachment; filename="estudio independiente.ics"')

    # ?download=1 asks the browser to save even a PDF
    _, headers, _ = _get(f"{mail_url}/messages/{message['id']}/attachments/0?download=1")
    assert headers["Content-Disposition"].startswith("attachment; ")

    # Both pages name each file with its size and link to it.
    for page in ("/", f"/messages/{message['id']}"):
        _, _, body = _get(mail_url + page)
        text = body.decode()
        assert "acuerdo-Núñez-STIS-4B0E7C.pdf" in text
        assert f"/messages/{message['id']}/attachments/1" in text
        assert "10.3 kB" in text


@pytest.mark.parametrize("tail", ["/attachments/2", "/attachments/-1", "/attachments/x", "/attachments/"])
def test_an_unknown_attachment_is_not_found(sesv2: Any, mail_url: str, tail: str) -> None:
    _send(sesv2, Attachment("a.csv", "text/csv", b"date,result\n"))
    [message] = json.loads(_get(f"{mail_url}/messages.json")[2])
    assert _get(f"{mail_url}/messages/{message['id']}/attachments/0")[0] == 200
    status, _, body = _get(f"{mail_url}/messages/{message['id']}{tail}")
    assert status == 404
    assert b"Traceback" not in body
    assert _get(f"{mail_url}/messages/no-such-id/attachments/0")[0] == 404


def test_an_email_without_files_lists_none(sesv2: Any, mail_url: str) -> None:
    _send(sesv2)
    [message] = json.loads(_get(f"{mail_url}/messages.json")[2])
    assert message["attachments"] == []
    assert _get(f"{mail_url}/messages/{message['id']}/attachments/0")[0] == 404


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ('a"b\r\nSet-Cookie: x.pdf', "a_b__Set-Cookie_ x.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\secret.pdf", "secret.pdf"),
        ("日本.csv", "__.csv"),
        ("...", "attachment"),
    ],
)
def test_the_filename_header_is_safe(name: str, fallback: str) -> None:
    header = content_disposition(name, "text/csv")
    assert header.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert "\r" not in header and "\n" not in header
    assert header.isascii()
