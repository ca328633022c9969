"""The embedded issuer as an OAuth 2.0 provider over real HTTP: accounts in its database (argon2id),
the password, client-credentials and refresh-token grants, and its tokens on real RPCs."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import grpc
import pytest
import sqlalchemy as sa

from pakn.reporting.v1 import reporting_pb2
from pakn.routing.v1 import routing_pb2
from runtime.clients import Clients
from runtime.identity.accounts import AccountError, refresh_tokens, users
from runtime.identity.accounts import clients as clients_table
from runtime.identity.oauth_client import ClientCredentials, OAuthClientError, PasswordSession
from tests.helpers import rpc_error

PASSWORD = "mat-khau-dai-du-12"


def post(url: str, form: dict, basic: tuple[str, str] | None = None, content_type: str | None = None):
    """(status, JSON body, headers) of a POST to the token endpoint."""
    headers = {"Content-Type": content_type or "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.load(r), r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


@pytest.fixture
def platform(start_platform):
    return start_platform("all")


def issuer_of(p) -> str:
    return p.config.identity.embedded_issuer


def accounts_of(p):
    return p.get("identity-provider").accounts


def token_url(p) -> str:
    return issuer_of(p) + "/token"


def test_discovery_and_jwks_describe_the_issuer(platform):
    doc = get(issuer_of(platform) + "/.well-known/openid-configuration")
    assert doc["issuer"] == issuer_of(platform)
    assert doc["token_endpoint"] == token_url(platform) and doc["jwks_uri"] == issuer_of(platform) + "/jwks"
    assert set(doc["grant_types_supported"]) == {"password", "client_credentials", "refresh_token"}
    keys = get(doc["jwks_uri"])["keys"]
    assert keys and all(k["kty"] == "OKP" and "d" not in k for k in keys)


def test_passwords_and_secrets_are_stored_as_argon2id_hashes_only(platform):
    store = accounts_of(platform)
    store.create_user("dieuphoi", PASSWORD, ["coordinator"])
    _, secret = store.create_client("zalo-bot", ["channel"], channel="zalo")
    with store.db.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        stored_secret = conn.execute(sa.select(clients_table.c.secret_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert stored_secret.startswith("$argon2id$") and secret not in stored_secret
    # A unit's account needs its unit; a channel role is a service account's; a citizen needs none.
    for bad in (lambda: store.create_user("canbo", PASSWORD, ["unit_officer"]),
                lambda: store.create_user("kenh", PASSWORD, ["channel"]),
                lambda: store.create_user("dan", PASSWORD, ["citizen"]),
                lambda: store.create_user("ngan", "short", ["coordinator"]),
                lambda: store.create_user("dieuphoi", PASSWORD, ["coordinator"])):
        with pytest.raises(AccountError):
            bad()


def test_password_grant_gives_a_token_that_a_real_rpc_accepts(platform):
    accounts_of(platform).create_user("baocao", PASSWORD, ["report_reader"])
    status, body, headers = post(token_url(platform), {"grant_type": "password", "username": "baocao",
                                                       "password": PASSWORD})
    assert status == 200 and body["token_type"] == "Bearer" and body["refresh_token"]
    assert body["expires_in"] == platform.config.identity.access_token_seconds <= 30
    assert headers["Cache-Control"] == "no-store"
    with Clients(platform.config, token=lambda _m, _r: body["access_token"]) as c:
        assert c.reporting.GetSummary(reporting_pb2.GetSummaryRequest()).summary.received == 0
        # The role is the account's: a report reader is not the coordinator.
        err = rpc_error(lambda: c.routing.ListInbox(routing_pb2.ListInboxRequest()))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED


def test_wrong_password_or_secret_is_refused_as_rfc_6749_says(platform):
    store = accounts_of(platform)
    store.create_user("dieuphoi", PASSWORD, ["coordinator"])
    _, secret = store.create_client("web", ["channel"], channel="web_portal")
    url = token_url(platform)
    for form in ({"grant_type": "password", "username": "dieuphoi", "password": PASSWORD + "x"},
                 {"grant_type": "password", "username": "khong-co", "password": PASSWORD}):
        status, body, _ = post(url, form)
        assert (status, body["error"]) == (400, "invalid_grant")
        assert PASSWORD not in json.dumps(body)
    status, body, headers = post(url, {"grant_type": "client_credentials"}, basic=("web", secret + "x"))
    assert (status, body["error"]) == (401, "invalid_client") and "Basic" in headers["WWW-Authenticate"]
    assert post(url, {"grant_type": "implicit"})[1]["error"] == "unsupported_grant_type"
    assert post(url, {"grant_type": "password"})[1]["error"] == "invalid_request"
    assert post(url, {"x": "1"}, content_type="application/json")[1]["error"] == "invalid_request"
    # The secret in the form (client_secret_post) does as well as HTTP Basic.
    status, body, _ = post(url, {"grant_type": "client_credentials", "client_id": "web", "client_secret": secret})
    assert status == 200 and "refresh_token" not in body


def test_failed_logins_are_limited_per_username(platform):
    accounts_of(platform).create_user("dieuphoi", PASSWORD, ["coordinator"])
    accounts_of(platform).create_user("baocao", PASSWORD, ["report_reader"])
    url = token_url(platform)
    limit = platform.config.identity.login_max_failures
    for _ in range(limit):
        assert post(url, {"grant_type": "password", "username": "dieuphoi", "password": "doan-mo-sai-1"})[0] == 400
    status, body, headers = post(url, {"grant_type": "password", "username": "dieuphoi", "password": PASSWORD})
    assert status == 429 and body["error"] == "slow_down" and int(headers["Retry-After"]) > 0
    # Another person behind the same address (a proxy) still logs in: an address gets ten times as many.
    assert post(url, {"grant_type": "password", "username": "baocao", "password": PASSWORD})[0] == 200


def test_client_credentials_token_acts_as_its_channel(platform):
    from pakn.common.v1 import common_pb2
    from pakn.intake.v1 import intake_pb2
    from tests.helpers import now_ts, place

    _, secret = accounts_of(platform).create_client("zalo-bot", ["channel"], channel="zalo")
    source = ClientCredentials(issuer_of(platform), "zalo-bot", secret)
    with Clients(platform.config, token=source) as c:
        ok = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
            channel=common_pb2.CHANNEL_ZALO, external_id="zalo-msg-1",
            content="Đèn đường khu phố 2 không sáng đã ba đêm",
            occurred_at=now_ts(), location=place("Khu phố 2"),
            submitter=intake_pb2.Submitter(full_name="Lê Thị Hoa", phone="0987654321", email="hoa@example.vn")))
        assert ok.tracking_code
    assert source() == source()  # cached while it lasts


def test_refresh_tokens_rotate_and_a_used_one_is_refused_with_its_family(platform):
    accounts_of(platform).create_user("dieuphoi", PASSWORD, ["coordinator"])
    url = token_url(platform)
    first = post(url, {"grant_type": "password", "username": "dieuphoi", "password": PASSWORD})[1]
    status, second, _ = post(url, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    # The old one again: refused, and the new one it was rotated into is revoked with it (a replay).
    assert post(url, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})[1]["error"] \
        == "invalid_grant"
    assert post(url, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})[1]["error"] \
        == "invalid_grant"
    with accounts_of(platform).db.engine.connect() as conn:
        hashes = conn.execute(sa.select(refresh_tokens.c.token_hash)).scalars().all()
    assert first["refresh_token"] not in hashes and len(hashes[0]) == 64  # kept hashed


def test_a_disabled_account_is_refused_at_refresh_and_its_token_within_a_minute(start_platform):
    """Đ13.3, Đ16.1: a unit's account disabled takes effect within a minute (here 2 s + 1 s leeway)."""
    p = start_platform("all", **{"identity.access_token_seconds": 2, "identity.leeway_seconds": 1})
    store = accounts_of(p)
    store.create_user("lanhdao", PASSWORD, ["unit_leader"], unit_id="so-gtvt")
    session = PasswordSession(issuer_of(p), "lanhdao", PASSWORD)
    token = session()
    with Clients(p.config, token=lambda _m, _r: token) as c:
        assert c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest()).assignments == []
        store.set_disabled("lanhdao", True)
        refused = post(token_url(p), {"grant_type": "refresh_token", "refresh_token": session.refresh_token})
        assert refused[1]["error"] == "invalid_grant"
        assert post(token_url(p), {"grant_type": "password", "username": "lanhdao",
                                   "password": PASSWORD})[1]["error"] == "invalid_grant"
        time.sleep(3.2)  # the token's 2 s and the verifier's 1 s of leeway
        err = rpc_error(lambda: c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest()))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(OAuthClientError):
        PasswordSession(issuer_of(p), "lanhdao", PASSWORD)()
    store.set_disabled("lanhdao", False)
    assert PasswordSession(issuer_of(p), "lanhdao", PASSWORD)()


def test_a_service_process_verifies_the_identity_targets_tokens_over_http(start_platform):
    """Microservices mode: `identity` runs alone; routing has keys of its own and fetches the issuer's JWKS."""
    ident = start_platform("identity")
    url = issuer_of(ident)
    routing = start_platform("routing", **{"identity.embedded_issuer": url})
    assert ident.port is None  # no gRPC in the identity target: HTTP only
    ident.get("identity-provider").accounts.create_user("quantri", PASSWORD, ["administrator"])
    with Clients(routing.config, token=PasswordSession(url, "quantri", PASSWORD)) as c:
        assert c.routing.ListUnits(routing_pb2.ListUnitsRequest()).units is not None
    # The routing process's own key file signs nothing the identity target's JWKS has.
    own = routing.get("identity").issuer.keys.signing.kid
    assert own not in {k["kid"] for k in get(url + "/jwks")["keys"]}
