"""Getting tokens from an OAuth 2.0 token endpoint: the embedded issuer's or the province's provider's.

- `ClientCredentials(issuer, client_id, secret)`: a `TokenSource` (runtime/clients.py) for a service
  account (a channel front-end such as the e-mail gateway): a token by the client-credentials grant,
  cached, fetched again shortly before it ends.
- `PasswordSession(issuer, username, password)`: a `TokenSource` for a person: the password grant
  once, then the refresh-token grant (the refresh token rotates) whenever the access token ends.
- `token_endpoint(issuer)`: from the issuer's discovery document.

Errors are `OAuthClientError` with the RFC 6749 error code; no secret or token is in its message.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from runtime.identity.keys import check_url, discovery_url

# A token is fetched again this long before it ends (so a call never carries one about to expire).
MARGIN_SECONDS = 5.0


class OAuthClientError(Exception):
    def __init__(self, error: str, description: str = "", status: int = 0, retry_after: float | None = None):
        super().__init__(f"{error}: {description}" if description else error)
        self.error, self.description, self.status, self.retry_after = error, description, status, retry_after

    @property
    def retryable(self) -> bool:
        return self.error in ("temporarily_unavailable", "server_error", "unreachable", "slow_down")


def _read_json(request: urllib.request.Request, timeout: float) -> dict:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read(512 * 1024))
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read(64 * 1024))
        except ValueError:
            body = {}
        retry = exc.headers.get("Retry-After") if exc.headers else None
        raise OAuthClientError(str(body.get("error") or "server_error"), str(body.get("error_description") or ""),
                               exc.code, float(retry) if retry and retry.isdigit() else None) from None
    except (OSError, ValueError) as exc:
        raise OAuthClientError("unreachable", f"{request.full_url}: {type(exc).__name__}") from None


def token_endpoint(issuer: str, timeout: float = 5.0) -> str:
    """The issuer's token endpoint, from its discovery document (OpenID Connect Discovery §4)."""
    check_url(issuer, "issuer")
    document = _read_json(urllib.request.Request(discovery_url(issuer), headers={"Accept": "application/json"}),
                          timeout)
    if document.get("issuer") != issuer or not isinstance(document.get("token_endpoint"), str):
        raise OAuthClientError("invalid_discovery", f"the discovery document of {issuer} does not fit")
    check_url(document["token_endpoint"], "token_endpoint")
    return document["token_endpoint"]


def request_token(endpoint: str, form: dict[str, str], basic: tuple[str, str] | None = None,
                  timeout: float = 10.0) -> dict:
    """POST a grant to the token endpoint; the response's JSON, or OAuthClientError."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if basic is not None:
        pair = f"{urllib.parse.quote_plus(basic[0])}:{urllib.parse.quote_plus(basic[1])}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    body = _read_json(urllib.request.Request(endpoint, data=urllib.parse.urlencode(form).encode(), method="POST",
                                             headers=headers), timeout)
    if not isinstance(body.get("access_token"), str) or str(body.get("token_type", "")).lower() != "bearer":
        raise OAuthClientError("invalid_response", "no bearer access token in the response")
    return body


class _Cached:
    def __init__(self, issuer: str, endpoint: str | None):
        self.issuer = issuer
        self._endpoint = endpoint
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            self._endpoint = token_endpoint(self.issuer)
        return self._endpoint

    def _take(self, body: dict) -> str:
        self._token = body["access_token"]
        self._expires = time.monotonic() + float(body.get("expires_in") or 60)
        return self._token

    def _fresh(self) -> bool:
        return self._token is not None and time.monotonic() < self._expires - MARGIN_SECONDS

    def __call__(self, _method: str = "", _request: Any = None) -> str:
        with self._lock:
            if not self._fresh():
                self._renew()
            assert self._token is not None
            return self._token

    def _renew(self) -> None:
        raise NotImplementedError


class ClientCredentials(_Cached):
    """A service account's token source (client_secret_basic); thread-safe."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, endpoint: str | None = None,
                 extra: dict[str, str] | None = None):
        super().__init__(issuer, endpoint)
        self.client_id = client_id
        self._secret = client_secret
        self._extra = dict(extra or {})  # e.g. a resource indicator (RFC 8707) for some providers

    def _renew(self) -> None:
        self._take(request_token(self.endpoint, {"grant_type": "client_credentials", **self._extra},
                                 basic=(self.client_id, self._secret)))


class PasswordSession(_Cached):
    """A person's token source: the password grant, then rotating refresh tokens; thread-safe."""

    def __init__(self, issuer: str, username: str, password: str, client_id: str = "pakn-cli",
                 endpoint: str | None = None):
        super().__init__(issuer, endpoint)
        self.username, self.client_id = username, client_id
        self._password: str | None = password
        self.refresh_token: str | None = None

    def _renew(self) -> None:
        if self.refresh_token:
            try:
                body = request_token(self.endpoint, {"grant_type": "refresh_token", "client_id": self.client_id,
                                                     "refresh_token": self.refresh_token})
                self.refresh_token = body.get("refresh_token") or self.refresh_token
                self._take(body)
                return
            except OAuthClientError as exc:
                if exc.error != "invalid_grant" or self._password is None:
                    raise
        if self._password is None:
            raise OAuthClientError("invalid_grant", "logged out")
        body = request_token(self.endpoint, {"grant_type": "password", "client_id": self.client_id,
                                             "username": self.username, "password": self._password})
        self.refresh_token = body.get("refresh_token")
        self._take(body)
