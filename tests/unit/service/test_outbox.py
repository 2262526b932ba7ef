from __future__ import annotations

from chalicelib.service.outbox import retry_delay

from .conftest import GUARDIAN_EMAIL, Harness


def test_while_email_fails_nothing_is_lost_and_once_it_recovers_nothing_is_sent_twice(
    harness: Harness,
) -> None:
    harness.mailer.failing = "TooManyRequestsException"
    request = harness.submit().request
    assert harness.deliver() == 0
    for _ in range(5):
        harness.clock.advance(minutes=30)
        assert harness.deliver() == 0
    stored = harness.store.get(request.id)
    assert stored is not None
    assert {m.status for m in stored.outbox} == {"pending"}
    assert all(m.attempts == 6 and m.last_error == "TooManyRequestsException" for m in stored.outbox)
    harness.mailer.failing = ""
    harness.clock.advance(hours=2)
    assert harness.deliver() == 1
    harness.clock.advance(hours=2)
    assert harness.deliver() == 0
    assert len(harness.mailer.to(GUARDIAN_EMAIL)) == 1
    assert len(harness.mailer.sent) == 1


def test_a_failed_send_waits_longer_each_time_up_to_six_hours() -> None:
    delays = [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4, 10, 20)]
    assert delays == [1, 2, 4, 8, 360, 360]


def test_an_address_ses_rejects_for_good_is_not_retried(harness: Harness) -> None:
    harness.mailer.failing, harness.mailer.retryable = "MessageRejected", False
    request = harness.submit().request
    harness.deliver()
    harness.mailer.failing = ""
    harness.clock.advance(days=1)
    assert harness.deliver() == 0
    stored = harness.store.get(request.id)
    assert stored is not None
    assert {m.status for m in stored.outbox} == {"failed"}


def test_a_message_claimed_by_a_dispatcher_that_died_is_sent_after_its_lease(
    harness: Harness,
) -> None:
    from dataclasses import replace

    request = harness.submit().request
    stored = harness.store.get(request.id)
    assert stored is not None
    claimed = replace(
        stored,
        outbox=tuple(
            replace(m, status="sending", next_attempt_at=harness.clock.now().replace(microsecond=0))
            for m in stored.outbox
        ),
    )
    harness.store.update(claimed)  # a dispatcher claimed them, then its Lambda died
    harness.clock.advance(minutes=6)
    assert harness.deliver() == 1


def test_every_email_carries_a_text_and_an_html_part_in_the_recipient_language(
    harness: Harness,
) -> None:
    harness.confirm(harness.submit())
    guardian = harness.mailer.to(GUARDIAN_EMAIL)[0]
    office = harness.mailer.to("office@ridgeline.alder-creek.example")[0]
    assert guardian.text.strip()
    assert guardian.html.strip()
    assert 'lang="es"' in guardian.html
    assert 'lang="en"' in office.html
    assert "Mateo Quintana" in office.text
