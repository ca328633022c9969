"""Notification's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.crypto import Box
from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.notification import api, consumers, store
from services.notification.app import Dispatcher, NotificationApp, NotificationHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    box = Box.of(ctx.config, "notification_key")
    dispatcher = Dispatcher(ctx.db, ctx.outbox, ctx.telemetry, box, ctx.resources["mailer"], ctx.resources["sms"])
    app = NotificationApp(ctx, dispatcher.wake)
    handlers = NotificationHandlers(ctx.outbox, ctx.telemetry, box, dispatcher.wake)
    return ServiceParts(register=api.register(app), handlers=handlers, app=app, background=[dispatcher])


SPEC = ServiceSpec(
    name="notification",
    full_name="pakn.notification.v1.NotificationService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
    needs=("mailer", "sms"),
)
