"""`pakn admin audit …`: operators check the audit chains (docs/audit.md).

`verify` walks each service's chain in its own database (the same URL the service uses) and
prints OK with the count of records, or the first broken link — the service, the seq and what
differs — and exits 1. It reads only: it runs beside the platform or without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

SERVICES = ("intake", "routing", "processing", "publication", "notification", "reporting")


@click.group()
def audit() -> None:
    """The audit trail: every change, decryption and refusal, hash-chained per service."""


@audit.command()
@click.option("--service", "services", multiple=True, type=click.Choice(SERVICES),
              help="Only this service's chain (repeatable); default: every service's.")
@click.pass_obj
def verify(obj, services: tuple[str, ...]) -> None:
    """Check every record's hash and link; name the first broken one."""
    from runtime.audit import HEAD_TABLE, LOG_TABLE, audit_tables, verify_chain
    from runtime.db import Database, sqlite_url

    config = obj.config
    broken = False
    for service in services or SERVICES:
        url = config.database.url or sqlite_url(config.data_path, service)
        if not config.database.url and not Path(sa.engine.make_url(url).database or "").exists():
            click.echo(f"{service}: no database yet (nothing to verify)")
            continue
        metadata = sa.MetaData()
        audit_tables(metadata)
        db = Database(service, url, metadata, Path("."), pool_size=1)
        try:
            with db.engine.connect() as conn:
                if not sa.inspect(conn).has_table(LOG_TABLE):
                    click.echo(f"{service}: no audit trail yet (migrations not applied)")
                    continue
                verdict = verify_chain(conn, service, metadata.tables[LOG_TABLE], metadata.tables[HEAD_TABLE])
        except sa.exc.OperationalError as exc:
            raise click.ClickException(f"{service}: database unreachable ({type(exc.orig).__name__})") from None
        finally:
            db.dispose()
        if verdict.ok:
            click.echo(f"{service}: OK, {verdict.records} records")
        else:
            broken = True
            click.echo(f"{service}: BROKEN at seq {verdict.broken_seq}: {verdict.problem} "
                       f"({verdict.records} records before it verified)")
    sys.exit(1 if broken else 0)
