"""Routing's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.calendar_store import CalendarStore
from runtime.config import regulation_profile
from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.routing import api, consumers, store
from services.routing.app import CalendarApp, RoutingApp, RoutingHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    profile, calendar = regulation_profile(ctx.config), CalendarStore(ctx.db)
    app = RoutingApp(ctx, calendar, profile)
    admin = CalendarApp(ctx, calendar, profile)
    return ServiceParts(register=api.register(app, admin), handlers=RoutingHandlers(calendar, profile), app=app,
                        services=(api.CALENDAR_SERVICE,))


SPEC = ServiceSpec(
    name="routing",
    full_name="pakn.routing.v1.RoutingService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
)
