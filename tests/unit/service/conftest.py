from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from chalicelib.config.schema import DistrictConfig
from chalicelib.service.model import Guardian, Student
from chalicelib.service.outbox import Dispatcher
from chalicelib.service.stis import StisService, SubmitCommand, Submitted
from tests.support.fakes import T0, FakeClock, FakeMailer, InMemoryStore
from tests.support.links import link_in

GUARDIAN_EMAIL = "elena.quintana@family.example"


@dataclass
class Harness:
    service: StisService
    dispatcher: Dispatcher
    store: InMemoryStore
    mailer: FakeMailer
    clock: FakeClock

    def submit(self, **changes: object) -> Submitted:
        values: dict[str, object] = {
            "request_key": f"key-{len(self.store.keys)}",
            "language": "es",
            "school_id": "ridgeline-middle",
            "teacher_ids": ("t-castellanos", "t-whitaker"),
            "student": Student("Mateo", "Quintana", "900123", "7"),
            "guardian": Guardian("Elena Quintana", GUARDIAN_EMAIL),
            "first_day": date(2027, 1, 4),
            "last_day": date(2027, 1, 8),
            "reason": "",
            "body_sha256": "body-1",
        }
        values.update(changes)
        return self.service.submit(SubmitCommand(**values))  # type: ignore[arg-type]

    def deliver(self) -> int:
        return self.dispatcher.dispatch_due()

    def token_in_email_to(self, address: str) -> str:
        mail = self.mailer.to(address)[-1]
        return link_in(mail.text).token

    def sign(self, request_id: str, token: str, name: str = "Typed Name") -> object:
        view = self.service.view(request_id, token)
        return self.service.sign(
            request_id, token, name, True, view.contract_sha256, "192.0.2.7", "Test browser"
        )


@pytest.fixture
def harness(district: DistrictConfig) -> Harness:
    store, mailer, clock = InMemoryStore(), FakeMailer(), FakeClock(T0)
    service = StisService(district, store, clock, "unit-test-secret-unit-test-secret")
    dispatcher = Dispatcher(service, store, mailer, clock, "https://portal.alder-creek.example")
    return Harness(service, dispatcher, store, mailer, clock)
