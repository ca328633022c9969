"""The schedule of a parked event's automatic retries, and its settings."""

from datetime import timedelta

import pytest

from runtime.config import ConfigError, load
from runtime.messaging import PARKED_RETRY_CAP, parked_retry_delay


def test_retries_back_off_from_the_base_doubling_each_time():
    assert [parked_retry_delay(n, 60).total_seconds() for n in range(8)] == [
        60, 120, 240, 480, 960, 1920, 3840, 7680]


def test_the_delay_never_exceeds_six_hours():
    assert PARKED_RETRY_CAP == timedelta(hours=6)
    assert parked_retry_delay(9, 60) == timedelta(hours=6)    # 60 s · 512 = 8.5 h
    assert parked_retry_delay(10_000, 60) == timedelta(hours=6)  # no overflow
    assert parked_retry_delay(3, 3600, cap=timedelta(hours=2)) == timedelta(hours=2)


def test_small_bases_for_tests_and_zero():
    assert parked_retry_delay(0, 0.2) == timedelta(seconds=0.2)
    assert parked_retry_delay(2, 0.2) == timedelta(seconds=0.8)
    assert parked_retry_delay(5, 0) == timedelta(0)
    assert parked_retry_delay(-1, 60) == timedelta(seconds=60)


def test_default_settings_give_eight_retries_over_about_four_hours():
    events = load(environ={}).events
    assert (events.parked_retry_base_seconds, events.parked_max_retries, events.parked_poll_seconds) == (60, 8, 5)
    schedule = [parked_retry_delay(n, events.parked_retry_base_seconds) for n in range(events.parked_max_retries)]
    assert sum(schedule, timedelta()) == timedelta(seconds=60 * 255)  # 4 h 15 min until an operator's turn


@pytest.mark.parametrize("overrides, message", [
    ({"events.parked_retry_base_seconds": "-1"}, "not negative"),
    ({"events.parked_max_retries": "-1"}, "not negative"),
    ({"events.parked_poll_seconds": "0"}, "more than 0"),
    ({"events.consumer_attempts": "0"}, "at least 1"),
])
def test_bad_retry_settings_are_named(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load(environ={}, overrides=overrides)
