"""Verification of OAuth 2.0 / OpenID Connect bearer tokens (JWT access tokens, RFC 9068).

`TokenVerifier.verify(token)` returns the caller's `Principal` or raises `TokenError` with a
machine reason (`Reason`). It checks, with PyJWT doing the JOSE work:

- the header's `alg` is one of the configured asymmetric algorithms (never `none`, never HS*: a
  provider's public key must not become an HMAC secret), and the key named by `kid` fits it;
- the issuer (`iss`) is one of the trusted ones, and its keys (discovered and cached by
  `runtime.identity.keys.RemoteKeySet`, refreshed when a `kid` is unknown) verify the signature;
- `aud` names the platform, `exp`, `iat` (and `nbf` if present) hold within a small leeway, and
  the token does not live longer than the configured maximum;
- the claims map to a valid principal (`runtime.identity.principal.ClaimMapping`).

The token itself is never logged, nor put in an exception's message; log lines name the reason,
the issuer and the key id only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping, Sequence

import jwt

from runtime.identity.keys import HttpFetcher, KeyFetchError, KeySource, RemoteKeySet, check_url
from runtime.identity.principal import ClaimError, ClaimMapping, Principal, parse_pairs, split_list

log = logging.getLogger(__name__)

# Asymmetric signature algorithms that may be configured. HS* and "none" are not among them.
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
MAX_TOKEN_BYTES = 16 * 1024


class Reason(StrEnum):
    MALFORMED = "malformed"  # not a JWS compact token, or claims of the wrong type
    BAD_ALGORITHM = "bad_algorithm"  # "none", HS*, or an alg not configured or not fitting the key
    WRONG_ISSUER = "wrong_issuer"  # iss missing or not a trusted issuer
    UNKNOWN_KEY = "unknown_key"  # no key of the issuer has this kid, even after a refresh
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"  # nbf or iat in the future (beyond the leeway)
    TOO_LONG_LIVED = "too_long_lived"  # exp - iat beyond the maximum lifetime
    MISSING_CLAIM = "missing_claim"  # exp, iat, iss, sub or aud absent
    INVALID_CLAIMS = "invalid_claims"  # the claims make no valid principal (a unit role without a unit, …)
    ISSUER_UNAVAILABLE = "issuer_unavailable"  # the issuer's keys cannot be had: retry later


class TokenError(Exception):
    """A bearer token was refused. `reason` is for machines; the message never holds the token."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail

    @property
    def retryable(self) -> bool:
        """Only an issuer's outage is worth retrying; every other reason is the token's fault."""
        return self.reason is Reason.ISSUER_UNAVAILABLE


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str  # exactly as the tokens' "iss"
    audience: str | tuple[str, ...]  # any of these in "aud" will do
    jwks_url: str = ""  # replaces the discovered jwks_uri
    mapping: ClaimMapping | None = None  # this issuer's claim mapping; None: the verifier's


@dataclass(frozen=True)
class VerifierSettings:
    algorithms: frozenset[str] = frozenset({"RS256", "ES256", "EdDSA"})
    leeway_seconds: float = 30.0
    max_token_seconds: int = 3600
    http_timeout_seconds: float = 5.0
    jwks_cache_seconds: float = 3600.0
    jwks_refresh_min_seconds: float = 30.0
    ca_file: str = ""


