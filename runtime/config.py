"""One typed configuration: defaults, then a TOML file, then the environment, then flags.

Environment variables are `PAKN_<SECTION>__<KEY>` (for example `PAKN_SERVER__PORT=50052`);
flags are `--set section.key=value`. `pakn config print` shows the result with secrets redacted.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

SECRET = {"secret": True}
# PAKN_* variables that are not settings: the configuration file, and what the CLI reads for
# scripts (`pakn login`, `pakn admin create-user`: runtime/login.py, runtime/admin_accounts.py).
NOT_SETTINGS = frozenset({"PAKN_CONFIG", "PAKN_PASSWORD", "PAKN_NEW_PASSWORD", "PAKN_CLIENT_SECRET"})
REDACTED = "***"


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 50051
    grace_seconds: float = 10.0
    max_workers: int = 32
    # How often readiness (database, broker) is re-checked for grpc.health.v1.
    readiness_interval_seconds: float = 5.0
    # Development only: allow a plaintext gRPC listener on an address other hosts can reach.
    # Without [tls] files a listener must be on loopback (docs/pki.md); with them it is mutual TLS.
    plaintext: bool = False


@dataclass
class MetricsConfig:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9464


@dataclass
class TracingConfig:
    # "none", "console" or "otlp".
    exporter: str = "none"
    otlp_endpoint: str = "http://127.0.0.1:4317"


@dataclass
class DatabaseConfig:
    # Empty: one SQLite file per service under data_dir (monolithic mode).
    # A PostgreSQL URL: one schema per service in that database (microservices mode).
    url: str = field(default="", metadata=SECRET)
    auto_migrate: bool = True
    pool_size: int = 5


@dataclass
class EventsConfig:
    # "inprocess" (monolithic mode) or "rabbitmq" (through nameko).
    backend: str = "inprocess"
    amqp_uri: str = field(default="amqp://guest:guest@127.0.0.1:5672/", metadata=SECRET)
    relay_interval_seconds: float = 0.5
    relay_batch: int = 100
    # Attempts of a failing consumer before the event is parked in the service's failed_events.
    consumer_attempts: int = 5
    # A parked event is retried automatically: first this long after parking, then after twice as
    # long each time (at most 6 hours apart), up to parked_max_retries times; after that only an
    # operator's `pakn admin replay-failed` handles it. 0 retries: parked events wait for the operator.
    parked_retry_base_seconds: float = 60.0
    parked_max_retries: int = 8
    # How often each service process looks for parked events whose retry is due.
    parked_poll_seconds: float = 5.0
    # Subscriber queues: "classic" (durable) or "quorum" (production; docs/reliability.md).
    queue_type: str = "classic"
    # AMQP heartbeat: a broker connection that died silently is noticed within about twice this.
    heartbeat_seconds: int = 10
    # An event that can be neither handled nor parked (database down) goes back to the broker after
    # this pause, doubled for each consecutive one of the process, at most the maximum.
    redelivery_backoff_seconds: float = 0.5
    redelivery_backoff_max_seconds: float = 30.0
    # A worker's consumers that died are started again after this pause (doubled, at most 30 s);
    # consumers whose queues show no consumer for worker_stalled_seconds are restarted too.
    worker_restart_seconds: float = 1.0
    worker_stalled_seconds: float = 15.0
    # Messages one worker process handles at once (and its prefetch).
    worker_concurrency: int = 4
    # How often queue depth and consumers are read from the broker (metrics, stall detection).
    queue_monitor_seconds: float = 5.0


@dataclass
class MediaConfig:
    # "local" (a folder) or "s3" (MinIO or any S3 server).
    backend: str = "local"
    local_dir: str = ""
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = field(default="", metadata=SECRET)
    s3_secret_key: str = field(default="", metadata=SECRET)
    s3_bucket: str = "pakn-media"
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    max_bytes: int = 250 * 1024 * 1024
    chunk_bytes: int = 1024 * 1024
    # Per file, by type (checked while the file streams in; max_bytes stays the hard cap).
    image_max_mb: int = 20
    video_max_mb: int = 250
    document_max_mb: int = 20
    # Images with more pixels are refused from their header, before anything decodes them
    # (decompression bombs); every accepted image is re-encoded (see docs/intake.md).
    image_max_megapixels: int = 50
    image_max_side: int = 16384
    # Quality of re-encoded JPEG (and lossy WebP) images, 1-95.
    jpeg_quality: int = 90

    def limits(self) -> dict[str, int]:
        mb = 1024 * 1024
        return {"image": self.image_max_mb * mb, "video": self.video_max_mb * mb,
                "application/pdf": self.document_max_mb * mb}


@dataclass
class ScanConfig:
    # Where clamd listens: "unix:/run/clamav/clamd.ctl" or "tcp:HOST:PORT"; every upload is then
    # scanned (runtime/scan.py). Empty: uploads are NOT scanned (the embedded default; a warning
    # says so at start).
    clamd: str = ""
    # One scan, connection included; past it the upload is refused as UNAVAILABLE.
    timeout_seconds: float = 60.0
    # What is streamed to clamd at most; keep clamd's StreamMaxLength at least this large.
    max_stream_mb: int = 250


@dataclass
class MailConfig:
    # "file" (one .eml per message under outbox_dir) or "smtp".
    backend: str = "file"
    outbox_dir: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", metadata=SECRET)
    smtp_starttls: bool = False
    sender: str = "1022@tayninh.gov.vn"
    timeout_seconds: float = 10.0


@dataclass
class SmsConfig:
    # "file" (one text file per message under outbox_dir).
    backend: str = "file"
    outbox_dir: str = ""


@dataclass
class SecurityConfig:
    # Fernet keys (urlsafe base64, 32 bytes), each purpose one key or several separated by commas,
    # newest first: the newest encrypts, all decrypt (docs/crypto.md). Empty in monolithic mode:
    # generated once and kept in data_dir/keys.json (mode 0600). Required in microservices mode.
    contact_key: str = field(default="", metadata=SECRET)
    notification_key: str = field(default="", metadata=SECRET)
    verifier_key: str = field(default="", metadata=SECRET)
    # Routing's unit directory: the leaders' and contact persons' names, phones, e-mails (Đ16.1).
    directory_key: str = field(default="", metadata=SECRET)


@dataclass
class IntakeConfig:
    # The province whose communes and wards a place may name (official code; Tây Ninh = 80).
    province_code: str = "80"
    # Đ5.2: the 1022 hotline takes calls on working days, in these local hours.
    hotline_opens: str = "07:00"
    hotline_closes: str = "17:00"
    # Media of one case (Đ6.2): how many files, and how large in total.
    case_max_files: int = 10
    case_max_mb: int = 500


@dataclass
class LookupLimitsConfig:
    # Citizens' look-ups by tracking code and contact (runtime/lookup_limits.py, docs/intake.md):
    # failed proofs counted in a sliding window, per source address and per tracking code.
    window_seconds: float = 900.0
    per_address: int = 10
    # Higher than per_address, so one address cannot lock a citizen out of their case alone.
    per_code: int = 30
    # An address that proved a code stays let through while others' guesses lock it (0: off).
    trusted_days: float = 30.0


@dataclass
class RegulationConfig:
    # A TOML file with a [profile] table overriding the limits of regulation/profile.py.
    profile_file: str = ""
    # A running clock is "due soon" this many hours before its deadline.
    due_soon_hours: float = 24.0


@dataclass
class EmailGatewayConfig:
    # The inbound e-mail channel (Đ5.1d, docs/email-gateway.md): `pakn serve --target=email-gateway`.
    host: str = "127.0.0.1"
    port: int = 2525
    # Accepted recipients, comma-separated: an address ("1022@tayninh.gov.vn") or a domain ("@tayninh.gov.vn").
    recipient: str = "1022@tayninh.gov.vn"
    max_message_bytes: int = 25 * 1024 * 1024
    # Where the gateway remembers the media ids of each message's attachments. Empty: data_dir/email-gateway.
    state_dir: str = ""
    # Its service account (client credentials grant, docs/identity.md): `pakn admin create-client`.
    client_id: str = ""
    client_secret: str = field(default="", metadata=SECRET)
    # The issuer whose token endpoint it asks. Empty: identity.embedded_issuer (or, with
    # identity.embedded off, the first of identity.issuers).
    token_issuer: str = ""


@dataclass
class ClientsConfig:
    # Where the CLI and the services find each service's API. Empty: server.host:server.port.
    intake: str = ""
    routing: str = ""
    processing: str = ""
    publication: str = ""
    notification: str = ""
    reporting: str = ""
    deadline_seconds: float = 10.0


@dataclass
class TlsConfig:
    # Mutual TLS of the gRPC server and of the clients (docs/pki.md). One certificate per process,
    # for both directions (server and client usage). A folder laid out as a cert-manager Secret
    # (tls.crt, tls.key, ca.crt), as `pakn admin pki init` writes it; the *_file settings, when
    # set, replace its files one by one. Nothing set: plaintext (loopback, or server.plaintext).
    dir: str = ""
    cert_file: str = ""
    # The private key (PEM). A path, never the key itself.
    key_file: str = ""
    # The CA bundle every peer's certificate must chain to: clients' for the server, servers' for clients.
    ca_file: str = ""
    # The name outgoing calls expect in the server's certificate when it is not the address's host
    # (grpc.ssl_target_name_override); "{service}" becomes the service's name: "pakn-{service}".
    server_name: str = ""
    # How often the server looks at its files for a renewed certificate or CA (no restart needed).
    reload_seconds: float = 30.0

    def files(self) -> tuple[Path, Path, Path] | None:
        """(certificate, key, CA bundle), or None when TLS is not configured."""
        folder = Path(self.dir) if self.dir else None
        cert = self.cert_file or (str(folder / "tls.crt") if folder else "")
        key = self.key_file or (str(folder / "tls.key") if folder else "")
        ca = self.ca_file or (str(folder / "ca.crt") if folder else "")
        if not (cert or key or ca):
            return None
        return Path(cert), Path(key), Path(ca)


@dataclass
class IdentityConfig:
    # Who calls (docs/identity.md, docs/security.md): every RPC but health and reflection is
    # authenticated and authorised by runtime/identity/policy.py. A call without a token is a
    # citizen's (anonymous); staff, channels and unit systems present OAuth 2.0 bearer JWTs.
    # The platform's own issuer (runtime/identity/issuer.py): trusted beside identity.issuers.
    # Off when the province's identity provider alone issues tokens.
    embedded: bool = True
    # Its "iss" (tokens are verified against it exactly); its keys under data_dir/identity/.
    embedded_issuer: str = "http://localhost:8470"
    # Its access tokens' lifetime. With leeway_seconds it bounds how long a disabled account's last
    # token still works: 30 + 30 s, so disabling takes effect within a minute (Đ13.3, Đ16.1).
    access_token_seconds: int = 30
    # Its refresh tokens' lifetime (rotated at each use, refused once the account is disabled).
    refresh_token_seconds: int = 12 * 3600
    # Where it serves OAuth 2.0 over HTTP (discovery, /jwks, /token) in the targets that run it
    # (all, identity). embedded_issuer is the URL clients reach it at.
    http_host: str = "127.0.0.1"
    http_port: int = 8470
    # Failed logins per username and per source address: after login_max_failures within
    # login_window_seconds, further attempts are refused (HTTP 429) until the window passes.
    login_max_failures: int = 5
    login_window_seconds: float = 300.0
    # Trusted issuers, comma-separated, each exactly as its tokens' "iss" (https; http only on loopback).
    # Empty: no token is trusted.
    issuers: str = ""
    # The audience ("aud") every token must carry: the platform's identifier at the providers.
    audience: str = "pakn"
    # JWKS URLs that replace an issuer's discovered jwks_uri: "issuer=url", comma-separated.
    jwks_urls: str = ""
    # Signature algorithms accepted (asymmetric only: never "none" nor HS*).
    algorithms: str = "RS256,ES256,EdDSA"
    # Clock skew tolerated on exp, nbf and iat; tokens living longer than max_token_seconds are refused.
    leeway_seconds: float = 30.0
    max_token_seconds: int = 3600
    # Discovery and JWKS requests: timeout, how long keys are kept, and the least time between two
    # refreshes for an unknown key id (key rotation), per issuer.
    http_timeout_seconds: float = 5.0
    jwks_cache_seconds: float = 3600.0
    jwks_refresh_min_seconds: float = 30.0
    # A CA bundle (PEM) for issuers behind a private certificate authority. Empty: the system's.
    ca_file: str = ""
    # Claim mapping: dotted paths into the token's claims.
    role_claim: str = "pakn_roles"
    # Provider role names to platform roles (runtime/identity/roles.py): "provider=platform", comma-separated.
    # A provider role that is already a platform role's name maps to itself; any other is ignored.
    role_map: str = ""
    unit_claim: str = "pakn_unit"
    channel_claim: str = "pakn_channel"
    # Where the client (service account) id is: the first of these claims present.
    client_claims: str = "client_id,azp"


@dataclass
class Config:
    data_dir: str = "var"
    log_level: str = "INFO"
    server: ServerConfig = field(default_factory=ServerConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    tracing: TracingConfig = field(default_factory=TracingConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    regulation: RegulationConfig = field(default_factory=RegulationConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    lookup_limits: LookupLimitsConfig = field(default_factory=LookupLimitsConfig)
    clients: ClientsConfig = field(default_factory=ClientsConfig)
    email_gateway: EmailGatewayConfig = field(default_factory=EmailGatewayConfig)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    def client_address(self, service: str) -> str:
        explicit = getattr(self.clients, service, "")
        if explicit:
            return explicit
        host = "127.0.0.1" if self.server.host in ("0.0.0.0", "::", "[::]") else self.server.host
        return f"{host}:{self.server.port}"


def _coerce(value: Any, typ: Any, name: str) -> Any:
    if typ is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if typ in (int, float):
        try:
            return typ(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a number, got {value!r}") from None
    if typ is str:
        return str(value)
    raise ConfigError(f"{name}: unsupported type")


def _apply(target: Any, values: Mapping[str, Any], prefix: str = "") -> None:
    hints = typing.get_type_hints(type(target))
    for key, value in values.items():
        name = f"{prefix}{key}"
        if key not in hints:
            raise ConfigError(f"unknown setting {name!r}")
        current = getattr(target, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{name}: expected a section")
            _apply(current, value, f"{name}.")
        else:
            setattr(target, key, _coerce(value, hints[key], name))


def _nest(dotted: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in dotted.items():
        parts = key.split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def load(
    file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Build a Config: defaults, then `file` (TOML), then PAKN_* variables, then `overrides`."""
    config = Config()
    environ = os.environ if environ is None else environ
    file = file or environ.get("PAKN_CONFIG") or None
    if file:
        try:
            with open(file, "rb") as fh:
                _apply(config, tomllib.load(fh))
        except OSError as exc:
            raise ConfigError(f"cannot read configuration file {file}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {file}: {exc}") from None
    from_env = {
        k[len("PAKN_"):].lower().replace("__", "."): v
        for k, v in environ.items()
        if k.startswith("PAKN_") and k not in NOT_SETTINGS
    }
    _apply(config, _nest(from_env))
    _apply(config, _nest(dict(overrides or {})))
    validate(config)
    return config


