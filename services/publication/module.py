"""Publication's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.calendar_store import CalendarStore
from runtime.config import regulation_profile
from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.publication import api, consumers, store
from services.publication.app import PublicationApp, PublicationHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    profile, calendar = regulation_profile(ctx.config), CalendarStore(ctx.db)
    app = PublicationApp(ctx, profile, calendar)
    return ServiceParts(register=api.register(app), handlers=PublicationHandlers(ctx.outbox, calendar, profile),
                        app=app)


SPEC = ServiceSpec(
    name="publication",
    full_name="pakn.publication.v1.PublicationService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
)
