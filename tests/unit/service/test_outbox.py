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


class _LostAnswer:
    """A store whose next claim is written but answered as a conflict: what a
    DynamoDB write looks like when its answer times out and the SDK's retry finds
    the version it expected already moved (by that very write)."""

    def __init__(self, store: object) -> None:
        self.store = store
        self.armed = True

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def update(self, request: object, *args: object, **kwargs: object) -> object:
        from chalicelib.service.errors import StaleWrite

        stored = self.store.update(request, *args, **kwargs)  # type: ignore[attr-defined]
        claim = any(m.status == "sending" for m in stored.outbox)
        if self.armed and claim:
            self.armed = False
            raise StaleWrite()
        return stored


def test_a_claim_written_but_not_acknowledged_is_sent_at_once_not_after_its_lease(
    harness: Harness,
) -> None:
    request = harness.submit().request
    harness.dispatcher.store = _LostAnswer(harness.store)  # type: ignore[assignment]
    assert harness.deliver() == 1  # the guardian's email goes now, not in five minutes
    assert len(harness.mailer.to(GUARDIAN_EMAIL)) == 1
    stored = harness.store.get(request.id)
    assert stored is not None
    assert {m.status for m in stored.outbox} == {"sent"}
    harness.clock.advance(minutes=10)
    assert harness.deliver() == 0  # and never twice
    assert len(harness.mailer.sent) == 1


def test_a_conflict_with_another_dispatchers_claim_sends_nothing(harness: Harness) -> None:
    from dataclasses import replace

    from chalicelib.service.errors import StaleWrite

    request = harness.submit().request
    stored = harness.store.get(request.id)
    assert stored is not None
    their_claim = replace(
        stored,
        outbox=tuple(replace(m, status="sending", lease="theirs", attempts=1) for m in stored.outbox),
    )

    class Overtaken(_LostAnswer):
        def update(self, request: object, *args: object, **kwargs: object) -> object:
            self.store.update(their_claim)  # type: ignore[attr-defined]
            raise StaleWrite()  # another dispatcher claimed the message first

    harness.dispatcher.store = Overtaken(harness.store)  # type: ignore[assignment]
    assert harness.deliver() == 0
    assert harness.mailer.sent == []