def validate(config: Config) -> None:
    choices = {
        "events.backend": (config.events.backend, ("inprocess", "rabbitmq")),
        "media.backend": (config.media.backend, ("local", "s3")),
        "mail.backend": (config.mail.backend, ("file", "smtp")),
        "sms.backend": (config.sms.backend, ("file",)),
        "tracing.exporter": (config.tracing.exporter, ("none", "console", "otlp")),
    }
    for name, (value, allowed) in choices.items():
        if value not in allowed:
            raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    if config.media.image_max_megapixels < 1 or config.media.image_max_side < 1:
        raise ConfigError("media.image_max_megapixels and media.image_max_side: at least 1")
    if not 1 <= config.media.jpeg_quality <= 95:
        raise ConfigError("media.jpeg_quality: between 1 and 95")
    clamd = config.scan.clamd
    if clamd and not (clamd.startswith("unix:/") or (clamd.startswith("tcp:") and clamd.rpartition(":")[2].isdigit()
                                                     and clamd.count(":") >= 2)):
        raise ConfigError(f"scan.clamd: expected unix:/path or tcp:host:port, got {clamd!r}")
    if config.scan.timeout_seconds <= 0 or config.scan.max_stream_mb < 1:
        raise ConfigError("scan.timeout_seconds and scan.max_stream_mb: more than 0")
    if not 0 <= config.server.port < 65536:
        raise ConfigError("server.port: out of range")
    if not (config.tls.dir or all((config.tls.cert_file, config.tls.key_file, config.tls.ca_file))) \
            and any((config.tls.cert_file, config.tls.key_file, config.tls.ca_file)):
        raise ConfigError("tls: set tls.dir, or all of tls.cert_file, tls.key_file and tls.ca_file "
                          "(mutual TLS needs a certificate, its key and the CA bundle)")
    if config.tls.reload_seconds < 0:
        raise ConfigError("tls.reload_seconds: not negative")
    if config.events.consumer_attempts < 1:
        raise ConfigError("events.consumer_attempts: at least 1")
    if config.events.parked_retry_base_seconds < 0 or config.events.parked_max_retries < 0:
        raise ConfigError("events.parked_retry_base_seconds and events.parked_max_retries: not negative")
    if config.events.parked_poll_seconds <= 0:
        raise ConfigError("events.parked_poll_seconds: more than 0")
    for name in ("hotline_opens", "hotline_closes"):
        value = getattr(config.intake, name)
        if len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit() \
                or int(value[:2]) > 23 or int(value[3:]) > 59:
            raise ConfigError(f"intake.{name}: expected HH:MM, got {value!r}")
    if config.intake.hotline_opens >= config.intake.hotline_closes:
        raise ConfigError("intake.hotline_opens must be before intake.hotline_closes")
    ll = config.lookup_limits
    if ll.window_seconds <= 0 or ll.per_address < 1 or ll.per_code < 1 or ll.trusted_days < 0:
        raise ConfigError("lookup_limits: window_seconds more than 0, per_address and per_code at least 1, "
                          "trusted_days not negative")
    if config.regulation.profile_file:
        from regulation.profile import RegulationProfile

        try:
            RegulationProfile.load(config.regulation.profile_file)
        except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"regulation.profile_file: {exc}") from None


def regulation_profile(config: Config):
    """The regulation profile in force: the default, or the province's file."""
    from regulation.profile import DEFAULT, RegulationProfile

    return RegulationProfile.load(config.regulation.profile_file) if config.regulation.profile_file else DEFAULT


def as_dict(config: Any, redact: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = as_dict(value, redact)
        elif redact and f.metadata.get("secret") and value:
            out[f.name] = _redact_url(value) if "://" in str(value) else REDACTED
        else:
            out[f.name] = value
    return out


def _redact_url(url: str) -> str:
    """Keep scheme, host and path of a URL; hide its credentials."""
    scheme, rest = url.split("://", 1)
    if "@" in rest:
        rest = REDACTED + "@" + rest.rsplit("@", 1)[1]
    return f"{scheme}://{rest}"


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    scalars, sections = [], []
    for key, value in data.items():
        if isinstance(value, Mapping):
            sections.append((key, value))
        else:
            scalars.append(f"{key} = {_toml_value(value)}")
    text = ""
    if scalars:
        text += (f"[{prefix}]\n" if prefix else "") + "\n".join(scalars) + "\n\n"
    for key, value in sections:
        text += to_toml(value, f"{prefix}.{key}" if prefix else key)
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
