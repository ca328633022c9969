"""Mutual TLS for the gRPC server and clients (docs/pki.md).

- A server with `[tls]` files listens with TLS and requires a client certificate that chains to
  the CA bundle (`require_client_auth`); a plaintext client, a client without a certificate and a
  certificate of another CA fail the handshake, before any RPC.
- Without them, a listener is plaintext, which is allowed only on a loopback address (nothing off
  the machine reaches it: the monolith on a developer's machine, the tests) or with the
  development flag `server.plaintext = true`. Any other listener refuses to start (ConfigError).
- The server's files are read again when they change (a cert-manager renewal, a CA rotation): at
  most every `tls.reload_seconds`, at a new connection's handshake, through grpcio's dynamic
  credentials. A file that does not load (half written, a key that does not fit) leaves the
  certificate in use as it is.
- Clients present the same process certificate, and take a renewed one on their next call after
  `tls.reload_seconds` (runtime/clients.py); `tls.server_name` names what they expect in the
  server's certificate when the address is an IP.

Nothing here logs a certificate's or key's contents: paths, subjects and expiry only.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from runtime.config import Config, ConfigError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: a listener only this machine can reach."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listener(config: Config) -> None:
    """Refuse a plaintext listener that other hosts can reach, unless server.plaintext says so."""
    if config.tls.files() is not None or is_loopback(config.server.host):
        return
    if config.server.plaintext:
        log.warning("gRPC listener on %s without TLS (server.plaintext = true): development only",
                    config.server.host)
        return
    raise ConfigError(
        f"the gRPC server would listen without TLS on {config.server.host}, an address other hosts can reach: "
        "set tls.dir (a folder with tls.crt, tls.key and ca.crt, e.g. from `pakn admin pki init` or a "
        "cert-manager Secret) or tls.cert_file, tls.key_file and tls.ca_file; "
        "or, for development only, server.plaintext = true (docs/pki.md)")


@dataclass(frozen=True)
class Material:
    """The PEM bytes of one process's TLS identity."""

    cert: bytes
    key: bytes
    ca: bytes
    subject: str
    not_after: str
    # The same, as Unix time (the pakn_tls_certificate_not_after_seconds gauge).
    not_after_timestamp: float


def load_material(config: Config) -> Material | None:
    """The configured certificate, key and CA bundle, checked; None without [tls] files.

    Raises ConfigError naming the file (never its contents) when one is missing or does not load.
    """
    files = config.tls.files()
    if files is None:
        return None
    cert_path, key_path, ca_path = files
    data = {}
    for setting, path in (("tls.cert_file", cert_path), ("tls.key_file", key_path), ("tls.ca_file", ca_path)):
        try:
            data[setting] = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{setting}: cannot read {path}: {exc.strerror}") from None
    return _check(data["tls.cert_file"], data["tls.key_file"], data["tls.ca_file"], files)


def _check(cert: bytes, key: bytes, ca: bytes, files: tuple[Path, Path, Path]) -> Material:
    cert_path, key_path, ca_path = files
    try:
        chain = x509.load_pem_x509_certificates(cert)
    except ValueError:
        raise ConfigError(f"tls.cert_file: {cert_path} is not a PEM certificate") from None
    try:
        private = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"tls.key_file: {key_path} is not an unencrypted PEM private key") from None
    try:
        roots = x509.load_pem_x509_certificates(ca)
    except ValueError:
        raise ConfigError(f"tls.ca_file: {ca_path} is not a PEM certificate bundle") from None
    if not roots:
        raise ConfigError(f"tls.ca_file: {ca_path} holds no certificate")
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    if private.public_key().public_bytes(enc, pub) != chain[0].public_key().public_bytes(enc, pub):
        raise ConfigError(f"tls.key_file: {key_path} is not the key of the certificate {cert_path}")
    leaf = chain[0]
    return Material(cert, key, ca, leaf.subject.rfc4514_string(), leaf.not_valid_after_utc.isoformat(),
                    leaf.not_valid_after_utc.timestamp())


class ReloadingServerCertificates:
    """grpcio's certificate configuration fetcher: the files read again when they change.

    gRPC calls `fetch` before each new connection's handshake; it looks at the files at most every
    `tls.reload_seconds` and returns a new configuration only when their contents changed and load.
    """

    def __init__(self, config: Config, material: Material, clock=time.monotonic):
        self.config = config
        self.material = material
        self.clock = clock
        self.interval = config.tls.reload_seconds
        self._checked = clock()
        self._lock = threading.Lock()
        self.reloads = 0

    def configuration(self, material: Material | None = None):
        m = material or self.material
        return grpc.ssl_server_certificate_configuration([(m.key, m.cert)], root_certificates=m.ca)

    def fetch(self):
        try:
            with self._lock:
                now = self.clock()
                if now - self._checked < self.interval:
                    return None
                self._checked = now
                files = self.config.tls.files()
                if files is None:
                    return None
                cert, key, ca = (p.read_bytes() for p in files)
                current = self.material
                if (cert, key, ca) == (current.cert, current.key, current.ca):
                    return None
                fresh = _check(cert, key, ca, files)
                self.material = fresh
                self.reloads += 1
            log.info("TLS certificate reloaded: %s, valid until %s", fresh.subject, fresh.not_after)
            return self.configuration(fresh)
        except ConfigError as exc:
            log.warning("TLS files changed but do not load, the certificate in use stays: %s", exc)
        except OSError as exc:
            log.warning("TLS files cannot be read, the certificate in use stays: %s", exc.strerror)
        except Exception:  # noqa: BLE001 - a handshake must never fail because a reload did
            log.exception("TLS reload failed, the certificate in use stays")
        return None


def server_credentials(config: Config) -> tuple[grpc.ServerCredentials, ReloadingServerCertificates] | None:
    """Mutual TLS credentials for the listener (client certificates required), or None without [tls]."""
    material = load_material(config)
    if material is None:
        return None
    certificates = ReloadingServerCertificates(config, material)
    credentials = grpc.dynamic_ssl_server_credentials(
        certificates.configuration(), certificates.fetch, require_client_authentication=True)
    log.info("gRPC mutual TLS: %s, valid until %s", material.subject, material.not_after)
    return credentials, certificates


def channel_credentials(config: Config) -> grpc.ChannelCredentials | None:
    """The client side: trust the CA bundle, present the process's certificate; None without [tls]."""
    material = load_material(config)
    return credentials_of(material) if material is not None else None


def credentials_of(material: Material) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(root_certificates=material.ca, private_key=material.key,
                                        certificate_chain=material.cert)


def channel_options(config: Config, service: str) -> list[tuple[str, str]]:
    """The expected server name for calls to `service`, when tls.server_name says one."""
    if config.tls.files() is None or not config.tls.server_name:
        return []
    return [("grpc.ssl_target_name_override", config.tls.server_name.replace("{service}", service))]
