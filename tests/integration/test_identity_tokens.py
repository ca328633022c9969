"""Bearer tokens issued by a real OpenID provider (oidc-provider on Node.js, on loopback), verified
by runtime/identity: the principal of a valid token, and each way a token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.request
from datetime import timezone

import pytest

from runtime.config import load
from runtime.identity import Reason, Role, TokenError, TokenVerifier
from tests.identity_infra import API, OTHER_API, Client, OidcProvider, signing_key

DEAD_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing answers


def channel_claims(channel: str) -> dict:
    return {"pakn_roles": ["channel"], "pakn_channel": channel}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The trusted provider, with one client per kind of token the tests need."""
    p = OidcProvider(tmp_path_factory.mktemp("oidc-a"), [
        Client("web-portal", claims=channel_claims("web_portal")),
        Client("leader-es", alg="ES256", claims={"realm_access": {"roles": ["pakn-leader", "offline_access"]},
                                                 "pakn_unit": "so-gtvt"}),
        Client("unit-system-ed", alg="EdDSA", claims={"pakn_roles": "unit_system", "pakn_unit": "ubnd-hoa-thanh"}),
        Client("leader-no-unit", claims={"pakn_roles": ["unit_leader"]}),
        Client("short", ttl=1, claims=channel_claims("zalo")),
        Client("long", ttl=2 * 24 * 3600, claims=channel_claims("facebook")),
        Client("hs", alg="HS256", claims=channel_claims("email")),
    ]).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def other(tmp_path_factory, provider):
    """Another provider: its own issuer, and clients that claim to be someone else."""
    p = OidcProvider(tmp_path_factory.mktemp("oidc-b"), [
        Client("web-portal", claims=channel_claims("web_portal")),
        Client("impostor", claims={"pakn_roles": ["administrator"]}, iss=provider.issuer),
        Client("dead", claims=channel_claims("hotline"), iss=DEAD_ISSUER),
    ]).start()
    yield p
    p.stop()


def verifier(*issuers: str, **settings) -> TokenVerifier:
    """A verifier built from configuration, as the platform builds it."""
    overrides = {"identity.issuers": ",".join(issuers), "identity.audience": API, **settings}
    return TokenVerifier.from_config(load(environ={}, overrides=overrides).identity)


def refused(v: TokenVerifier, token: str) -> Reason:
    with pytest.raises(TokenError) as info:
        v.verify(token)
    return info.value.reason


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))),
            signature)


def test_a_valid_token_gives_its_principal(provider):
    token = provider.token("web-portal")
    principal = verifier(provider.issuer).verify(token)
    _, claims, _ = parts(token)
    assert principal.subject == "web-portal" and principal.issuer == provider.issuer
    assert principal.roles == {Role.CHANNEL} and principal.channel == "web_portal"
    assert principal.client_id == "web-portal" and principal.unit_id is None
    assert principal.token_id == claims["jti"] and principal.scopes == {"pakn"}
    assert principal.expires_at.tzinfo is timezone.utc and principal.expires_at.timestamp() == claims["exp"]
    assert principal.method == "bearer" and not principal.anonymous


def test_roles_and_unit_come_from_configured_claims_and_names(provider):
    """Keycloak-style realm_access.roles with the provider's own role names, on an ES256 token."""
    v = verifier(provider.issuer, **{"identity.role_claim": "realm_access.roles",
                                     "identity.role_map": "pakn-leader=unit_leader"})
    principal = v.verify(provider.token("leader-es"))
    assert principal.roles == {Role.UNIT_LEADER}  # offline_access means nothing here
    assert principal.unit_id == "so-gtvt"
    # The same token under the default mapping (pakn_roles) grants no role at all.
    assert verifier(provider.issuer).verify(provider.token("leader-es")).roles == frozenset()


def test_an_eddsa_token_with_a_role_string(provider):
    principal = verifier(provider.issuer).verify(provider.token("unit-system-ed"))
    assert principal.roles == {Role.UNIT_SYSTEM} and principal.unit_id == "ubnd-hoa-thanh"


def test_a_unit_role_without_a_unit_is_refused(provider):
    assert refused(verifier(provider.issuer), provider.token("leader-no-unit")) is Reason.INVALID_CLAIMS


def test_an_expired_token_is_refused(provider):
    token = provider.token("short")  # lives one second
    v = verifier(provider.issuer, **{"identity.leeway_seconds": 0})
    time.sleep(2.1)
    assert refused(v, token) is Reason.EXPIRED
    # Within the leeway it is still accepted (clock skew between provider and platform).
    assert verifier(provider.issuer, **{"identity.leeway_seconds": 30}).verify(token).subject == "short"


def test_a_token_living_longer_than_the_maximum_is_refused(provider):
    token = provider.token("long")
    assert refused(verifier(provider.issuer), token) is Reason.TOO_LONG_LIVED
    lenient = verifier(provider.issuer, **{"identity.max_token_seconds": 3 * 24 * 3600})
    assert lenient.verify(token).channel == "facebook"


def test_a_token_for_another_audience_is_refused(provider):
    token = provider.token("web-portal", resource=OTHER_API)
    assert parts(token)[1]["aud"] == OTHER_API
    assert refused(verifier(provider.issuer), token) is Reason.WRONG_AUDIENCE


def test_a_token_of_another_issuer_is_refused_unless_it_is_trusted(provider, other):
    token = other.token("web-portal")
    assert refused(verifier(provider.issuer), token) is Reason.WRONG_ISSUER
    assert verifier(provider.issuer, other.issuer).verify(token).issuer == other.issuer


