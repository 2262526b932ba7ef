"""Every refusal as the API's error body, in the reader's language:
``{"error": {"code", "message", "fields": {...}, "details": {...}}}``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from ..core.errors import StisError
from ..i18n import general_message, problem_message, rule_message

STATUS = {
    "invalid_input": 422,
    "unknown_school": 422,
    "unknown_teacher": 422,
    "not_on_roster": 422,
    "not_a_school_day": 422,
    "outside_school_year": 422,
    "contract_too_long": 422,
    "contract_too_short": 422,
    "blackout": 422,
    "insufficient_notice": 422,
    "name_mismatch": 422,
    "cap_exceeded": 409,
    "overlap": 409,
    "wrong_state": 409,
    "contract_changed": 409,
    "request_key_conflict": 409,
    "invalid_token": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "try_again": 429,
    "too_many_requests": 429,
    "link_expired": 403,
    "internal": 500,
}

# Errors raised on the whole model, and the field they are about.
MODEL_LEVEL_FIELDS = {"last_before_first": "last_day", "agree": "agree"}


class ApiError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status = status or STATUS.get(code, 400)
        self.headers = headers or {}
        self.body: dict[str, Any] = {"error": {"code": code, "message": message, "fields": fields or {}}}
        if details:
            self.body["error"]["details"] = details


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def from_rule(error: StisError, language: str) -> ApiError:
    message = rule_message(error, language)
    fields = {error.field: message} if error.field else {}
    fields |= {more.field: rule_message(more, language) for more in error.also if more.field}
    details = {k: _json_safe(v) for k, v in error.details.items() if k not in ("problem", "hint")}
    retry_after = error.details.get("retry_after")
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return ApiError(error.code, message, fields, details, headers=headers)


def _field(location: tuple[int | str, ...]) -> str:
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


def _problem(error_type: str, field: str) -> str:
    if error_type in ("control", "agree", "last_before_first", "name_chars", "no_links"):
        return error_type
    if error_type in ("missing", "string_too_short"):
        return "required"
    if error_type == "string_too_long":
        return "too_long"
    if field.endswith("email"):
        return "email"
    if error_type.startswith("date") or field.endswith("_day"):
        return "date"
    if error_type in ("literal_error", "enum"):
        return "choice"
    if error_type == "extra_forbidden":
        return "unexpected"
    if field == "agree":
        return "agree"
    if field.endswith("phone"):
        return "phone"
    if field == "request_key":
        return "request_key"
    if field == "contract_sha256":
        return "sha256"
    if field.startswith("teacher_ids") and error_type == "too_long":
        return "too_many"
    if error_type == "string_type":
        return "text"
    return "invalid"


def from_validation(error: ValidationError, language: str) -> ApiError:
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False, include_input=False):
        location = tuple(problem["loc"])
        kind = str(problem["type"])
        field = _field(location) or MODEL_LEVEL_FIELDS.get(kind, "")
        if not field:
            return ApiError("invalid_input", general_message("bad_json", language), status=422)
        context = problem.get("ctx") or {}
        facts = {"max_length": context.get("max_length", ""), "max": context.get("max_length", "")}
        fields.setdefault(field, problem_message(_problem(kind, field), language, facts))
    return ApiError("invalid_input", general_message("fields", language), fields)


def general(code: str, key: str, language: str) -> ApiError:
    return ApiError(code, general_message(key, language), status=STATUS.get(code))
