"""Chaos scenarios in microservices mode, on the group's own RabbitMQ node and PostgreSQL cluster.

Each runs a burst of submissions, injects one fault mid-burst, recovers, and checks (see
harness.py): every submission acknowledged and stored; every stored case's `case.received`
handled exactly once by every subscriber (routing, publication, notification, reporting) or
parked in its failed_events; no call answered other than OK, UNAVAILABLE or DEADLINE_EXCEEDED;
and the time to drain after recovery. Figures go to the test's folder (figures.json) and to
var/chaos-results.json.
"""

from __future__ import annotations

import time
import uuid

import pytest
from cryptography.fernet import Fernet
from google.protobuf import any_pb2

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from runtime.messaging import make_envelope, ts, utcnow
from tests.infra import FaultProxy

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(420)]

OUTAGE = 10.0  # seconds a server stays down


def sleep_until(sc, at: float) -> None:
    delay = at - sc.now()
    if delay > 0:
        time.sleep(delay)


def conclude(sc, d, smtp_server, extra_failures=()) -> None:
    failures = sc.verdicts(d, smtp_server) + list(extra_failures)
    sc.finish(failures)
    assert not failures, f"{sc.name}: " + "; ".join(failures) + f" (figures: {sc.folder / 'figures.json'})"


def test_broker_killed_mid_burst(chaos, smtp_server):
    """SIGKILL of the broker mid-burst, back on the same port and data after ~10 s."""
    sc = chaos.start("broker-kill")
    sc.burst_start(200, rate=20)
    # Mid-burst and mid-handling: events are flowing to the workers.
    sc.wait_for(lambda: sc.delivered_count() >= 20, timeout=30)
    sc.fault()
    chaos.rabbit.kill()
    time.sleep(OUTAGE)
    chaos.rabbit.restart()
    sc.recovered()
    sc.figures.extra["broker_down_seconds"] = round(sc.figures.recovered_at - sc.figures.fault_at, 2)
    d = sc.drain()
    conclude(sc, d, smtp_server)


def test_database_stopped_mid_burst(chaos, smtp_server):
    """`pg_ctl stop -m immediate` mid-burst, started again after ~10 s."""
    sc = chaos.start("db-stop")
    sc.burst_start(200, rate=20)
    # Events flowing, with some waiting in the queues: those are consumed while the database is down.
    sc.wait_for(lambda: sc.delivered_count() >= 20, timeout=30)
    sc.fault()
    chaos.pg.stop_immediate()
    sc.figures.extra["queued_at_fault"] = sum(n for n, _ in chaos.rabbit.queues(chaos.vhost).values())
    time.sleep(max(0.0, OUTAGE - (sc.now() - sc.figures.fault_at)))
    chaos.pg.start()
    sc.recovered()
    sc.figures.extra["database_down_seconds"] = round(sc.figures.recovered_at - sc.figures.fault_at, 2)
    d = sc.drain()
    conclude(sc, d, smtp_server)


def test_workers_killed_mid_handler(chaos, smtp_server):
    """SIGKILL of the workers process while it handles the burst's events; restarted 2 s later."""
    sc = chaos.start("workers-kill")
    burst = sc.burst_start(150, rate=25)
    # Mid-handler: events are flowing (some handled, more coming).
    sc.wait_for(lambda: sc.delivered_count() >= 20, timeout=30)
    sc.fault()
    code = chaos.cluster.kill("workers")
    acknowledged_before = len(burst.acknowledged)
    handled_before = sc.delivered_count()
    time.sleep(2)
    chaos.cluster.restart("workers", "killed by the test (SIGKILL)")
    sc.recovered()
    sc.figures.extra.update(killed_exit_code=code, acknowledged_before_kill=acknowledged_before,
                            routing_handled_before_kill=handled_before)
    d = sc.drain()
    # Handled before the kill but not yet acknowledged to the broker: redelivered, and the inbox
    # makes them no-ops (harmless; how many shows how far acks lag behind handling).
    sc.figures.extra["redelivered_already_handled"] = chaos.cluster.metric(
        "workers", "pakn_events_consumed_total", outcome="duplicate")
    conclude(sc, d, smtp_server)


def test_workers_broker_connection_cut(chaos, smtp_server):
    """The workers reach the broker through a proxy; their connections are cut three times while
    they handle the burst, then refused for 5 s.

    The workers must reconnect by themselves, or exit non-zero (then restarted, as a supervisor
    would; recorded in the figures)."""
    def proxy(port):
        p = FaultProxy("127.0.0.1", port)
        p.up()
        return p

    sc = chaos.start("connection-cut", proxy=proxy)
    the_proxy = chaos.proxies[0]
    sc.burst_start(150, rate=25)
    sc.wait_for(lambda: sc.delivered_count() >= 20, timeout=30)
    sc.fault()
    # Cut while handlers run (a cut that lands on an ack or a requeue is the hard case), twice
    # more as the consumers reconnect, then refuse connections for 5 s.
    cut = [the_proxy.cut()]
    for _ in range(2):
        time.sleep(1.5)
        cut.append(the_proxy.cut())
    the_proxy.down()
    time.sleep(5)
    the_proxy.up()
    sc.recovered()
    sc.figures.extra["sockets_cut"] = cut
    d = sc.drain()
    exits = [e for e in chaos.cluster.exits if e["process"] == "workers"]
    sc.figures.extra["workers_recovered"] = "exited and restarted" if exits else "reconnected by itself"
    conclude(sc, d, smtp_server)


