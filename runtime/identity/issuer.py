"""The embedded issuer's signing keys and its access tokens (the platform's own OpenID provider).

When no province identity provider is configured, the platform issues its own short-lived JWT
access tokens (RFC 9068 shape: iss, sub, aud, exp, iat, jti, client_id, and the platform's role,
unit and channel claims), signed with Ed25519 (EdDSA). They are verified exactly as an external
provider's are (runtime/identity/tokens.py): the verifier only ever sees a JWKS.

The keys live in `<data_dir>/identity/signing-keys.json` (mode 0600): the newest signs, the older
ones stay in the JWKS until retired, so a rotation logs nobody out.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from runtime.identity.keys import SigningKey, parse_jwks
from runtime.identity.roles import Role

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class _Key:
    kid: str
    private: Ed25519PrivateKey
    created: float

    def public_jwk(self) -> dict:
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


class SigningKeys:
    """The issuer's key ring, kept in one file; thread-safe."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._keys: list[_Key] = []
        self._load_or_create()

    def _load_or_create(self) -> None:
        with self._lock:
            if not self.path.exists():
                # Processes sharing a data folder may start together: the first file linked wins.
                self._keys = [self._new()]
                tmp = self._write(f".{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
                try:
                    os.link(tmp, self.path)
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink()
            self._keys = self._read()

    def _read(self) -> list[_Key]:
        entries = json.loads(self.path.read_text())
        return [_Key(e["kid"], serialization.load_pem_private_key(e["private_pem"].encode(), None),
                     float(e["created"])) for e in entries]

    @staticmethod
    def _new() -> _Key:
        return _Key(uuid.uuid4().hex[:16], Ed25519PrivateKey.generate(), time.time())

    def _save(self) -> None:
        os.replace(self._write(".tmp"), self.path)

    def _write(self, suffix: str) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries = [{"kid": k.kid, "created": k.created,
                    "private_pem": k.private.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()).decode()}
                   for k in self._keys]
        tmp = self.path.with_name(self.path.name + suffix)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(entries, f)
        return tmp

    def rotate(self, keep: int = 2) -> str:
        """A new signing key; the previous `keep - 1` stay published for tokens already issued."""
        with self._lock:
            self._keys = [self._new(), *self._keys][:max(keep, 1)]
            self._save()
            return self._keys[0].kid

    @property
    def signing(self) -> _Key:
        return self._keys[0]

    def jwks(self) -> dict:
        return {"keys": [k.public_jwk() for k in self._keys]}


class LocalKeySource:
    """The embedded issuer's public keys for a verifier in the same process (no HTTP round trip)."""

    def __init__(self, keys: SigningKeys, algorithms: frozenset[str]):
        self.keys = keys
        self.algorithms = algorithms
        # The ring's public keys as parsed, by the key ids they were parsed from: every call is
        # verified here, and the ring changes only when it rotates.
        self._parsed: tuple[tuple[str, ...], list[SigningKey]] = ((), [])

    def _public(self) -> list[SigningKey]:
        ring = tuple(k.kid for k in self.keys._keys)
        if self._parsed[0] != ring:
            self._parsed = (ring, parse_jwks(self.keys.jwks(), self.algorithms))
        return self._parsed[1]

    def key(self, kid: str | None, alg: str) -> SigningKey | None:
        usable = [k for k in self._public() if k.fits(alg)]
        if kid is None:
            return usable[0] if len(usable) == 1 else None
        return next((k for k in usable if k.kid == kid), None)


class EmbeddedIssuer:
    """Signs the platform's access tokens."""

    def __init__(self, issuer: str, audience: str, keys: SigningKeys, access_token_seconds: int = 300):
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.access_token_seconds = access_token_seconds

    def issue(self, subject: str, roles: Iterable[Role | str], *, unit_id: str | None = None,
              channel: str | None = None, client_id: str | None = None, lifetime: int | None = None,
              now: float | None = None, extra: dict | None = None) -> str:
        """A signed access token for `subject` with the platform's claims (names as identity.*_claim defaults)."""
        issued = int(now if now is not None else time.time())
        claims: dict = {
            "iss": self.issuer, "sub": subject, "aud": self.audience, "iat": issued, "nbf": issued,
            "exp": issued + int(lifetime if lifetime is not None else self.access_token_seconds),
            "jti": uuid.uuid4().hex, "pakn_roles": [str(r) for r in roles],
        }
        if client_id:
            claims["client_id"] = client_id
        if unit_id:
            claims["pakn_unit"] = unit_id
        if channel:
            claims["pakn_channel"] = channel
        claims.update(extra or {})
        key = self.keys.signing
        return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"})
