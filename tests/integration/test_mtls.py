"""Mutual TLS between the services (docs/pki.md): a platform target serving with certificates from
`pakn admin pki init`, real handshakes over loopback sockets, every kind of wrong client refused,
certificates renewed and a CA rotated without a restart, and plaintext listeners refused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from pakn.routing.v1 import calendar_pb2, calendar_pb2_grpc
from runtime import pki
from runtime.clients import Clients
from runtime.config import ConfigError, load
from runtime.tls import channel_credentials

DAY = "2026-09-02"  # Quốc khánh: a holiday in every calendar


@pytest.fixture
def pki_dir(tmp_path) -> Path:
    folder = tmp_path / "pki"
    pki.init(folder, ("routing", "intake", "cli", "email-gateway"))
    return folder


@pytest.fixture
def routing(start_platform, pki_dir):
    # reload_seconds 0: every new connection looks at the files (production: 30 s).
    return start_platform("routing", **{"tls.dir": str(pki_dir / "routing"), "tls.reload_seconds": 0})


def creds(root: bytes | None = None, key: bytes | None = None, cert: bytes | None = None):
    return grpc.ssl_channel_credentials(root_certificates=root, private_key=key, certificate_chain=cert)


def leaf(folder: Path) -> tuple[bytes, bytes, bytes]:
    """(CA bundle, key, certificate) of one process's folder."""
    return ((folder / "ca.crt").read_bytes(), (folder / "tls.key").read_bytes(), (folder / "tls.crt").read_bytes())


def ca_of(folder: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((folder / "ca" / "ca.key").read_bytes(), password=None)
    return key, x509.load_pem_x509_certificate((folder / "ca" / "ca.crt").read_bytes())


def get_day(port: int, credentials) -> calendar_pb2.GetDayResponse:
    """One public RPC (no token needed) on a new channel, so a new connection and handshake."""
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) if credentials else \
            grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return calendar_pb2_grpc.CalendarServiceStub(channel).GetDay(
            calendar_pb2.GetDayRequest(date=DAY), timeout=5)


def refused(port: int, credentials) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as err:
        get_day(port, credentials)
    return err.value.code()


def test_a_client_with_a_certificate_of_the_ca_is_served(routing, pki_dir):
    config = load(environ={}, overrides={"tls.dir": str(pki_dir / "cli"),
                                         "clients.routing": f"127.0.0.1:{routing.port}"})
    with Clients(config) as c:
        day = c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY)).day
        assert day.date == DAY and not day.working
    with grpc.secure_channel(f"127.0.0.1:{routing.port}", channel_credentials(config)) as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="pakn.routing.v1.CalendarService"), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    # Any process's certificate of the CA is a client certificate (client and server usage).
    assert get_day(routing.port, creds(*leaf(pki_dir / "email-gateway"))).day.date == DAY
    assert routing.get("server").certificates is not None


def test_a_plaintext_client_is_refused(routing):
    assert refused(routing.port, None) == grpc.StatusCode.UNAVAILABLE
    with grpc.insecure_channel(f"127.0.0.1:{routing.port}") as channel:
        with pytest.raises(grpc.RpcError) as err:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_a_tls_client_without_a_client_certificate_is_refused(routing, pki_dir):
    ca, _key, _cert = leaf(pki_dir / "cli")
    assert refused(routing.port, creds(ca)) == grpc.StatusCode.UNAVAILABLE


def test_a_client_certificate_of_another_ca_is_refused(routing, pki_dir, tmp_path):
    other = tmp_path / "other-pki"
    pki.init(other, ("cli",))
    ca, _key, _cert = leaf(pki_dir / "cli")
    _other_ca, key, cert = leaf(other / "cli")
    # It trusts the right CA, and its own certificate is well formed: only its issuer is wrong.
    assert refused(routing.port, creds(ca, key, cert)) == grpc.StatusCode.UNAVAILABLE
    # And a client trusting only the other CA does not accept the platform's server either.
    assert refused(routing.port, creds(*leaf(other / "cli"))) == grpc.StatusCode.UNAVAILABLE
    assert get_day(routing.port, creds(*leaf(pki_dir / "cli"))).day.date == DAY


def test_an_expired_client_certificate_is_refused(routing, pki_dir):
    ca_key, ca_cert = ca_of(pki_dir)
    now = dt.datetime.now(dt.timezone.utc)
    key, cert = pki.issue(ca_key, ca_cert, "cli", pki.dns_names("cli"),
                          not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))
    ca = (pki_dir / "ca" / "ca.crt").read_bytes()
    assert refused(routing.port, creds(ca, pki.key_pem(key), pki.pem(cert))) == grpc.StatusCode.UNAVAILABLE


