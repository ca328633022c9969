"""`pakn admin create-user`, `pakn login` and `pakn logout` as people use them, against a running platform."""

from __future__ import annotations

import json
import stat

import pytest

from tests.e2e.accounts import PASSWORD, issuer_settings, logged_in, pakn

pytestmark = pytest.mark.e2e


def test_login_keeps_tokens_privately_and_every_command_carries_them(start_platform, tmp_path):
    # Tokens of 2 s: the commands below outlive them, so the CLI refreshes (the refresh token rotates).
    p = start_platform("all", **{"identity.access_token_seconds": 2})
    address = ("--address", f"127.0.0.1:{p.port}")
    anonymous = pakn(*address, "coordinator", "inbox", env={"XDG_CONFIG_HOME": str(tmp_path / "nobody")})
    assert anonymous.returncode == 1 and "UNAUTHENTICATED" in anonymous.stderr

    env = logged_in(tmp_path, p, "coordinator", username="dieuphoi")
    stored = tmp_path / "dieuphoi" / "pakn" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    first = json.loads(stored.read_text())
    assert PASSWORD not in stored.read_text() and first["refresh_token"]

    inbox = pakn(*address, "coordinator", "inbox", env=env)
    assert inbox.returncode == 0, inbox.stderr
    again = pakn(*address, "coordinator", "inbox", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(stored.read_text())["refresh_token"] != first["refresh_token"]  # refreshed and rotated

    # The account's role is what it may do: a coordinator does not register units.
    denied = pakn(*address, "admin", "register-unit", "so-xd", "--name", "Sở Xây dựng", "--leader", "Giám đốc",
                  "--contact", "Văn phòng", env=env)
    assert denied.returncode == 1 and "PERMISSION_DENIED" in denied.stderr and "Traceback" not in denied.stderr

    listed = pakn(*issuer_settings(p), "admin", "list-users")
    assert "dieuphoi  coordinator  -  enabled" in listed.stdout and "argon2" not in listed.stdout

    # Disabled: the next refresh is refused and the CLI says to log in again.
    assert pakn(*issuer_settings(p), "admin", "disable-user", "dieuphoi").returncode == 0
    import time

    time.sleep(2.5)
    refused = pakn(*address, "coordinator", "inbox", env=env)
    assert refused.returncode == 1 and "pakn login" in refused.stderr and "Traceback" not in refused.stderr

    assert pakn(*issuer_settings(p), "admin", "enable-user", "dieuphoi").returncode == 0
    wrong = pakn(*issuer_settings(p), "login", "-u", "dieuphoi", "--password-stdin", env=env, stdin="sai-mat-khau\n")
    assert wrong.returncode == 1 and "wrong username or password" in wrong.stderr
    logout = pakn("logout", env=env)
    assert logout.returncode == 0 and not stored.exists()


def test_create_client_prints_its_secret_once(start_platform):
    p = start_platform("identity")
    made = pakn(*issuer_settings(p), "admin", "create-client", "zalo-bot", "--role", "channel", "--channel", "zalo")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.split("client_secret: ")[1].strip()
    listed = pakn(*issuer_settings(p), "admin", "list-clients")
    assert "zalo-bot  channel  zalo  enabled" in listed.stdout and secret not in listed.stdout
    bad = pakn(*issuer_settings(p), "admin", "create-client", "kenh", "--role", "channel")
    assert bad.returncode == 1 and "--channel" in bad.stderr and "Traceback" not in bad.stderr
