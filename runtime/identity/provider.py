"""The embedded issuer over HTTP: OAuth 2.0 (RFC 6749) endpoints for the platform's own accounts.

    GET  /.well-known/openid-configuration   discovery (also /.well-known/oauth-authorization-server)
    GET  /jwks                               the public signing keys
    POST /token                              grant_type=password | client_credentials | refresh_token
    GET  /livez                              the process runs

A stdlib `ThreadingHTTPServer` in its own thread, like the metrics server. Errors are RFC 6749 §5.2
JSON (`invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`); nothing
of an exception, a password or a token is ever in a response or a log line. Failed logins are
counted per username and per source address (`FailedLogins`): past identity.login_max_failures
for a username (ten times that for an address, which may be a proxy) within
identity.login_window_seconds the endpoint answers 429 with Retry-After.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from runtime.identity.accounts import AccountStore
from runtime.identity.issuer import EmbeddedIssuer

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
GRANTS = ("password", "client_credentials", "refresh_token")
# The client id a password or refresh grant names when it gives none (the `pakn` CLI's).
DEFAULT_PUBLIC_CLIENT = "pakn-cli"
SOURCE_FACTOR = 10


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400, headers: dict | None = None):
        super().__init__(error)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}


class FailedLogins:
    """Failures per key (a username, a source address) in a sliding window; thread-safe."""

    def __init__(self, max_failures: int, window_seconds: float, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        return q

    def blocked_for(self, *keys: str) -> float:
        """Seconds until an attempt for these keys is taken again; 0 when it may be tried now."""
        now = self.clock()
        with self._lock:
            waits = [self.window - (now - q[0]) for q in (self._recent(k, now) for k in keys)
                     if len(q) >= self.max_failures]
            if len(self._failures) > 100_000:  # a flood of made-up names: keep memory bounded
                self._failures = {k: q for k, q in self._failures.items() if q}
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class OAuthProvider:
    """The `identity-provider` module: token endpoint, discovery and JWKS of the embedded issuer."""

    def __init__(self, issuer: EmbeddedIssuer, accounts: AccountStore, section, host: str, port: int):
        self.issuer = issuer
        self.accounts = accounts
        self.refresh_seconds = section.refresh_token_seconds
        self.limits = FailedLogins(section.login_max_failures, section.login_window_seconds)
        # A source address may be a proxy many people log in through: it gets ten times the failures.
        self.source_limits = FailedLogins(section.login_max_failures * SOURCE_FACTOR, section.login_window_seconds)
        self.host, self._port = host, port
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._http.server_address[1] if self._http else self._port

    def discovery(self) -> dict:
        base = self.issuer.issuer.rstrip("/")
        return {
            "issuer": self.issuer.issuer,
            "jwks_uri": f"{base}/jwks",
            "token_endpoint": f"{base}/token",
            "grant_types_supported": list(GRANTS),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["EdDSA"],
            "token_endpoint_auth_signing_alg_values_supported": ["EdDSA"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "jti", "client_id", "pakn_roles",
                                 "pakn_unit", "pakn_channel"],
        }

    # -- grants -----------------------------------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str | None, source: str) -> dict:
        grant = form.get("grant_type", "")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant == "password":
            return self._password(form, source)
        if grant == "client_credentials":
            return self._client_credentials(form, authorization, source)
        if grant == "refresh_token":
            return self._refresh(form, authorization)
        raise OAuthError("unsupported_grant_type", f"one of {', '.join(GRANTS)}")

    def _public_client(self, form: dict[str, str], authorization: str | None) -> str:
        if authorization:
            raise OAuthError("invalid_client", "users log in with the public client; no client secret",
                             401, {"WWW-Authenticate": 'Basic realm="pakn"'})
        client_id = form.get("client_id") or DEFAULT_PUBLIC_CLIENT
        if client_id != DEFAULT_PUBLIC_CLIENT:
            raise OAuthError("invalid_client", "unknown public client", 401,
                             {"WWW-Authenticate": 'Basic realm="pakn"'})
        return client_id

    def _password(self, form: dict[str, str], source: str) -> dict:
        client_id = self._public_client(form, None)
        username = form.get("username", "").strip().lower()
        password = form.get("password", "")
        if not username or not password:
            raise OAuthError("invalid_request", "username and password are required")
        self._throttle(f"user:{username}", source)
        user = self.accounts.authenticate(username, password)
        if user is None:
            self.limits.failed(f"user:{username}")
            self.source_limits.failed(f"source:{source}")
            log.info("identity: password grant refused (source %s)", source)
            raise OAuthError("invalid_grant", "wrong username or password, or the account is disabled")
        self.limits.succeeded(f"user:{username}")
        refresh = self.accounts.issue_refresh(user, client_id, self.refresh_seconds)
        log.info("identity: user %s logged in", user.user_id)
        return self._tokens(user.user_id, user.roles, user.unit_id, None, client_id, refresh)

    def _client_credentials(self, form: dict[str, str], authorization: str | None, source: str) -> dict:
        client_id, secret = _client_auth(form, authorization)
        if not client_id or not secret:
            raise OAuthError("invalid_client", "client authentication is required", 401,
                             {"WWW-Authenticate": 'Basic realm="pakn"'})
        self._throttle(f"client:{client_id}", source)
        account = self.accounts.authenticate_client(client_id, secret)
        if account is None:
            self.limits.failed(f"client:{client_id}")
            self.source_limits.failed(f"source:{source}")
            log.info("identity: client credentials refused (source %s)", source)
            raise OAuthError("invalid_client", "unknown client, wrong secret, or the account is disabled", 401,
                             {"WWW-Authenticate": 'Basic realm="pakn"'})
        self.limits.succeeded(f"client:{client_id}")
        # RFC 6749 §4.4.3: no refresh token; the client authenticates again instead.
        return self._tokens(account.client_id, account.roles, account.unit_id, account.channel, account.client_id,
                            None)

    def _refresh(self, form: dict[str, str], authorization: str | None) -> dict:
        client_id = self._public_client(form, authorization)
        token = form.get("refresh_token", "")
        if not token:
            raise OAuthError("invalid_request", "refresh_token is required")
        done = self.accounts.refresh(token, client_id, self.refresh_seconds)
        if done is None:
            raise OAuthError("invalid_grant", "the refresh token is not valid (expired, used, revoked, or the "
                                              "account is disabled)")
        user = done.user
        return self._tokens(user.user_id, user.roles, user.unit_id, None, client_id, done.refresh_token)

    def _tokens(self, subject, roles, unit_id, channel, client_id, refresh: str | None) -> dict:
        lifetime = self.issuer.access_token_seconds
        out = {"access_token": self.issuer.issue(subject, roles, unit_id=unit_id, channel=channel,
                                                 client_id=client_id, lifetime=lifetime),
               "token_type": "Bearer", "expires_in": lifetime}
        if refresh:
            out["refresh_token"] = refresh
        return out

    def _throttle(self, account: str, source: str) -> None:
        wait = max(self.limits.blocked_for(account), self.source_limits.blocked_for(f"source:{source}"))
        if wait > 0:
            raise OAuthError("slow_down", "too many failed attempts; try again later", 429,
                             {"Retry-After": str(max(1, int(wait + 0.999)))})

    # -- HTTP -------------------------------------------------------------------------------------

    def start(self) -> None:
        provider = self

        class Handler(_Handler):
            pass

        Handler.provider = provider
        self._http = _Server((self.host, self._port), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, name="identity-http", daemon=True)
        self._thread.start()
        log.info("identity: issuer %s serving OAuth 2.0 on http://%s:%s", self.issuer.issuer, self.host, self.port)

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        self.accounts.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _client_auth(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    """client_secret_basic (RFC 6749 §2.3.1, form-encoded id and secret) or client_secret_post."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            return "", ""
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        cid, sep, secret = decoded.partition(":")
        if not sep:
            return "", ""
        return urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


