"""Events over real RabbitMQ, on real PostgreSQL: the outbox survives a broker outage, and a
nameko worker process consumes idempotently."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from kombu import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from runtime.messaging import make_envelope, unpack
from runtime.modules import spec_of
from runtime.rabbitmq import RabbitPublisher, decode, queue_name
from tests.helpers import eventually, now_ts, place
from tests.infra import TcpProxy, env_settings, fernet_keys

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def routing_queue() -> str:
    sub = next(s for s in spec_of("routing").subscriptions if s.event_type == "case.received")
    return queue_name("routing", sub)


def take(amqp_uri: str, queue: str, timeout: float = 10.0) -> list[events_pb2.EventEnvelope]:
    """Read (and ack) every message now in a queue."""
    out = []
    with Connection(amqp_uri) as conn:
        q = conn.SimpleQueue(queue, no_ack=False)
        try:
            while True:
                msg = q.get(block=True, timeout=1 if out else timeout)
                out.append(decode(msg.payload))
                msg.ack()
        except q.Empty:
            pass
        finally:
            q.close()
    return out


def test_acknowledged_submission_survives_a_broker_outage(start_platform, clients_for, postgres_url, amqp_uri):
    rest = amqp_uri.split("@", 1)[1]
    host_port, vhost = rest.split("/", 1)
    host, port = host_port.split(":")
    proxy = TcpProxy(host, int(port))  # not up yet: the broker is "down"
    p = start_platform("intake", **{"database.url": postgres_url, "events.backend": "rabbitmq",
                                    "events.amqp_uri": f"amqp://guest:guest@{proxy.address}/{vhost}",
                                    **fernet_keys()})
    c = clients_for(p)
    r = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_ZALO, external_id="zalo-42",
        content="Cống thoát nước trước nhà số 12 bị tắc, nước tràn vào nhà khi mưa",
        occurred_at=now_ts(), location=place("Số 12 đường Cách Mạng Tháng Tám"),
        submitter=intake_pb2.Submitter(full_name="Lê Văn Cường", phone="0987654321", email="cuong@example.vn")))
    assert r.tracking_code
    relay = p.service("intake").relay
    # The submission is durable although nothing could be published.
    assert relay.backlog() == 1
    with p.service("intake").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM intake.cases WHERE case_id = :c"),
                            {"c": r.case_id}).scalar_one() == 1
    proxy.up()
    try:
        eventually(lambda: relay.backlog() == 0, timeout=30)
        events = take(amqp_uri, routing_queue())
        assert [e.case_id for e in events] == [r.case_id]
        assert unpack(events[0]).tracking_code == r.tracking_code
    finally:
        proxy.down()


# The routing worker, its case.received handler also recording each of its runs in the handler's
# own transaction, in a table with no key: a run that commits twice leaves two rows. (Routing's
# real handler is idempotent by itself, so its rows alone cannot tell whether the inbox worked.)
RECORDING_WORKER = """
import eventlet

eventlet.monkey_patch()  # first, as `pakn serve` does for a worker

import sqlalchemy as sa

from runtime.cli import main
from services.routing.app import RoutingHandlers

handle = RoutingHandlers.on_case_received


def recorded(self, conn, payload, envelope):
    conn.execute(sa.text("INSERT INTO public.handler_runs (event_id) VALUES (:e)"), {"e": envelope.event_id})
    return handle(self, conn, payload, envelope)


RoutingHandlers.on_case_received = recorded
main(["serve", "--target=routing-worker"], prog_name="pakn")
"""


def test_nameko_worker_consumes_once_even_when_redelivered(tmp_path, postgres_url, amqp_uri):
    from tests.infra import free_port

    mport = free_port()
    settings = {"database.url": postgres_url, "events.backend": "rabbitmq", "events.amqp_uri": amqp_uri,
                "data_dir": str(tmp_path), "metrics.port": mport, **fernet_keys()}
    env = {**os.environ, **env_settings(settings)}
    setup = sa.create_engine(postgres_url)
    with setup.begin() as conn:
        conn.execute(sa.text("CREATE TABLE public.handler_runs (event_id text NOT NULL)"))
    setup.dispose()
    worker = subprocess.Popen([sys.executable, "-c", RECORDING_WORKER], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        publisher = RabbitPublisher(amqp_uri, {"routing": spec_of("routing").subscriptions})
        envelope = make_envelope("intake", "case.received", "case-rmq-1", events_pb2.CaseReceived(
            case_id="case-rmq-1", tracking_code="26-0000000", channel=common_pb2.CHANNEL_EMAIL,
            content="Đèn đường khu phố 3 không sáng"))
        publisher.publish(envelope)
        publisher.publish(envelope)  # the broker redelivers, or a relay published twice
        engine = sa.create_engine(postgres_url)
        try:
            def handled():
                with engine.connect() as conn:
                    try:
                        return conn.execute(sa.text(
                            "SELECT count(*) FROM routing.inbox WHERE event_id = :e"), {"e": envelope.event_id}
                        ).scalar_one() == 1
                    except sa.exc.ProgrammingError:
                        return False
            eventually(handled, timeout=60)
            with engine.connect() as conn:
                assert conn.execute(sa.text(
                    "SELECT count(*) FROM routing.cases WHERE case_id = 'case-rmq-1'")).scalar_one() == 1
            # Both deliveries consumed (queue empty) and still one case.
            eventually(lambda: take(amqp_uri, queue_name("routing", next(
                s for s in spec_of("routing").subscriptions if s.event_type == "case.received")), timeout=1) == [])
            # The handler ran once: the second delivery was recognised by the inbox, not by luck of
            # the handler's own checks.
            def consumed(outcome: str) -> float:
                import urllib.request

                with urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=5) as r:
                    text = r.read().decode()
                want = ('pakn_events_consumed_total{event_type="case.received",'
                        f'outcome="{outcome}",service="routing"}} ')
                return next((float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(want)),
                            0.0)
            eventually(lambda: consumed("ok") + consumed("duplicate") == 2, timeout=30)
            assert (consumed("ok"), consumed("duplicate")) == (1.0, 1.0)
            # ... and the handler's work was committed once for the two deliveries.
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM public.handler_runs WHERE event_id = :e"),
                                    {"e": envelope.event_id}).scalar_one() == 1
        finally:
            engine.dispose()
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=30)
    assert worker.returncode in (0, -15), out.decode(errors="replace")[-2000:]
