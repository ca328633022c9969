"""Rotating the keys of personal data without downtime (docs/crypto.md).

    pakn admin rotate-keys [--purpose P]...     a new newest key in data_dir/keys.json (monolithic)
    pakn admin reencrypt [--service S] [--check] every sealed value moved to the newest key
    pakn admin retire-keys [--purpose P]...     the old keys dropped from keys.json, once nothing needs them
    pakn admin new-key                          a fresh key, for a setting (microservices mode)

What is sealed is found, not listed by hand: every column whose `info` names its purpose
(`runtime.crypto.sealed_with`) in every service's tables, and the sealed fields of the events kept
in every service's outbox and parked events (`runtime.crypto.SEALED_EVENT_FIELDS`).
`tests/unit/test_crypto_keys.py` fails on a binary column or an event's bytes field that is neither.

The re-encryption runs beside the platform, on each service's own database, in batches of short
transactions (rows locked on PostgreSQL, compared-and-set everywhere), so the services keep working;
running it again rewrites nothing (MultiFernet.rotate, only for values not already sealed with the
newest key).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from runtime.crypto import (
    FERNET_KEYS,
    KEY_NAMES,
    SEALED_EVENT_FIELDS,
    SEALED_EVENT_TYPES,
    SEALED_WITH,
    Box,
    ensure_keys,
    keys_path,
    read_keys_file,
    write_keys_file,
)

if TYPE_CHECKING:  # the CLI imports this module at start: SQLAlchemy only when a command runs
    import sqlalchemy as sa

# The messaging tables (runtime/messaging.py) that keep whole event envelopes.
ENVELOPE_TABLES = ("outbox", "failed_events")
DEFAULT_BATCH = 500


@dataclass
class Tally:
    service: str
    where: str       # "cases.contact_enc", "outbox.envelope"
    purpose: str
    current: int = 0     # already sealed with the newest key
    rewritten: int = 0   # moved to the newest key (or, with --check, would be)
    unreadable: int = 0  # opened by none of the purpose's keys: kept as they are

    def line(self, check: bool) -> str:
        verb = "to re-encrypt" if check else "re-encrypted"
        return (f"{self.service} {self.where} ({self.purpose}): {self.rewritten} {verb}, "
                f"{self.current} current, {self.unreadable} unreadable")


def sealed_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column, str]]:
    return [(t, c, c.info[SEALED_WITH]) for t in metadata.sorted_tables for c in t.columns if SEALED_WITH in c.info]


def envelope_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column]]:
    return [(metadata.tables[n], metadata.tables[n].c.envelope) for n in ENVELOPE_TABLES if n in metadata.tables]


def rotate_envelope(raw: bytes, boxes: dict[str, Box], tallies: dict[str, Tally]) -> bytes | None:
    """The envelope with its sealed fields moved to the newest keys; None when none needed it."""
    from pakn.events.v1 import events_pb2
    from runtime.messaging import unpack

    env = events_pb2.EventEnvelope.FromString(bytes(raw))
    fields = SEALED_EVENT_FIELDS.get(env.payload.TypeName())
    if not fields:
        return None
    payload = unpack(env)
    changed = False
    for name, purpose in fields.items():
        value = getattr(payload, name)
        if not value:
            continue
        try:
            new = boxes[purpose].rotate(value)
        except ValueError:
            tallies[purpose].unreadable += 1
            continue
        if new is None:
            tallies[purpose].current += 1
        else:
            tallies[purpose].rewritten += 1
            setattr(payload, name, new)
            changed = True
    if not changed:
        return None
    env.payload.Pack(payload)
    return env.SerializeToString()


def _batches(db, table: sa.Table, column: sa.Column, batch: int, lock: bool, where=None):
    """(connection, rows) in short transactions, keyset over the table's one-column primary key."""
    import sqlalchemy as sa

    (pk,) = table.primary_key.columns
    last = None
    while True:
        with db.transaction() as conn:
            q = sa.select(pk.label("pk"), column.label("value")).where(column.isnot(None))
            if where is not None:
                q = q.where(where)
            if last is not None:
                q = q.where(pk > last)
            q = q.order_by(pk).limit(batch)
            if lock and db.is_postgres:
                q = q.with_for_update()
            rows = conn.execute(q).all()
            if not rows:
                return
            yield conn, pk, rows
            last = rows[-1].pk
        if len(rows) < batch:
            return


