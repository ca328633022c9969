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


@audit.command()
@click.argument("case_id")
@click.option("--service", type=click.Choice(SERVICES), help="Only this service's chain.")
@click.option("--json", "as_json", is_flag=True, help="The records as JSON lines.")
@click.pass_obj
def trail(obj, case_id: str, service: str | None, as_json: bool) -> None:
    """A case's records, oldest first, over AuditService (as the logged-in auditor: pakn login)."""
    import json

    from google.protobuf import json_format

    from pakn.audit.v1 import audit_pb2
    from runtime.cli import call

    config = obj.config
    wanted = [service] if service else list(SERVICES)
    # One server per address answers for every chain it runs: ask each address once.
    by_address: dict[str, list[str]] = {}
    for name in wanted:
        by_address.setdefault(config.client_address(name), []).append(name)
    found = []
    for names in by_address.values():
        only = names[0] if len(names) == 1 and (service or len(by_address) > 1) else ""
        token = ""
        while True:
            page = call(obj.clients.audit(names[0]).ListCaseTrail, audit_pb2.ListCaseTrailRequest(
                case_id=case_id, service=only, page={"page_size": 200, "page_token": token}))
            found += [r for r in page.records if r.service in names]
            token = page.next_page_token
            if not token:
                break
    found.sort(key=lambda r: (r.at.seconds, r.at.nanos, r.service, r.seq))
    for r in found:
        if as_json:
            click.echo(json.dumps(json_format.MessageToDict(r, preserving_proto_field_name=True),
                                  ensure_ascii=False))
            continue
        who = r.actor_id + (f" ({','.join(r.roles)}" + (f"@{r.unit_id}" if r.unit_id else "") + ")" if r.roles else "")
        via = f" via {r.via}" if r.via else ""
        what = f" {r.object_type}:{r.object_id}" if r.object_id else ""
        why = f" [{r.detail}]" if r.detail else ""
        click.echo(f"{r.at.ToJsonString()}  {r.service}#{r.seq}  {who}{via}  {r.action}{what}  {r.outcome}{why}")
    if not found:
        click.echo(f"no audit records for case {case_id}")
