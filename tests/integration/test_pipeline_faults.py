"""The event pipeline and the APIs under a lost database or broker (docs/reliability.md).

The faults are real: the service talks to the shared PostgreSQL or RabbitMQ through a loopback
fault proxy that is taken down and brought back; the servers themselves are never touched.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import grpc
import pytest
import sqlalchemy as sa
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from runtime.faults import Redeliver, is_unavailable
from runtime.grpc_server import LIVENESS, failure_status
from runtime.messaging import make_envelope
from runtime.modules import spec_of
from runtime.rabbitmq import RabbitPublisher
from tests.helpers import eventually, now_ts, place
from tests.infra import FaultProxy, env_settings, fernet_keys, free_port

pytestmark = [pytest.mark.postgres]


def pg_proxy(postgres_url: str) -> tuple[FaultProxy, str]:
    url = sa.engine.make_url(postgres_url)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.up()
    return proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def amqp_proxy(amqp_uri: str) -> tuple[FaultProxy, str]:
    rest = amqp_uri.split("@", 1)[1]
    host_port, vhost = rest.split("/", 1)
    host, port = host_port.split(":")
    proxy = FaultProxy(host, int(port))
    proxy.up()
    return proxy, f"amqp://guest:guest@{proxy.address}/{vhost}"


def request() -> intake_pb2.SubmitCaseRequest:
    return intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
        content="Ống nước vỡ trên đường Cách Mạng Tháng Tám, nước chảy tràn ra đường",
        occurred_at=now_ts(), location=place(),
        submitter=intake_pb2.Submitter(full_name="Trần Thị Hoa", phone="0912345678", email="hoa@example.vn"))


def health(channel, service: str) -> int:
    return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def test_a_database_outage_is_unavailable_with_a_retry_time_and_readiness_follows_it(
        start_platform, clients_for, postgres_url):
    proxy, url = pg_proxy(postgres_url)
    try:
        p = start_platform("intake", **{"database.url": url, "server.readiness_interval_seconds": 0.2,
                                        **fernet_keys()})
        c = clients_for(p)
        channel = grpc.insecure_channel(f"127.0.0.1:{p.port}")
        intake = spec_of("intake").full_name
        assert c.intake.SubmitCase(request()).tracking_code
        assert health(channel, intake) == SERVING

        proxy.down()
        with pytest.raises(grpc.RpcError) as caught:
            c.intake.SubmitCase(request())
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        status = rpc_status.from_call(caught.value)
        retry = [d for d in status.details if d.Is(error_details_pb2.RetryInfo.DESCRIPTOR)]
        assert len(retry) == 1
        info = error_details_pb2.RetryInfo()
        retry[0].Unpack(info)
        assert info.retry_delay.ToMilliseconds() > 0
        assert "Hoa" not in status.message and "example.vn" not in status.message
        # Not ready (a load balancer sends calls elsewhere), but alive (nothing restarts the process).
        eventually(lambda: health(channel, intake) == NOT_SERVING and health(channel, "") == NOT_SERVING,
                   timeout=15)
        assert health(channel, LIVENESS) == SERVING

        proxy.up()
        eventually(lambda: health(channel, intake) == SERVING and health(channel, "") == SERVING, timeout=15)
        r = c.intake.SubmitCase(request())
        assert r.tracking_code
        channel.close()
    finally:
        proxy.down()


@pytest.mark.rabbitmq
def test_intake_stays_ready_while_the_broker_is_down(start_platform, clients_for, postgres_url, amqp_uri):
    proxy, uri = amqp_proxy(amqp_uri)
    proxy.down()
    try:
        p = start_platform("intake", **{"database.url": postgres_url, "events.backend": "rabbitmq",
                                        "events.amqp_uri": uri, "metrics.enabled": True,
                                        "events.queue_monitor_seconds": 0.2, **fernet_keys()})
        c = clients_for(p)
        assert c.intake.SubmitCase(request()).tracking_code  # the outbox holds its event
        channel = grpc.insecure_channel(f"127.0.0.1:{p.port}")
        assert health(channel, spec_of("intake").full_name) == SERVING
        assert health(channel, "") == SERVING
        channel.close()
        port = p.get("telemetry").metrics_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            assert r.status == 200
        registry = p.get("telemetry").registry
        assert registry.get_sample_value("pakn_outbox_backlog", {"service": "intake"}) is not None
        assert p.service("intake").relay.backlog() == 1
    finally:
        proxy.down()


def test_a_consumer_gives_an_event_back_when_its_database_is_down_and_handles_it_once_after(
        start_platform, postgres_url):
    proxy, url = pg_proxy(postgres_url)
    try:
        p = start_platform("routing", **{"database.url": url, "events.consumer_attempts": 2, **fernet_keys()})
        consumer = p.service("routing").consumer
        envelope = make_envelope("intake", "case.received", "case-down-1", events_pb2.CaseReceived(
            case_id="case-down-1", tracking_code="26-0000000", channel=common_pb2.CHANNEL_EMAIL,
            content="Đèn đường khu phố 3 không sáng"))
        sub = next(iter(consumer.matching(envelope)))
        proxy.down()
        with pytest.raises(Redeliver) as caught:
            consumer.handle(sub, envelope)
        assert caught.value.event_id == envelope.event_id
        proxy.up()
        assert consumer.parked() == 0  # not parked: the event was not at fault
        assert consumer.handle(sub, envelope) is True
        assert consumer.handle(sub, envelope) is True  # a redelivery is harmless
        with p.service("routing").db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM routing.cases WHERE case_id = 'case-down-1'")
                                ).scalar_one() == 1
    finally:
        proxy.down()


def test_an_internal_error_has_an_error_id_in_the_status_and_the_log_but_not_its_text(caplog):
    from runtime.config import load
    from runtime.telemetry import Telemetry

    telemetry = Telemetry(load(environ={}, overrides={"metrics.enabled": False}), "test")
    try:
        raise KeyError("Nguyễn Văn An 0912345678")
    except KeyError as exc:
        with caplog.at_level(logging.ERROR):
            code, status = failure_status(exc, "pakn.intake.v1.IntakeService", "SubmitCase", telemetry)
    assert code == grpc.StatusCode.INTERNAL
    info = error_details_pb2.ErrorInfo()
    next(d for d in status.details if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)).Unpack(info)
    error_id = info.metadata["error_id"]
    assert len(error_id) == 12 and error_id in status.message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert error_id in logged and "KeyError" in logged and "test_pipeline_faults.py" in logged
    assert "Nguyễn" not in logged and "0912345678" not in logged and "Nguyễn" not in status.message
    assert telemetry.registry.get_sample_value(
        "pakn_rpc_internal_errors_total",
        {"grpc_service": "pakn.intake.v1.IntakeService", "grpc_method": "SubmitCase"}) == 1


def test_outages_are_told_from_bugs(postgres_url):
    proxy, url = pg_proxy(postgres_url)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    proxy.down()
    try:
        with pytest.raises(sa.exc.OperationalError) as down:
            with engine.connect():
                pass
        assert is_unavailable(down.value)
    finally:
        engine.dispose()
    healthy = sa.create_engine(postgres_url)
    try:
        with pytest.raises(sa.exc.ProgrammingError) as bug:
            with healthy.connect() as conn:
                conn.exec_driver_sql("SELECT * FROM no_such_table")
        assert not is_unavailable(bug.value)
        with pytest.raises(sa.exc.DataError) as too_long:
            with healthy.connect() as conn:
                conn.exec_driver_sql("SELECT CAST('abcdef' AS varchar(3))::char(2)::int")
        assert not is_unavailable(too_long.value)
    finally:
        healthy.dispose()
    assert not is_unavailable(ValueError("x")) and is_unavailable(ConnectionRefusedError())


# -- a worker process: reconnects by itself, says so while it cannot, stops within its grace ----------

def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            return r.status == 200
    except urllib.error.HTTPError as err:
        assert err.code == 503
        return False
    except OSError:
        return False


def sample(text: str, name: str, **labels) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.rabbitmq
@pytest.mark.slow
def test_a_worker_reconnects_by_itself_and_its_health_says_so_meanwhile(tmp_path, postgres_url, amqp_uri):
    proxy, uri = amqp_proxy(amqp_uri)
    mport = free_port()
    settings = {"database.url": postgres_url, "events.backend": "rabbitmq", "events.amqp_uri": uri,
                "data_dir": str(tmp_path), "metrics.port": mport, "events.heartbeat_seconds": 2,
                "events.queue_monitor_seconds": 0.5, "server.grace_seconds": 5, **fernet_keys()}
    env = {**os.environ, **env_settings(settings)}
    subprocess.run([sys.executable, "-m", "runtime.cli", "migrate", "--target=routing"], env=env, check=True,
                   capture_output=True, timeout=120)
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--target=routing-worker"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    engine = sa.create_engine(postgres_url)
    publisher = RabbitPublisher(amqp_uri, {"routing": spec_of("routing").subscriptions})

    def publish(case_id: str):
        envelope = make_envelope("intake", "case.received", case_id, events_pb2.CaseReceived(
            case_id=case_id, tracking_code="26-0000000", channel=common_pb2.CHANNEL_EMAIL,
            content="Đèn đường khu phố 3 không sáng"))
        publisher.publish(envelope)

    def cases(case_id: str) -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM routing.cases WHERE case_id = :c"),
                                {"c": case_id}).scalar_one()

    try:
        eventually(lambda: ready(mport), timeout=60, interval=0.2)
        publish("case-w-1")
        eventually(lambda: cases("case-w-1") == 1, timeout=30)

        # Connections cut while the proxy still listens: kombu reconnects at once.
        assert proxy.cut() > 0
        publish("case-w-2")
        eventually(lambda: cases("case-w-2") == 1, timeout=30)

        # The broker unreachable for a while: not ready, consumer down, and back by itself after.
        proxy.down()
        publish("case-w-3")  # the broker itself is up: the message waits in the queue
        eventually(lambda: not ready(mport), timeout=20, interval=0.2)
        assert sample(metrics(mport), "pakn_consumer_up", service="routing") == 0
        time.sleep(1)
        assert worker.poll() is None  # it waits for the broker, alive
        assert cases("case-w-3") == 0
        proxy.up()
        eventually(lambda: cases("case-w-3") == 1, timeout=60, interval=0.2)
        eventually(lambda: ready(mport), timeout=20, interval=0.2)
        text = metrics(mport)
        assert sample(text, "pakn_consumer_up", service="routing") == 1
        last = sample(text, "pakn_consumer_last_message_timestamp_seconds", service="routing")
        assert (last or 0) > time.time() - 120

        # SIGTERM: the process exits 0 within its grace period.
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
        took = time.monotonic() - started
        assert code == 0, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        # Within the grace period (5 s); the process's own watchdog ends it a second after that, and
        # a busy machine may take a moment more to start and end the interpreter.
        assert took < 7.0, took
        assert all(cases(c) == 1 for c in ("case-w-1", "case-w-2", "case-w-3"))
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        engine.dispose()
        proxy.down()


@pytest.mark.rabbitmq
@pytest.mark.slow
def test_quorum_queues_as_production_runs_them(tmp_path, postgres_url, amqp_uri):
    """events.queue_type = "quorum": the publisher and the worker declare the same quorum queues."""
    from kombu import Connection, Queue
    from nameko.standalone.events import get_event_exchange

    from runtime.rabbitmq import queue_name

    settings = {"database.url": postgres_url, "events.backend": "rabbitmq", "events.amqp_uri": amqp_uri,
                "events.queue_type": "quorum", "data_dir": str(tmp_path), "metrics.enabled": False,
                **fernet_keys()}
    env = {**os.environ, **env_settings(settings)}
    subprocess.run([sys.executable, "-m", "runtime.cli", "migrate", "--target=routing"], env=env, check=True,
                   capture_output=True, timeout=120)
    publisher = RabbitPublisher(amqp_uri, {"routing": spec_of("routing").subscriptions}, "quorum")
    envelope = make_envelope("intake", "case.received", "case-q-1", events_pb2.CaseReceived(
        case_id="case-q-1", tracking_code="26-0000000", channel=common_pb2.CHANNEL_EMAIL,
        content="Đèn đường khu phố 3 không sáng"))
    publisher.publish(envelope)
    sub = next(s for s in spec_of("routing").subscriptions if s.event_type == "case.received")
    # Declaring it as a classic queue now fails: it is a quorum queue.
    with Connection(amqp_uri) as conn:
        with pytest.raises(Exception) as refused:
            Queue(queue_name("routing", sub), exchange=get_event_exchange("intake", {}),
                  routing_key="case.received", durable=True)(conn.channel()).declare()
        assert getattr(refused.value, "reply_code", None) == 406  # PRECONDITION_FAILED: x-queue-type differs
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--target=routing-worker"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    engine = sa.create_engine(postgres_url)
    try:
        def handled():
            with engine.connect() as conn:
                return conn.execute(sa.text("SELECT count(*) FROM routing.cases WHERE case_id = 'case-q-1'")
                                    ).scalar_one() == 1
        eventually(handled, timeout=60, interval=0.2)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        engine.dispose()


@pytest.mark.rabbitmq
def test_a_queue_with_messages_and_no_consumer_is_reported_stalled(start_platform, postgres_url, amqp_uri):
    from tests.integration.test_events_rabbitmq import routing_queue, take

    p = start_platform("routing", **{"database.url": postgres_url, "events.backend": "rabbitmq",
                                     "events.amqp_uri": amqp_uri, "events.queue_monitor_seconds": 0.2,
                                     **fernet_keys()})
    registry = p.get("telemetry").registry
    queue = routing_queue()
    publisher = RabbitPublisher(amqp_uri, {"routing": spec_of("routing").subscriptions})
    publisher.publish(make_envelope("intake", "case.received", "case-s-1", events_pb2.CaseReceived(
        case_id="case-s-1", tracking_code="26-0000000", channel=common_pb2.CHANNEL_EMAIL, content="Đèn hỏng")))
    # No routing worker runs: one message waits and nobody consumes it.
    eventually(lambda: registry.get_sample_value("pakn_queue_stalled", {"queue": queue}) == 1, timeout=15)
    assert registry.get_sample_value("pakn_queue_messages_ready", {"queue": queue}) == 1
    assert registry.get_sample_value("pakn_queue_consumers", {"queue": queue}) == 0
    assert registry.get_sample_value("pakn_broker_up") == 1
    assert len(take(amqp_uri, queue)) == 1
    eventually(lambda: registry.get_sample_value("pakn_queue_stalled", {"queue": queue}) == 0, timeout=15)