def _publish(amqp_uri: str, envelope: events_pb2.EventEnvelope) -> None:
    from kombu import Connection
    from nameko.standalone.events import get_event_exchange

    from runtime.rabbitmq import encode

    exchange = get_event_exchange(envelope.source, {})
    with Connection(amqp_uri, connect_timeout=5) as conn:
        conn.Producer(serializer="json").publish(
            encode(envelope), exchange=exchange, routing_key=envelope.event_type, declare=[exchange],
            delivery_mode=2, retry=False)


def test_poison_events_are_parked_and_the_rest_flows(chaos, smtp_server):
    """Two poison events published straight to intake's exchange mid-burst:
    - one notification cannot handle (its sealed contact opens to a JSON list, not an object):
      parked in notification's failed_events, handled by the other subscribers;
    - one whose payload is of no known type: parked by every subscriber.
    Neither may block its queues: the burst's events keep flowing to every subscriber."""
    sc = chaos.start("poison")
    key = chaos.cluster.settings["security.notification_key"]
    sc.burst_start(100, rate=25)
    sleep_until(sc, 1.5)
    case_id = str(uuid.uuid4())
    bad_contact = events_pb2.CaseReceived(
        case_id=case_id, tracking_code=f"PX{uuid.uuid4().hex[:8].upper()}", channel=common_pb2.CHANNEL_WEB_PORTAL,
        content="Phản ánh thử nghiệm", received_at=ts(utcnow()),
        sealed_contact=Fernet(key.encode()).encrypt(b"[]"))
    poison_one = make_envelope("intake", "case.received", case_id, bad_contact)
    unknown = make_envelope("intake", "case.received", str(uuid.uuid4()), events_pb2.CaseReceived())
    unknown.payload.CopyFrom(any_pb2.Any(type_url="type.googleapis.com/pakn.events.v1.NoSuchPayload",
                                         value=b"\n\x04test"))
    sc.fault()
    _publish(chaos.cluster.settings["events.amqp_uri"], poison_one)
    _publish(chaos.cluster.settings["events.amqp_uri"], unknown)
    sc.recovered()
    d = sc.drain()

    def settled():
        a, b = sc.checker.handled_or_parked(poison_one.event_id), sc.checker.handled_or_parked(unknown.event_id)
        return (a, b) if "missing" not in a.values() and "missing" not in b.values() else None

    sc.wait_for(settled, timeout=20, interval=0.5)
    first = sc.checker.handled_or_parked(poison_one.event_id)
    second = sc.checker.handled_or_parked(unknown.event_id)
    sc.figures.extra.update(poison_bad_contact=first, poison_unknown_payload=second)
    failures = []
    expected_first = {"routing": "handled", "publication": "handled", "notification": "parked:AttributeError",
                      "reporting": "handled"}
    if first != expected_first:
        failures.append(f"the event notification cannot handle ended as {first}, expected {expected_first}")
    if any(not v.startswith("parked:") for v in second.values()):
        failures.append(f"the event of an unknown payload type ended as {second}: every subscriber must park it")
    burst_parked = {s: n for s, n in ((s, len(d.parked[s])) for s in d.parked) if n}
    if burst_parked:
        failures.append(f"burst events parked beside the poison: {burst_parked}")
    conclude(sc, d, smtp_server, failures)


def test_workers_sigterm_while_handling(chaos, smtp_server):
    """SIGTERM of the workers process mid-burst: it exits 0 within the grace period (5 s), the
    messages in hand are finished and acknowledged (none handled twice after the restart), and
    nothing is lost once it is back."""
    sc = chaos.start("workers-sigterm")
    grace = float(chaos.cluster.settings["server.grace_seconds"])
    burst = sc.burst_start(150, rate=25)
    sc.wait_for(lambda: sc.delivered_count() >= 20, timeout=30)
    sc.fault()
    code, seconds = chaos.cluster.terminate("workers", timeout=60)
    sc.figures.extra.update(sigterm_exit_code=code, sigterm_exit_seconds=round(seconds, 2), grace_seconds=grace,
                            acknowledged_at_exit=len(burst.acknowledged),
                            routing_handled_at_exit=sc.delivered_count())
    time.sleep(1)
    chaos.cluster.restart("workers", "stopped by the test (SIGTERM), started again as after a deploy")
    sc.recovered()
    d = sc.drain()
    duplicates = chaos.cluster.metric("workers", "pakn_events_consumed_total", outcome="duplicate")
    sc.figures.extra["redelivered_already_handled"] = duplicates
    failures = []
    if code != 0:
        failures.append(f"workers exited with {code} on SIGTERM (expected 0)")
    # The grace period, plus a second for the interpreter to exit.
    if seconds > grace + 1.0:
        failures.append(f"workers took {seconds:.1f} s to exit on SIGTERM (grace period {grace:.0f} s)")
    if duplicates:
        failures.append(f"{duplicates:.0f} events were handled again after the restart: messages in hand at "
                        "SIGTERM were handled but not acknowledged")
    conclude(sc, d, smtp_server, failures)
