"""Microservices mode for tests: one `pakn serve` process per service API plus the workers,
on PostgreSQL, RabbitMQ, SeaweedFS and a real SMTP server; mutual TLS between them, each process
with its own certificate from `pakn admin pki init` (docs/pki.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from runtime import pki
from runtime.config import load
from runtime.modules import SERVICES, spec_of
from runtime.tls import channel_credentials
from tests.infra import env_settings, fernet_keys, free_port, port_open


class Cluster:
    # Mutual TLS: every process gets PAKN_TLS__DIR=<folder>/pki/<its name>; clients (config()) the CLI's.
    tls = True

    def __init__(self, folder: Path, postgres_url: str, amqp_uri: str, seaweedfs, smtp_server):
        self.folder = folder
        self.pki = folder / "pki"
        if self.tls:
            pki.init(self.pki)  # what an operator runs once: a CA and one certificate per process
        self.ports = {s: free_port() for s in SERVICES}
        # The embedded issuer runs alone (target identity); the others verify its tokens by its JWKS.
        self.identity_port = free_port()
        self.issuer = f"http://127.0.0.1:{self.identity_port}"
        self.settings: dict[str, object] = {
            "data_dir": str(folder), "database.url": postgres_url, "database.auto_migrate": False,
            "events.backend": "rabbitmq", "events.amqp_uri": amqp_uri, "events.relay_interval_seconds": 0.1,
            "media.backend": "s3", "media.s3_endpoint": seaweedfs.endpoint, "media.s3_bucket": "pakn-e2e",
            "media.s3_access_key": seaweedfs.access_key, "media.s3_secret_key": seaweedfs.secret_key,
            "mail.backend": "smtp", "mail.smtp_host": "127.0.0.1", "mail.smtp_port": smtp_server.port,
            "server.grace_seconds": 5, "server.readiness_interval_seconds": 0.5, "log_level": "WARNING",
            **fernet_keys(),
            **{f"clients.{s}": f"127.0.0.1:{p}" for s, p in self.ports.items()},
            "identity.embedded_issuer": self.issuer, "identity.http_port": self.identity_port,
        }
        self.env = {**os.environ, **env_settings(self.settings)}
        self.processes: dict[str, subprocess.Popen] = {}

    def config(self, name: str = "cli"):
        """The settings of a client of the cluster (the CLI's certificate), or of the process `name`."""
        return load(environ={}, overrides={**self.settings, **self.tls_settings(name)})

    def tls_settings(self, name: str) -> dict[str, str]:
        return {"tls.dir": str(self.pki / name)} if self.tls else {}

    def process_env(self, name: str) -> dict[str, str]:
        """A process's environment: the cluster's settings and its own certificate."""
        return {**self.env, **env_settings(self.tls_settings(name))}

    def token(self, role, unit: str | None = None, channel: str | None = None, subject: str | None = None) -> str:
        """An access token of the cluster's issuer for one role (tests act as the role a step needs)."""
        from runtime.identity.issuer import EmbeddedIssuer, SigningKeys

        # Signed with the identity process's own keys: the services verify it through its JWKS.
        config = self.config()
        keys = SigningKeys(self.folder / "identity-data" / "identity" / "signing-keys.json")
        issuer = EmbeddedIssuer(config.identity.embedded_issuer, config.identity.audience, keys)
        who = subject or f"e2e-{role}" + (f"@{unit}" if unit else "") + (f"#{channel}" if channel else "")
        return issuer.issue(who, [role], unit_id=unit, channel=channel,
                            client_id=f"pakn-{channel}" if channel else None, lifetime=1800)

    def channel(self, port: int) -> grpc.Channel:
        """A channel to one process, as the CLI."""
        credentials = channel_credentials(self.config())
        return (grpc.secure_channel(f"127.0.0.1:{port}", credentials) if credentials is not None
                else grpc.insecure_channel(f"127.0.0.1:{port}"))

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        log = open(self.folder / f"{name}.log", "wb")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", "runtime.cli", *args],
                                                env={**self.process_env(name), **(env or {})}, stdout=log,
                                                stderr=subprocess.STDOUT)

    def start(self, timeout: float = 90.0) -> "Cluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        # Migrations run once, before the services (as the chart's pre-install Job does).
        subprocess.run([sys.executable, "-m", "runtime.cli", "migrate"], env=self.env, check=True,
                       capture_output=True, timeout=120)
        # The issuer's keys in a data folder of its own, as in a pod of its own: the services cannot
        # read them and must fetch its JWKS over HTTP.
        self._spawn("identity", "serve", "--target=identity", f"--metrics-port={free_port()}",
                    env={"PAKN_DATA_DIR": str(self.folder / "identity-data")})
        for service, port in self.ports.items():
            self._spawn(service, "serve", f"--target={service}", f"--port={port}", f"--metrics-port={free_port()}")
        self._spawn("workers", "serve", "--target=workers", f"--metrics-port={free_port()}")
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.identity_port):
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"identity not listening; see {self.folder}/identity.log")
            time.sleep(0.2)
        for service, port in self.ports.items():
            with self.channel(port) as channel:
                stub = health_pb2_grpc.HealthStub(channel)
                while True:
                    self._check_alive()
                    try:
                        r = stub.Check(health_pb2.HealthCheckRequest(service=spec_of(service).full_name), timeout=2)
                        if r.status == health_pb2.HealthCheckResponse.SERVING:
                            break
                    except grpc.RpcError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{service} not SERVING; see {self.folder}/{service}.log")
                    time.sleep(0.2)
        return self

    def _check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                log = (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log}")

    def stop(self) -> dict[str, int]:
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = {}
        for name, proc in self.processes.items():
            try:
                codes[name] = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
        return codes