def reencrypt_database(service: str, db, boxes: dict[str, Box], batch: int = DEFAULT_BATCH,
                       check: bool = False) -> list[Tally]:
    """Every sealed value of one service's database moved to its purpose's newest key."""
    out: list[Tally] = []
    for table, column, purpose in sealed_columns(db.metadata):
        tally = Tally(service, f"{table.name}.{column.name}", purpose)
        for conn, pk, rows in _batches(db, table, column, batch, lock=not check):
            for row in rows:
                try:
                    new = boxes[purpose].rotate(row.value)
                except ValueError:
                    tally.unreadable += 1
                    continue
                if new is None:
                    tally.current += 1
                    continue
                tally.rewritten += 1
                if not check:
                    # Compared-and-set: a value the service rewrote meanwhile is left to it.
                    conn.execute(table.update().where(pk == row.pk, column == row.value).values({column.name: new}))
        out.append(tally)
    types = list(SEALED_EVENT_TYPES)
    for table, column in envelope_columns(db.metadata):
        purposes = sorted({p for fields in SEALED_EVENT_FIELDS.values() for p in fields.values()})
        tallies = {p: Tally(service, f"{table.name}.{column.name}", p) for p in purposes}
        where = table.c.event_type.in_(types) if "event_type" in table.c else None
        for conn, pk, rows in _batches(db, table, column, batch, lock=not check, where=where):
            for row in rows:
                try:
                    new = rotate_envelope(row.value, boxes, tallies)
                except Exception:  # noqa: BLE001 - an undecodable envelope is counted, never fatal
                    tallies[purposes[0]].unreadable += 1
                    continue
                if new is not None and not check:
                    conn.execute(table.update().where(pk == row.pk, column == row.value).values({column.name: new}))
        out.extend(tallies.values())
    return out


def reencrypt_all(config, services: list[str], batch: int = DEFAULT_BATCH, check: bool = False) -> list[Tally]:
    from runtime.db import Database, sqlite_url
    from runtime.modules import spec_of

    boxes = {p: Box.of(config, p) for p in FERNET_KEYS}
    out: list[Tally] = []
    for service in services:
        spec = spec_of(service)
        db = Database(service, config.database.url or sqlite_url(config.data_path, service), spec.metadata,
                      spec.migrations, pool_size=1)
        try:
            tallies = reencrypt_database(service, db, boxes, batch, check)
            out += tallies
            opened = sum(t.rewritten + t.current for t in tallies)
            if opened and not check:
                _audit_reencryption(service, db, opened)
        finally:
            db.dispose()
    return out


def _audit_reencryption(service: str, db, opened: int) -> None:
    """One audit record per service and run: every sealed value was opened (docs/audit.md)."""
    from runtime import audit
    from runtime.identity.context import system

    item = audit.entry(system("admin"), "admin:reencrypt", audit.DECRYPTED, object_type="sealed_values",
                       object_id="*", detail=f"opened:{opened}")
    audit.AuditTrail(service, db).record(item)


# -- the commands ---------------------------------------------------------------------------------

def _config(ctx: click.Context):
    from runtime import config as config_mod

    try:
        return ctx.obj.config
    except config_mod.ConfigError as exc:  # pragma: no cover - Ctx.config reports it already
        raise click.ClickException(str(exc)) from None


def _keys_file_purposes(cfg, purposes: tuple[str, ...]) -> list[str]:
    """The purposes whose keys are kept in data_dir/keys.json (monolithic mode), refusing the others."""
    if cfg.database.url:
        raise click.ClickException(
            "microservices mode: the keys are settings (security.<purpose>); put a new key first in each "
            "(pakn admin new-key makes one) as docs/crypto.md says")
    chosen = list(purposes or FERNET_KEYS)
    configured = [p for p in chosen if getattr(cfg.security, p)]
    if configured:
        raise click.ClickException(
            "set in the configuration, not in keys.json: " + ", ".join(f"security.{p}" for p in configured)
            + "; put a new key first in that setting (docs/crypto.md)")
    return chosen


@click.command("rotate-keys")
@click.option("--purpose", "purposes", multiple=True, type=click.Choice(KEY_NAMES),
              help="Only these purposes (all the encryption keys by default).")
