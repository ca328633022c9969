"""The events intake consumes: the citizen-facing status of each case, the units each case is
assigned to (whose staff may download its originals), and the run-time calendar."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("routing", "case.cancelled", "on_case_cancelled"),
    Subscription("routing", "case.verifying", "on_case_verifying"),
    Subscription("routing", "case.verified", "on_case_verified"),
    Subscription("routing", "case.classified", "on_case_classified"),
    Subscription("routing", "case.awaiting_unit", "on_case_awaiting_unit"),
    Subscription("routing", "assignment.created", "on_assignment_created"),
    Subscription("routing", "assignment.returned", "on_assignment_returned"),
    Subscription("publication", "case.under_review", "on_case_under_review"),
    Subscription("publication", "case.published", "on_case_published"),
    Subscription("publication", "result.delivered", "on_result_delivered"),
    Subscription("publication", "case.restricted", "on_case_restricted"),
    Subscription("publication", "rework.requested", "on_rework_requested"),
    Subscription("routing", "calendar.day_recorded", "on_calendar_day_recorded"),
    Subscription("routing", "calendar.pause_declared", "on_calendar_pause_declared"),
)
