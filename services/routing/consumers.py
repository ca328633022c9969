"""The events routing consumes: new cases for the inbox (Đ7) and each case's publication outcome.

Routing's own calendar changes (calendar.*) are applied when the administrator acts, not consumed."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("intake", "case.received", "on_case_received"),
    Subscription("publication", "case.under_review", "on_case_under_review"),
    Subscription("publication", "case.published", "on_case_published"),
    Subscription("publication", "result.delivered", "on_result_delivered"),
    Subscription("publication", "case.restricted", "on_case_restricted"),
    Subscription("publication", "rework.requested", "on_rework_requested"),
)
