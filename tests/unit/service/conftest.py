from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.request import Guardian, Student
from chalicelib.documents import DistrictDocuments
from chalicelib.email.compose import EmailComposer
from chalicelib.service.jobs import Jobs
from chalicelib.service.outbox import Dispatcher
from chalicelib.service.records import Records
from chalicelib.service.signing import Signing
from chalicelib.service.submitting import SubmitCommand, Submitted, Submitting
from tests.support.fakes import T0, FakeClock, FakeMailer, InMemoryStore
from tests.support.links import links_in

GUARDIAN_EMAIL = "elena.quintana@family.example"


@dataclass
class Harness:
    records: Records
    submitting: Submitting
    signing: Signing
    jobs: Jobs
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
        return self.submitting.submit(SubmitCommand(**values))  # type: ignore[arg-type]

    def deliver(self) -> int:
        return self.dispatcher.dispatch_due()

    def token_in_email_to(self, address: str, request_id: str = "") -> str:
        """The token in the latest email to ``address`` (about ``request_id``, if given)."""
        for mail in reversed(self.mailer.to(address)):
            for link in links_in(mail.text):
                if request_id in ("", link.request_id):
                    return link.token
        raise AssertionError(f"no link in the emails to {address}")

    def confirm(self, submitted: Submitted, address: str = GUARDIAN_EMAIL) -> str:
        """The guardian opens the emailed link and signs; returns their token."""
        self.deliver()
        token = self.token_in_email_to(address, submitted.request.id)
        self.sign(submitted.request.id, token)
        self.deliver()
        return token

    def sign(self, request_id: str, token: str, name: str | None = None, **student: str) -> object:
        """Sign as the link's party, typing ``name`` (by default the signer's own
        name, as the page shows it); ``student_name=`` adds the student's."""
        view = self.signing.view(request_id, token)
        typed = view.viewer_name if name is None else name
        return self.signing.sign(
            request_id, token, typed, True, view.contract_sha256, "192.0.2.7", "Test browser", **student
        )


@pytest.fixture
def harness(district: DistrictConfig) -> Harness:
    return _harness(district)


@pytest.fixture
def student_signs_first(district: DistrictConfig) -> Harness:
    """A district whose students sign beside the guardian (``student_signs: before_start``)."""
    stis = district.stis.model_copy(update={"student_signs": "before_start"})
    return _harness(district.model_copy(update={"stis": stis}))


def _harness(district: DistrictConfig) -> Harness:
    store, mailer, clock = InMemoryStore(), FakeMailer(), FakeClock(T0)
    secret = "unit-test-secret-unit-test-secret"
    records = Records(district, store, clock, secret)
    documents = DistrictDocuments(district, "https://portal.alder-creek.example", issued=store)
    composer = EmailComposer(district, secret, "https://portal.alder-creek.example", documents=documents)
    dispatcher = Dispatcher(store, mailer, clock, composer)
    return Harness(
        records,
        Submitting(records),
        Signing(records, documents),
        Jobs(records),
        dispatcher,
        store,
        mailer,
        clock,
    )
