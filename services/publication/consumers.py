"""The events publication consumes: the case's progress up to approval, and the calendar's changes
(review deadlines are recomputed)."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("intake", "case.received", "on_case_received"),
    Subscription("routing", "case.classified", "on_case_classified"),
    Subscription("routing", "case.cancelled", "on_case_cancelled"),
    Subscription("routing", "assignment.created", "on_assignment_created"),
    Subscription("routing", "assignment.accepted", "on_assignment_accepted"),
    Subscription("routing", "assignment.returned", "on_assignment_returned"),
    Subscription("processing", "result.approved", "on_result_approved"),
    Subscription("routing", "calendar.day_recorded", "on_calendar_day_recorded"),
    Subscription("routing", "calendar.pause_declared", "on_calendar_pause_declared"),
)
