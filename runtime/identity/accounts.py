"""The embedded issuer's accounts: people (users) and service accounts (clients), in the platform's database.

Tables of their own (`identity` SQLite file in monolithic mode, `identity` schema on PostgreSQL),
migrated by Alembic like a service's (runtime/identity/migrations). Passwords and client secrets
are kept as argon2id hashes only (argon2-cffi, RFC 9106 parameters); refresh tokens as SHA-256
hashes (they are random 256-bit values: a slow hash adds nothing). Times are UTC.

A unit's roles (unit_officer, unit_leader, unit_system) need exactly one unit (Đ2.5–2.6, Đ16.1);
the channel role is a service account's, with its channel (Đ5). Disabling an account (Đ13.3,
Đ16.1) refuses its logins and refresh tokens at once; the access tokens it holds end within
identity.access_token_seconds + identity.leeway_seconds (docs/identity.md).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from runtime.db import Database, sqlite_url
from runtime.identity.principal import CHANNELS
from runtime.identity.roles import UNIT_BOUND, Role

MIGRATIONS = Path(__file__).parent / "migrations"
metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("roles", sa.String(255), nullable=False),  # comma-separated platform roles
    sa.Column("unit_id", sa.String(64), nullable=True),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

clients = sa.Table(
    "clients", metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("secret_hash", sa.String(255), nullable=False),
    sa.Column("roles", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(32), nullable=True),
    sa.Column("unit_id", sa.String(64), nullable=True),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

refresh_tokens = sa.Table(
    "refresh_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the token, hex
    # Every token of one login shares a family: a used token presented again revokes the family
    # (it was stolen, or the client replays: OAuth 2.0 Security BCP §4.14).
    sa.Column("family_id", sa.String(36), nullable=False, index=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
ASSIGNABLE = frozenset(Role) - {Role.CITIZEN}  # a citizen needs no account


class AccountError(ValueError):
    """An account request that cannot be done (the message says why; it never holds a secret)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite returns naive UTC


@dataclass(frozen=True)
class User:
    user_id: str
    username: str
    roles: tuple[str, ...]
    unit_id: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ServiceAccount:
    client_id: str
    roles: tuple[str, ...]
    channel: str | None
    unit_id: str | None
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Refreshed:
    user: User
    refresh_token: str  # the new one; the presented one is used up
    client_id: str


