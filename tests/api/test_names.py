"""Signatures that mean something: each signer types their own name (read as a
person reads it), the refusal names the name expected, in the reader's
language, and the student signs where the district says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalicelib.config.loader import DEFAULT_PATH, district
from tests.api.ridgeline import CASTELLANOS, OFFICE
from tests.api.ridgeline import middle_school_request as requested
from tests.support.api import Api


def view(api: Api, request_id: str, token: str, lang: str = "en") -> dict[str, Any]:
    answer = api.get(f"/stis/requests/{request_id}?lang={lang}", token=token)
    assert answer.status_code == 200, answer.json_body
    return dict(answer.json_body)


def sign(api: Api, request_id: str, token: str, name: str, lang: str = "en", **more: Any) -> Any:
    sha = view(api, request_id, token, lang)["contract_sha256"]
    body = {"name": name, "agree": True, "contract_sha256": sha, **more}
    return api.post(f"/stis/requests/{request_id}/sign", body, token=token, **{"Accept-Language": lang})


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Type your full name as it appears here: Elena Quintana."),
        ("es", "Escriba su nombre completo tal como aparece aquí: Elena Quintana."),
    ],
)
def test_asdf_is_refused_and_the_refusal_names_the_guardian(api: Api, lang: str, words: str) -> None:
    request_id, guardian = requested(api)
    assert view(api, request_id, guardian, lang)["viewer"]["name"] == "Elena Quintana"
    refused = sign(api, request_id, guardian, "asdf", lang)
    assert refused.status_code == 422
    error = refused.json_body["error"]
    assert error["code"] == "name_mismatch"
    assert words in error["message"]
    assert words in error["fields"]["name"]
    assert view(api, request_id, guardian)["status"] == "awaiting_guardian"
    assert view(api, request_id, guardian)["signatures"] == []
    api.deliver()
    assert api.emails_to(OFFICE) == []  # nothing was confirmed


def test_case_accents_punctuation_and_spacing_do_not_count(api: Api) -> None:
    request_id, guardian = requested(api)
    assert sign(api, request_id, guardian, "ELENA  quintana.").status_code == 200
    api.deliver()
    _, teacher = api.link_for(CASTELLANOS)
    assert view(api, request_id, teacher)["viewer"] == {
        "role": "teacher",
        "party": "t-castellanos",
        "name": "Inés Castellanos",
        "student": None,
    }
    wrong = sign(api, request_id, teacher, "Camila Rojas", "es")
    assert wrong.status_code == 422
    assert "Inés Castellanos" in wrong.json_body["error"]["message"]
    assert sign(api, request_id, teacher, "ines castellanos").status_code == 200
    signatures = view(api, request_id, teacher)["signatures"]
    # The record keeps what each signer typed.
    assert [(s["role"], s["name"]) for s in signatures] == [
        ("guardian", "ELENA quintana."),  # spaces are tidied, nothing else
        ("teacher", "ines castellanos"),
    ]


def test_the_office_viewer_goes_by_the_schools_name_and_the_student_signs_on_return(api: Api) -> None:
    request_id, guardian = requested(api)
    guardian_view = view(api, request_id, guardian)
    assert guardian_view["student_signs"] == "on_return"
    assert guardian_view["viewer"]["student"] == {"signs": "on_return", "name": "Mateo Quintana"}
    assert sign(api, request_id, guardian, "Elena Quintana").status_code == 200
    api.deliver()
    _, office = api.link_for(OFFICE)
    office_view = view(api, request_id, office)
    assert office_view["viewer"]["role"] == "office"
    assert office_view["viewer"]["name"] == "Ridgeline Middle School"
    assert not office_view["can_sign"]


def test_with_on_return_a_student_name_on_the_guardians_page_is_refused(api: Api) -> None:
    request_id, guardian = requested(api)
    refused = sign(api, request_id, guardian, "Elena Quintana", student={"name": "Mateo Quintana"})
    assert refused.status_code == 422
    assert set(refused.json_body["error"]["fields"]) == {"student"}


# --- a district whose students sign before the start ------------------------------------


@pytest.fixture
def student_signs_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: Any) -> Iterator[Api]:
    """The API on a copy of the district file with ``student_signs: before_start``."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["stis"]["student_signs"] = "before_start"
    copy = tmp_path / "district.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DISTRICT_CONFIG", str(copy))
    district.cache_clear()
    try:
        api: Api = request.getfixturevalue("api")
        assert api.client is not None
        from chalicelib.wiring import records

        assert records().district.stis.student_signs == "before_start"
        yield api
    finally:
        district.cache_clear()


@pytest.mark.parametrize(
    ("lang", "required", "words"),
    [
        ("en", "This is required.", "Type the student's full name as it appears here: Mateo Quintana."),
        ("es", "Este dato es obligatorio.", "tal como aparece aquí: Mateo Quintana."),
    ],
)
def test_with_before_start_the_guardian_signs_with_the_student(
    student_signs_first: Api, lang: str, required: str, words: str
) -> None:
    api = student_signs_first
    request_id, guardian = requested(api)
    shown = view(api, request_id, guardian, lang)
    assert shown["student_signs"] == "before_start"
    assert shown["viewer"]["student"] == {"signs": "before_start", "name": "Mateo Quintana"}

    missing = sign(api, request_id, guardian, "Elena Quintana", lang)
    assert missing.status_code == 422
    assert missing.json_body["error"]["code"] == "invalid_input"
    assert missing.json_body["error"]["fields"] == {"student.name": required}

    wrong = sign(api, request_id, guardian, "Elena Quintana", lang, student={"name": "asdf"})
    assert wrong.status_code == 422
    assert wrong.json_body["error"]["code"] == "name_mismatch"
    assert words in wrong.json_body["error"]["fields"]["student.name"]
    assert view(api, request_id, guardian)["signatures"] == []

    both = sign(api, request_id, guardian, "Ana Ruiz", lang, student={"name": "asdf"})
    assert both.status_code == 422
    fields = both.json_body["error"]["fields"]  # both wrong names are named, at once
    assert fields.keys() == {"name", "student.name"}
    assert "Elena Quintana" in fields["name"] and words in fields["student.name"]

    signed = sign(api, request_id, guardian, "Elena Quintana", lang, student={"name": "mateo quintana"})
    assert signed.status_code == 200, signed.json_body
    body = signed.json_body
    assert body["status"] == "awaiting_teacher"
    guardian_line, student_line = body["signatures"]
    assert (guardian_line["role"], guardian_line["name"]) == ("guardian", "Elena Quintana")
    assert (student_line["role"], student_line["name"]) == ("student", "mateo quintana")
    assert student_line["signed_at"] == guardian_line["signed_at"]
    assert [a["role"] for a in body["audit"] if a["event"] == "signed"] == ["guardian", "student"]
    said = {"en": "signs this agreement before independent study begins", "es": "firma este acuerdo antes"}
    assert said[lang] in view(api, request_id, guardian, lang)["contract_text"]
