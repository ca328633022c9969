"""`pakn login` / `pakn logout`, and the token every other `pakn` command then carries.

`pakn login` asks the issuer's token endpoint (found by discovery: identity.embedded_issuer, or
--issuer for the province's provider) for tokens by the password grant and keeps them in
`$XDG_CONFIG_HOME/pakn/credentials.json` (default ~/.config/pakn; the file is mode 0600, its
folder 0700). `StoredLogin` is the CLI's TokenSource (runtime/clients.py): the access token while
it lasts, then the refresh-token grant (the refresh token rotates; the new pair is written back).
Without a stored login the CLI calls anonymously, as a citizen.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

CLIENT_ID = "pakn-cli"
MARGIN_SECONDS = 5.0  # as runtime/identity/oauth_client.py: never a token about to end


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pakn" / "credentials.json"


def save(data: dict, path: Path | None = None) -> None:
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def load(path: Path | None = None) -> dict | None:
    path = path or credentials_path()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("access_token") else None


def default_issuer(config) -> str:
    section = config.identity
    if section.embedded:
        return section.embedded_issuer
    issuers = [i.strip() for i in section.issuers.split(",") if i.strip()]
    if not issuers:
        raise click.ClickException("no issuer: identity.embedded is off and identity.issuers is empty")
    return issuers[0]


def login(issuer: str, username: str, password: str, client_id: str = CLIENT_ID) -> dict:
    from runtime.identity.oauth_client import request_token, token_endpoint

    endpoint = token_endpoint(issuer)
    body = request_token(endpoint, {"grant_type": "password", "client_id": client_id, "username": username,
                                    "password": password})
    return _record(issuer, endpoint, client_id, username, body, None)


def login_client(issuer: str, client_id: str, secret: str) -> dict:
    """A service account's login (a channel desk such as the hotline's): the client-credentials grant.

    The secret is kept in the credentials file too (mode 0600): the grant gives no refresh token.
    """
    from runtime.identity.oauth_client import request_token, token_endpoint

    endpoint = token_endpoint(issuer)
    body = request_token(endpoint, {"grant_type": "client_credentials"}, basic=(client_id, secret))
    return {**_record(issuer, endpoint, client_id, "", body, None), "grant": "client_credentials",
            "client_secret": secret}


def _record(issuer, endpoint, client_id, username, body: dict, old_refresh: str | None) -> dict:
    return {"issuer": issuer, "token_endpoint": endpoint, "client_id": client_id, "username": username,
            "access_token": body["access_token"],
            "expires_at": time.time() + float(body.get("expires_in") or 60),
            "refresh_token": body.get("refresh_token") or old_refresh}


class StoredLogin:
    """The CLI's TokenSource: the stored access token, refreshed when it ends; None when logged out."""

    def __init__(self, path: Path | None = None):
        self.path = path or credentials_path()
        self._lock = threading.Lock()

    def __call__(self, _method: str, _request: Any) -> str | None:
        from runtime.identity.oauth_client import OAuthClientError, request_token

        with self._lock:
            data = load(self.path)
            if data is None:
                return None
            if time.time() < float(data.get("expires_at", 0)) - MARGIN_SECONDS:
                return data["access_token"]
            if data.get("grant") == "client_credentials":
                try:
                    fresh = login_client(data["issuer"], data["client_id"], data.get("client_secret", ""))
                except OAuthClientError as exc:
                    raise click.ClickException(f"the service account gets no token ({exc.error}): "
                                               "pakn login --client") from None
                save(fresh, self.path)
                return fresh["access_token"]
            if not data.get("refresh_token"):
                raise click.ClickException("the login has ended: pakn login")
            try:
                body = request_token(data["token_endpoint"], {"grant_type": "refresh_token",
                                                              "client_id": data.get("client_id", CLIENT_ID),
                                                              "refresh_token": data["refresh_token"]})
            except OAuthClientError as exc:
                if exc.error == "invalid_grant":
                    self.path.unlink(missing_ok=True)
                    raise click.ClickException("đăng nhập đã hết hạn / the login has ended "
                                               "(expired or the account is disabled): pakn login") from None
                raise click.ClickException(f"the issuer cannot refresh the login now ({exc.error})") from None
            fresh = _record(data["issuer"], data["token_endpoint"], data.get("client_id", CLIENT_ID),
                            data.get("username", ""), body, data.get("refresh_token"))
            save(fresh, self.path)
            return fresh["access_token"]


@click.command("login")
@click.option("--username", "-u", default=None, help="Your account's name (asked if not given).")
@click.option("--issuer", default=None, help="The OpenID provider's issuer URL (default: the platform's own).")
@click.option("--client-id", default=CLIENT_ID, show_default=True, help="The public client at that provider.")
@click.option("--client", "service_client", default=None, metavar="CLIENT_ID",
              help="Log in as a service account instead (a channel desk): its secret from stdin or "
                   "$PAKN_CLIENT_SECRET.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from stdin (else $PAKN_PASSWORD, else a prompt).")
@click.pass_obj
def login_command(obj, username, issuer, client_id, service_client, password_stdin):
    """Log in: keep tokens for the next pakn commands (in your config folder, mode 0600)."""
    from runtime.identity.oauth_client import OAuthClientError

    issuer = issuer or default_issuer(obj.config)
    if service_client:
        secret = (sys.stdin.readline().rstrip("\r\n") if password_stdin or not os.environ.get("PAKN_CLIENT_SECRET")
                  else os.environ["PAKN_CLIENT_SECRET"])
        try:
            save(login_client(issuer, service_client, secret))
        except OAuthClientError as exc:
            raise click.ClickException(f"cannot log in as {service_client} at {issuer}: {exc.error}") from None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Đã đăng nhập / logged in as service account {service_client} at {issuer}")
        return
    username = username or click.prompt("Tên đăng nhập / username")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = os.environ.get("PAKN_PASSWORD") or click.prompt("Mật khẩu / password", hide_input=True)
    try:
        data = login(issuer, username, password, client_id)
    except OAuthClientError as exc:
        if exc.error == "invalid_grant":
            raise click.ClickException("sai tên đăng nhập hoặc mật khẩu / wrong username or password "
                                       "(or the account is disabled)") from None
        if exc.error == "slow_down":
            raise click.ClickException("quá nhiều lần sai, thử lại sau / too many failed attempts, try again "
                                       f"in {int(exc.retry_after or 60)} s") from None
        raise click.ClickException(f"cannot log in at {issuer}: {exc.error}") from None
    except ValueError as exc:  # a bad issuer URL
        raise click.ClickException(str(exc)) from None
    save(data)
    click.echo(f"Đã đăng nhập / logged in as {username} at {issuer}")


@click.command("logout")
def logout_command():
    """Forget the stored tokens."""
    path = credentials_path()
    existed = path.exists()
    path.unlink(missing_ok=True)
    click.echo("Đã đăng xuất / logged out" if existed else "not logged in")
