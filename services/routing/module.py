"""Routing's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.routing import api, consumers, store
from services.routing.app import RoutingApp, RoutingHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    app = RoutingApp(ctx)
    return ServiceParts(register=api.register(app), handlers=RoutingHandlers(), app=app)


SPEC = ServiceSpec(
    name="routing",
    full_name="pakn.routing.v1.RoutingService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
)
