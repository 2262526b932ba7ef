"""The local stack's clock (infra/local/clock.py): set, it reads the time given
and keeps moving; reset, it reads real time; a bad body says what to send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.local.clock import ClockError, LocalClock, parse_now


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)))
def test_a_set_clock_reads_the_time_given_and_keeps_moving(when: datetime) -> None:
    clock = LocalClock()
    clock.set(when)
    first = clock.now()
    assert timedelta(0) <= first - when < timedelta(seconds=2)
    assert clock.now() >= first
    assert clock.is_set


def test_reset_goes_back_to_real_time() -> None:
    clock = LocalClock()
    clock.set(datetime(2027, 1, 20, 16, tzinfo=UTC))
    clock.reset()
    assert not clock.is_set
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=2)


def test_an_offset_is_kept() -> None:
    when = parse_now(b'{"now": "2027-01-20T08:00:00-08:00"}')
    assert when == datetime(2027, 1, 20, 16, tzinfo=UTC)


def test_a_time_without_offset_is_refused() -> None:
    with pytest.raises(ClockError, match="UTC offset"):
        LocalClock().set(datetime(2027, 1, 20, 8))
    with pytest.raises(ClockError, match="UTC offset"):
        parse_now(b'{"now": "2027-01-20T08:00:00"}')