def test_a_server_named_only_by_its_service_name_is_called_with_tls_server_name(start_platform, pki_dir):
    # As in a cluster: the certificate names the Service (pakn-routing), not the address called.
    ca_key, ca_cert = ca_of(pki_dir)
    key, cert = pki.issue(ca_key, ca_cert, "routing", ["pakn-routing"], addresses=())
    named = pki_dir / "routing-by-name"
    pki.write(named / "tls.key", pki.key_pem(key), 0o600)
    pki.write(named / "tls.crt", pki.pem(cert), 0o644)
    pki.write(named / "ca.crt", (pki_dir / "ca" / "ca.crt").read_bytes(), 0o644)
    p = start_platform("routing", **{"tls.dir": str(named)})

    def client(**settings):
        return Clients(load(environ={}, overrides={"tls.dir": str(pki_dir / "cli"),
                                                   "clients.routing": f"127.0.0.1:{p.port}", **settings}))

    with client() as c, pytest.raises(grpc.RpcError) as err:
        c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE  # 127.0.0.1 is not a name of that certificate
    with client(**{"tls.server_name": "pakn-{service}"}) as c:
        assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY)).day.date == DAY


def test_a_ca_rotation_is_taken_without_a_restart(routing, pki_dir, tmp_path):
    from cryptography import x509

    pki.init(pki_dir, ("routing",), days=30, force=True)  # a shorter life first, so the gauge must move
    old_cli = leaf(pki_dir / "cli")
    assert get_day(routing.port, creds(*old_cli)).day.date == DAY

    # Step 1: a new CA; every certificate issued again; both CAs trusted in the bundles.
    pki.init(pki_dir, ("routing", "cli"), new_ca=True)
    new_cli = leaf(pki_dir / "cli")
    assert get_day(routing.port, creds(*new_cli)).day.date == DAY  # the server took its new certificate
    # A client that trusts only the old CA no longer accepts the server: its certificate changed.
    assert refused(routing.port, creds(*old_cli)) == grpc.StatusCode.UNAVAILABLE
    # An old client certificate is still accepted while the old CA is trusted (clients migrate in turn).
    assert get_day(routing.port, creds(new_cli[0], old_cli[1], old_cli[2])).day.date == DAY

    # Step 2: the old CA retired: its certificates are refused, the new ones served.
    pki.init(pki_dir, ("routing", "cli"), retire_previous=True)
    assert refused(routing.port, creds(new_cli[0], old_cli[1], old_cli[2])) == grpc.StatusCode.UNAVAILABLE
    assert get_day(routing.port, creds(*leaf(pki_dir / "cli"))).day.date == DAY
    assert routing.get("server").certificates.reloads == 3
    # The gauge operators alert on follows the certificate in use.
    served = x509.load_pem_x509_certificate((pki_dir / "routing" / "tls.crt").read_bytes())
    assert routing.get("telemetry").registry.get_sample_value("pakn_tls_certificate_not_after_seconds") \
        == served.not_valid_after_utc.timestamp()


def test_a_running_client_takes_its_renewed_certificate(start_platform, pki_dir, caplog):
    first = start_platform("routing", **{"tls.dir": str(pki_dir / "routing")})
    port = first.port
    c = Clients(load(environ={}, overrides={"tls.dir": str(pki_dir / "cli"), "tls.reload_seconds": 0,
                                            "clients.routing": f"127.0.0.1:{port}"}))
    try:
        assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY)).day.date == DAY
        (pki_dir / "cli" / "tls.crt").write_text("half written")  # a renewal caught mid-write: kept
        assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY)).day.date == DAY
        assert "client certificate in use stays" in caplog.text
        # A new CA, the old one retired: only certificates of the new CA are accepted from now on,
        # and the server is restarted so the client's connection must be made again.
        pki.init(pki_dir, ("routing", "cli"), new_ca=True)
        pki.init(pki_dir, ("routing", "cli"), retire_previous=True)
        first.stop()
        start_platform("routing", **{"tls.dir": str(pki_dir / "routing"), "server.port": port})
        # The same Clients object, never restarted: it reconnects with its new certificate and CA.
        assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=DAY), timeout=5).day.date == DAY
    finally:
        c.close()


def test_renewed_files_that_do_not_load_leave_the_certificate_in_use(routing, pki_dir, caplog):
    (pki_dir / "routing" / "tls.crt").write_text("not a certificate")
    assert get_day(routing.port, creds(*leaf(pki_dir / "cli"))).day.date == DAY
    # A key that does not fit the certificate (the key written, the certificate not yet): same.
    (pki_dir / "routing" / "tls.key").write_bytes(pki.key_pem(pki.new_key()))
    assert get_day(routing.port, creds(*leaf(pki_dir / "cli"))).day.date == DAY
    assert routing.get("server").certificates.reloads == 0
    assert "do not load" in caplog.text and "BEGIN" not in caplog.text  # paths in the log, never contents
    # Once the files are whole again, a renewal is taken.
    pki.init(pki_dir, ("routing",), force=True)
    assert get_day(routing.port, creds(*leaf(pki_dir / "cli"))).day.date == DAY
    assert routing.get("server").certificates.reloads == 1


