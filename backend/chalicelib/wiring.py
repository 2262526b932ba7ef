"""Building the use cases with their real adapters, once per process.

Each piece is imported when first built, so a cold start pays only for what
its first request needs: the email dispatcher (Jinja templates, SES client)
is never loaded by a container that only serves the API.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .config.loader import district
from .service.ports import SystemClock
from .service.stis import StisService
from .settings import settings

if TYPE_CHECKING:
    from .service.outbox import Dispatcher


@lru_cache(maxsize=1)
def service() -> StisService:
    from .adapters.aws import client
    from .adapters.dynamodb import DynamoStore
    from .adapters.secrets import token_secret

    store = DynamoStore(client("dynamodb"), settings().table_name)
    return StisService(district(), store, SystemClock(), token_secret())


@lru_cache(maxsize=1)
def dispatcher() -> Dispatcher:
    from .adapters.aws import client
    from .adapters.ses import SesMailer
    from .service.outbox import Dispatcher

    current = settings()
    stis = service()
    mailer = SesMailer(client("sesv2"), current.sender_email, current.ses_configuration_set)
    return Dispatcher(stis, stis.store, mailer, stis.clock, current.site_url)
