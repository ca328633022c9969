"""Processing's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.calendar_store import CalendarStore
from runtime.config import regulation_profile
from runtime.scan import scanner_from_config
from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.processing import api, consumers, store
from services.processing.app import ProcessingApp, ProcessingHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    profile, calendar = regulation_profile(ctx.config), CalendarStore(ctx.db)
    app = ProcessingApp(ctx, ctx.resources["media-store"], calendar, profile,
                        scanner=scanner_from_config(ctx.config, "processing"))
    return ServiceParts(register=api.register(app), handlers=ProcessingHandlers(ctx.outbox, calendar, profile),
                        app=app)


SPEC = ServiceSpec(
    name="processing",
    full_name="pakn.processing.v1.ProcessingService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
    needs=("media-store",),
)
