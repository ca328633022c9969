"""Notification's gRPC API: translates messages to use cases and back; no rules here."""

from __future__ import annotations

from pakn.notification.v1 import notification_pb2 as pb
from pakn.notification.v1 import notification_pb2_grpc
from runtime.messaging import as_utc, ts
from services.notification.app import NotificationApp


def _t(value):
    return ts(as_utc(value)) if value is not None else None


def delivery_msg(row) -> pb.Delivery:
    return pb.Delivery(delivery_id=row.delivery_id, case_id=row.case_id, template=row.template, channel=row.channel,
                       status=row.status, recipient_masked=row.recipient_masked, attempts=row.attempts,
                       created_at=_t(row.created_at), sent_at=_t(row.sent_at))


class NotificationServicer(notification_pb2_grpc.NotificationServiceServicer):
    def __init__(self, app: NotificationApp):
        self.app = app

    def ListDeliveries(self, request, context):
        return pb.ListDeliveriesResponse(
            deliveries=[delivery_msg(r) for r in self.app.list_deliveries(request.case_id)])

    def ResendDelivery(self, request, context):
        return pb.ResendDeliveryResponse(delivery=delivery_msg(self.app.resend(request.delivery_id)))

    def ListTemplates(self, request, context):
        return pb.ListTemplatesResponse(templates=[
            pb.Template(name=t.name, event_type=t.event_type, subject_vi=t.subject_vi) for t in self.app.templates()])


def register(app: NotificationApp):
    return lambda server: notification_pb2_grpc.add_NotificationServiceServicer_to_server(
        NotificationServicer(app), server)
