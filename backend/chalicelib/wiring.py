"""Building the use cases with their real adapters, once per process."""

from __future__ import annotations

from functools import lru_cache

from .config.loader import district
from .service.outbox import Dispatcher
from .service.ports import SystemClock
from .service.stis import StisService
from .settings import settings


@lru_cache(maxsize=1)
def service() -> StisService:
    from .adapters.aws import client
    from .adapters.dynamodb import DynamoStore

    current = settings()
    store = DynamoStore(client("dynamodb"), current.table_name)
    return StisService(district(), store, SystemClock(), current.token_secret)


@lru_cache(maxsize=1)
def dispatcher() -> Dispatcher:
    from .adapters.aws import client
    from .adapters.ses import SesMailer

    current = settings()
    stis = service()
    mailer = SesMailer(client("sesv2"), current.sender_email, current.ses_configuration_set)
    return Dispatcher(stis, stis.store, mailer, stis.clock, current.site_url)
