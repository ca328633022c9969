"""Replacing the embedded issuer by the province's provider, by configuration alone: a platform with
identity.embedded = false and identity.issuers = a real OpenID provider (npm's oidc-provider,
tests/identity_infra.py) takes that provider's tokens on real RPCs and refuses the embedded issuer's."""

from __future__ import annotations

import urllib.error
import urllib.request

import grpc
import pytest

from pakn.reporting.v1 import reporting_pb2
from pakn.routing.v1 import routing_pb2
from runtime.clients import Clients
from runtime.identity.issuer import EmbeddedIssuer, SigningKeys
from runtime.identity.oauth_client import ClientCredentials
from tests.helpers import rpc_error
from tests.identity_infra import API, Client, OidcProvider


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The province's SSO, with a coordinator's client and a report reader in Keycloak's role claim shape."""
    p = OidcProvider(tmp_path_factory.mktemp("sso"), [
        Client("dieuphoi", claims={"realm_access": {"roles": ["pakn-coordinator", "offline_access"]}}),
        Client("baocao", alg="ES256", claims={"realm_access": {"roles": ["pakn-reader"]}}),
    ]).start()
    yield p
    p.stop()


def test_the_provinces_tokens_are_taken_and_the_embedded_issuers_refused(start_platform, province, tmp_path):
    p = start_platform("all", **{
        "identity.embedded": False, "identity.issuers": province.issuer, "identity.audience": API,
        "identity.role_claim": "realm_access.roles",
        "identity.role_map": "pakn-coordinator=coordinator,pakn-reader=report_reader"})
    # No token endpoint of the platform's own: the accounts are the provider's.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(p.config.identity.embedded_issuer + "/.well-known/openid-configuration", timeout=3)
    assert p.get("identity").issuer is None

    with Clients(p.config, token=lambda _m, _r: province.token("dieuphoi", API)) as c:
        assert c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases == []
        # The provider's role maps to the platform's: the coordinator is not the administrator.
        denied = rpc_error(lambda: c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest()))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    # The client-credentials token source the gateways use works against that provider as well.
    secret = next(x.client_secret for x in province.clients if x.client_id == "baocao")
    source = ClientCredentials(province.issuer, "baocao", secret, extra={"resource": API})
    with Clients(p.config, token=source) as c:
        assert c.reporting.GetSummary(reporting_pb2.GetSummaryRequest()).summary.received == 0
        assert rpc_error(lambda: c.routing.ListInbox(routing_pb2.ListInboxRequest())).code() \
            == grpc.StatusCode.PERMISSION_DENIED

    # A token of an embedded issuer, even signed for the platform's audience and its usual issuer URL, is refused.
    keys = SigningKeys(tmp_path / "other" / "signing-keys.json")
    forged = EmbeddedIssuer(p.config.identity.embedded_issuer, API, keys).issue("x", ["administrator"])
    with Clients(p.config, token=lambda _m, _r: forged) as c:
        err = rpc_error(lambda: c.routing.ListInbox(routing_pb2.ListInboxRequest()))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        assert dict(err.trailing_metadata()).get("token_error", "wrong_issuer") == "wrong_issuer"
