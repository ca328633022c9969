"""The demo's accounts, and the walkthrough's cast logged in with them (`pakn demo`, `make demo`).

In the embedded mode the demo makes the accounts it needs in the issuer's database (as
`pakn admin create-user` would): an administrator, a coordinator, a report reader, an officer and
a leader of each demo unit, and the mobile app's service account. Each run gives them new random
passwords and a new secret (nobody else knows them), then logs every one in at the token endpoint
over HTTP: each walkthrough step is made with the real token of its role.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from runtime.clients import Clients
from runtime.walkthrough import UNITS, Cast

CLIENT_ID = "demo-mobile-app"
CHANNEL = "mobile_app"


def demo_users() -> list[tuple[str, str, str | None]]:
    """(username, role, unit) of every demo person."""
    people = [("demo-quantri", "administrator", None), ("demo-dieuphoi", "coordinator", None),
              ("demo-baocao", "report_reader", None)]
    for unit in UNITS:
        people.append((f"demo-canbo.{unit.unit_id}", "unit_officer", unit.unit_id))
        people.append((f"demo-lanhdao.{unit.unit_id}", "unit_leader", unit.unit_id))
    return people


@dataclass
class DemoAccounts:
    passwords: dict[tuple[str, str | None], tuple[str, str]] = field(default_factory=dict)  # (role, unit) -> (user, pw)
    client_secret: str = ""
    created: list[str] = field(default_factory=list)


def ensure_accounts(config) -> DemoAccounts:
    """Make (or reset) the demo's accounts in the embedded issuer's database."""
    from runtime.identity.accounts import AccountStore

    out = DemoAccounts()
    store = AccountStore.open(config)
    try:
        for username, role, unit in demo_users():
            password = secrets.token_urlsafe(18)
            if store.user(username) is None:
                store.create_user(username, password, [role], unit)
            else:
                store.set_password(username, password)
            out.passwords[(role, unit)] = (username, password)
            out.created.append(f"{username} ({role}{' @' + unit if unit else ''})")
        known = {c.client_id for c in store.list_clients()}
        if CLIENT_ID in known:
            out.client_secret = store.new_client_secret(CLIENT_ID)
        else:
            _, out.client_secret = store.create_client(CLIENT_ID, ["channel"], channel=CHANNEL)
        out.created.append(f"{CLIENT_ID} (channel {CHANNEL}, service account)")
    finally:
        store.close()
    return out


def cast(config, accounts: DemoAccounts, issuer: str | None = None) -> Cast:
    """Clients per role, with tokens from the issuer's token endpoint (password and client-credentials grants)."""
    from runtime.identity.oauth_client import ClientCredentials, PasswordSession, token_endpoint

    issuer = issuer or config.identity.embedded_issuer
    endpoint = token_endpoint(issuer)

    def make(role: str, unit: str | None) -> Clients:
        if role == "citizen":
            return Clients(config)  # a citizen needs no account (Đ6.3: the tracking code and contact)
        if role == "channel":
            return Clients(config, token=ClientCredentials(issuer, CLIENT_ID, accounts.client_secret, endpoint))
        username, password = accounts.passwords[(role, unit)]
        return Clients(config, token=PasswordSession(issuer, username, password, endpoint=endpoint))

    return Cast(make)
