"""The API as an OpenAPI 3.1 document, generated from the pydantic models.

Request bodies come from ``schemas.py`` (what the API accepts); response
bodies from ``responses.py`` (what ``views.py`` builds and the API sends). ``OPERATIONS`` lists every route;
a test checks it against the Chalice app, so the document cannot drift.

    python -m chalicelib.http.openapi [path]   (writes the document; stdout without a path)
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import schemas
from .responses import (
    Error,
    Health,
    OpenApiDocument,
    QuoteResult,
    RequestStatus,
    Schools,
    SubmitResult,
    Verified,
)

VERSION = "0.1.0"
REF = "#/components/schemas/{model}"

# --- operations ------------------------------------------------------------------------

ERRORS: dict[int, str] = {
    400: "The body is not JSON (`invalid_input`).",
    403: "No link token, or not a token of this request (`invalid_token`).",
    404: "No such request, or its record is past retention, or no agreement with this SHA-256 (`not_found`).",
    405: "Method not allowed on this path (`method_not_allowed`).",
    409: "Refused by the state of things: `cap_exceeded`, `overlap`, `wrong_state`, "
    "`contract_changed`, `request_key_conflict`.",
    413: "The body is larger than the API accepts (`payload_too_large`).",
    415: "The body is not sent as `application/json` (`unsupported_media_type`).",
    422: "A field or a rule refused it: `invalid_input` (see `fields`), `unknown_school`, "
    "`unknown_teacher`, `not_a_school_day`, `outside_school_year`, `contract_too_long`, `blackout`, "
    "`insufficient_notice`, `name_mismatch` (the typed name is not the signer's: the message "
    "names the expected name, `fields` says which name).",
    429: "The store is busy with other changes to the same record; try again in a few seconds (`try_again`).",
    500: "A fault on the server's side (`internal`); nothing the reader sent is lost.",
}


class Operation:
    def __init__(
        self,
        method: str,
        path: str,
        name: str,
        summary: str,
        ok: dict[int, type[BaseModel]],
        errors: tuple[int, ...],
        body: type[BaseModel] | None = None,
        body_required: bool = True,
        token: bool = False,
        file: str = "",
    ) -> None:
        self.method = method
        self.path = path
        self.name = name
        self.summary = summary
        self.ok = ok
        self.errors = errors
        self.body = body
        self.body_required = body_required
        self.token = token
        self.file = file  # the media type of a document answered instead of JSON


_JSON_ERRORS = (400, 405, 413, 415, 422, 429, 500)
_TOKEN_ERRORS = (403, 404)


def _link_action(verb: str, summary: str, body: type[BaseModel], body_required: bool = True) -> Operation:
    """``POST /stis/requests/{request_id}/<verb>`` with a party's link token."""
    return Operation(
        "POST",
        f"/stis/requests/{{request_id}}/{verb}",
        verb,
        summary,
        {200: RequestStatus},
        (*_JSON_ERRORS, *_TOKEN_ERRORS, 409),
        body=body,
        body_required=body_required,
        token=True,
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/health", "health", "Is the API up?", {200: Health}, (405, 500)),
    Operation(
        "GET", "/openapi.json", "openapi_document", "This document", {200: OpenApiDocument}, (405, 500)
    ),
    Operation("GET", "/schools", "list_schools", "Schools and their teachers", {200: Schools}, (405, 500)),
    Operation(
        "POST",
        "/stis/quote",
        "quote",
        "Count the school days between two dates and the notice they need",
        {200: QuoteResult},
        _JSON_ERRORS,
        body=schemas.QuoteBody,
    ),
    Operation(
        "POST",
        "/stis/requests",
        "submit",
        "Ask for Short-Term Independent Study (the same `request_key` again returns the same request)",
        {201: SubmitResult, 200: SubmitResult},
        (*_JSON_ERRORS, 409),
        body=schemas.SubmitBody,
    ),
    Operation(
        "GET",
        "/stis/requests/{request_id}",
        "get_request",
        "A request, its contract and its signatures, as the link's party sees them",
        {200: RequestStatus},
        (*_TOKEN_ERRORS, 405, 429, 500),
        token=True,
    ),
    _link_action(
        "sign", "Sign the contract (in turn, once, with the SHA-256 of the text shown)", schemas.SignBody
    ),
    _link_action(
        "decline", "Decline the contract, with a reason (a teacher or the principal)", schemas.DeclineBody
    ),
    _link_action(
        "cancel",
        "Cancel the request or the approved agreement before the first day starts (the guardian, "
        "or the office with a reason)",
        schemas.CancelBody,
        False,
    ),
    _link_action(
        "evaluate",
        "Record the work after the absence (a teacher, once, in `awaiting_evaluation`): every school "
        "day of the contract once, credited or not, signed with the teacher's name; with "
        "`student_signs: on_return` the student's name on the first teacher's record",
        schemas.EvaluateBody,
    ),
    _link_action(
        "end",
        "End an approved agreement early, once it has started (the office, with a reason): the days "
        "after `last_day` (by default the last contract day before today) go back, and the days so far "
        "go to the teachers' evaluation",
        schemas.EndBody,
    ),
    Operation(
        "GET",
        "/stis/requests/{request_id}/agreement.pdf",
        "agreement_pdf",
        "The signed agreement and its audit certificate as a PDF (any party, once approved; the same "
        "bytes every time). Send `Accept: application/pdf`: API Gateway returns bytes only then.",
        {},
        (*_TOKEN_ERRORS, 405, 409, 429, 500),
        token=True,
        file="application/pdf",
    ),
    Operation(
        "GET",
        "/stis/requests/{request_id}/calendar.ics",
        "calendar_ics",
        "The days away and the day the work is due, as a calendar file (the guardian, once approved)",
        {},
        (*_TOKEN_ERRORS, 405, 409, 429, 500),
        token=True,
        file="text/calendar",
    ),
    Operation(
        "GET",
        "/stis/verify/{sha256}",
        "verify",
        "Is this the SHA-256 of an agreement PDF the portal issued? Its reference, school, dates "
        "and status today (public; no names)",
        {200: Verified},
        (404, 405, 422, 429, 500),
    ),
)

