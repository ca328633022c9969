"""The development PKI (runtime/pki.py, `pakn admin pki init`) and the [tls] settings, without a server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from runtime import pki
from runtime.cli import main
from runtime.config import ConfigError, load
from runtime.tls import check_listener, is_loopback


def cert_of(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_init_lays_out_a_ca_and_one_cert_manager_folder_per_process(tmp_path):
    result = pki.init(tmp_path, days=30, namespace="pakn-prod")
    assert result.ca_created and result.issued == list(pki.NAMES) and not result.kept
    ca = cert_of(tmp_path / "ca" / "ca.crt")
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey) and ca.public_key().curve.name == "secp256r1"
    assert stat.S_IMODE((tmp_path / "ca" / "ca.key").stat().st_mode) == 0o600
    for name in pki.NAMES:
        folder = tmp_path / name
        assert {p.name for p in folder.iterdir()} == {"tls.crt", "tls.key", "ca.crt"}
        assert stat.S_IMODE((folder / "tls.key").stat().st_mode) == 0o600
        assert (folder / "ca.crt").read_bytes() == (tmp_path / "ca" / "ca.crt").read_bytes()
        cert = cert_of(folder / "tls.crt")
        cert.verify_directly_issued_by(ca)
        assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == name
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert set(usage) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert f"pakn-{name}" in san.get_values_for_type(x509.DNSName)  # the chart's Service name
        assert f"pakn-{name}.pakn-prod.svc.cluster.local" in san.get_values_for_type(x509.DNSName)
        assert "localhost" in san.get_values_for_type(x509.DNSName)
        assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
        life = cert.not_valid_after_utc - cert.not_valid_before_utc
        assert dt.timedelta(days=30) <= life <= dt.timedelta(days=30, minutes=10)


def test_running_again_keeps_everything_unless_forced(tmp_path):
    pki.init(tmp_path, ("routing", "cli"))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = pki.init(tmp_path, ("routing", "cli"))
    assert not again.ca_created and again.kept == ["routing", "cli"] and not again.issued
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before

    # A new name is issued by the same CA; --force issues the named ones again, same CA.
    more = pki.init(tmp_path, ("routing", "intake"), force=True)
    assert more.issued == ["routing", "intake"] and not more.ca_created
    assert (tmp_path / "ca" / "ca.key").read_bytes() == before[tmp_path / "ca" / "ca.key"]
    assert (tmp_path / "routing" / "tls.key").read_bytes() != before[tmp_path / "routing" / "tls.key"]
    assert (tmp_path / "cli" / "tls.crt").read_bytes() == before[tmp_path / "cli" / "tls.crt"]
    cert_of(tmp_path / "intake" / "tls.crt").verify_directly_issued_by(cert_of(tmp_path / "ca" / "ca.crt"))


def test_a_new_ca_is_trusted_beside_the_old_one_until_retired(tmp_path):
    pki.init(tmp_path, ("routing", "cli"))
    old_ca = (tmp_path / "ca" / "ca.crt").read_bytes()
    rotated = pki.init(tmp_path, ("routing", "cli"), new_ca=True)
    assert rotated.ca_created and rotated.issued == ["routing", "cli"]
    new_ca = (tmp_path / "ca" / "ca.crt").read_bytes()
    assert new_ca != old_ca and (tmp_path / "ca" / "previous.crt").read_bytes() == old_ca
    assert (tmp_path / "cli" / "ca.crt").read_bytes() == new_ca + old_ca
    cert_of(tmp_path / "cli" / "tls.crt").verify_directly_issued_by(x509.load_pem_x509_certificate(new_ca))
    pki.init(tmp_path, ("routing", "cli"), retire_previous=True)
    assert not (tmp_path / "ca" / "previous.crt").exists()
    assert (tmp_path / "routing" / "ca.crt").read_bytes() == new_ca


def test_the_admin_command(tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["admin", "pki", "init", "--dir", str(tmp_path), "--services", "intake,cli",
                               "--days", "10"])
    assert out.exit_code == 0, out.output
    assert "issued: intake, cli" in out.output and (tmp_path / "intake" / "tls.crt").exists()
    again = runner.invoke(main, ["admin", "pki", "init", "--dir", str(tmp_path), "--services", "intake,cli"])
    assert again.exit_code == 0 and "kept (--force to issue again): intake, cli" in again.output
    bad = runner.invoke(main, ["admin", "pki", "init", "--dir", str(tmp_path), "--services", "../x"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_tls_settings_take_a_cert_manager_folder_or_three_files(tmp_path):
    config = load(environ={"PAKN_TLS__DIR": "/etc/pakn/tls"})
    assert [str(p) for p in config.tls.files()] == ["/etc/pakn/tls/tls.crt", "/etc/pakn/tls/tls.key",
                                                    "/etc/pakn/tls/ca.crt"]
    config = load(environ={}, overrides={"tls.dir": "/etc/pakn/tls", "tls.ca_file": "/etc/pakn/ca/bundle.pem"})
    assert str(config.tls.files()[2]) == "/etc/pakn/ca/bundle.pem"
    assert load(environ={}).tls.files() is None
    with pytest.raises(ConfigError, match="tls.key_file"):
        load(environ={}, overrides={"tls.cert_file": "a.crt", "tls.ca_file": "ca.crt"})


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("[::1]", True), ("127.0.0.2", True), ("0.0.0.0", False),
                                            ("::", False), ("10.0.0.5", False), ("pakn-intake", False)])
def test_only_loopback_listeners_may_be_plaintext_without_the_flag(host, loopback):
    assert is_loopback(host) is loopback
    config = load(environ={}, overrides={"server.host": host})
    if loopback:
        check_listener(config)
    else:
        with pytest.raises(ConfigError, match="server.plaintext"):
            check_listener(config)
        config.server.plaintext = True
        check_listener(config)
