"""The STIS API on AWS Chalice: parse, call a use case, shape the response.

How a request is read and answered (body, language, token, errors, logging)
is in ``chalicelib/http/handling.py``; the answers' shapes in ``http/views.py``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chalice.app import Chalice, CORSConfig, DynamoDBEvent, Rate, Response

from chalicelib import logs, snapstart
from chalicelib.config.loader import district
from chalicelib.core.request import Guardian, Student
from chalicelib.http import schemas, views
from chalicelib.http.handling import (
    answer,
    api,
    bearer_token,
    body_hash,
    caller,
    file_answer,
    install,
    link_call,
    parse,
    raw_json,
    remember_language,
)
from chalicelib.http.handling import (
    language as reader_language,
)
from chalicelib.service.evaluating import DayInput
from chalicelib.service.submitting import SubmitCommand
from chalicelib.settings import settings
from chalicelib.wiring import dispatcher, documenting, evaluating, jobs, signing, submitting, weekly_register

app = Chalice(app_name="stis-portal")
app.api.binary_types.append("application/pdf")  # the signed agreement, sent as bytes
app.log.setLevel(logging.INFO)
logs.configure()
# Fail at start-up, naming the key, if the district file or the settings are wrong.
# The settings are not kept here: with SnapStart they are read again after a
# restore (chalicelib/snapstart.py), so the token secret is not in the snapshot.
DISTRICT = district()
install(app, settings().max_body_bytes, DISTRICT.languages)
snapstart.register()

cors = CORSConfig(
    allow_origin=settings().site_origin,
    allow_headers=["Authorization", "Content-Type", "Accept-Language"],
    max_age=600,
)
JSON_TYPES = ["application/json"]


@app.route("/health", methods=["GET"], cors=cors)
@api
def health() -> Response:
    return answer(200, {"status": "ok"})


@app.route("/openapi.json", methods=["GET"], cors=cors)
@api
def openapi_document() -> Response:
    from chalicelib.http import openapi  # only this route needs it

    return answer(200, openapi.document())


@app.route("/schools", methods=["GET"], cors=cors)
@api
def list_schools() -> Response:
    return answer(200, views.schools(DISTRICT, reader_language()))


@app.route("/stis/quote", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def quote() -> Response:
    language = remember_language(reader_language())
    body = parse(schemas.QuoteBody, raw_json(), language)
    return answer(200, views.quote(submitting().quote(body.first_day, body.last_day)))


@app.route("/stis/requests", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def submit() -> Response:
    data = raw_json()
    language = remember_language(reader_language(data.get("language") if isinstance(data, dict) else None))
    body = parse(schemas.SubmitBody, data, language)
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
        body_sha256=body_hash(body),
    )
    result = submitting().submit(command)
    return answer(201 if result.created else 200, views.submitted(result))


@app.route("/stis/requests/{request_id}", methods=["GET"], cors=cors)
@api
def get_request(request_id: str) -> Response:
    language = remember_language(reader_language())
    view = signing().view(request_id, bearer_token(), language)
    return answer(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/sign", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def sign(request_id: str) -> Response:
    token, body = link_call(schemas.SignBody)
    source_ip, user_agent = caller()
    view = signing().sign(
        request_id,
        token,
        name=body.name,
        agree=body.agree,
        contract_sha256=body.contract_sha256,
        source_ip=source_ip,
        user_agent=user_agent,
        student_name=body.student.name if body.student else None,
    )
    return answer(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/decline", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def decline(request_id: str) -> Response:
    token, body = link_call(schemas.DeclineBody)
    return answer(200, views.request(signing().decline(request_id, token, body.reason), DISTRICT))


@app.route("/stis/requests/{request_id}/cancel", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def cancel(request_id: str) -> Response:
    token, body = link_call(schemas.CancelBody)
    return answer(200, views.request(signing().cancel(request_id, token, body.reason), DISTRICT))


@app.route("/stis/requests/{request_id}/evaluate", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def evaluate(request_id: str) -> Response:
    token, body = link_call(schemas.EvaluateBody)
    source_ip, user_agent = caller()
    view = evaluating().evaluate(
        request_id,
        token,
        name=body.name,
        agree=body.agree,
        days=tuple(DayInput(d.date, d.credited, d.received_on, d.note) for d in body.days),
        student_name=body.student.name if body.student else None,
        source_ip=source_ip,
        user_agent=user_agent,
    )
    return answer(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/end", methods=["POST"], cors=cors, content_types=JSON_TYPES)
@api
def end(request_id: str) -> Response:
    token, body = link_call(schemas.EndBody)
    view = evaluating().end_early(request_id, token, body.reason, body.last_day)
    return answer(200, views.request(view, DISTRICT))


@app.route("/stis/requests/{request_id}/agreement.pdf", methods=["GET"], cors=cors)
@api
def agreement_pdf(request_id: str) -> Response:
    remember_language(reader_language())
    return file_answer(documenting().agreement_pdf(request_id, bearer_token()))


@app.route("/stis/requests/{request_id}/calendar.ics", methods=["GET"], cors=cors)
@api
def calendar_ics(request_id: str) -> Response:
    remember_language(reader_language())
    return file_answer(documenting().calendar_ics(request_id, bearer_token()))


@app.route("/stis/verify/{sha256}", methods=["GET"], cors=cors)
@api
def verify(sha256: str) -> Response:
    remember_language(reader_language())
    return answer(200, views.verified(documenting().verify(sha256)))


# --- scheduled work and the email dispatcher ------------------------------------------


@app.schedule(Rate(1, unit=Rate.HOURS))
def send_reminders(event: Any) -> None:
    logs.event("job", job="send_reminders", count=jobs().send_reminders())
    logs.event("job", job="remind_evaluators", count=jobs().remind_evaluators())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def void_expired(event: Any) -> None:
    logs.event("job", job="void_expired", count=jobs().end_unsigned())
    # The same function (and role) moves approved agreements whose last day has ended to evaluation.
    logs.event("job", job="begin_evaluations", count=jobs().begin_evaluations())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def retry_emails(event: Any) -> None:
    logs.event("job", job="retry_emails", count=dispatcher().dispatch_due())


@app.schedule(Rate(1, unit=Rate.HOURS))
def send_register(event: Any) -> None:
    """Each Monday (district time), each office's register of the week before: hourly,
    so the first run of a Monday sends it whatever the daylight saving time; later
    runs that week find it sent (or send it, if every Monday run failed)."""
    logs.event("job", job="send_register", count=weekly_register().run())


STREAM_ARN = os.environ.get(
    "STIS_STREAM_ARN",
    "arn:aws:dynamodb:us-west-2:000000000000:table/stis/stream/2026-01-01T00:00:00.000",
)


@app.on_dynamodb_record(stream_arn=STREAM_ARN, batch_size=25, starting_position="LATEST")
def dispatch_emails(event: DynamoDBEvent) -> None:
    """Send the emails a change owes as soon as it is stored."""
    from chalicelib.adapters.dynamodb import requests_with_mail_due

    ids = requests_with_mail_due(record.new_image or {} for record in event)
    sent = sum(dispatcher().dispatch(request_id) for request_id in ids)
    logs.event("job", job="dispatch_emails", requests=len(ids), count=sent)
