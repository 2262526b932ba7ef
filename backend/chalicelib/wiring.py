"""Building the use cases with their real adapters, once per process.

Each piece is imported when first built, so a cold start pays only for what
its first request needs: the email dispatcher (Jinja templates, SES client)
is never loaded by a container that only serves the API.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .config.loader import district
from .service.evaluating import Evaluating
from .service.jobs import Jobs
from .service.ports import Clock, SystemClock
from .service.records import Records
from .service.signing import Signing
from .service.submitting import Submitting
from .settings import settings

if TYPE_CHECKING:
    from .documents import DistrictDocuments
    from .service.issued import Documenting
    from .service.outbox import Dispatcher
    from .service.register import WeeklyRegister

# The clock every use case and the dispatcher read. Real time, always, in AWS:
# only the local stack (infra/local/stack.py) replaces it, through use_clock, so a
# person can walk through weeks in seconds. No route of the app can reach it.
_clock: Clock = SystemClock()


def use_clock(clock: Clock) -> None:
    """Local stack only: build every use case from now on with ``clock``."""
    global _clock
    _clock = clock
    for built in (records, submitting, signing, jobs, dispatcher, weekly_register):
        built.cache_clear()


@lru_cache(maxsize=1)
def records() -> Records:
    from .adapters.aws import client
    from .adapters.dynamodb import DynamoStore
    from .adapters.secrets import token_secret

    store = DynamoStore(client("dynamodb"), settings().table_name)
    return Records(district(), store, _clock, token_secret())


@lru_cache(maxsize=1)
def submitting() -> Submitting:
    return Submitting(records())


@lru_cache(maxsize=1)
def documents() -> DistrictDocuments:
    """The agreement PDF and calendar file maker (fpdf2 and icalendar load on first use)."""
    from .documents import DistrictDocuments

    return DistrictDocuments(district(), settings().site_url, issued=records().store)


@lru_cache(maxsize=1)
def signing() -> Signing:
    return Signing(records(), documents())


@lru_cache(maxsize=1)
def documenting() -> Documenting:
    from .service.issued import Documenting

    return Documenting(records(), documents())


@lru_cache(maxsize=1)
def evaluating() -> Evaluating:
    return Evaluating(records())


@lru_cache(maxsize=1)
def jobs() -> Jobs:
    return Jobs(records())


@lru_cache(maxsize=1)
def dispatcher() -> Dispatcher:
    from .adapters.aws import client
    from .adapters.ses import SesMailer
    from .email.compose import EmailComposer
    from .service.outbox import Dispatcher

    current = settings()
    shared = records()
    mailer = SesMailer(client("sesv2"), current.sender_email, current.ses_configuration_set)
    composer = EmailComposer(shared.district, shared.token_secret, current.site_url, documents=documents())
    return Dispatcher(shared.store, mailer, shared.clock, composer)


@lru_cache(maxsize=1)
def weekly_register() -> WeeklyRegister:
    from .adapters.aws import client
    from .adapters.ses import SesMailer
    from .email.register import RegisterEmailComposer
    from .service.register import WeeklyRegister

    current = settings()
    shared = records()
    mailer = SesMailer(client("sesv2"), current.sender_email, current.ses_configuration_set)
    return WeeklyRegister(shared, mailer, RegisterEmailComposer(shared.district))


def reset() -> None:
    """Forget every built piece, the settings, the token secret and the AWS clients
    (tests change them; a SnapStart restore must build them again)."""
    from .adapters import aws, secrets

    for built in (
        settings,
        secrets.token_secret,
        aws.client,
        records,
        submitting,
        documents,
        signing,
        documenting,
        evaluating,
        jobs,
        dispatcher,
        weekly_register,
    ):
        built.cache_clear()
