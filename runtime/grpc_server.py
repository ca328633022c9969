"""The one gRPC server of a process: servicers of its modules, health, reflection, interceptors.

- Health (`grpc.health.v1`) per service by its full name, and "" for the whole process; readiness
  is real: a background check asks each module whether its database and broker answer.
- Reflection for every registered service.
- Interceptors: tracing (trace context from metadata), metrics (latency histogram), and error
  mapping (domain errors to status codes with details; anything else to a generic INTERNAL).
- SIGTERM: health goes NOT_SERVING, new calls are refused, in-flight calls get `grace_seconds`.
- The listener: mutual TLS with `[tls]` files (reloaded when renewed), else plaintext, which only a
  loopback address or `server.plaintext` allows (runtime/tls.py, docs/pki.md).
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from concurrent import futures
from pathlib import Path
from typing import Callable

import grpc
from google.protobuf.message import Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status
from opentelemetry import trace
from prometheus_client import Gauge

from runtime import audit, limits, tls
from runtime.config import Config
from runtime.errors import DomainError, InvalidArgument, to_status
from runtime.faults import internal_status, is_unavailable, unavailable_status
from runtime.identity.authn import Denied, Gate
from runtime.identity.context import Caller, acting, peer_address
from runtime.identity.principal import ANONYMOUS
from runtime.identity.scope import OutOfScope
from runtime.telemetry import Stopwatch, Telemetry

log = logging.getLogger(__name__)

# The grpc.health.v1 service name of the process's liveness (readiness is "" and each service's name).
LIVENESS = "liveness"


def _split(method: str) -> tuple[str, str]:
    _, service, name = method.split("/", 2)
    return service, name


def failure_status(exc: Exception, service: str, method: str, telemetry: Telemetry):
    """The status for an exception that is not a domain error: UNAVAILABLE for an outage, else INTERNAL.

    An outage (database, broker, object store unreachable) is retryable and says when to retry.
    Anything else is a bug: the caller gets an error id, the log gets the same id with the
    exception's class and stack (file, line, function; never the exception's text, which may carry
    personal data), and `pakn_rpc_internal_errors_total` counts it.
    """
    if is_unavailable(exc):
        log.warning("%s/%s: a dependency is unavailable (%s)", service, method, type(exc).__name__)
        return grpc.StatusCode.UNAVAILABLE, unavailable_status()
    error_id = uuid.uuid4().hex[:12]
    frames = traceback.extract_tb(exc.__traceback__)
    # The platform's own frames say where; a library's deepest frames rarely do.
    frames = [f for f in frames if "site-packages" not in f.filename] or frames
    stack = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    log.error("%s/%s failed: error id %s, %s at %s", service, method, error_id, type(exc).__name__, stack)
    telemetry.internal_errors.labels(service, method).inc()
    return grpc.StatusCode.INTERNAL, internal_status(error_id)


class ObservabilityInterceptor(grpc.ServerInterceptor):
    """Tracing, latency metrics, identity and error mapping around every handler.

    Order for each call: the span, then the caller admitted by the identity gate (authentication
    and the policy's roles: runtime/identity/authn.py), then the request limits, then the handler,
    which runs as the admitted caller (runtime/identity/context.py) inside the call's audit scope
    (runtime/audit.py: a mutating call's change commits with its record).
    """

    def __init__(self, telemetry: Telemetry, media_ids: int = limits.MEDIA_IDS, gate: Gate | None = None):
        self.telemetry = telemetry
        self.media_ids = media_ids
        self.gate = gate
        # Called with (caller, error, reason) for every refused call (the audit trail's denials).
        self.on_denied: list[Callable[[Caller, DomainError, str], None]] = []

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        service, method = _split(handler_call_details.method)
        metadata = {k: v for k, v in (handler_call_details.invocation_metadata or ()) if isinstance(v, str)}
        telemetry = self.telemetry
        media_ids = self.media_ids
        gate = self.gate
        on_denied = self.on_denied
        full_method = handler_call_details.method
        raw_metadata = handler_call_details.invocation_metadata

        def refused(caller: Caller, error: DomainError, reason: str) -> None:
            for hook in on_denied:
                try:
                    hook(caller, error, reason)
                except Exception:  # noqa: BLE001 - a denial is refused whatever its record does
                    log.exception("recording a denial failed")

        def admit(context) -> Caller:
            if gate is None:
                return Caller(ANONYMOUS, peer_address(context.peer() or ""), action=full_method)
            try:
                return gate.admit(full_method, raw_metadata, context.peer())
            except Denied as denied:
                refused(denied.caller, denied.error, denied.reason)
                raise denied.error from None

        def out_of_scope(caller: Caller | None, err: DomainError) -> None:
            """A use case's scope refusal (runtime/identity/scope.py) is a denial too."""
            if caller is not None and isinstance(err, OutOfScope):
                refused(caller, err, "out_of_scope")

        def check(request) -> None:
            """Limits of every field before any I/O (runtime/limits.py); a stream's messages are the service's."""
            if isinstance(request, Message):
                violations = limits.check(request, media_ids)
                if violations:
                    raise InvalidArgument(violations)

        def wrap_unary(behavior):
            def call(request_or_iterator, context):
                watch, code = Stopwatch(), grpc.StatusCode.OK
                with telemetry.span(f"{service}/{method}", kind=trace.SpanKind.SERVER, parent_carrier=metadata,
                                    attributes={"rpc.system": "grpc", "rpc.service": service,
                                                "rpc.method": method}) as span:
                    caller = None
                    try:
                        caller = admit(context)
                        check(request_or_iterator)
                        with acting(caller), audit.call(caller, request_or_iterator):
                            return behavior(request_or_iterator, context)
                    except DomainError as err:
                        code = err.code
                        out_of_scope(caller, err)
                        span.set_attribute("rpc.grpc.status_code", code.value[0])
                        context.abort_with_status(rpc_status.to_status(to_status(err)))
                    except grpc.RpcError:
                        code = (context.code() if hasattr(context, "code") and context.code()
                                else grpc.StatusCode.UNKNOWN)
                        raise
                    except Exception as exc:  # noqa: BLE001 - never leak exception text
                        code, status = failure_status(exc, service, method, telemetry)
                        span.set_attribute("rpc.grpc.status_code", code.value[0])
                        span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
                        context.abort_with_status(rpc_status.to_status(status))
                    finally:
                        telemetry.rpc_latency.labels(service, method, code.name).observe(watch.elapsed())
            return call

        def wrap_stream(behavior):
            def call(request_or_iterator, context):
                watch, code = Stopwatch(), grpc.StatusCode.OK
                with telemetry.span(f"{service}/{method}", kind=trace.SpanKind.SERVER, parent_carrier=metadata):
                    caller = None
                    try:
                        caller = admit(context)
                        check(request_or_iterator)
                        with acting(caller), audit.call(caller, request_or_iterator):
                            yield from behavior(request_or_iterator, context)
                    except DomainError as err:
                        code = err.code
                        out_of_scope(caller, err)
                        context.abort_with_status(rpc_status.to_status(to_status(err)))
                    except grpc.RpcError:
                        code = grpc.StatusCode.UNKNOWN
                        raise
                    except Exception as exc:  # noqa: BLE001 - never leak exception text
                        code, status = failure_status(exc, service, method, telemetry)
                        context.abort_with_status(rpc_status.to_status(status))
                    finally:
                        telemetry.rpc_latency.labels(service, method, code.name).observe(watch.elapsed())
            return call

        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(wrap_unary(handler.unary_unary),
                                                       handler.request_deserializer, handler.response_serializer)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(wrap_unary(handler.stream_unary),
                                                        handler.request_deserializer, handler.response_serializer)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(wrap_stream(handler.unary_stream),
                                                        handler.request_deserializer, handler.response_serializer)
        return grpc.stream_stream_rpc_method_handler(wrap_stream(handler.stream_stream),
                                                     handler.request_deserializer, handler.response_serializer)


class GrpcServer:
    def __init__(self, config: Config, telemetry: Telemetry, gate: Gate | None = None):
        # Before anything is built: a plaintext listener other hosts could reach is refused.
        tls.check_listener(config)
        self.config = config
        # The TLS files in use, reloaded when they change (None: plaintext).
        self.certificates: tls.ReloadingServerCertificates | None = None
        self.interceptor = ObservabilityInterceptor(telemetry, config.intake.case_max_files, gate)
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=config.server.max_workers, thread_name_prefix="grpc"),
            interceptors=[self.interceptor],
            options=[("grpc.max_receive_message_length", 8 * 1024 * 1024),
                     ("grpc.so_reuseport", 0)],
        )
        self.health = health.HealthServicer(experimental_non_blocking=True)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service_names: list[str] = [health.SERVICE_NAME, reflection.SERVICE_NAME]
        self.readiness: dict[str, Callable[[], bool]] = {}
        self.port: int | None = None
        self._stop = threading.Event()
        self._checker: threading.Thread | None = None

    def add(self, full_name: str, register: Callable[[grpc.Server], None], ready: Callable[[], bool]) -> None:
        register(self.server)
        self.service_names.append(full_name)
        self.readiness[full_name] = ready
        self.health.set(full_name, health_pb2.HealthCheckResponse.NOT_SERVING)

    def start(self) -> int:
        # "liveness": SERVING while the process serves at all (a probe that restarts the pod checks
        # this); "" and each service's name: readiness (its database answers).
        self.health.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
        reflection.enable_server_reflection(self.service_names, self.server)
        address = f"{self.config.server.host}:{self.config.server.port}"
        secure = tls.server_credentials(self.config)
        if secure is not None:
            credentials, self.certificates = secure
            self.port = self.server.add_secure_port(address, credentials)
            certificates = self.certificates
            # Alert when it comes near: a renewal that was not taken leaves it where it was.
            Gauge("pakn_tls_certificate_not_after_seconds", "When the gRPC server's certificate in use expires "
                  "(Unix time)", registry=self.interceptor.telemetry.registry,
                  ).set_function(lambda: certificates.material.not_after_timestamp)
        else:
            self.port = self.server.add_insecure_port(address)
        if not self.port:
            raise OSError(f"cannot listen on {address}")
        self.server.start()
        self.check_readiness()
        self._checker = threading.Thread(target=self._check_loop, name="readiness", daemon=True)
        self._checker.start()
        log.info("gRPC (%s) on %s:%s serving %s", "mutual TLS" if secure else "plaintext",
                 self.config.server.host, self.port,
                 ", ".join(n for n in self.readiness))
        return self.port

    def check_readiness(self) -> bool:
        all_ready = True
        for name, ready in self.readiness.items():
            ok = bool(ready())
            all_ready &= ok
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING if ok
                            else health_pb2.HealthCheckResponse.NOT_SERVING)
        self.health.set("", health_pb2.HealthCheckResponse.SERVING if all_ready
                        else health_pb2.HealthCheckResponse.NOT_SERVING)
        return all_ready

    def _check_loop(self) -> None:
        while not self._stop.wait(self.config.server.readiness_interval_seconds):
            try:
                self.check_readiness()
            except Exception:  # noqa: BLE001
                log.exception("readiness check failed")

    def stop(self) -> None:
        """Graceful: NOT_SERVING first, then let in-flight calls finish within the grace period."""
        self._stop.set()
        self.health.enter_graceful_shutdown()
        self.server.stop(self.config.server.grace_seconds).wait()