class _Handler(BaseHTTPRequestHandler):
    provider: OAuthProvider
    server_version = "pakn-identity"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # request lines could carry anything; the provider logs ids and outcomes itself

    def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - the stdlib's name
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
                self._json(200, self.provider.discovery())
            elif path == "/jwks":
                self._json(200, self.provider.issuer.keys.jwks())
            elif path == "/livez":
                self._json(200, {"status": "ok"})
            else:
                self._json(404, {"error": "not_found"})
        except Exception:  # noqa: BLE001 - never a trace to the caller
            log.exception("identity: GET %s failed", path)
            self._json(500, {"error": "server_error"})

    def do_POST(self):  # noqa: N802 - the stdlib's name
        path = urllib.parse.urlsplit(self.path).path
        if path != "/token":
            self._json(404, {"error": "not_found"})
            return
        try:
            form = self._form()
            body = self.provider.token(form, self.headers.get("Authorization"), self.client_address[0])
            self._json(200, body)
        except OAuthError as exc:
            self._json(exc.status, {"error": exc.error, "error_description": exc.description}, exc.headers)
        except Exception as exc:  # noqa: BLE001 - never a trace to the caller
            # The class only: a message could hold a submitted value.
            log.error("identity: token request failed (%s)", type(exc).__name__)
            self._json(500, {"error": "server_error", "error_description": "try again later"})

    def _form(self) -> dict[str, str]:
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            raise OAuthError("invalid_request", "bad Content-Length") from None
        if length < 0 or length > MAX_BODY:
            raise OAuthError("invalid_request", f"the body is larger than {MAX_BODY} bytes", 413)
        raw = self.rfile.read(length)
        try:
            pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                                           max_num_fields=32)
        except (UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_request", "the body cannot be read") from None
        form: dict[str, str] = {}
        for k, v in pairs:
            if k in form:  # RFC 6749 §3.2: parameters must not be repeated
                raise OAuthError("invalid_request", f"{k[:32]} is repeated")
            form[k] = v
        return form


class _Off:
    """identity.embedded off: the province's provider issues every token; nothing to serve."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def build_provider(config, identity, target_alone: bool = False):
    """The provider of a configuration (the `identity-provider` module)."""
    from runtime.config import ConfigError

    section = config.identity
    if not section.embedded or identity.issuer is None:
        if target_alone:
            raise ConfigError("target identity runs the embedded issuer: identity.embedded is off")
        return _Off()
    if not 0 <= section.http_port < 65536:
        raise ConfigError("identity.http_port: out of range")
    if section.access_token_seconds + section.leeway_seconds > 60:
        log.warning("identity: access_token_seconds + leeway_seconds is %.0f s: a disabled account keeps "
                    "working longer than a minute", section.access_token_seconds + section.leeway_seconds)
    return OAuthProvider(identity.issuer, AccountStore.open(config), section, section.http_host, section.http_port)
