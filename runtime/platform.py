"""Builds and runs the modules of one target (the composition root of every process)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from runtime.config import Config
from runtime.crypto import ensure_keys
from runtime.modules import SERVICES, module, resolve

log = logging.getLogger(__name__)


class Platform:
    def __init__(self, config: Config, target: str = "all", telemetry=None, maintenance: bool = False):
        self.config = config
        self.target = target
        self.telemetry_override = telemetry
        # Maintenance (admin commands): modules are built, never started, and consume nothing.
        self.maintenance = maintenance
        self.is_worker_target = (target.endswith("-worker") or target == "workers") and not maintenance
        self.order = resolve(target)
        self.components: dict[str, Any] = {}
        self._stopped = threading.Event()
        # Services need the keys for personal data: generated once under data_dir in monolithic
        # mode (SQLite), required otherwise. Front-ends such as the e-mail gateway need none.
        if any(name in SERVICES or name.endswith("-worker") for name in self.order):
            ensure_keys(config, generate=not config.database.url)

    def get(self, name: str) -> Any:
        if name not in self.components:
            raise KeyError(f"module {name} is not built (is it a dependency of {self.target}?)")
        return self.components[name]

    @property
    def port(self) -> int | None:
        server = self.components.get("server")
        return server.port if server else None

    def build(self) -> "Platform":
        """Build the target's modules without starting any (for admin commands)."""
        try:
            for name in self.order:
                self.components[name] = module(name).init(self)
        except BaseException:
            self.stop()
            raise
        return self

    def start(self) -> "Platform":
        if self.maintenance:
            raise RuntimeError("a maintenance platform is built, not started")
        try:
            for name in self.order:
                self.components[name] = module(name).init(self)
            for name in self.order:
                if name != "server":
                    getattr(self.components[name], "start", lambda: None)()
            if "server" in self.components:
                self.get("server").start()
            self.get("telemetry").start_metrics_server()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        # Components that stop slowly (a worker finishing the messages in hand) all begin first.
        for component in self.components.values():
            getattr(component, "request_stop", lambda: None)()
        if "server" in self.components:
            self.components["server"].stop()
        for name in reversed([n for n in self.order if n in self.components and n != "server"]):
            try:
                getattr(self.components[name], "stop", lambda: None)()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("stopping %s failed", name)

    def service(self, name: str):
        """A service's runtime (db, outbox, app) in this process, for tests and admin commands."""
        if name not in SERVICES:
            raise KeyError(name)
        return self.components.get(name) or self.components[f"{name}-worker"].runtime
