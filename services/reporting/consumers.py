"""The events reporting consumes: every step that a Đ13.7 report or a Đ14 scorecard counts."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("intake", "case.received", "on_case_received"),
    Subscription("routing", "case.cancelled", "on_case_cancelled"),
    Subscription("routing", "assignment.created", "on_assignment_created"),
    Subscription("routing", "assignment.accepted", "on_assignment_accepted"),
    Subscription("routing", "assignment.returned", "on_assignment_returned"),
    Subscription("processing", "result.approved", "on_result_approved"),
    Subscription("processing", "deadline.changed", "on_deadline_changed"),
    Subscription("publication", "case.published", "on_case_published"),
    Subscription("publication", "result.delivered", "on_result_delivered"),
    Subscription("publication", "case.restricted", "on_case_restricted"),
    Subscription("publication", "case.rated", "on_case_rated"),
)