def test_a_plaintext_listener_other_hosts_can_reach_refuses_to_start(start_platform):
    with pytest.raises(ConfigError) as err:
        start_platform("routing", **{"server.host": "0.0.0.0"})
    message = str(err.value)
    assert "server.plaintext" in message and "tls.dir" in message and "0.0.0.0" in message
    with pytest.raises(ConfigError):
        start_platform("all", **{"server.host": "0.0.0.0"})  # the monolith too, off loopback


def test_plaintext_is_allowed_on_loopback_or_with_the_development_flag(start_platform):
    monolith = start_platform("all")  # a fresh machine: no certificates, loopback
    assert get_day(monolith.port, None).day.date == DAY
    exposed = start_platform("routing", **{"server.host": "0.0.0.0", "server.plaintext": True})
    assert get_day(exposed.port, None).day.date == DAY


def test_missing_or_mismatched_tls_files_refuse_to_start(start_platform, pki_dir):
    with pytest.raises(ConfigError) as err:
        start_platform("routing", **{"tls.dir": str(pki_dir / "nobody")})
    assert "tls.cert_file" in str(err.value) and "nobody" in str(err.value)
    with pytest.raises(ConfigError) as err:
        start_platform("routing", **{"tls.dir": str(pki_dir / "routing"),
                                     "tls.key_file": str(pki_dir / "cli" / "tls.key")})
    assert "not the key of the certificate" in str(err.value)
    with pytest.raises(ConfigError):
        load(environ={}, overrides={"tls.cert_file": str(pki_dir / "cli" / "tls.crt")})  # no key, no CA


def test_the_cli_calls_with_its_client_certificate(routing, pki_dir):
    intake_day = [sys.executable, "-m", "runtime.cli", "--address", f"127.0.0.1:{routing.port}",
                  "citizen", "status", "80-ABCDEFG", "--contact", "0912345678"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAKN_")}
    # routing hosts no intake: UNIMPLEMENTED proves the call got through the handshake.
    with_cert = subprocess.run(intake_day, env={**env, "PAKN_TLS__DIR": str(pki_dir / "cli")},
                               capture_output=True, text=True, timeout=60)
    assert with_cert.returncode == 1 and "[UNIMPLEMENTED]" in with_cert.stderr, with_cert.stderr
    without = subprocess.run(intake_day, env=env, capture_output=True, text=True, timeout=60)
    assert without.returncode == 1 and "[UNAVAILABLE]" in without.stderr, without.stderr
    assert "Traceback" not in with_cert.stderr + without.stderr


@pytest.mark.smtp
def test_the_email_gateway_reaches_intake_with_its_client_certificate(start_platform, pki_dir, smtp_server, caplog):
    from tests.helpers import eventually
    from tests.infra import free_port
    from tests.integration.test_email_gateway import CODE, a_sender, message, smtp_send

    identity = start_platform("identity")  # the embedded issuer: the gateway's service account
    issuer = identity.config.identity.embedded_issuer
    _, secret = identity.get("identity-provider").accounts.create_client("email-gateway", ["channel"],
                                                                         channel="email")
    intake = start_platform("intake", **{"tls.dir": str(pki_dir / "intake"), "identity.embedded_issuer": issuer})

    def gateway(**tls) -> int:
        port = free_port()
        start_platform("email-gateway", **{
            "email_gateway.port": port, "clients.intake": f"127.0.0.1:{intake.port}",
            "email_gateway.client_id": "email-gateway", "email_gateway.client_secret": secret,
            "email_gateway.token_issuer": issuer,
            "mail.backend": "smtp", "mail.smtp_host": "127.0.0.1", "mail.smtp_port": smtp_server.port, **tls})
        return port

    # Without a certificate the handshake fails: intake is unreachable, the sending server retries.
    sender = a_sender()
    assert smtp_send(gateway(), message(sender), sender)[0] == 451
    assert "intake answered UNAVAILABLE" in caplog.text

    sender = a_sender()
    assert smtp_send(gateway(**{"tls.dir": str(pki_dir / "email-gateway")}), message(sender), sender)[0] == 250
    reply = eventually(lambda: smtp_server.to(sender), timeout=30)[0]
    assert CODE.search(reply.get_content())  # a tracking code: intake took the case over mutual TLS
