"""`pakn admin pki ...`: the development PKI of the services' mutual TLS (runtime/pki.py, docs/pki.md)."""

from __future__ import annotations

import click

from runtime import pki


@click.group("pki")
def pki_group() -> None:
    """Certificates for mutual TLS between the services (development and small installations)."""


@pki_group.command("init")
@click.option("--dir", "folder", default="var/pki", show_default=True, type=click.Path(file_okay=False),
              help="Where the CA and one folder per process (tls.crt, tls.key, ca.crt) go.")
@click.option("--services", default=",".join(pki.NAMES), show_default=True,
              help="Comma-separated names: one certificate each.")
@click.option("--days", type=click.IntRange(1, 3650), default=pki.LEAF_DAYS, show_default=True,
              help="Validity of each process's certificate.")
@click.option("--ca-days", type=click.IntRange(1, 7300), default=pki.CA_DAYS, show_default=True,
              help="Validity of a new CA.")
@click.option("--release", default="pakn", show_default=True,
              help="The Helm release name: certificates name the chart's Services <release>-<name>.")
@click.option("--namespace", default="", help="The Kubernetes namespace, for the qualified Service names.")
@click.option("--force", is_flag=True, help="Issue every named certificate again (rotation), with the same CA.")
@click.option("--new-ca", is_flag=True,
              help="Make a new CA; the old one stays trusted (ca/previous.crt) until --retire-previous.")
@click.option("--retire-previous", is_flag=True, help="Trust only the current CA from now on.")
def init_command(folder: str, services: str, days: int, ca_days: int, release: str, namespace: str,
                 force: bool, new_ca: bool, retire_previous: bool) -> None:
    """Make the development CA and a certificate per service; existing files are kept unless --force."""
    names = [n.strip() for n in services.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("at least one name", param_hint="--services")
    try:
        result = pki.init(folder, names, days=days, force=force, release=release, namespace=namespace,
                          ca_days=ca_days, new_ca=new_ca, retire_previous=retire_previous)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"CA: {result.folder / 'ca'} ({'new' if result.ca_created else 'kept'})")
    if result.issued:
        click.echo("issued: " + ", ".join(result.issued))
    if result.kept:
        click.echo("kept (--force to issue again): " + ", ".join(result.kept))
    click.echo(f"Each process: tls.dir = \"{result.folder}/<name>\" (PAKN_TLS__DIR)")