@click.pass_context
def rotate_keys(ctx: click.Context, purposes: tuple[str, ...]) -> None:
    """Add a new key, first (it encrypts from now on), to each purpose in data_dir/keys.json.

    The running platform takes it at its next use of the key, without a restart. The old keys
    still decrypt; `pakn admin reencrypt` moves the stored data to the new key, then
    `pakn admin retire-keys` drops the old ones."""
    from cryptography.fernet import Fernet

    cfg = _config(ctx)
    chosen = _keys_file_purposes(cfg, purposes)
    path = keys_path(cfg)
    if not path.exists():
        raise click.ClickException(f"{path} does not exist: start the platform once (it makes the keys)")
    stored = read_keys_file(path)
    for purpose in chosen:
        stored[purpose] = [Fernet.generate_key().decode()] + stored.get(purpose, [])
    write_keys_file(path, stored)
    for purpose in chosen:
        click.echo(f"{purpose}: a new key encrypts from now on; {len(stored[purpose]) - 1} older key(s) still decrypt")
    click.echo("next: pakn admin reencrypt, then pakn admin retire-keys")


@click.command()
@click.option("--service", "services", multiple=True,
              type=click.Choice(["intake", "routing", "processing", "publication", "notification", "reporting"]),
              help="Only this service's database (every service by default).")
@click.option("--batch-size", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--check", is_flag=True, help="Count only: exit 1 while any value is not sealed with the newest key.")
@click.pass_context
def reencrypt(ctx: click.Context, services: tuple[str, ...], batch_size: int, check: bool) -> None:
    """Re-encrypt every encrypted column of every service with the newest key of its purpose.

    Safe while the platform runs (short transactions, compared-and-set) and idempotent: values
    already sealed with the newest key are left alone. Exits 1 when some value opens with none of
    the keys (keep the key that sealed it), or, with --check, while any value still needs an old key."""
    from runtime import config as config_mod
    from runtime.modules import SERVICES

    cfg = _config(ctx)
    try:
        ensure_keys(cfg, generate=False)
    except config_mod.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    tallies = reencrypt_all(cfg, list(services or SERVICES), batch_size, check)
    for t in tallies:
        if t.rewritten or t.current or t.unreadable:
            click.echo(t.line(check))
    rewritten = sum(t.rewritten for t in tallies)
    unreadable = sum(t.unreadable for t in tallies)
    click.echo(f"{'to re-encrypt' if check else 're-encrypted'}: {rewritten}; unreadable: {unreadable}")
    sys.exit(1 if unreadable or (check and rewritten) else 0)


@click.command("retire-keys")
@click.option("--purpose", "purposes", multiple=True, type=click.Choice(FERNET_KEYS),
              help="Only these purposes (all the encryption keys by default).")
@click.pass_context
def retire_keys(ctx: click.Context, purposes: tuple[str, ...]) -> None:
    """Keep only the newest key of each purpose in data_dir/keys.json — refused while any stored
    value still needs an older one (run `pakn admin reencrypt` first)."""
    from runtime.modules import SERVICES

    cfg = _config(ctx)
    chosen = _keys_file_purposes(cfg, purposes)
    ensure_keys(cfg, generate=False)
    pending = [t for t in reencrypt_all(cfg, list(SERVICES), check=True)
               if t.purpose in chosen and (t.rewritten or t.unreadable)]
    if pending:
        for t in pending:
            click.echo(t.line(True), err=True)
        raise click.ClickException("some stored values still need an old key: run pakn admin reencrypt first")
    path = keys_path(cfg)
    stored = read_keys_file(path)
    for purpose in chosen:
        dropped = len(stored.get(purpose, [])) - 1
        stored[purpose] = stored[purpose][:1]
        click.echo(f"{purpose}: {max(dropped, 0)} old key(s) dropped")
    write_keys_file(path, stored)


@click.command("new-key")
def new_key() -> None:
    """Print a fresh encryption key, for a security.<purpose> setting (put it first in the list)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


COMMANDS = (rotate_keys, reencrypt, retire_keys, new_key)


def attach(group: click.Group) -> None:
    """The commands under `pakn admin` (runtime/cli.py)."""
    for command in COMMANDS:
        group.add_command(command)
