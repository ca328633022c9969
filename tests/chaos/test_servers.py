"""The chaos group's own servers behave as the scenarios assume: the RabbitMQ node keeps durable
queues and persistent messages across a SIGKILL, the PostgreSQL cluster keeps committed rows
across an immediate stop, and the fault proxy cuts connections and lets new ones in again."""

from __future__ import annotations

import socket
import uuid

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue

from tests.infra import FaultProxy

pytestmark = [pytest.mark.chaos, pytest.mark.slow]


def test_persistent_messages_in_durable_queues_survive_a_kill(rabbit_node):
    uri = rabbit_node.add_vhost(f"chaos-survive-{uuid.uuid4().hex[:6]}")
    exchange = Exchange("survive.events", type="topic", durable=True)
    queue = Queue("survive-q", exchange=exchange, routing_key="k", durable=True, auto_delete=False)
    with Connection(uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        for i in range(30):
            # Confirmed: a message the broker confirmed is on its disk.
            producer.publish({"i": i}, exchange=exchange, routing_key="k", declare=[queue], delivery_mode=2,
                             retry=False)
    vm = rabbit_node.beam_pid()
    rabbit_node.kill()
    assert rabbit_node.beam_pid() is None
    assert not _port_open(rabbit_node.port)
    rabbit_node.restart()
    assert rabbit_node.beam_pid() not in (None, vm)
    got = []
    with Connection(uri, connect_timeout=5) as conn:
        q = conn.SimpleQueue(queue, no_ack=False)
        try:
            while True:
                msg = q.get(block=True, timeout=2)
                got.append(msg.payload["i"])
                msg.ack()
        except q.Empty:
            pass
        finally:
            q.close()
    assert sorted(got) == list(range(30))


def test_committed_rows_survive_an_immediate_stop(pg_cluster):
    url = pg_cluster.create_database(f"chaos_survive_{uuid.uuid4().hex[:6]}")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n int)")
        conn.exec_driver_sql("INSERT INTO t SELECT generate_series(1, 100)")
    engine.dispose()
    pg_cluster.stop_immediate()
    assert not pg_cluster.running()
    pg_cluster.start()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 100
    engine.dispose()


def test_the_proxy_cuts_connections_and_lets_new_ones_in(rabbit_node):
    proxy = FaultProxy("127.0.0.1", rabbit_node.port)
    proxy.up()
    try:
        client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        client.sendall(b"AMQP\x00\x00\x09\x01")
        assert client.recv(1)  # the broker's Connection.Start came through
        proxy.down()
        client.settimeout(5)
        assert _closed(client)
        assert not _port_open(proxy.port)
        proxy.up()
        again = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        again.sendall(b"AMQP\x00\x00\x09\x01")
        assert again.recv(1)
        # cut(): the connections drop, the port stays open.
        assert proxy.cut() == 2
        assert _closed(again)
        assert _port_open(proxy.port)
    finally:
        proxy.down()


def _closed(sock: socket.socket) -> bool:
    try:
        while sock.recv(65536):
            pass
        return True
    except OSError:
        return True


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
