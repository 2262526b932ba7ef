"""The STIS API on AWS Chalice: parse, call a use case, shape the response."""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from chalice.app import Chalice, CORSConfig, DynamoDBEvent, Rate, Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib import logs, snapstart
from chalicelib.config.loader import district
from chalicelib.core.errors import StisError
from chalicelib.http import errors, schemas, views
from chalicelib.messages import general_message
from chalicelib.service.model import Guardian, Student
from chalicelib.service.stis import SubmitCommand
from chalicelib.settings import settings
from chalicelib.wiring import dispatcher, service

app = Chalice(app_name="stis-portal")
app.log.setLevel(logging.INFO)
logs.configure()

# Fail at start-up, naming the key, if the district file or the settings are wrong.
# The settings are not kept here: with SnapStart they are read again after a
# restore (chalicelib/snapstart.py), so the token secret is not in the snapshot.
DISTRICT = district()
settings()
snapstart.register()

cors = CORSConfig(
    allow_origin=settings().site_origin,
    allow_headers=["Authorization", "Content-Type", "Accept-Language"],
    max_age=600,
)
JSON_TYPES = ["application/json"]

Body = TypeVar("Body", bound=BaseModel)


_request_language: ContextVar[str | None] = ContextVar("request_language", default=None)
# Chalice keeps one app.current_request per process; a threaded host (the local
# server) serves several requests at once, so each request is also kept in its own
# context, set by the middleware below before any view runs.
_current_request: ContextVar[Request | None] = ContextVar("current_request", default=None)


def _current() -> Request | None:
    return _current_request.get() or app.current_request


def _request() -> Request:
    request = _current()
    assert request is not None, "only called while serving a request"
    return request


def _language(body_language: object = None) -> str:
    if body_language in ("en", "es"):
        return str(body_language)
    request = _current()
    query: Any = (request.query_params or {}) if request else {}
    if query.get("lang") in ("en", "es"):
        return str(query["lang"])
    header = str(request.headers.get("accept-language", "") if request else "").lower()
    for part in header.split(","):
        tag = part.split(";")[0].strip()[:2]
        if tag in ("en", "es"):
            return tag
    return "en"


# Every answer: JSON only (never sniffed as a page), kept by no cache (answers can
# carry a child's name), and no Referer sent from it.
HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=dict(HEADERS))


def _raw_json() -> Any:
    raw = _request().raw_body or b""
    if len(raw) > settings().max_body_bytes:
        raise errors.general("payload_too_large", "payload_too_large", _language())
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
        if _nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ValueError("nested too deep")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[...]]]]
        raise errors.ApiError("invalid_input", general_message("bad_json", _language()), status=400) from None
    return data


# The deepest form is three levels; Python's json module refuses only far deeper
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


def _parse(model: type[Body], data: Any, language: str) -> Body:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise errors.from_validation(error, language) from None


