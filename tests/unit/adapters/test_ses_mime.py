"""The raw message sent to SES, read back the way a mail reader reads it."""

from __future__ import annotations

from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import cast

import pytest

from chalicelib.adapters.ses import mime_message

SUBJECTS = [
    "Recordatorio: se necesita su firma para el estudio independiente de "
    "María José Sofía Ramírez Peñaloza de la Cruz Fernández",
    "Nueva solicitud de estudio independiente: Íñigo Núñez Muñoz-Echeverría (STIS-2027-0042)",
    "Aprobado: estudio independiente de Sofía Ramírez",
    "Approved: independent study for Alexander Montgomery-Fairweather Kensington the Third "
    "of the Long Family Name Household",
]


def _read(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, message_from_bytes(raw, policy=email_policy))


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_long_accented_subject_reads_back_word_for_word(subject: str) -> None:
    raw = mime_message("office@school.example", "familia@hogar.example", subject, "texto", "<p>texto</p>")
    header_lines = raw.split(b"\n\n", 1)[0].decode("ascii").splitlines()
    assert all(len(line) <= 78 for line in header_lines)
    assert str(_read(raw)["Subject"]) == subject
    # A reader that decodes the encoded words itself sees the same words.
    encoded = raw.split(b"\n\n", 1)[0].decode("ascii")
    folded = encoded.split("Subject: ", 1)[1].split("\nAuto-Submitted:", 1)[0]
    assert str(make_header(decode_header(folded.replace("\n ", " ")))) == subject


def test_a_subject_cannot_add_a_header() -> None:
    raw = mime_message(
        "o@school.example", "f@hogar.example", "Hola Sofía\nBcc: x@evil.example", "t", "<p>t</p>"
    )
    message = _read(raw)
    assert message["Bcc"] is None
    assert str(message["Subject"]) == "Hola Sofía Bcc: x@evil.example"


def test_the_raw_message_is_7_bit_and_the_parts_read_back_with_their_accents() -> None:
    text = "Pendiente de: Inés Castellanos, docente; Camila Rojas, docente\n"
    html = "<p>Lo rechazó Inés Castellanos, docente.</p>\n"
    raw = mime_message("o@school.example", "f@hogar.example", "Rechazado: Sofía", text, html)
    assert raw.isascii()
    message = _read(raw)
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content() == text
    assert rich.get_content() == html
