"""The module graph: what each target runs (like Loki's `-target`).

A module has a name, a static list of dependencies and an init function that builds a component
from the platform. A target names the modules it wants; their dependencies come along, are
started first and stopped last. `pakn serve --target=all` is the monolithic mode; one service
name is that service's API process; `<service>-worker` is its event consumer process;
`email-gateway` is a channel front-end (never part of `all`).
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from runtime.audit import AuditTrail
from runtime.config import ConfigError
from runtime.db import Database, sqlite_url
from runtime.messaging import EventConsumer, InProcessBus, Outbox, OutboxRelay, ParkedEventRetrier
from runtime.service import ServiceContext, ServiceParts, ServiceSpec

if TYPE_CHECKING:
    from runtime.platform import Platform

log = logging.getLogger(__name__)

SERVICES = ("intake", "routing", "processing", "publication", "notification", "reporting")


def spec_of(service: str) -> ServiceSpec:
    return importlib.import_module(f"services.{service}.module").SPEC


@dataclass(frozen=True)
class Module:
    name: str
    deps: tuple[str, ...]
    init: Callable[["Platform"], Any]


class Component:
    """A started thing: modules return objects with optional start() and stop()."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


# Shared infrastructure -------------------------------------------------------------------------

def _init_telemetry(p: "Platform"):
    from runtime.telemetry import Telemetry

    return p.telemetry_override or Telemetry(p.config, p.target)


def _init_identity(p: "Platform"):
    from runtime.identity.authn import build_identity

    return build_identity(p.config, provider_here="identity-provider" in p.order)


def _init_identity_provider(p: "Platform"):
    from runtime.identity.provider import build_provider

    return build_provider(p.config, p.get("identity"), target_alone=p.target == "identity")


def _init_server(p: "Platform"):
    from runtime.grpc_server import GrpcServer
    from runtime.identity.authn import Gate

    return GrpcServer(p.config, p.get("telemetry"), Gate(p.get("identity").verifier))


def _init_event_bus(p: "Platform"):
    if p.config.events.backend == "inprocess":
        if p.is_worker_target:
            raise ConfigError("worker targets consume from RabbitMQ: set events.backend = \"rabbitmq\"")
        return InProcessBus()
    from runtime.rabbitmq import RabbitPublisher

    subscriptions = {name: spec_of(name).subscriptions for name in SERVICES}
    return RabbitPublisher(p.config.events.amqp_uri, subscriptions, p.config.events.queue_type)


def _init_media_store(p: "Platform"):
    from pathlib import Path

    from runtime.media import LocalMediaStore, S3MediaStore

    m = p.config.media
    if m.backend == "s3":
        return S3MediaStore(m.s3_endpoint, m.s3_access_key, m.s3_secret_key, m.s3_bucket, m.s3_secure, m.s3_region)
    return LocalMediaStore(Path(m.local_dir) if m.local_dir else p.config.data_path / "media")


def _init_mailer(p: "Platform"):
    from pathlib import Path

    from runtime.mail import FileMailer, SmtpMailer

    m = p.config.mail
    if m.backend == "smtp":
        return SmtpMailer(m.smtp_host, m.smtp_port, m.sender, m.smtp_user, m.smtp_password, m.smtp_starttls,
                          m.timeout_seconds)
    return FileMailer(Path(m.outbox_dir) if m.outbox_dir else p.config.data_path / "mail", m.sender)


def _init_sms(p: "Platform"):
    from pathlib import Path

    from runtime.mail import FileSms

    return FileSms(Path(p.config.sms.outbox_dir) if p.config.sms.outbox_dir else p.config.data_path / "sms")


# Services --------------------------------------------------------------------------------------