def _token() -> str:
    header = str(_request().headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.general("invalid_token", "missing_token", _language())
    return token.strip()


View = TypeVar("View", bound=Callable[..., Response])


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
            response = _json(error.status, error.body)
        except StisError as error:
            language = _request_language.get() or _language()
            api_error = errors.from_rule(error, language)
            response = _json(api_error.status, api_error.body)
        except Exception:
            logs.exception("unhandled error", route=view.__name__)
            api_error = errors.general("internal", "internal", _language())
            response = _json(api_error.status, api_error.body)
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


def _remember_language(language: str) -> str:
    _request_language.set(language)  # errors use the request's language
    return language


# --- routes ---------------------------------------------------------------------


# Chalice itself answers a wrong method (405) or Content-Type (415) before any view
# runs; give those answers the API's error shape too, in the reader's language.
CHALICE_REFUSALS = {405: "method_not_allowed", 415: "unsupported_media_type"}


@app.middleware("http")
def chalice_refusals_in_our_shape(event: Request, get_response: Callable[[Request], Response]) -> Response:
    _current_request.set(event)
    response = get_response(event)
    code = CHALICE_REFUSALS.get(response.status_code)
    if code is None or not isinstance(response.body, dict) or "Code" not in response.body:
        return response
    api_error = errors.general(code, code, _language())
    shaped = _json(api_error.status, api_error.body)
    shaped.headers = {**(response.headers or {}), **shaped.headers}
    logs.event("request", route="", method=event.method if event else "", status=api_error.status, code=code)
    return shaped


@app.route("/health", methods=["GET"], cors=cors)
@api
def health() -> Response:
    return _json(200, {"status": "ok"})


@app.route("/openapi.json", methods=["GET"], cors=cors)
@api
def openapi_document() -> Response:
    from chalicelib.http import openapi  # only this route needs it

    return _json(200, openapi.document())


@app.route("/schools", methods=["GET"], cors=cors)
@api
def list_schools() -> Response:
    return _json(200, views.schools(DISTRICT, _language()))


@app.route("/stis/quote", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def quote() -> Response:
    language = _remember_language(_language())
    body = _parse(schemas.QuoteBody, _raw_json(), language)
    return _json(200, views.quote(service().quote(body.first_day, body.last_day)))


@app.route("/stis/requests", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def submit() -> Response:
    data = _raw_json()
    language = _remember_language(_language(data.get("language") if isinstance(data, dict) else None))
    body = _parse(schemas.SubmitBody, data, language)
    command = SubmitCommand(
        request_key=body.request_key,
        language=body.language,
        school_id=body.school_id,
        teacher_ids=tuple(body.teacher_ids),
        student=Student(**body.student.model_dump()),
        guardian=Guardian(**body.guardian.model_dump()),
        first_day=body.first_day,
        last_day=body.last_day,
        reason=body.reason,
        body_sha256=_body_hash(body),
    )
    result = service().submit(command)
    return _json(201 if result.created else 200, views.submitted(result))


def _body_hash(body: BaseModel) -> str:
    import hashlib

    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@app.route("/stis/requests/{request_id}", methods=["GET"], cors=cors)
@api
def get_request(request_id: str) -> Response:
    language = _remember_language(_language())
    view = service().view(request_id, _token(), language)
    return _json(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/sign", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def sign(request_id: str) -> Response:
    language = _remember_language(_language())
    token = _token()
    body = _parse(schemas.SignBody, _raw_json(), language)
    request = _request()
    identity = (request.context or {}).get("identity") or {}
    view = service().sign(
        request_id,
        token,
        name=body.name,
        agree=body.agree,
        contract_sha256=body.contract_sha256,
        source_ip=str(identity.get("sourceIp", ""))[:64],
        user_agent=request.headers.get("user-agent", "")[:400],
    )
    return _json(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/decline", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def decline(request_id: str) -> Response:
    language = _remember_language(_language())
    token = _token()
    body = _parse(schemas.DeclineBody, _raw_json(), language)
    return _json(200, views.request(service().decline(request_id, token, body.reason), DISTRICT))


@app.route("/stis/requests/{request_id}/cancel", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def cancel(request_id: str) -> Response:
    language = _remember_language(_language())
    token = _token()
    _parse(schemas.CancelBody, _raw_json(), language)
    return _json(200, views.request(service().cancel(request_id, token), DISTRICT))


# --- scheduled work and the email dispatcher ------------------------------------------


@app.schedule(Rate(1, unit=Rate.HOURS))
def send_reminders(event: Any) -> None:
    logs.event("job", job="send_reminders", count=service().send_reminders())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def void_expired(event: Any) -> None:
    logs.event("job", job="void_expired", count=service().void_expired())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def retry_emails(event: Any) -> None:
    logs.event("job", job="retry_emails", count=dispatcher().dispatch_due())


STREAM_ARN = os.environ.get(
    "STIS_STREAM_ARN",
    "arn:aws:dynamodb:us-west-2:000000000000:table/stis/stream/2026-01-01T00:00:00.000",
)


@app.on_dynamodb_record(stream_arn=STREAM_ARN, batch_size=25, starting_position="LATEST")
def dispatch_emails(event: DynamoDBEvent) -> None:
    """Send the emails a change owes as soon as it is stored."""
    ids = set()
    for record in event:
        image = record.new_image or {}
        if "outbox_pk" in image and image.get("sk", {}).get("S") == "REQ":
            ids.add(image["pk"]["S"].removeprefix("REQ#"))
    sent = sum(dispatcher().dispatch(request_id) for request_id in sorted(ids))
    logs.event("job", job="dispatch_emails", requests=len(ids), count=sent)
