"""Fixtures: platforms started on ephemeral ports with their own data folder."""

from __future__ import annotations

import pytest

from runtime.clients import Clients
from runtime.config import load
from runtime.platform import Platform
from runtime.telemetry import Telemetry
from tests.infra import free_port


@pytest.fixture
def start_platform(tmp_path):
    """start_platform(target="all", **settings) -> a started Platform; stopped after the test.

    Settings use dotted names, e.g. start_platform("routing", **{"events.relay_interval_seconds": 0.1}).
    """
    started: list[Platform] = []

    def start(target: str = "all", span_exporter=None, **settings) -> Platform:
        issuer_port = free_port()  # each platform's embedded issuer on a port of its own (all, identity)
        overrides = {"data_dir": str(tmp_path / f"var-{len(started)}"), "server.port": 0,
                     "metrics.enabled": False, "metrics.port": 0, "events.relay_interval_seconds": 0.05,
                     "identity.http_port": issuer_port, "identity.embedded_issuer": f"http://127.0.0.1:{issuer_port}"}
        overrides.update(settings)
        config = load(environ={}, overrides=overrides)
        telemetry = Telemetry(config, target, span_exporter=span_exporter) if span_exporter else None
        platform = Platform(config, target, telemetry=telemetry).start()
        config.server.port = platform.port or 0
        started.append(platform)
        return platform

    yield start
    for platform in reversed(started):
        platform.stop()


@pytest.fixture
def clients_for():
    """clients_for(platform) -> Clients whose calls carry real tokens of the platform's issuer, each
    as a role the policy allows for the method (tests/actors.py); clients_for(platform, token=None)
    calls anonymously, clients_for(platform, token=t) with one token."""
    from tests.actors import PolicyActor, assignment_units

    opened: list[Clients] = []

    def make(platform: Platform, **kw) -> Clients:
        if "token" in kw:
            t = kw.pop("token")
            c = Clients(platform.config, token=lambda _m, _r: t)
        else:
            holder: list[Clients] = []
            source = PolicyActor(actor_of(platform), assignment_units(lambda: holder[0]))
            c = Clients(platform.config, token=source)
            holder.append(c)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def actor_of(platform: Platform):
    """The tests' token maker for a platform started here (its embedded issuer)."""
    from tests.actors import Actor

    if not hasattr(platform, "_test_actor"):
        platform._test_actor = Actor(platform.get("identity").issuer)
    return platform._test_actor


@pytest.fixture
def actor():
    """actor(platform) -> tests.actors.Actor: tokens of that platform's issuer for a named role."""
    return actor_of


# -- real servers (tests/infra.py) --------------------------------------------------------------

@pytest.fixture
def postgres_url():
    """A fresh database per test (creating one takes milliseconds)."""
    from tests.infra import create_database

    url, drop = create_database()
    yield url
    drop()


@pytest.fixture
def amqp_uri():
    """A fresh virtual host per test: no queue or message of another test is seen."""
    from tests.infra import create_vhost

    uri, drop = create_vhost()
    yield uri
    drop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    from tests.infra import SeaweedFS

    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A real clamd knowing the EICAR test file (tests/infra.py Clamd); skipped without clamd, failed under CI."""
    from tests.infra import Clamd

    server = Clamd(tmp_path_factory.mktemp("clamd")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server():
    from tests.infra import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()
