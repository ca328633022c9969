"""Reporting's declaration for the runtime (see runtime/service.py)."""

from pathlib import Path

from runtime.service import ServiceContext, ServiceParts, ServiceSpec
from services.reporting import api, consumers, store
from services.reporting.app import ReportingApp, ReportingHandlers


def build(ctx: ServiceContext) -> ServiceParts:
    app = ReportingApp(ctx)
    return ServiceParts(register=api.register(app), handlers=ReportingHandlers(), app=app)


SPEC = ServiceSpec(
    name="reporting",
    full_name="pakn.reporting.v1.ReportingService",
    metadata=store.metadata,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=consumers.SUBSCRIPTIONS,
    build=build,
)
