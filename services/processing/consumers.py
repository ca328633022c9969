"""The events processing consumes: acceptances (its work items), rework requests (Đ10.4) and the
calendar's changes (its open deadlines are recomputed)."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("routing", "assignment.accepted", "on_assignment_accepted"),
    Subscription("publication", "rework.requested", "on_rework_requested"),
    Subscription("publication", "case.published", "on_case_published"),
    Subscription("routing", "calendar.day_recorded", "on_calendar_day_recorded"),
    Subscription("routing", "calendar.pause_declared", "on_calendar_pause_declared"),
)
