"""The regulation's clocks as `pakn.common.v1.Clock` messages, for the services' APIs.

A service's app layer decides which clocks a record has, their deadlines and when each stopped (the
step is done), then asks this module for the message: `regulation.calendar.WorkingCalendar.clock`
gives the state and the lateness, and this module maps them to the proto.

- Running: ON_TIME, DUE_SOON (within `regulation.due_soon_hours` of the deadline) or OVERDUE.
- Stopped on time (at or before the deadline): STOPPED. Stopped late: OVERDUE, with how late it
  was when it stopped.
- No deadline: no clock (None; leave the message field unset).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pakn.common.v1 import common_pb2
from regulation.calendar import ClockState, WorkingCalendar
from runtime.messaging import as_utc, ts

_STATES = {
    ClockState.ON_TIME: common_pb2.CLOCK_STATE_ON_TIME,
    ClockState.DUE_SOON: common_pb2.CLOCK_STATE_DUE_SOON,
    ClockState.OVERDUE: common_pb2.CLOCK_STATE_OVERDUE,
}


def clock_pb(name: str, calendar: WorkingCalendar, deadline: datetime | None, now: datetime,
             due_soon_hours: float, unit_id: str | None = None,
             stopped_at: datetime | None = None) -> common_pb2.Clock | None:
    """The clock `name` with its state and lateness at `now`, or as it stopped at `stopped_at`.

    Instants may be naive (SQLite); they are UTC. `unit_id` selects the unit's force-majeure pauses
    besides the province's (they do not count towards lateness)."""
    if deadline is None:
        return None
    deadline, now = as_utc(deadline), as_utc(now)
    stopped_at = as_utc(stopped_at) if stopped_at is not None else None
    c = calendar.clock(deadline, now, timedelta(hours=due_soon_hours), unit_id or None, stopped_at)
    state = _STATES[c.state]
    if stopped_at is not None and c.state is not ClockState.OVERDUE:
        state = common_pb2.CLOCK_STATE_STOPPED
    return common_pb2.Clock(name=name, state=state, deadline=ts(c.deadline), late_working_days=c.late_working_days,
                            late_hours=c.late_hours)
