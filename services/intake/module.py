"""Intake's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.calendar_store import CalendarStore
from runtime.scan import scanner_from_config
from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.intake import api, consumers, store
from services.intake.app import IntakeApp, IntakeHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    calendar = CalendarStore(ctx.db)
    app = IntakeApp(ctx, ctx.resources["media-store"], calendar, scanner=scanner_from_config(ctx.config, "intake"))
    return ServiceParts(register=api.register(app), handlers=IntakeHandlers(ctx.outbox, calendar), app=app)


SPEC = ServiceSpec(
    name="intake",
    full_name="pakn.intake.v1.IntakeService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
    needs=("media-store",),
)
