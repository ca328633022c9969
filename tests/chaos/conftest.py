"""Fixtures of the chaos group: a RabbitMQ node and a PostgreSQL cluster of its own for the whole
session (they get killed and stopped; the machine's shared servers are never touched), and per
test a fresh database, a fresh virtual host and the platform in microservices mode on them."""

from __future__ import annotations

import uuid

import pytest

from tests.chaos.harness import ChaosCluster, Checker, Scenario
from tests.chaos.infra import PgCluster, RabbitNode


@pytest.fixture(scope="session")
def rabbit_node(tmp_path_factory):
    node = RabbitNode(tmp_path_factory.mktemp("rabbitmq")).start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def pg_cluster():
    pg = PgCluster().start()
    yield pg
    pg.destroy()


class Chaos:
    """Starts one scenario's platform; stops it (and whatever it started) after the test."""

    def __init__(self, folder, rabbit: RabbitNode, pg: PgCluster, seaweedfs, smtp_server):
        self.folder, self.rabbit, self.pg = folder, rabbit, pg
        self.seaweedfs, self.smtp_server = seaweedfs, smtp_server
        self.cluster: ChaosCluster | None = None
        self.checker: Checker | None = None
        self.vhost = ""
        self.proxies = []

    def start(self, name: str, workers_amqp_uri=None, proxy=None, **settings) -> Scenario:
        """The platform of scenario `name`; `proxy(node_port) -> FaultProxy` puts one before the workers."""
        suffix = uuid.uuid4().hex[:8]
        url = self.pg.create_database(f"pakn_chaos_{name.replace('-', '_')}_{suffix}")
        self.vhost = f"chaos-{name}-{suffix}"
        amqp_uri = self.rabbit.add_vhost(self.vhost)
        if proxy is not None:
            p = proxy(self.rabbit.port)
            self.proxies.append(p)
            workers_amqp_uri = f"amqp://guest:guest@{p.address}/{self.vhost}"
        self.cluster = ChaosCluster(self.folder / "cluster", url, amqp_uri, self.seaweedfs, self.smtp_server,
                                    workers_amqp_uri=workers_amqp_uri, **settings)
        self.checker = Checker(url)
        self.cluster.start()
        return Scenario(name, self.cluster, self.checker, self.folder)

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
        if self.checker is not None:
            self.checker.close()
        for p in self.proxies:
            p.down()


@pytest.fixture
def chaos(tmp_path, rabbit_node, pg_cluster, seaweedfs, smtp_server):
    # A scenario before may have left them down: every scenario starts with both up.
    if rabbit_node.beam_pid() is None:
        rabbit_node.restart()
    if not pg_cluster.running():
        pg_cluster.start()
    c = Chaos(tmp_path, rabbit_node, pg_cluster, seaweedfs, smtp_server)
    yield c
    c.close()
