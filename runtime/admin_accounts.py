"""`pakn admin create-user | create-client | disable-user | enable-user | disable-client |
enable-client | list-users | list-clients`: the embedded issuer's accounts (docs/identity.md).

They work on the identity database directly (like `pakn migrate`), beside a running platform or
without one; the platform sees a change at once (a disabled account's logins and refresh tokens
are refused; its access tokens end within a minute, Đ13.3, Đ16.1).
"""

from __future__ import annotations

import os
import sys

import click

# The assignable roles (runtime/identity/roles.py less citizen; tests/unit/test_identity_accounts.py
# checks the two agree). Written out: the CLI's imports stay light (a worker patches eventlet first).
ROLES = ["administrator", "auditor", "channel", "coordinator", "disclosure_officer", "report_reader", "unit_leader",
         "unit_officer", "unit_system"]
PASSWORD_ENV = "PAKN_NEW_PASSWORD"
PASSWORD_HELP = f"Read the password from stdin (else ${PASSWORD_ENV}, else a prompt)."


def _store(obj):
    from runtime.identity.accounts import AccountStore

    return AccountStore.open(obj.config, migrate=obj.config.database.auto_migrate)


def _run(obj, fn):
    from runtime.identity.accounts import AccountError

    store = _store(obj)
    try:
        return fn(store)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return click.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeat for several.")
@click.option("--unit", "unit_id", default=None, help="The unit of a unit_officer or unit_leader (Đ16.1).")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_HELP)
@click.pass_obj
def create_user(obj, username, roles, unit_id, password_stdin):
    """Add a person's account; the password is stored as an argon2id hash only."""
    password = _password(password_stdin)
    user = _run(obj, lambda s: s.create_user(username, password, roles, unit_id))
    click.echo(f"OK: {user.username} ({', '.join(user.roles)}{' @' + user.unit_id if user.unit_id else ''})")


@click.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_HELP)
@click.pass_obj
def set_password(obj, username, password_stdin):
    """Give an account a new password."""
    password = _password(password_stdin)
    _run(obj, lambda s: s.set_password(username, password))
    click.echo("OK")


@click.command("create-client")
@click.argument("client_id")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--channel", default=None, help="A channel account's channel (Đ5): email, zalo, …")
@click.option("--unit", "unit_id", default=None, help="A unit_system account's unit (Đ16.5).")
@click.pass_obj
def create_client(obj, client_id, roles, channel, unit_id):
    """Add a service account (client credentials); prints its secret once."""
    account, secret = _run(obj, lambda s: s.create_client(client_id, roles, channel=channel, unit_id=unit_id))
    click.echo(f"client_id: {account.client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo("Lưu ngay, sẽ không hiện lại / keep it now: it is not shown again", err=True)


def _toggle(name: str, disabled: bool, what: str):
    @click.command(name)
    @click.argument("name_or_id")
    @click.pass_obj
    def command(obj, name_or_id):
        if what == "user":
            _run(obj, lambda s: s.set_disabled(name_or_id, disabled))
        else:
            _run(obj, lambda s: s.set_client_disabled(name_or_id, disabled))
        click.echo("OK" + (" (its tokens end within a minute)" if disabled else ""))

    command.__doc__ = f"{'Disable' if disabled else 'Enable'} a {'person' if what == 'user' else 'service'} account."
    return command


disable_user = _toggle("disable-user", True, "user")
enable_user = _toggle("enable-user", False, "user")
disable_client = _toggle("disable-client", True, "client")
enable_client = _toggle("enable-client", False, "client")


@click.command("list-users")
@click.pass_obj
def list_users(obj):
    """The people's accounts (no hashes)."""
    for u in _run(obj, lambda s: s.list_users()):
        state = "disabled" if u.disabled else "enabled"
        click.echo(f"{u.username}  {','.join(u.roles)}  {u.unit_id or '-'}  {state}  {u.created_at.isoformat()}")


@click.command("list-clients")
@click.pass_obj
def list_clients(obj):
    """The service accounts (no secrets)."""
    for c in _run(obj, lambda s: s.list_clients()):
        state = "disabled" if c.disabled else "enabled"
        click.echo(f"{c.client_id}  {','.join(c.roles)}  {c.channel or c.unit_id or '-'}  {state}")


COMMANDS = (create_user, set_password, create_client, disable_user, enable_user, disable_client, enable_client,
            list_users, list_clients)
