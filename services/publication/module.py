"""Publication's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.publication import api, consumers, store
from services.publication.app import PublicationApp, PublicationHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    app = PublicationApp(ctx)
    return ServiceParts(register=api.register(app), handlers=PublicationHandlers(ctx.outbox), app=app)


SPEC = ServiceSpec(
    name="publication",
    full_name="pakn.publication.v1.PublicationService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
)
