"""Every event of the platform: its type, the service that emits it, and its payload message.

Who consumes an event is declared by each service (`services/<name>/consumers.py`).
"""

from __future__ import annotations

from pakn.events.v1 import events_pb2 as ev

EVENTS: dict[str, tuple[str, type]] = {
    "case.received": ("intake", ev.CaseReceived),
    "case.cancelled": ("routing", ev.CaseCancelled),
    "case.verifying": ("routing", ev.CaseSentBackForVerification),
    "case.verified": ("routing", ev.CaseVerified),
    "case.classified": ("routing", ev.CaseClassified),
    "case.awaiting_unit": ("routing", ev.CaseAwaitingUnit),
    "assignment.created": ("routing", ev.AssignmentCreated),
    "assignment.accepted": ("routing", ev.AssignmentAccepted),
    "assignment.returned": ("routing", ev.AssignmentReturned),
    "calendar.day_recorded": ("routing", ev.CalendarDayRecorded),
    "calendar.pause_declared": ("routing", ev.CalendarPauseDeclared),
    "handler.assigned": ("processing", ev.HandlerAssigned),
    "result.submitted": ("processing", ev.ResultSubmitted),
    "result.returned_to_handler": ("processing", ev.ResultReturnedToHandler),
    "result.approved": ("processing", ev.ResultApproved),
    "extension.requested": ("processing", ev.ExtensionRequested),
    "deadline.changed": ("processing", ev.DeadlineChanged),
    "case.under_review": ("publication", ev.CaseUnderReview),
    "case.published": ("publication", ev.CasePublished),
    "result.delivered": ("publication", ev.ResultDelivered),
    "case.restricted": ("publication", ev.CaseRestricted),
    "rework.requested": ("publication", ev.ReworkRequested),
    "case.rated": ("publication", ev.CaseRated),
    "citizen.replied": ("publication", ev.CitizenReplied),
    "notification.sent": ("notification", ev.NotificationOutcome),
    "notification.failed": ("notification", ev.NotificationOutcome),
}
