"""Reading an API request and writing its answer, for every route of ``app.py``.

The body (size-checked JSON parsed into a pydantic body model), the reader's
language, the link token, the caller's address; the JSON answer with the
headers every answer carries; and the ``api`` decorator that turns every
refusal into the error body, in the reader's language, and logs each request
without personal data.

Chalice keeps one ``app.current_request`` per process; a threaded host (the
local server) serves several requests at once, so each request is also kept in
its own context, set by the middleware ``install`` registers before any view.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from chalice.app import Chalice, Request, Response
from pydantic import BaseModel, ValidationError

from .. import logs
from ..core.errors import StisError
from ..i18n import general_message
from ..service.issued import Issued
from . import errors

Body = TypeVar("Body", bound=BaseModel)
View = TypeVar("View", bound=Callable[..., Response])


# Every answer: JSON only (never sniffed as a page), kept by no cache (answers can
# carry a child's name), and no Referer sent from it.
HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# Chalice itself answers a wrong method (405) or Content-Type (415) before any view
# runs; those answers get the API's error shape too, in the reader's language.
CHALICE_REFUSALS = {405: "method_not_allowed", 415: "unsupported_media_type"}

_app: Chalice | None = None
_max_body_bytes = 32_768
_languages: tuple[str, ...] = ("en",)  # the district's, first one the default
_current_request: ContextVar[Request | None] = ContextVar("current_request", default=None)
_request_language: ContextVar[str | None] = ContextVar("request_language", default=None)


def install(app: Chalice, max_body_bytes: int, languages: tuple[str, ...]) -> None:
    """Serve ``app``'s requests through this module (once, at import of app.py)."""
    global _app, _max_body_bytes, _languages
    _app, _max_body_bytes, _languages = app, max_body_bytes, languages
    app.register_middleware(_refusals_in_our_shape, "http")


def _current() -> Request | None:
    return _current_request.get() or (_app.current_request if _app else None)


def _request() -> Request:
    request = _current()
    assert request is not None, "only called while serving a request"
    return request


# --- reading ---------------------------------------------------------------------


def language(body_language: object = None) -> str:
    """The reader's language, one of the district's: the body's, else ``?lang=``,
    else Accept-Language, else the district's first language."""
    if body_language in _languages:
        return str(body_language)
    request = _current()
    query: Any = (request.query_params or {}) if request else {}
    if query.get("lang") in _languages:
        return str(query["lang"])
    header = str(request.headers.get("accept-language", "") if request else "").lower()
    for part in header.split(","):
        tag = part.split(";")[0].strip().split("-")[0]
        if tag in _languages:
            return tag
    return _languages[0]


def remember_language(chosen: str) -> str:
    """Refusals of this request are written in ``chosen`` from now on."""
    _request_language.set(chosen)
    return chosen


def raw_json() -> Any:
    """The body as parsed JSON (``{}`` when empty); too large or not JSON is refused."""
    raw = _request().raw_body or b""
    if len(raw) > _max_body_bytes:
        raise errors.general("payload_too_large", "payload_too_large", language())
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
        if _nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ValueError("nested too deep")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[...]]]]
        raise errors.ApiError("invalid_input", general_message("bad_json", language()), status=400) from None
    return data


# The deepest body is three levels; Python's json module refuses only far deeper
# nesting (Python 3.13 parses 5,000 levels), so the limit is the app's own.
MAX_JSON_DEPTH = 32


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` deep (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse(model: type[Body], data: Any, chosen_language: str) -> Body:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise errors.from_validation(error, chosen_language) from None


def link_call(model: type[Body]) -> tuple[str, Body]:
    """What a call through a party's link brings: the link's token and the parsed
    body (refusals from here on are in the reader's language)."""
    chosen = remember_language(language())
    token = bearer_token()
    return token, parse(model, raw_json(), chosen)


def body_hash(body: BaseModel) -> str:
    """The SHA-256 of a parsed body in one canonical form (what idempotency compares)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def bearer_token() -> str:
    header = str(_request().headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.general("invalid_token", "missing_token", language())
    return token.strip()


def caller() -> tuple[str, str]:
    """The caller's source IP and user agent, as API Gateway saw them (for a signature)."""
    request = _request()
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp", ""))[:64], request.headers.get("user-agent", "")[:400]


# --- answering -------------------------------------------------------------------


def answer(status: int, body: BaseModel | dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return Response(
        body=json.dumps(data, ensure_ascii=False), status_code=status, headers={**HEADERS, **(headers or {})}
    )


def file_answer(issued: Issued) -> Response:
    """A document to download: the same security headers as every answer, kept by no
    cache. A PDF is binary (``app.api.binary_types``): API Gateway passes it through
    as bytes to a caller whose ``Accept`` names ``application/pdf``."""
    filename, content_type, data = issued.filename, issued.content_type, issued.data
    text = content_type.startswith("text/")
    headers: dict[str, str | list[str]] = {
        **HEADERS,
        "Content-Type": f"{content_type}; charset=utf-8" if text else content_type,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(body=data.decode("utf-8") if text else data, status_code=200, headers=headers)


def api(view: View) -> View:
    """Turn every refusal into the error body, and log without personal data."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        started = time.perf_counter()
        request = _current()
        _request_language.set(None)
        try:
            response = view(*args, **kwargs)
        except errors.ApiError as error:
            response = answer(error.status, error.body, error.headers)
        except StisError as error:
            api_error = errors.from_rule(error, _request_language.get() or language())
            response = answer(api_error.status, api_error.body, api_error.headers)
        except Exception:
            logs.exception("unhandled error", route=view.__name__)
            api_error = errors.general("internal", "internal", language())
            response = answer(api_error.status, api_error.body)
        logs.event(
            "request",
            route=view.__name__,
            method=request.method if request else "",
            status=response.status_code,
            code=_error_code(response),
            ms=round((time.perf_counter() - started) * 1000, 2),
            request_id=(request.context or {}).get("requestId", "") if request else "",
        )
        return response

    return wrapper  # type: ignore[return-value]


def _error_code(response: Response) -> str:
    if response.status_code < 400 or not isinstance(response.body, str):
        return ""
    try:
        return str(json.loads(response.body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _refusals_in_our_shape(event: Request, get_response: Callable[[Request], Response]) -> Response:
    _current_request.set(event)
    response = get_response(event)
    code = CHALICE_REFUSALS.get(response.status_code)
    if code is None or not isinstance(response.body, dict) or "Code" not in response.body:
        return response
    api_error = errors.general(code, code, language())
    shaped = answer(api_error.status, api_error.body)
    shaped.headers = {**(response.headers or {}), **shaped.headers}
    logs.event("request", route="", method=event.method if event else "", status=api_error.status, code=code)
    return shaped
