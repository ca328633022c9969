"""The identity section's settings, the claim mapping and the key cache, without a provider."""

from __future__ import annotations

import pytest

from runtime.config import ConfigError, load
from runtime.identity import ANONYMOUS, ClaimMapping, Reason, Role, TokenError, TokenVerifier, bearer_token
from runtime.identity.keys import KeyFetchError, RemoteKeySet, discovery_url
from runtime.identity.principal import ClaimError


def mapping(**settings) -> ClaimMapping:
    return ClaimMapping.from_config(load(environ={}, overrides=settings).identity)


def claims(**extra):
    return {"iss": "https://sso.example.vn/realms/pakn", "sub": "u-1", "exp": 1_900_000_000, **extra}


def test_roles_by_a_dotted_path_and_a_name_table():
    m = mapping(**{"identity.role_claim": "resource_access.pakn-api.roles",
                   "identity.role_map": "pakn-coordinator=coordinator, Báo cáo=report_reader"})
    principal = m.principal(claims(resource_access={"pakn-api": {"roles": ["pakn-coordinator", "Báo cáo",
                                                                          "uma_authorization"]}}))
    assert principal.roles == {Role.COORDINATOR, Role.REPORT_READER}
    # A platform role's own name maps to itself; the default path is pakn_roles, a string is split.
    assert mapping().roles({"pakn_roles": "administrator disclosure_officer"}) == {
        Role.ADMINISTRATOR, Role.DISCLOSURE_OFFICER}


def test_unit_roles_need_exactly_one_unit():
    m = mapping()
    assert m.principal(claims(pakn_roles=["unit_officer"], pakn_unit=["so-tnmt"])).unit_id == "so-tnmt"
    for bad in ({}, {"pakn_unit": ["a", "b"]}, {"pakn_unit": ""}, {"pakn_unit": {"id": 1}}):
        with pytest.raises(ClaimError):
            m.principal(claims(pakn_roles=["unit_officer"], **bad))
    assert m.principal(claims(pakn_roles=["coordinator"])).unit_id is None


def test_the_channel_must_be_one_of_the_platforms():
    m = mapping()
    assert m.principal(claims(pakn_roles=["channel"], pakn_channel="zalo")).channel == "zalo"
    with pytest.raises(ClaimError):
        m.principal(claims(pakn_roles=["channel"], pakn_channel="tiktok"))


def test_the_client_id_is_the_first_configured_claim_present():
    assert mapping().principal(claims(azp="pakn-app")).client_id == "pakn-app"
    assert mapping().principal(claims(azp="x", client_id="pakn-web")).client_id == "pakn-web"
    assert mapping(**{"identity.client_claims": "azp"}).principal(claims(azp="x", client_id="y")).client_id == "x"


def test_roles_of_the_wrong_type_are_refused():
    with pytest.raises(ClaimError):
        mapping().principal(claims(pakn_roles=[1, 2]))


def test_a_caller_without_a_token_is_a_citizen():
    assert ANONYMOUS.roles == {Role.CITIZEN} and ANONYMOUS.anonymous


@pytest.mark.parametrize("settings", [
    {"identity.issuers": "http://sso.example.vn"},  # http off loopback
    {"identity.issuers": "https://sso.example.vn", "identity.audience": ""},
    {"identity.issuers": "https://sso.example.vn", "identity.algorithms": "RS256,HS256"},
    {"identity.issuers": "https://sso.example.vn", "identity.algorithms": "none"},
    {"identity.issuers": "https://sso.example.vn", "identity.jwks_urls": "https://other.vn=https://other.vn/k"},
    {"identity.role_map": "admin=root"},
    {"identity.role_map": "admin"},
])
def test_bad_settings_are_configuration_errors(settings):
    with pytest.raises(ConfigError):
        TokenVerifier.from_config(load(environ={}, overrides={"identity.audience": "pakn", **settings}).identity)


def test_settings_from_the_environment():
    config = load(environ={"PAKN_IDENTITY__ISSUERS": "https://sso.example.vn/realms/pakn",
                           "PAKN_IDENTITY__AUDIENCE": "pakn-api",
                           "PAKN_IDENTITY__JWKS_URLS": "https://sso.example.vn/realms/pakn=https://keys.example.vn/j"})
    verifier = TokenVerifier.from_config(config.identity)
    # The platform's own issuer is trusted beside the province's unless identity.embedded is off.
    assert set(verifier.issuers) == {"https://sso.example.vn/realms/pakn", config.identity.embedded_issuer}
    trusted = verifier.issuers["https://sso.example.vn/realms/pakn"]
    assert trusted.audience == ("pakn-api",) and trusted.jwks_url == "https://keys.example.vn/j"
    config.identity.embedded = False
    (only,) = TokenVerifier.from_config(config.identity).issuers.values()
    assert only.issuer == "https://sso.example.vn/realms/pakn"


def test_discovery_url_keeps_the_issuers_path():
    assert discovery_url("https://sso.example.vn/realms/pakn/") == \
        "https://sso.example.vn/realms/pakn/.well-known/openid-configuration"


def test_bearer_token_from_metadata():
    assert bearer_token([("x-trace", "1"), ("authorization", "Bearer abc.def.ghi")]) == "abc.def.ghi"
    assert bearer_token([]) is None and bearer_token(None) is None
    for bad in ([("authorization", "Basic dXNlcg==")], [("authorization", "Bearer ")],
                [("authorization", "Bearer a"), ("authorization", "Bearer b")]):
        with pytest.raises(TokenError) as info:
            bearer_token(bad)
        assert info.value.reason is Reason.MALFORMED


def test_a_failing_issuer_is_not_asked_again_before_the_refresh_interval():
    calls = []
    now = [100.0]

    def fetch(url):
        calls.append(url)
        raise KeyFetchError("down")

    keys = RemoteKeySet("https://sso.example.vn", frozenset({"RS256"}), fetch=fetch,
                        refresh_min_seconds=30, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(KeyFetchError):
            keys.key("k1", "RS256")
    assert len(calls) == 1
    now[0] += 31
    with pytest.raises(KeyFetchError):
        keys.key("k1", "RS256")
    assert len(calls) == 2


def test_symmetric_and_private_keys_are_never_taken_from_a_jwks():
    from runtime.identity.keys import parse_jwks

    document = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "hs"},
                         {"kty": "EC", "crv": "P-256", "kid": "priv", "x": "x", "y": "y", "d": "d"},
                         {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"}]}
    assert parse_jwks(document, frozenset({"RS256", "ES256"})) == []