class ServiceRuntime(Component):
    """A service's database, outbox, relay, parked-event retrier and application, shared by its API
    and worker modules."""

    def __init__(self, p: "Platform", service: str):
        self.spec = spec_of(service)
        cfg = p.config
        url = cfg.database.url or sqlite_url(cfg.data_path, service)
        self.db = Database(service, url, self.spec.metadata, self.spec.migrations, cfg.database.pool_size)
        if cfg.database.auto_migrate:
            self.db.migrate()
        # Its audit chain: mutating calls, decryptions, denials and handled events (runtime/audit.py).
        self.audit = AuditTrail.attach(service, self.db)
        self.telemetry = p.get("telemetry")
        self.bus = p.get("event-bus")
        self.outbox = Outbox(service, self.spec.metadata)
        ctx = ServiceContext(cfg, self.telemetry, self.db, self.outbox,
                             {need: p.get(need) for need in self.spec.needs})
        self.parts: ServiceParts = self.spec.build(ctx)
        self.relay = OutboxRelay(self.db, self.outbox, self.bus, self.telemetry,
                                 cfg.events.relay_interval_seconds, cfg.events.relay_batch)
        self.consumer = EventConsumer(service, self.db, list(self.spec.subscriptions), self.parts.handlers,
                                      self.telemetry, cfg.events.consumer_attempts,
                                      parked_retry_base_seconds=cfg.events.parked_retry_base_seconds,
                                      parked_max_retries=cfg.events.parked_max_retries)
        # In the API and the worker processes alike: parked rows are leased, so replicas share them.
        self.retrier = ParkedEventRetrier(self.consumer, cfg.events.parked_poll_seconds)
        # On RabbitMQ: this service's subscriber queues, watched for depth and consumers.
        self.monitor = None
        if cfg.events.backend == "rabbitmq" and self.spec.subscriptions:
            from runtime.rabbitmq import QueueMonitor

            self.monitor = QueueMonitor(cfg.events.amqp_uri, {service: self.spec.subscriptions}, self.telemetry,
                                        cfg.events.queue_monitor_seconds)
        self.telemetry.readiness[f"database:{service}"] = self.db.ping

    def ready(self) -> bool:
        """Ready when its database answers. The broker is not needed: the outbox holds the events
        until it is back, so an API stays ready (and is not taken out of service) in a broker outage."""
        return self.db.ping()

    def start(self) -> None:
        self.relay.start()
        self.retrier.start()
        if self.monitor is not None:
            self.monitor.start()
        for part in self.parts.background:
            part.start()

    def stop(self) -> None:
        for part in reversed(self.parts.background):
            part.stop()
        if self.monitor is not None:
            self.monitor.stop()
        self.retrier.stop()
        self.relay.stop()
        self.db.dispose()


def _service_api(service: str) -> Callable[["Platform"], Any]:
    def init(p: "Platform"):
        rt = ServiceRuntime(p, service)
        server = p.get("server")
        server.add(rt.spec.full_name, rt.parts.register, rt.ready)
        for name in rt.parts.services:
            server.add(name, lambda _server: None, rt.ready)  # registered by rt.parts.register
        # Refusals of this service's methods go to its own chain; auditors read it over AuditService.
        from runtime import audit_api

        server.interceptor.on_denied.append(rt.audit.denial_hook((rt.spec.full_name, *rt.parts.services)))
        audit_api.host(server, service, rt.audit, rt.ready)
        return rt
    return init


