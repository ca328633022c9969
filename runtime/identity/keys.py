"""An issuer's public signing keys: discovered, fetched over HTTP(S), cached, refreshed on rotation.

`RemoteKeySet` reads the issuer's discovery document (`<issuer>/.well-known/openid-configuration`,
OpenID Connect Discovery 1.0 §4) for its `jwks_uri` (unless a JWKS URL is configured), fetches the
JWKS with a timeout and a size cap, and keeps the keys. A key id it does not know triggers a
refresh (the issuer rotated its keys), but at most one per `refresh_min_seconds`, so tokens with
made-up key ids cannot make the platform hammer the provider. When a refresh fails, the keys held
stay in use (a provider's outage does not log everyone out) and the failure is logged.

Keys are parsed by PyJWT (`jwt.PyJWK`); symmetric keys (`kty: oct`) and keys not for signatures
are never taken from a JWKS. Anything that holds keys another way (the embedded issuer to come)
implements the same `KeySource` protocol.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

import jwt

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 512 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class KeyFetchError(Exception):
    """The issuer's discovery document or JWKS could not be had (the message says why, with no secret)."""


class KeySource(Protocol):
    def key(self, kid: str | None, alg: str) -> "SigningKey | None":
        """The key for a token's `kid` and `alg`, refreshing if the key id is unknown; None if none.

        Raises KeyFetchError when no keys can be had at all.
        """


def check_url(url: str, what: str) -> None:
    """https, or http on a loopback address only (a test or a provider beside the process)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return
    raise ValueError(f"{what}: {url!r} is not an https URL (http is accepted on loopback only)")


def discovery_url(issuer: str) -> str:
    """OpenID Connect Discovery §4: the issuer (path included) + /.well-known/openid-configuration."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass
class HttpFetcher:
    timeout_seconds: float = 5.0
    ca_file: str = ""

    def __post_init__(self) -> None:
        self._context = ssl.create_default_context(cafile=self.ca_file or None)

    def __call__(self, url: str) -> dict:
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "pakn"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds, context=self._context) as response:
                body = response.read(MAX_DOCUMENT_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise KeyFetchError(f"{url}: HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:  # URLError, timeouts, TLS failures
            raise KeyFetchError(f"{url}: {type(exc).__name__}: {getattr(exc, 'reason', '') or exc}") from None
        if len(body) > MAX_DOCUMENT_BYTES:
            raise KeyFetchError(f"{url}: larger than {MAX_DOCUMENT_BYTES} bytes")
        try:
            document = json.loads(body)
        except ValueError:
            raise KeyFetchError(f"{url}: not JSON") from None
        if not isinstance(document, dict):
            raise KeyFetchError(f"{url}: not a JSON object")
        return document


@dataclass(frozen=True)
class SigningKey:
    """One public key of a JWKS, as PyJWK parsed it."""

    kid: str | None
    kty: str
    crv: str | None
    alg: str | None  # the alg the JWK declares, if any
    key: Any  # a cryptography public key

    def fits(self, alg: str) -> bool:
        """Whether the key can verify `alg`: its type and curve, and its own alg if it states one."""
        if self.alg and self.alg != alg:
            return False
        if alg.startswith(("RS", "PS")):
            return self.kty == "RSA"
        if alg.startswith("ES"):
            return self.kty == "EC" and self.crv == {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}.get(alg)
        if alg == "EdDSA":
            return self.kty == "OKP" and self.crv in ("Ed25519", "Ed448")
        return False


def parse_jwks(document: dict, algorithms: frozenset[str]) -> list[SigningKey]:
    """The signing keys of a JWKS usable with `algorithms` (others are left out)."""
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise KeyFetchError("the JWKS has no 'keys' list")
    usable = []
    for data in keys:
        if not isinstance(data, dict) or data.get("kty") not in ("RSA", "EC", "OKP"):
            continue  # never a symmetric key from a key set
        if data.get("use", "sig") != "sig" or (data.get("alg") and data["alg"] not in algorithms):
            continue
        if "d" in data:
            continue  # a private key published by mistake: not used, and not kept
        try:
            parsed = jwt.PyJWK(data)
        except jwt.PyJWTError:
            continue  # an unsupported key type or curve
        kid = data.get("kid") if isinstance(data.get("kid"), str) and data.get("kid") else None
        usable.append(SigningKey(kid=kid, kty=data["kty"], crv=data.get("crv"), alg=data.get("alg"), key=parsed.key))
    return usable


class RemoteKeySet:
    """The keys of one issuer, from its JWKS. Thread-safe; one fetch at a time."""

    def __init__(self, issuer: str, algorithms: frozenset[str], *, jwks_url: str = "",
                 fetch: Callable[[str], dict] | None = None, cache_seconds: float = 3600.0,
                 refresh_min_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.issuer = issuer
        self.algorithms = algorithms
        self._configured_jwks_url = jwks_url
        self._jwks_url = jwks_url
        self._fetch = fetch or HttpFetcher()
        self._cache_seconds = cache_seconds
        self._refresh_min_seconds = refresh_min_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = []
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_error = ""
        self.fetches = 0

    def key(self, kid: str | None, alg: str) -> SigningKey | None:
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= self._cache_seconds
            if (stale or self._lookup(kid, alg) is None) and self._may_refresh(now):
                self._refresh(now)
            if self._fetched_at is None:
                # Never had keys, and the last attempt was too recent to try again.
                raise KeyFetchError(self._last_error or f"no keys of {self.issuer} yet")
            return self._lookup(kid, alg)

    def _may_refresh(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._refresh_min_seconds

    def _lookup(self, kid: str | None, alg: str) -> SigningKey | None:
        if kid is not None:
            return next((k for k in self._keys if k.kid == kid), None)
        # No kid in the token: only an unambiguous key will do.
        candidates = [k for k in self._keys if k.fits(alg)]
        return candidates[0] if len(candidates) == 1 else None

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        try:
            if not self._jwks_url:
                self._jwks_url = self._discover()
            self.fetches += 1
            keys = parse_jwks(self._fetch(self._jwks_url), self.algorithms)
        except KeyFetchError as exc:
            self._last_error = str(exc)
            if not self._configured_jwks_url:
                self._jwks_url = ""  # discover again next time: the jwks_uri may have moved
            if self._fetched_at is not None:
                log.warning("identity: keys of %s not refreshed, the ones held stay in use (%s)", self.issuer, exc)
                return
            raise
        self._keys, self._fetched_at = keys, now
        log.info("identity: %d signing keys of %s loaded", len(keys), self.issuer)

    def _discover(self) -> str:
        document = self._fetch(discovery_url(self.issuer))
        if document.get("issuer") != self.issuer:
            # Discovery §4.3: the document must name exactly the issuer it was fetched for.
            raise KeyFetchError(f"the discovery document of {self.issuer} names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise KeyFetchError(f"the discovery document of {self.issuer} has no jwks_uri")
        try:
            check_url(jwks_uri, "jwks_uri")
        except ValueError as exc:
            raise KeyFetchError(str(exc)) from None
        return jwks_uri