_LANGUAGE_HEADER = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "The language of error messages, of the contract text and of the teachers' "
    "grades or subjects (`en` or `es`) when neither the body's `language` nor `lang` says.",
    "schema": {"type": "string"},
}
_LANG_QUERY = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The reader's language (`en` or `es`), ahead of Accept-Language; "
    "any other value is ignored.",
    "schema": {"type": "string", "examples": ["en", "es"]},
}
_REQUEST_ID = {
    "name": "request_id",
    "in": "path",
    "required": True,
    "description": "The request's id, from the link in the email.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9-]+$"},
}


_SHA256 = {
    "name": "sha256",
    "in": "path",
    "required": True,
    "description": "The SHA-256 of the PDF file, in hexadecimal.",
    "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
}


def _file_response(media_type: str) -> dict[str, Any]:
    return {
        "description": "OK: the file, as an attachment",
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


def _response(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }


def _operation(op: Operation) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if "{request_id}" in op.path:
        parameters.append(_REQUEST_ID)
    if "{sha256}" in op.path:
        parameters.append(_SHA256)
    parameters += [_LANG_QUERY, _LANGUAGE_HEADER]
    responses: dict[str, Any] = {}
    if op.file:
        responses["200"] = _file_response(op.file)
    for status, model in op.ok.items():
        responses[str(status)] = _response(model, "Created" if status == 201 else "OK")
    for status in sorted(op.errors):
        responses[str(status)] = _response(Error, ERRORS[status])
    operation: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "parameters": parameters,
        "responses": dict(sorted(responses.items())),
    }
    if op.body is not None:
        operation["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}},
        }
    if op.token:
        operation["security"] = [{"link_token": []}]
    return operation


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Health,
    Schools,
    QuoteResult,
    SubmitResult,
    RequestStatus,
    Verified,
    Error,
    OpenApiDocument,
)


@cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the whole API."""
    bodies = [op.body for op in OPERATIONS if op.body is not None]
    _, definitions = models_json_schema(
        [(model, "validation") for model in (*bodies, *RESPONSE_MODELS)],
        ref_template=REF,
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "STIS portal API",
            "version": VERSION,
            "description": "Short-Term Independent Study requests, signed by email. JSON in and out; "
            'every refusal is `{"error": {"code", "message", "fields"}}` in the reader\'s '
            "language (English or Spanish).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(definitions.get("$defs", {}).items())),
            "securitySchemes": {
                "link_token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The token from a party's link (`#id=...&token=...`).",
                }
            },
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv:
        Path(argv[0]).write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
