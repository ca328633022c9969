"""Authentication and role authorisation of one call, for the gRPC server's interceptor.

`Gate.admit(method, metadata, peer)` returns the `Caller` a handler runs as, or raises:
`Unauthenticated` (no or a bad token where one is needed), `PermissionDenied` (a role the policy
does not list for the method), `Unavailable` (the issuer's keys cannot be had). It never reads a
request: the role check comes before any validation or I/O of the call (runtime/identity/policy.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from runtime.errors import DomainError, PermissionDenied, Unauthenticated, Unavailable
from runtime.identity.context import Caller, peer_address
from runtime.identity.issuer import EmbeddedIssuer, LocalKeySource, SigningKeys
from runtime.identity.policy import is_open, rule_for
from runtime.identity.principal import ANONYMOUS, Principal
from runtime.identity.tokens import TokenError, TokenVerifier, bearer_token

log = logging.getLogger(__name__)

REQUEST_ID_MAX = 64


@dataclass
class Identity:
    """The process's identity parts: the verifier, and the embedded issuer when it runs here."""

    verifier: TokenVerifier
    issuer: EmbeddedIssuer | None = None


def build_identity(config, provider_here: bool = True) -> Identity:
    """From configuration: the embedded issuer's keys in this process when `identity.embedded`.

    Where the issuer's HTTP endpoints run in this process (`provider_here`: targets all and
    identity) its keys are trusted from memory. Elsewhere (a service's own process in
    microservices mode) the keys of this process's data folder are tried first, then the issuer's
    JWKS over HTTP through its discovery document at identity.embedded_issuer: the `identity`
    target's keys, wherever it runs.
    """
    section = config.identity
    issuer = None
    sources: dict[str, Any] = {}
    if section.embedded:
        keys = SigningKeys(Path(config.data_dir) / "identity" / "signing-keys.json")
        issuer = EmbeddedIssuer(section.embedded_issuer, section.audience.split(",")[0].strip() or "pakn", keys,
                                section.access_token_seconds)
        local = LocalKeySource(keys, frozenset({"EdDSA"}))
        sources[section.embedded_issuer] = local
        if not provider_here:
            from runtime.identity.keys import HttpFetcher, RemoteKeySet

            remote = RemoteKeySet(section.embedded_issuer, frozenset({"EdDSA"}),
                                  fetch=HttpFetcher(section.http_timeout_seconds, section.ca_file),
                                  cache_seconds=section.jwks_cache_seconds,
                                  refresh_min_seconds=section.jwks_refresh_min_seconds)
            sources[section.embedded_issuer] = LocalThenRemote(local, remote)
    return Identity(TokenVerifier.from_config(section, sources), issuer)


class LocalThenRemote:
    """A KeySource: the keys of this process's data folder, else the embedded issuer's JWKS over HTTP."""

    def __init__(self, local, remote):
        self.local, self.remote = local, remote

    def key(self, kid, alg):
        return self.local.key(kid, alg) or self.remote.key(kid, alg)


class Denied(Exception):
    """A refused call, with what the audit trail records of it (never the token)."""

    def __init__(self, error: DomainError, caller: Caller, reason: str):
        super().__init__(reason)
        self.error = error
        self.caller = caller
        self.reason = reason


class Gate:
    def __init__(self, verifier: TokenVerifier):
        self.verifier = verifier

    def admit(self, method: str, metadata: Sequence[tuple[str, Any]] | None, peer: str) -> Caller:
        source = peer_address(peer or "")
        request_id = _request_id(metadata)
        if is_open(method):
            return Caller(ANONYMOUS, source, request_id, method)
        rule = rule_for(method)
        principal: Principal = ANONYMOUS
        token = bearer_token(metadata)
        if token is not None:
            try:
                principal = self.verifier.verify(token)
            except TokenError as exc:
                caller = Caller(ANONYMOUS, source, request_id, method)
                if exc.retryable:
                    raise Denied(Unavailable("Không kiểm tra được thông tin đăng nhập, vui lòng thử lại sau",
                                             "Credentials cannot be checked now; try again later",
                                             reason="ISSUER_UNAVAILABLE"), caller, str(exc.reason)) from None
                raise Denied(Unauthenticated("Thông tin đăng nhập không hợp lệ hoặc đã hết hạn",
                                             "The credentials are invalid or expired",
                                             reason="INVALID_TOKEN", metadata={"token_error": str(exc.reason)}),
                             caller, str(exc.reason)) from None
        caller = Caller(principal, source, request_id, method)
        if rule is None:
            raise Denied(PermissionDenied("Thao tác không có trong chính sách phân quyền",
                                          "The method is not in the access policy", reason="NOT_IN_POLICY"),
                         caller, "not_in_policy")
        if principal.roles.isdisjoint(rule.roles):
            if principal.anonymous:
                raise Denied(Unauthenticated("Cần đăng nhập để thực hiện thao tác này",
                                             "This call needs credentials", reason="CREDENTIALS_REQUIRED"),
                             caller, "credentials_required")
            raise Denied(PermissionDenied("Vai trò của bạn không được phép thực hiện thao tác này",
                                          "Your role may not make this call", reason="ROLE_NOT_ALLOWED",
                                          metadata={"allowed_roles": ",".join(sorted(rule.roles))}),
                         caller, "role_not_allowed")
        return caller


def _request_id(metadata: Sequence[tuple[str, Any]] | None) -> str:
    import uuid

    for key, value in metadata or ():
        if key.lower() == "x-request-id" and isinstance(value, str):
            value = value.strip()
            if value and len(value) <= REQUEST_ID_MAX and value.isascii() and value.isprintable():
                return value
    return uuid.uuid4().hex
