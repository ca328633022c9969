"""The events notification consumes: the steps the submitter is told about."""

from runtime.messaging import Subscription

SUBSCRIPTIONS = (
    Subscription("intake", "case.received", "on_case_received"),
    Subscription("routing", "case.cancelled", "on_case_cancelled"),
    Subscription("publication", "case.published", "on_case_published"),
    Subscription("publication", "result.delivered", "on_result_delivered"),
)
