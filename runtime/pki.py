"""A development PKI for the services' mutual TLS (docs/pki.md): `pakn admin pki init`.

One CA (ECDSA P-256) and one certificate per process (service API, workers, gateway, CLI), each
in a folder laid out as a cert-manager Secret, so `tls.dir` points at either:

    DIR/ca/ca.crt, DIR/ca/ca.key          the CA (its key 0600, kept only here)
    DIR/ca/previous.crt                   during a CA rotation: the CA being replaced, still trusted
    DIR/<name>/tls.crt, tls.key, ca.crt   a process's certificate, its key (0600), the CA bundle

Each certificate is for both TLS server and client authentication, with the process's name as its
common name and as DNS names the Helm chart's Service names (`<release>-<name>`, qualified with
the namespace when one is given), the bare name, localhost, 127.0.0.1 and ::1.

Production takes its certificates from cert-manager (or any CA) instead; this is for development,
tests and small installations.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Every process that serves gRPC or calls it: the service APIs, the workers, the identity target,
# the e-mail gateway and the CLI.
NAMES = ("intake", "routing", "processing", "publication", "notification", "reporting", "workers", "identity",
         "email-gateway", "cli")
ORGANISATION = "PAKN"
CA_DAYS = 3650
LEAF_DAYS = 365


@dataclass
class InitResult:
    folder: Path
    ca_created: bool = False
    issued: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_ca(common_name: str = "PAKN development CA", days: int = CA_DAYS,
            now: dt.datetime | None = None) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA that may sign end-entity certificates only (path length 0)."""
    now = now or _now()
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def dns_names(name: str, release: str = "pakn", namespace: str = "") -> list[str]:
    """The names a process is reached by: the chart's Service name (qualified), the bare name, localhost."""
    service = f"{release}-{name}" if release else name
    names = [service]
    if namespace:
        names += [f"{service}.{namespace}", f"{service}.{namespace}.svc", f"{service}.{namespace}.svc.cluster.local"]
    names += [name, "localhost"]
    return list(dict.fromkeys(names))


def issue(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, name: str, dns: list[str],
          days: int = LEAF_DAYS, now: dt.datetime | None = None, not_before: dt.datetime | None = None,
          not_after: dt.datetime | None = None, addresses: tuple[str, ...] = ("127.0.0.1", "::1"),
          ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A certificate for `name`, for TLS server and client authentication, signed by the CA."""
    now = now or _now()
    key = new_key()
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                                 x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(minutes=5))
        .not_valid_after(not_after or now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write(path: Path, data: bytes, mode: int) -> None:
    """Atomically (a reader never sees half a file), with `mode` from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _load_ca(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key((folder / "ca" / "ca.key").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((folder / "ca" / "ca.crt").read_bytes())
    return key, cert  # type: ignore[return-value]


def bundle(folder: Path) -> bytes:
    """The CA bundle every process trusts: the CA, and the previous one during a rotation."""
    data = (folder / "ca" / "ca.crt").read_bytes()
    previous = folder / "ca" / "previous.crt"
    return data + previous.read_bytes() if previous.exists() else data


def init(folder: str | os.PathLike[str], names: tuple[str, ...] | list[str] = NAMES, days: int = LEAF_DAYS,
         force: bool = False, release: str = "pakn", namespace: str = "", ca_days: int = CA_DAYS,
         new_ca: bool = False, retire_previous: bool = False) -> InitResult:
    """Make (or complete) the PKI under `folder`; existing files are kept unless `force`.

    - A missing CA is made; an existing one is kept. `new_ca` makes a new one, keeps the old
      certificate as ca/previous.crt (still trusted in every bundle) and issues every certificate
      again; `retire_previous` removes it from the bundles once every process has its new certificate.
    - A process's certificate is issued when missing, or again with `force` (leaf rotation).
    - Every bundle (`<name>/ca.crt`) is written again, so each folder trusts what ca/ holds.
    """
    root = Path(folder)
    result = InitResult(root)
    for name in names:
        if not name or "/" in name or name in (".", "..", "ca"):
            raise ValueError(f"not a usable certificate name: {name!r}")
    ca_dir = root / "ca"
    if new_ca and (ca_dir / "ca.crt").exists():
        write(ca_dir / "previous.crt", (ca_dir / "ca.crt").read_bytes(), 0o644)
        (ca_dir / "ca.key").unlink(missing_ok=True)
    if new_ca or not (ca_dir / "ca.crt").exists() or not (ca_dir / "ca.key").exists():
        ca_key, ca_cert = make_ca(days=ca_days)
        write(ca_dir / "ca.key", key_pem(ca_key), 0o600)
        write(ca_dir / "ca.crt", pem(ca_cert), 0o644)
        result.ca_created = True
    else:
        ca_key, ca_cert = _load_ca(root)
    if retire_previous:
        (ca_dir / "previous.crt").unlink(missing_ok=True)
    reissue = force or result.ca_created
    for name in names:
        leaf = root / name
        if not reissue and (leaf / "tls.crt").exists() and (leaf / "tls.key").exists():
            result.kept.append(name)
            continue
        key, cert = issue(ca_key, ca_cert, name, dns_names(name, release, namespace), days=days)
        # The key first: a reader that sees the new certificate finds its key already there.
        write(leaf / "tls.key", key_pem(key), 0o600)
        write(leaf / "tls.crt", pem(cert), 0o644)
        result.issued.append(name)
    trusted = bundle(root)
    for leaf in sorted(p.parent for p in root.glob("*/tls.crt")):
        if leaf.name != "ca":
            write(leaf / "ca.crt", trusted, 0o644)
    return result
