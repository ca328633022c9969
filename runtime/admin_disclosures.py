"""`pakn admin disclosures [--case ID]`: every disclosure of a submitter's contact, and every
request for one (Đ13.8, Đ16.6), newest first, as ListDisclosures returns them: who asked, who
decided, for which body, why, when and the status. Never the contact.

Times are shown in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import click

STATUS = {0: "?", 1: "pending", 2: "disclosed", 3: "refused"}


def lines(disclosures) -> list[str]:
    """One line per disclosure, tab-separated: requested at (local), status, case, body, reason,
    requested by, decided by (or "-"), decided at (or "-"), the refusal's reason if any."""
    from regulation.calendar import VN
    from runtime.messaging import from_ts

    def local(stamp, present: bool) -> str:
        return from_ts(stamp).astimezone(VN).strftime("%Y-%m-%d %H:%M:%S") if present else "-"

    out = []
    for d in disclosures:
        fields = [local(d.requested_at, d.HasField("requested_at")), STATUS.get(d.status, "?"), d.case_id,
                  d.requesting_body, d.reason, d.requested_by or "-", d.decided_by or "-",
                  local(d.decided_at, d.HasField("decided_at"))]
        if d.refusal_reason:
            fields.append(d.refusal_reason)
        out.append("\t".join(" ".join(f.split()) for f in fields))
    return out


@click.command("disclosures")
@click.option("--case", "case_id", default="", help="Only this case's disclosures.")
@click.pass_obj
def disclosures(obj, case_id: str) -> None:
    """Every disclosure of a submitter's contact and every request for one (Đ13.8), newest first."""
    from pakn.common.v1 import common_pb2
    from pakn.intake.v1 import intake_pb2
    from runtime.cli import call

    token = ""
    click.echo("requested_at\tstatus\tcase_id\trequesting_body\treason\trequested_by\tdecided_by\tdecided_at")
    while True:
        page = call(obj.clients.intake.ListDisclosures, intake_pb2.ListDisclosuresRequest(
            case_id=case_id, page=common_pb2.PageRequest(page_size=200, page_token=token)))
        for line in lines(page.disclosures):
            click.echo(line)
        token = page.next_page_token
        if not token:
            break
