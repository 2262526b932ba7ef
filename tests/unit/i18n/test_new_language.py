"""Adding a language needs no Python change: a catalog and an entry in the
district file are enough for the API and the emails to speak it.

The back end is copied to a temporary folder; the copy gets a small Portuguese
catalog and a district file that lists ``pt`` (with the district's texts and
contract terms given in Portuguese). A fresh Python process then runs the copy:
the API answers a bad form in Portuguese, and an email renders in Portuguese.
Not one ``.py`` file of the copy differs from the original.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BACKEND = Path(__file__).parents[3] / "backend"

PORTUGUESE_PO = r"""
msgid ""
msgstr ""
"Language: pt\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Some answers need to be corrected."
msgstr "Algumas respostas precisam ser corrigidas."

msgid "This is required."
msgstr "Esta informação é obrigatória."

#, python-format
msgid "Please sign your independent study request for %(student_name)s"
msgstr "Assine o pedido de estudo independente de %(student_name)s"

#, python-format
msgid "Hello %(recipient_name)s,"
msgstr "Olá, %(recipient_name)s,"

msgid "Deadline to sign"
msgstr "Prazo para assinar"
"""

# Runs in the copy: the API through Chalice's test client, then one email.
SCRIPT = r"""
import json
from datetime import date, datetime
from chalice.test import Client
from app import app
from chalicelib.email import render_email
from chalicelib.i18n import datetime_label, format_date

with Client(app, stage_name="test") as client:
    answer = client.http.post(
        "/stis/requests",
        headers={"Content-Type": "application/json", "Accept-Language": "pt-BR,pt;q=0.9"},
        body=json.dumps({"language": "pt"}),
    )
email = render_email("review_and_sign", "pt", {
    "district_name": "Alder Creek Unified School District",
    "school_name": "Madrone Elementary School",
    "office_phone": "(555) 010-4410",
    "office_email": "office@madrone.alder-creek.example",
    "student_name": "Mateo Rivera",
    "first_day": format_date(date(2027, 1, 11), "pt"),
    "last_day": format_date(date(2027, 1, 15), "pt"),
    "school_days": 5,
    "recipient_name": "Rosa Rivera",
    "recipient_role": "guardian",
    "request_ref": "STIS-7F3A2C",
    "family_language": "português",
    "link": "https://portal.alder-creek.example/pt/stis/sign/#id=1&token=t",
    "deadline": datetime_label(datetime(2027, 1, 11, 8, 0), "pt"),
    "teachers": ["Marisol Alvarado"],
})
print(json.dumps({"status": answer.status_code, "body": answer.json_body,
                  "subject": email.subject, "text": email.text, "html": email.html}))
"""


def _add_portuguese(node: Any) -> Any:
    """Every {en: ..., es: ...} of the district file also in Portuguese (the
    English words stand in for a translator's: only the keys matter here)."""
    if isinstance(node, dict):
        node = {key: _add_portuguese(value) for key, value in node.items()}
        if {"en", "es"} <= node.keys():
            node["pt"] = node["en"]
        return node
    if isinstance(node, list):
        return [_add_portuguese(item) for item in node]
    return node


def test_a_catalog_and_a_district_entry_make_the_api_and_the_emails_speak_portuguese(tmp_path: Path) -> None:
    copy = tmp_path / "backend"
    shutil.copytree(BACKEND, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", ".chalice"))
    catalog = copy / "chalicelib" / "i18n" / "locale" / "pt" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(PORTUGUESE_PO.lstrip(), encoding="utf-8")
    district_file = copy / "chalicelib" / "config" / "district.yaml"
    district = _add_portuguese(yaml.safe_load(district_file.read_text(encoding="utf-8")))
    district["district"]["languages"].append("pt")
    district_file.write_text(yaml.safe_dump(district, allow_unicode=True), encoding="utf-8")

    python_files = sorted(
        p.relative_to(BACKEND) for p in BACKEND.rglob("*.py") if "__pycache__" not in p.parts
    )
    _, changed, missing = filecmp.cmpfiles(BACKEND, copy, [str(p) for p in python_files], shallow=False)
    assert (changed, missing) == ([], [])

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DISTRICT_CONFIG"))}
    env.update({"PYTHONPATH": str(copy), "STAGE": "test", "AWS_DEFAULT_REGION": "us-west-2"})
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])

    assert seen["status"] == 422
    assert seen["body"]["error"]["message"] == "Algumas respostas precisam ser corrigidas."
    assert seen["body"]["error"]["fields"]["school_id"] == "Esta informação é obrigatória."
    assert "language" not in seen["body"]["error"]["fields"]  # pt is one of the district's languages now

    assert seen["subject"] == "Assine o pedido de estudo independente de Mateo Rivera"
    assert seen["text"].startswith("Olá, Rosa Rivera,\n")
    assert "Prazo para assinar: segunda-feira, 11 de janeiro de 2027" in seen["text"]
    assert '<html lang="pt">' in seen["html"]
    # A sentence the small catalog does not translate yet falls back to English.
    assert "If the button does not work, copy this link into your browser:" in seen["html"]