class TokenVerifier:
    def __init__(self, issuers: Sequence[TrustedIssuer], settings: VerifierSettings | None = None,
                 mapping: ClaimMapping | None = None, key_sources: Mapping[str, KeySource] | None = None) -> None:
        self.settings = settings or VerifierSettings()
        bad = self.settings.algorithms - ASYMMETRIC
        if bad or not self.settings.algorithms:
            raise ValueError(f"identity.algorithms: {', '.join(sorted(bad)) or 'none given'} not accepted "
                             f"(one or more of {', '.join(sorted(ASYMMETRIC))})")
        self.mapping = mapping or ClaimMapping()
        self.issuers = {i.issuer: i for i in issuers}
        fetch = HttpFetcher(self.settings.http_timeout_seconds, self.settings.ca_file)
        self._keys: dict[str, KeySource] = dict(key_sources or {})
        for trusted in issuers:
            check_url(trusted.issuer, "identity.issuers")
            if trusted.jwks_url:
                check_url(trusted.jwks_url, "identity.jwks_urls")
            if not trusted.audience:
                raise ValueError(f"identity.audience: needed for {trusted.issuer}")
            self._keys.setdefault(trusted.issuer, RemoteKeySet(
                trusted.issuer, self.settings.algorithms, jwks_url=trusted.jwks_url, fetch=fetch,
                cache_seconds=self.settings.jwks_cache_seconds,
                refresh_min_seconds=self.settings.jwks_refresh_min_seconds))

    @classmethod
    def from_config(cls, section, key_sources: Mapping[str, KeySource] | None = None) -> "TokenVerifier":
        """From the `identity` configuration section (runtime/config.py IdentityConfig).

        With `identity.embedded` the platform's own issuer is trusted too: through `key_sources`
        when it runs in this process, else through its discovery document like any provider.
        """
        from runtime.config import ConfigError

        try:
            jwks_urls = parse_pairs(section.jwks_urls, "identity.jwks_urls")
            issuers = split_list(section.issuers)
            if getattr(section, "embedded", False) and section.embedded_issuer not in issuers:
                issuers.append(section.embedded_issuer)
            unknown = set(jwks_urls) - set(issuers)
            if unknown:
                raise ValueError(f"identity.jwks_urls: {', '.join(sorted(unknown))} is not in identity.issuers")
            if section.leeway_seconds < 0 or section.leeway_seconds > 300:
                raise ValueError("identity.leeway_seconds: between 0 and 300")
            if section.max_token_seconds <= 0:
                raise ValueError("identity.max_token_seconds: more than 0")
            if section.http_timeout_seconds <= 0:
                raise ValueError("identity.http_timeout_seconds: more than 0")
            audience = tuple(split_list(section.audience))
            settings = VerifierSettings(
                algorithms=frozenset(split_list(section.algorithms)), leeway_seconds=section.leeway_seconds,
                max_token_seconds=section.max_token_seconds, http_timeout_seconds=section.http_timeout_seconds,
                jwks_cache_seconds=section.jwks_cache_seconds,
                jwks_refresh_min_seconds=section.jwks_refresh_min_seconds, ca_file=section.ca_file)
            embedded = section.embedded_issuer if getattr(section, "embedded", False) else None
            # The embedded issuer's tokens carry the platform's own claim names, whatever the
            # province's provider needs mapped.
            return cls([TrustedIssuer(i, audience, jwks_urls.get(i, ""), ClaimMapping() if i == embedded else None)
                        for i in issuers], settings,
                       ClaimMapping.from_config(section), key_sources)
        except (ValueError, OSError) as exc:
            raise ConfigError(str(exc)) from None

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; TokenError with the reason otherwise."""
        try:
            principal = self._verify(token)
        except TokenError as exc:
            # Ids and reasons only: never the token.
            log.info("identity: token refused (%s)", exc.reason)
            raise
        return principal

    def _verify(self, token: str) -> Principal:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
            raise TokenError(Reason.MALFORMED, "not a compact JWS")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenError(Reason.MALFORMED, "the header or the claims cannot be read") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.settings.algorithms:
            raise TokenError(Reason.BAD_ALGORITHM, f"alg {alg[:16]!r} is not accepted" if isinstance(alg, str) else "")
        if "crit" in header:
            raise TokenError(Reason.MALFORMED, "critical header parameters are not supported")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenError(Reason.MALFORMED, "kid is not a string")

        # The unverified "iss" only chooses whose keys to try; it is verified with the signature.
        issuer = unverified.get("iss")
        trusted = self.issuers.get(issuer) if isinstance(issuer, str) else None
        if trusted is None:
            raise TokenError(Reason.WRONG_ISSUER, "the issuer is not trusted" if issuer else "no iss")
        try:
            key = self._keys[trusted.issuer].key(kid, alg)
        except KeyFetchError as exc:
            log.warning("identity: no keys of %s (%s)", trusted.issuer, exc)
            raise TokenError(Reason.ISSUER_UNAVAILABLE, f"the keys of {trusted.issuer} cannot be had") from None
        if key is None:
            raise TokenError(Reason.UNKNOWN_KEY, f"no key {kid!r} of {trusted.issuer}" if kid else
                             f"no kid, and no single key of {trusted.issuer} for {alg}")
        if not key.fits(alg):
            raise TokenError(Reason.BAD_ALGORITHM, f"key {kid!r} is not a key for {alg}")

        claims = self._decode(token, key.key, alg, trusted)
        if not all(isinstance(claims[c], (int, float)) and not isinstance(claims[c], bool) for c in ("exp", "iat")):
            raise TokenError(Reason.MALFORMED, "exp and iat must be numbers")
        lifetime = claims["exp"] - claims["iat"]
        if lifetime > self.settings.max_token_seconds:
            raise TokenError(Reason.TOO_LONG_LIVED, f"lives {int(lifetime)} s, at most "
                                                    f"{self.settings.max_token_seconds} s accepted")
        try:
            return (trusted.mapping or self.mapping).principal(claims)
        except ClaimError as exc:
            raise TokenError(Reason.INVALID_CLAIMS, str(exc)) from None

    def _decode(self, token: str, key: Any, alg: str, trusted: TrustedIssuer) -> dict[str, Any]:
        try:
            return jwt.decode(
                token, key, algorithms=[alg], audience=trusted.audience, issuer=trusted.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "sub", "aud"], "verify_signature": True,
                         "verify_exp": True, "verify_nbf": True, "verify_iat": True, "verify_iss": True,
                         "verify_aud": True, "enforce_minimum_key_length": True})
        except jwt.ExpiredSignatureError:
            raise TokenError(Reason.EXPIRED) from None
        except jwt.ImmatureSignatureError:
            raise TokenError(Reason.NOT_YET_VALID) from None
        except jwt.InvalidAudienceError:
            raise TokenError(Reason.WRONG_AUDIENCE) from None
        except jwt.InvalidIssuerError:
            raise TokenError(Reason.WRONG_ISSUER) from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(Reason.MISSING_CLAIM, f"no {exc.claim!r}") from None
        except jwt.InvalidSignatureError:
            raise TokenError(Reason.BAD_SIGNATURE) from None
        except jwt.InvalidAlgorithmError:
            raise TokenError(Reason.BAD_ALGORITHM) from None
        except jwt.InvalidKeyError:
            raise TokenError(Reason.BAD_ALGORITHM, "the issuer's key is too weak or of the wrong type") from None
        except jwt.PyJWTError:  # DecodeError, InvalidIssuedAtError, …: claims of the wrong type
            raise TokenError(Reason.MALFORMED, "a claim has the wrong type") from None


def bearer_token(metadata: Sequence[tuple[str, Any]] | None) -> str | None:
    """The token of an `authorization: Bearer …` gRPC metadata entry; None without one.

    Raises TokenError(MALFORMED) for an authorization entry of another scheme, or several entries.
    """
    values = [v for k, v in (metadata or ()) if k.lower() == "authorization"]
    if not values:
        return None
    if len(values) > 1:
        raise TokenError(Reason.MALFORMED, "more than one authorization entry")
    value = values[0].decode("ascii", "replace") if isinstance(values[0], bytes) else str(values[0])
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError(Reason.MALFORMED, "authorization is not a Bearer token")
    return token.strip()
