"""Processing's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.processing import api, consumers, store
from services.processing.app import ProcessingApp, ProcessingHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    app = ProcessingApp(ctx, ctx.resources["media-store"])
    return ServiceParts(register=api.register(app), handlers=ProcessingHandlers(ctx.outbox), app=app)


SPEC = ServiceSpec(
    name="processing",
    full_name="pakn.processing.v1.ProcessingService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
    needs=("media-store",),
)
