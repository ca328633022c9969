"""runtime/clocks.py: the regulation's clocks as pakn.common.v1.Clock messages (state, deadline,
lateness), running or stopped, with the due-soon threshold from the configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pakn.common.v1 import common_pb2
from regulation.calendar import VN, Pause, WorkingCalendar
from runtime.clocks import clock_pb
from runtime.config import load
from runtime.messaging import from_ts

CAL = WorkingCalendar()
# Tuesday 10 March 2026, the end of a working day (6 working days from Monday 2 March, 09:00).
DEADLINE = datetime(2026, 3, 10, 23, 59, 59, tzinfo=VN).astimezone(UTC)
DUE_SOON = 24.0  # the default of regulation.due_soon_hours
K = common_pb2.ClockState


def local(*args) -> datetime:
    return datetime(*args, tzinfo=VN).astimezone(UTC)


def test_no_deadline_no_clock():
    assert clock_pb("handling", CAL, None, local(2026, 3, 9, 9), DUE_SOON) is None


def test_a_running_clock_is_on_time_then_due_soon_then_overdue():
    on_time = clock_pb("handling", CAL, DEADLINE, local(2026, 3, 9, 9), DUE_SOON)
    assert on_time.name == "handling" and on_time.state == common_pb2.CLOCK_STATE_ON_TIME
    assert from_ts(on_time.deadline) == DEADLINE
    assert (on_time.late_working_days, on_time.late_hours) == (0, 0.0)

    soon = clock_pb("handling", CAL, DEADLINE, local(2026, 3, 10, 9), DUE_SOON)
    assert soon.state == common_pb2.CLOCK_STATE_DUE_SOON and soon.late_working_days == 0
    assert clock_pb("handling", CAL, DEADLINE, DEADLINE, DUE_SOON).state == common_pb2.CLOCK_STATE_DUE_SOON

    # Thursday 12 March, 10:00: Wednesday and Thursday are working days after the deadline's day.
    late = clock_pb("handling", CAL, DEADLINE, local(2026, 3, 12, 10), DUE_SOON)
    assert late.state == common_pb2.CLOCK_STATE_OVERDUE
    assert late.late_working_days == 2 and late.late_hours == 34.0
    assert from_ts(late.deadline) == DEADLINE


def test_lateness_skips_days_off_and_the_units_pauses():
    # Friday 13 February 2026 (the eve of Tết) to Monday 23 February: only the Monday is a working day.
    deadline = local(2026, 2, 13, 23, 59, 59)
    late = clock_pb("approval", CAL, deadline, local(2026, 2, 23, 8), DUE_SOON)
    assert late.state == common_pb2.CLOCK_STATE_OVERDUE and late.late_working_days == 1

    # A pause of unit-1 on Wednesday 11 March: not a working day, and its hours do not count, for unit-1 only.
    paused = WorkingCalendar(pauses=[Pause("p1", local(2026, 3, 11, 0), local(2026, 3, 12, 0), "unit-1")])
    now = local(2026, 3, 12, 10)
    mine = clock_pb("handling", paused, DEADLINE, now, DUE_SOON, unit_id="unit-1")
    other = clock_pb("handling", paused, DEADLINE, now, DUE_SOON, unit_id="unit-2")
    assert (mine.late_working_days, mine.late_hours) == (1, 10.0)
    assert (other.late_working_days, other.late_hours) == (2, 34.0)


def test_a_clock_stopped_on_time_is_stopped_and_one_stopped_late_stays_overdue():
    much_later = local(2026, 4, 30, 12)
    on_time = clock_pb("handling", CAL, DEADLINE, much_later, DUE_SOON, stopped_at=local(2026, 3, 10, 20))
    assert on_time.state == common_pb2.CLOCK_STATE_STOPPED
    assert from_ts(on_time.deadline) == DEADLINE and (on_time.late_working_days, on_time.late_hours) == (0, 0.0)
    # Stopped well before the deadline, or exactly at it: still stopped, never due soon or on time.
    early = clock_pb("handling", CAL, DEADLINE, local(2026, 3, 3, 9), DUE_SOON, stopped_at=local(2026, 3, 3, 8))
    assert early.state == common_pb2.CLOCK_STATE_STOPPED
    assert clock_pb("handling", CAL, DEADLINE, much_later, DUE_SOON,
                    stopped_at=DEADLINE).state == common_pb2.CLOCK_STATE_STOPPED

    # Stopped on Wednesday 11 March, 09:00: late by one working day and 9 hours, however late it is now.
    late = clock_pb("handling", CAL, DEADLINE, much_later, DUE_SOON, stopped_at=local(2026, 3, 11, 9))
    assert late.state == common_pb2.CLOCK_STATE_OVERDUE
    assert late.late_working_days == 1 and late.late_hours == 9.0


def test_the_due_soon_threshold_comes_from_the_configuration():
    now = local(2026, 3, 9, 17)  # 31 hours before the deadline
    default = load(environ={}).regulation.due_soon_hours
    assert default == 24.0
    assert clock_pb("handling", CAL, DEADLINE, now, default).state == common_pb2.CLOCK_STATE_ON_TIME
    wider = load(environ={}, overrides={"regulation.due_soon_hours": 48}).regulation.due_soon_hours
    assert clock_pb("handling", CAL, DEADLINE, now, wider).state == common_pb2.CLOCK_STATE_DUE_SOON
    from_env = load(environ={"PAKN_REGULATION__DUE_SOON_HOURS": "2"}).regulation.due_soon_hours
    assert clock_pb("handling", CAL, DEADLINE, local(2026, 3, 10, 21), from_env).state == K.CLOCK_STATE_ON_TIME
    assert clock_pb("handling", CAL, DEADLINE, local(2026, 3, 10, 22), from_env).state == K.CLOCK_STATE_DUE_SOON


def test_naive_instants_are_utc():
    """SQLite gives naive datetimes back; they are UTC."""
    naive = DEADLINE.replace(tzinfo=None)
    clock = clock_pb("review", CAL, naive, (DEADLINE + timedelta(hours=3)).replace(tzinfo=None), DUE_SOON,
                     stopped_at=(DEADLINE + timedelta(hours=2)).replace(tzinfo=None))
    assert clock.state == common_pb2.CLOCK_STATE_OVERDUE and clock.late_hours == 2.0
    assert from_ts(clock.deadline) == DEADLINE
