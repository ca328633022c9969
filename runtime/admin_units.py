"""The unit directory's people from the command line (docs/unit-directory.md, Đ16.1).

    pakn admin unit-contacts UNIT [--leader-name …] [--contact-name …]   UpdateUnitContacts
    pakn admin unit-history UNIT [--page-size N] [--page-token T]        GetUnitHistory

Both call routing as the logged-in account (`pakn login`): the administrator for any unit, a
unit's leader for their own (unit-contacts). The output is the RPC's answer as JSON.
"""

from __future__ import annotations

import click

PERSON = ("name", "position", "phone", "email")


def _person_options(who: str, label: str):
    def wrap(fn):
        for field in reversed(PERSON):
            fn = click.option(f"--{who}-{field}", f"{who}_{field}", default=None,
                              help=f"The {label}'s {field} (Đ16.1).")(fn)
        return fn
    return wrap


def _person(values: dict, who: str):
    from pakn.common.v1 import common_pb2

    given = {f: values[f"{who}_{f}"] for f in PERSON if values[f"{who}_{f}"] is not None}
    return common_pb2.UnitPerson(**given) if given else None


@click.command("unit-contacts")
@click.argument("unit_id")
@_person_options("leader", "leader")
@_person_options("contact", "contact person")
@click.pass_context
def unit_contacts(ctx: click.Context, unit_id: str, **values) -> None:
    """Report a new leader or contact person of a unit (Đ16.1): the person given replaces the one
    held, the other stays. Give every field of a person you replace."""
    from pakn.routing.v1 import routing_pb2
    from runtime.cli import call, show

    leader, contact = _person(values, "leader"), _person(values, "contact")
    if leader is None and contact is None:
        raise click.UsageError("give --leader-… or --contact-… options (or both)")
    request = routing_pb2.UpdateUnitContactsRequest(unit_id=unit_id)
    if leader is not None:
        request.leader.CopyFrom(leader)
    if contact is not None:
        request.contact.CopyFrom(contact)
    show(call(ctx.obj.clients.routing.UpdateUnitContacts, request).unit)


@click.command("unit-history")
@click.argument("unit_id")
@click.option("--page-size", default=0, type=click.IntRange(0, 200), help="0: the default (50).")
@click.option("--page-token", default="")
@click.pass_context
def unit_history(ctx: click.Context, unit_id: str, page_size: int, page_token: str) -> None:
    """Who changed a unit's entry, when, which fields and what they held before, newest first
    (the administrator only)."""
    from pakn.common.v1 import common_pb2
    from pakn.routing.v1 import routing_pb2
    from runtime.cli import call, show

    show(call(ctx.obj.clients.routing.GetUnitHistory, routing_pb2.GetUnitHistoryRequest(
        unit_id=unit_id, page=common_pb2.PageRequest(page_size=page_size, page_token=page_token))))


COMMANDS = (unit_contacts, unit_history)


def attach(group: click.Group) -> None:
    """The commands under `pakn admin` (runtime/cli.py)."""
    for command in COMMANDS:
        group.add_command(command)