def test_another_provider_claiming_the_trusted_issuer_is_refused(provider, other):
    """Its key ids are none of the trusted issuer's, even after a refresh."""
    token = other.token("impostor")
    assert parts(token)[1]["iss"] == provider.issuer
    assert refused(verifier(provider.issuer), token) is Reason.UNKNOWN_KEY
    # Nor does it pass by naming a key id the trusted issuer has.
    header, claims, signature = parts(token)
    trusted_kid = parts(provider.token("web-portal"))[0]["kid"]
    forged = f"{b64({**header, 'kid': trusted_kid})}.{b64(claims)}.{signature}"
    assert refused(verifier(provider.issuer), forged) is Reason.BAD_SIGNATURE


def test_a_tampered_token_is_refused(provider):
    v = verifier(provider.issuer)
    token = provider.token("web-portal")
    header, claims, signature = token.split(".")
    _, decoded, _ = parts(token)
    promoted = b64({**decoded, "pakn_roles": ["administrator"]})
    assert refused(v, f"{header}.{promoted}.{signature}") is Reason.BAD_SIGNATURE
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert refused(v, f"{header}.{claims}.{flipped}") is Reason.BAD_SIGNATURE
    assert v.verify(token).subject == "web-portal"


def test_alg_none_and_hmac_tokens_are_refused(provider):
    v = verifier(provider.issuer)
    header, claims, _ = parts(provider.token("web-portal"))
    assert refused(v, f"{b64({**header, 'alg': 'none'})}.{b64(claims)}.") is Reason.BAD_ALGORITHM
    # HS256 keyed with the provider's public RSA key (the classic confusion of RFC 8725 §2.1).
    from cryptography.hazmat.primitives import serialization
    from jwt.algorithms import RSAAlgorithm

    jwks = json.load(urllib.request.urlopen(f"{provider.issuer}/jwks", timeout=5))
    rsa = next(k for k in jwks["keys"] if k["kty"] == "RSA")
    pem = RSAAlgorithm.from_jwk(rsa).public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'at+jwt', 'kid': rsa['kid']})}.{b64(claims)}"
    mac = b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
    assert refused(v, f"{signing_input}.{mac}") is Reason.BAD_ALGORITHM
    # And an HS256 token the provider itself issued with the client's secret.
    assert parts(provider.token("hs"))[0]["alg"] == "HS256"
    assert refused(v, provider.token("hs")) is Reason.BAD_ALGORITHM


def test_malformed_tokens_are_refused(provider):
    v = verifier(provider.issuer)
    for token in ("", "abc", "a.b.c", "a.b", "x" * 20000, provider.token("web-portal") + ".x"):
        assert refused(v, token) is Reason.MALFORMED


def test_an_issuer_that_does_not_answer(provider, other):
    token = other.token("dead")
    v = verifier(DEAD_ISSUER, **{"identity.http_timeout_seconds": 2})
    with pytest.raises(TokenError) as info:
        v.verify(token)
    assert info.value.reason is Reason.ISSUER_UNAVAILABLE and info.value.retryable


def test_key_rotation_refreshes_once_and_keys_outlive_an_outage(tmp_path):
    first = signing_key("RS256")
    p = OidcProvider(tmp_path / "oidc", [Client("web-portal", claims=channel_claims("web_portal"))],
                     keys=[first]).start()
    try:
        v = verifier(p.issuer, **{"identity.jwks_refresh_min_seconds": 2})
        keys = v._keys[p.issuer]
        old = p.token("web-portal")
        assert v.verify(old).subject == "web-portal" and keys.fetches == 1

        # The provider rotates: a new key signs, the old one is still published.
        second = signing_key("RS256")
        p.restart(keys=[second, first])
        time.sleep(2.1)  # past the refresh interval since the first fetch
        new = p.token("web-portal")
        assert parts(new)[0]["kid"] == second["kid"]
        assert v.verify(new).subject == "web-portal" and keys.fetches == 2
        assert v.verify(old).subject == "web-portal" and keys.fetches == 2

        # Made-up key ids do not make the verifier fetch again within jwks_refresh_min_seconds.
        header, claims, signature = new.split(".")
        for n in range(5):
            made_up = f"{b64({**parts(new)[0], 'kid': f'nope-{n}'})}.{claims}.{signature}"
            assert refused(v, made_up) is Reason.UNKNOWN_KEY
        assert keys.fetches == 2

        # The provider goes down: the keys held still verify its tokens.
        p.stop()
        assert v.verify(new).subject == "web-portal"
    finally:
        p.stop()


def test_the_token_is_never_logged(provider, other, caplog):
    caplog.set_level(logging.DEBUG)
    v = verifier(provider.issuer)
    tokens = [provider.token("web-portal"), provider.token("web-portal", resource=OTHER_API),
              provider.token("leader-no-unit"), other.token("web-portal"), other.token("impostor")]
    tampered = tokens[0][:-4] + "AAAA"
    for token in [*tokens, tampered]:
        try:
            v.verify(token)
        except TokenError as exc:
            assert token not in str(exc)
            for part in token.split("."):
                assert part not in str(exc)
    text = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(str(r.args) for r in caplog.records)
    assert "token refused" in text  # something was logged: the reasons
    for token in [*tokens, tampered]:
        for part in token.split("."):
            assert part not in text