class WorkerComponent(Component):
    """A service's event consumers on RabbitMQ, supervised (runtime/rabbitmq.py WorkerSupervisor)."""

    def __init__(self, p: "Platform", service: str):
        from runtime.rabbitmq import WorkerSupervisor

        self.runtime = ServiceRuntime(p, service)
        self.grace_seconds = p.config.server.grace_seconds
        self.supervisor = WorkerSupervisor(self.runtime.consumer, p.config, self.runtime.telemetry,
                                           self.runtime.monitor)
        self.runtime.telemetry.readiness[f"consumers:{service}"] = lambda: self.supervisor.up
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.runtime.start()
        self._thread = threading.Thread(target=self.supervisor.run, args=(self._stop,),
                                        name=f"{self.runtime.spec.name}-worker", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Begin stopping without waiting: every worker of a process stops at once, not in turn."""
        self._stop.set()
        self.supervisor.interrupt()

    def stop(self) -> None:
        """The messages in hand finish and are acknowledged; within the grace period."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(self.grace_seconds)
            if self._thread.is_alive():
                log.warning("%s worker did not stop within %.0f s", self.runtime.spec.name, self.grace_seconds)
        self.runtime.stop()


def _service_worker(service: str) -> Callable[["Platform"], Any]:
    return lambda p: WorkerComponent(p, service)


def _init_in_process_consumers(p: "Platform"):
    bus = p.get("event-bus")
    if not isinstance(bus, InProcessBus):
        raise ConfigError("target all runs in-process events: set events.backend = \"inprocess\" "
                          "(microservices mode runs one target per service and <service>-worker targets)")
    for service in SERVICES:
        bus.attach(p.get(service).consumer)
    return bus


_INFRA: dict[str, Module] = {
    "telemetry": Module("telemetry", (), _init_telemetry),
    "identity": Module("identity", (), _init_identity),
    # The embedded issuer's accounts and OAuth 2.0 endpoints over HTTP (runtime/identity/provider.py).
    "identity-provider": Module("identity-provider", ("telemetry", "identity"), _init_identity_provider),
    "server": Module("server", ("telemetry", "identity"), _init_server),
    "event-bus": Module("event-bus", ("telemetry",), _init_event_bus),
    "media-store": Module("media-store", (), _init_media_store),
    "mailer": Module("mailer", (), _init_mailer),
    "sms": Module("sms", (), _init_sms),
    "in-process-consumers": Module("in-process-consumers", ("event-bus", *SERVICES), _init_in_process_consumers),
}


# Channel front-ends: separate processes beside the platform, talking to intake over gRPC ----------

def _init_email_gateway(p: "Platform"):
    from gateways.email.gateway import EmailGateway

    return EmailGateway(p.config, p.get("telemetry"), p.get("mailer"))


_FRONT_ENDS: dict[str, Module] = {
    "email-gateway": Module("email-gateway", ("telemetry", "mailer"), _init_email_gateway),
}


@functools.cache
def module(name: str) -> Module:
    """The module called `name`; a service's modules take their needs from its SPEC."""
    if name in _INFRA:
        return _INFRA[name]
    if name in _FRONT_ENDS:
        return _FRONT_ENDS[name]
    if name in SERVICES:
        return Module(name, ("server", "event-bus", *spec_of(name).needs), _service_api(name))
    if name.endswith("-worker") and name[: -len("-worker")] in SERVICES:
        service = name[: -len("-worker")]
        return Module(name, ("telemetry", "event-bus", *spec_of(service).needs), _service_worker(service))
    raise ConfigError(f"unknown module {name!r}")


TARGETS: dict[str, tuple[str, ...]] = {
    "all": ("identity-provider", *SERVICES, "in-process-consumers"),
    # The embedded issuer alone (microservices mode): the other processes verify its tokens by JWKS.
    "identity": ("identity-provider",),
    **{s: (s,) for s in SERVICES},
    **{f"{s}-worker": (f"{s}-worker",) for s in SERVICES},
    # Every service's consumers in one worker process (development and tests).
    "workers": tuple(f"{s}-worker" for s in SERVICES),
    # Channel front-ends are never part of "all": each runs as its own process beside the platform.
    "email-gateway": ("email-gateway",),
}


def resolve(target: str) -> list[str]:
    """The modules of a target in start order (dependencies first)."""
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r}; one of: {', '.join(TARGETS)}")
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise ConfigError(f"module cycle: {' -> '.join(path + (name,))}")
        if name in order:
            return
        for dep in module(name).deps:
            visit(dep, path + (name,))
        order.append(name)

    for name in TARGETS[target]:
        visit(name, ())
    return order
