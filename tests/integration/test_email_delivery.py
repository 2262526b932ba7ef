from __future__ import annotations

from typing import Any

from tests.support.aws import sent_emails
from tests.support.faults import inject

from .conftest import System, sent_messages
from .test_dynamodb_store import command


def test_ses_failing_for_a_while_loses_no_email_and_duplicates_none(system: System, sesv2: Any) -> None:
    with inject(sesv2, "SendEmail", "TooManyRequestsException", 429) as outage:
        request = system.submitting.submit(command()).request
        for _ in range(4):
            system.dispatcher.dispatch_due()
            system.clock.advance(minutes=20)
        assert outage.injected >= 4
        assert sent_messages() == []
        stored = system.store.get(request.id)
        assert stored is not None
        assert all(m.status == "pending" for m in stored.outbox)
    system.clock.advance(hours=1)
    assert system.dispatcher.dispatch_due() == 1
    system.clock.advance(hours=7)
    assert system.dispatcher.dispatch_due() == 0
    recipients = sorted(str(m["To"]) for m in sent_emails())
    assert recipients == ["elena.quintana@family.example"]


def test_each_email_is_multipart_with_the_link_as_plain_text(system: System) -> None:
    system.submitting.submit(command())
    system.dispatcher.dispatch_due()
    to_guardian = next(m for m in sent_emails() if "elena" in str(m["To"]))
    text = to_guardian.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = to_guardian.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "http://127.0.0.1:8001/stis/sign/#id=" in text
    assert 'href="http://127.0.0.1:8001/stis/sign/#id=' in html
    assert to_guardian["From"] == "attendance@alder-creek.example"