def _roles(roles, *, unit_id: str | None, channel: str | None, service: bool) -> tuple[str, ...]:
    names = []
    for r in roles:
        try:
            role = Role(str(r).strip())
        except ValueError:
            raise AccountError(f"unknown role {str(r)[:32]!r}; one of {', '.join(sorted(ASSIGNABLE))}") from None
        if role not in ASSIGNABLE:
            raise AccountError("a citizen needs no account")
        names.append(str(role))
    if not names:
        raise AccountError("at least one role")
    if Role.CHANNEL in names and not service:
        raise AccountError("the channel role is a service account's (pakn admin create-client)")
    if Role.CHANNEL in names and (channel not in CHANNELS):
        raise AccountError(f"a channel account needs --channel, one of {', '.join(sorted(CHANNELS))}")
    if channel and Role.CHANNEL not in names:
        raise AccountError("--channel is for channel accounts only")
    bound = [n for n in names if Role(n) in UNIT_BOUND]
    if bound and not unit_id:
        raise AccountError(f"{', '.join(bound)} needs --unit (Đ16.1: a unit's account belongs to one unit)")
    if unit_id and not bound:
        raise AccountError("--unit is for unit_officer, unit_leader and unit_system accounts only")
    if unit_id and not UNIT_ID.match(unit_id):
        raise AccountError("--unit: lower-case letters, digits, '.', '_' and '-', at most 64")
    return tuple(dict.fromkeys(names))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """Users, service accounts and refresh tokens. Thread-safe (one transaction per call)."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None):
        self.db = db
        # argon2-cffi's defaults are RFC 9106's second recommended option: argon2id, t=3, 64 MiB, p=4.
        self.hasher = hasher or PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    @classmethod
    def open(cls, config, migrate: bool | None = None) -> "AccountStore":
        """The store of a configuration: the identity SQLite file, or the identity schema."""
        url = config.database.url or sqlite_url(config.data_path, "identity")
        db = Database("identity", url, metadata, MIGRATIONS, config.database.pool_size)
        if config.database.auto_migrate if migrate is None else migrate:
            db.migrate()
        return cls(db)

    def close(self) -> None:
        self.db.dispose()

    # -- users ------------------------------------------------------------------------------------

    def create_user(self, username: str, password: str, roles, unit_id: str | None = None) -> User:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError("username: 2–64 lower-case letters, digits, '.', '_', '@' or '-'")
        self._check_password(password)
        names = _roles(roles, unit_id=unit_id, channel=None, service=False)
        now = utcnow()
        row = {"user_id": str(uuid.uuid4()), "username": username, "password_hash": self.hasher.hash(password),
               "roles": ",".join(names), "unit_id": unit_id or None, "disabled": False,
               "created_at": now, "updated_at": now}
        with self.db.transaction() as conn:
            if conn.execute(sa.select(users.c.user_id).where(users.c.username == username)).first():
                raise AccountError(f"user {username} exists")
            conn.execute(users.insert().values(**row))
        return self._user(row)

    def set_password(self, username: str, password: str) -> None:
        self._check_password(password)
        self._update_user(username, password_hash=self.hasher.hash(password))

    def set_disabled(self, username: str, disabled: bool) -> User:
        user = self._update_user(username, disabled=disabled)
        if disabled:
            with self.db.transaction() as conn:
                conn.execute(refresh_tokens.update().where(refresh_tokens.c.user_id == user.user_id,
                                                           refresh_tokens.c.revoked_at.is_(None))
                             .values(revoked_at=utcnow()))
        return user

    def user(self, username: str) -> User | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username.strip().lower())).mappings().first()
        return self._user(row) if row else None

    def list_users(self) -> list[User]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.username)).mappings().all()
        return [self._user(r) for r in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is theirs and the account is enabled; None otherwise.

        An unknown name costs the same hash as a known one, so timing does not tell which exist.
        """
        name = (username or "").strip().lower()
        row = None
        if USERNAME.match(name) and password and len(password) <= MAX_PASSWORD:
            with self.db.engine.connect() as conn:
                row = conn.execute(sa.select(users).where(users.c.username == name)).mappings().first()
        if not self._verify(row["password_hash"] if row else None, password or ""):
            return None
        if self.hasher.check_needs_rehash(row["password_hash"]):
            self._update_user(name, password_hash=self.hasher.hash(password))
        user = self._user(row)
        return None if user.disabled else user

    # -- service accounts -------------------------------------------------------------------------

    def create_client(self, client_id: str, roles, *, channel: str | None = None,
                      unit_id: str | None = None) -> tuple[ServiceAccount, str]:
        """A new service account and its secret (shown once: only its hash is kept)."""
        client_id = client_id.strip().lower()
        if not CLIENT_ID.match(client_id):
            raise AccountError("client id: 2–64 lower-case letters, digits, '.', '_' or '-'")
        names = _roles(roles, unit_id=unit_id, channel=channel, service=True)
        secret = secrets.token_urlsafe(32)
        now = utcnow()
        row = {"client_id": client_id, "secret_hash": self.hasher.hash(secret), "roles": ",".join(names),
               "channel": channel or None, "unit_id": unit_id or None, "disabled": False,
               "created_at": now, "updated_at": now}
        with self.db.transaction() as conn:
            if conn.execute(sa.select(clients.c.client_id).where(clients.c.client_id == client_id)).first():
                raise AccountError(f"client {client_id} exists")
            conn.execute(clients.insert().values(**row))
        return self._client(row), secret

    def new_client_secret(self, client_id: str) -> str:
        secret = secrets.token_urlsafe(32)
        with self.db.transaction() as conn:
            done = conn.execute(clients.update().where(clients.c.client_id == client_id.strip().lower())
                                .values(secret_hash=self.hasher.hash(secret), updated_at=utcnow())).rowcount
        if not done:
            raise AccountError(f"no client {client_id}")
        return secret

    def set_client_disabled(self, client_id: str, disabled: bool) -> None:
        with self.db.transaction() as conn:
            done = conn.execute(clients.update().where(clients.c.client_id == client_id.strip().lower())
                                .values(disabled=disabled, updated_at=utcnow())).rowcount
        if not done:
            raise AccountError(f"no client {client_id}")

    def list_clients(self) -> list[ServiceAccount]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(clients).order_by(clients.c.client_id)).mappings().all()
        return [self._client(r) for r in rows]

    def authenticate_client(self, client_id: str, secret: str) -> ServiceAccount | None:
        cid = (client_id or "").strip().lower()
        row = None
        if CLIENT_ID.match(cid) and secret and len(secret) <= MAX_PASSWORD:
            with self.db.engine.connect() as conn:
                row = conn.execute(sa.select(clients).where(clients.c.client_id == cid)).mappings().first()
        if not self._verify(row["secret_hash"] if row else None, secret or ""):
            return None
        account = self._client(row)
        return None if account.disabled else account

    # -- refresh tokens ---------------------------------------------------------------------------

    def issue_refresh(self, user: User, client_id: str, lifetime_seconds: int, family_id: str | None = None,
                      conn=None) -> str:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        values = {"token_hash": _token_hash(token), "family_id": family_id or str(uuid.uuid4()),
                  "user_id": user.user_id, "client_id": client_id, "issued_at": now,
                  "expires_at": now + timedelta(seconds=lifetime_seconds)}
        if conn is not None:
            conn.execute(refresh_tokens.insert().values(**values))
        else:
            with self.db.transaction() as c:
                c.execute(refresh_tokens.insert().values(**values))
        return token

    def refresh(self, token: str, client_id: str, lifetime_seconds: int) -> Refreshed | None:
        """Use up a refresh token for a new one (rotation); None if it is not good.

        Not good: unknown, expired, revoked, of another client, of a disabled account, or used
        before — and then every token of its family is revoked too.
        """
        if not token or len(token) > 512:
            return None
        now = utcnow()
        with self.db.transaction() as conn:
            row = conn.execute(sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == _token_hash(token))
                               .with_for_update()).mappings().first()
            if row is None or row["revoked_at"] is not None or row["client_id"] != client_id:
                return None
            if row["used_at"] is not None:
                conn.execute(refresh_tokens.update().where(refresh_tokens.c.family_id == row["family_id"],
                                                           refresh_tokens.c.revoked_at.is_(None))
                             .values(revoked_at=now))
                return None
            if _aware(row["expires_at"]) <= now:
                return None
            user_row = conn.execute(sa.select(users).where(users.c.user_id == row["user_id"])).mappings().first()
            if user_row is None or user_row["disabled"]:
                return None
            conn.execute(refresh_tokens.update().where(refresh_tokens.c.token_hash == row["token_hash"])
                         .values(used_at=now))
            user = self._user(user_row)
            new = self.issue_refresh(user, client_id, lifetime_seconds, row["family_id"], conn=conn)
            # Used tokens are kept until they expire (to detect a replay), then dropped.
            conn.execute(refresh_tokens.delete().where(refresh_tokens.c.expires_at < now - timedelta(days=1)))
        return Refreshed(user, new, client_id)

    # -- helpers ----------------------------------------------------------------------------------

    def _verify(self, stored: str | None, given: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, given) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _check_password(password: str) -> None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise AccountError(f"password: at least {MIN_PASSWORD} characters")
        if len(password) > MAX_PASSWORD:
            raise AccountError(f"password: at most {MAX_PASSWORD} characters")

    def _update_user(self, username: str, **values) -> User:
        name = username.strip().lower()
        with self.db.transaction() as conn:
            done = conn.execute(users.update().where(users.c.username == name)
                                .values(**values, updated_at=utcnow())).rowcount
            if not done:
                raise AccountError(f"no user {name}")
            row = conn.execute(sa.select(users).where(users.c.username == name)).mappings().one()
        return self._user(row)

    @staticmethod
    def _user(row) -> User:
        return User(row["user_id"], row["username"], tuple(r for r in row["roles"].split(",") if r),
                    row["unit_id"], bool(row["disabled"]), _aware(row["created_at"]), _aware(row["updated_at"]))

    @staticmethod
    def _client(row) -> ServiceAccount:
        return ServiceAccount(row["client_id"], tuple(r for r in row["roles"].split(",") if r), row["channel"],
                              row["unit_id"], bool(row["disabled"]), _aware(row["created_at"]))
