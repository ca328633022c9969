"""The events processing consumes: acceptances (its work items) and rework requests (Đ10.4)."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("routing", "assignment.accepted", "on_assignment_accepted"),
    Subscription("publication", "rework.requested", "on_rework_requested"),
)
