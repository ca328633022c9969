"""Metrics (Prometheus) and traces (OpenTelemetry), built per process and injected.

No global registry and no global tracer provider: `Telemetry` owns both, so one process can hold
several configurations (tests do) and nothing happens at import time. Labels and span attributes
carry ids, service names, methods and codes, never personal data.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Callable, Iterator, Mapping, MutableMapping
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from runtime.config import Config

log = logging.getLogger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()


class Telemetry:
    def __init__(self, config: Config, process_name: str, span_exporter=None):
        self.config = config
        self.registry = CollectorRegistry()
        self.rpc_latency = Histogram(
            "pakn_rpc_duration_seconds",
            "gRPC server handling time",
            ["grpc_service", "grpc_method", "grpc_code"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.outbox_backlog = Gauge(
            "pakn_outbox_backlog", "Events written but not yet published", ["service"], registry=self.registry
        )
        self.parked_events = Gauge(
            "pakn_parked_events", "Events parked in failed_events: awaiting an automatic retry or an operator",
            ["service"], registry=self.registry,
        )
        self.events_published = Counter(
            "pakn_events_published_total", "Events published by the outbox relay", ["service", "event_type"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            "pakn_events_consumed_total", "Events handled by consumers", ["service", "event_type", "outcome"],
            registry=self.registry,
        )
        self.consumer_lag = Histogram(
            "pakn_consumer_lag_seconds", "Time from an event's occurrence to its handling", ["service", "event_type"],
            registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
        )
        self.cases_received = Counter(
            "pakn_cases_received_total", "Cases received, by channel", ["channel"], registry=self.registry
        )
        self.notifications = Counter(
            "pakn_notifications_total", "Notifications by channel and outcome", ["channel", "outcome"],
            registry=self.registry,
        )
        # The event pipeline's health, for alerts (docs/reliability.md).
        self.consumer_up = Gauge(
            "pakn_consumer_up", "1 while a worker's consumers are connected and consuming", ["service"],
            registry=self.registry,
        )
        self.consumer_restarts = Counter(
            "pakn_consumer_restarts_total", "Times a worker's consumers were found dead or stalled and restarted",
            ["service"], registry=self.registry,
        )
        self.consumer_last_message = Gauge(
            "pakn_consumer_last_message_timestamp_seconds", "When a worker last received a message (Unix time)",
            ["service"], registry=self.registry,
        )
        self.queue_ready = Gauge(
            "pakn_queue_messages_ready", "Messages waiting in a subscriber queue (consumer lag)", ["queue"],
            registry=self.registry,
        )
        self.queue_consumers = Gauge(
            "pakn_queue_consumers", "Consumers attached to a subscriber queue", ["queue"], registry=self.registry,
        )
        self.queue_stalled = Gauge(
            "pakn_queue_stalled", "1 when a subscriber queue has messages but no consumer", ["queue"],
            registry=self.registry,
        )
        self.broker_up = Gauge("pakn_broker_up", "1 when the broker answered the last queue check",
                               registry=self.registry)
        self.internal_errors = Counter(
            "pakn_rpc_internal_errors_total", "Calls answered INTERNAL (each has an error id in the log)",
            ["grpc_service", "grpc_method"], registry=self.registry,
        )
        # Readiness checks of this process (name -> callable), served on /readyz beside /metrics.
        self.readiness: dict[str, Callable[[], bool]] = {}
        resource = Resource.create({"service.name": f"pakn-{process_name}", "service.namespace": "pakn"})
        self.tracer_provider = TracerProvider(resource=resource)
        exporter = span_exporter
        if exporter is None and config.tracing.exporter == "console":
            exporter = ConsoleSpanExporter()
        if exporter is None and config.tracing.exporter == "otlp":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=config.tracing.otlp_endpoint, insecure=True)
        if exporter is not None:
            processor = SimpleSpanProcessor(exporter) if span_exporter is not None else BatchSpanProcessor(exporter)
            self.tracer_provider.add_span_processor(processor)
        self.tracer = self.tracer_provider.get_tracer("pakn")
        self._http = None

    def start_metrics_server(self) -> None:
        """/metrics, and the process's health for probes: /livez (it runs) and /readyz (its checks pass)."""
        m = self.config.metrics
        if not m.enabled or self._http is not None:
            return
        server = make_server(m.host, m.port, self._wsgi_app(), _ThreadingWSGIServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
        thread.start()
        self._http = (server, thread)
        log.info("metrics on http://%s:%s/metrics, health on /livez and /readyz", m.host, self.metrics_port)

    def ready(self) -> tuple[bool, dict[str, bool]]:
        """Every readiness check of this process, by name."""
        results: dict[str, bool] = {}
        for name, check in list(self.readiness.items()):
            try:
                results[name] = bool(check())
            except Exception:  # noqa: BLE001 - a failing check is "not ready"
                results[name] = False
        return all(results.values()), results

    def _wsgi_app(self):
        metrics = make_wsgi_app(self.registry)

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path == "/livez":
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok\n"]
            if path == "/readyz":
                ok, results = self.ready()
                body = "".join(f"{name}: {'ok' if good else 'failing'}\n" for name, good in sorted(results.items()))
                start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
                return [body.encode()]
            return metrics(environ, start_response)

        return app

    @property
    def metrics_port(self) -> int | None:
        return self._http[0].server_port if self._http else None

    def stop(self) -> None:
        if self._http is not None:
            server, thread = self._http
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            self._http = None
        self.tracer_provider.shutdown()

    # Trace context across gRPC calls and events.
    @staticmethod
    def inject(carrier: MutableMapping[str, str]) -> None:
        _PROPAGATOR.inject(carrier)

    @staticmethod
    def extract(carrier: Mapping[str, str]):
        return _PROPAGATOR.extract(carrier)

    @contextmanager
    def span(self, name: str, kind=trace.SpanKind.INTERNAL, parent_carrier: Mapping[str, str] | None = None,
             attributes: Mapping[str, object] | None = None) -> Iterator[trace.Span]:
        ctx = self.extract(parent_carrier) if parent_carrier else None
        token = otel_context.attach(ctx) if ctx is not None else None
        try:
            with self.tracer.start_as_current_span(name, kind=kind, attributes=dict(attributes or {})) as span:
                yield span
        finally:
            if token is not None:
                otel_context.detach(token)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - probes every few seconds would flood the log
        pass


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start
