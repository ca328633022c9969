"""What a service declares (`ServiceSpec`) and what the runtime builds from it.

Each service package has a `module.py` with one `SPEC`: its name, gRPC service, tables,
migrations, event subscriptions, the shared modules it needs, and a `build` function that wires
its application layer from a `ServiceContext`. The runtime does the rest the same way for every
service: database and migrations, outbox and relay, servicer registration with readiness,
and consumers (in process, or in a nameko worker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import grpc
import sqlalchemy as sa

from runtime.config import Config
from runtime.db import Database
from runtime.messaging import Outbox, Subscription
from runtime.telemetry import Telemetry


@dataclass
class ServiceContext:
    config: Config
    telemetry: Telemetry
    db: Database
    outbox: Outbox
    # Shared modules named in ServiceSpec.needs ("media-store", "mailer", "sms").
    resources: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServiceParts:
    register: Callable[[grpc.Server], None]
    # The object whose methods the service's Subscriptions name.
    handlers: object
    app: object = None
    # Threads the service runs beside its API (start() and stop()), e.g. a delivery dispatcher.
    background: list = field(default_factory=list)
    # Further gRPC services that `register` adds (full names), for health and reflection.
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    full_name: str
    metadata: sa.MetaData
    migrations: Path
    subscriptions: tuple[Subscription, ...]
    build: Callable[[ServiceContext], ServiceParts]
    needs: tuple[str, ...] = ()
