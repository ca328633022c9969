"""The `pakn` command: run the platform, and play each role against it.

    pakn serve [--target=all|<service>|<service>-worker|workers]
    pakn migrate [--target=...]
    pakn config print
    pakn citizen|coordinator|unit|leader|admin ...
    pakn demo
    pakn calendar deadline|working-day ...   (computed locally: no platform needed)
    pakn report period KIND SPEC             (Đ13.7, computed locally)

Imports stay light at the top: a worker target must monkey-patch eventlet before anything else.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from runtime import admin_accounts, admin_audit, admin_keys, admin_units
from runtime import config as config_mod
from runtime.admin_pki import pki_group
from runtime.login import login_command, logout_command

CHANNELS = ["mobile_app", "facebook", "zalo", "email", "web_portal", "public_service_portal", "hotline"]
RATINGS = ["satisfied", "accepted", "not_satisfied"]


class Ctx:
    def __init__(self, config_file: str | None, settings: tuple[str, ...], address: str | None):
        self.config_file, self.settings, self.address = config_file, settings, address
        self._config: config_mod.Config | None = None
        self._clients = None

    @property
    def config(self) -> config_mod.Config:
        if self._config is None:
            overrides: dict[str, Any] = {}
            for item in self.settings:
                if "=" not in item:
                    raise click.BadParameter(f"{item!r}: expected section.key=value", param_hint="--set")
                key, value = item.split("=", 1)
                overrides[key.strip()] = value
            if self.address:
                for service in ("intake", "routing", "processing", "publication", "notification", "reporting"):
                    overrides[f"clients.{service}"] = self.address
            try:
                self._config = config_mod.load(self.config_file, overrides=overrides)
            except config_mod.ConfigError as exc:
                raise click.ClickException(f"configuration: {exc}") from None
        return self._config

    @property
    def clients(self):
        if self._clients is None:
            from runtime.clients import Clients
            from runtime.login import StoredLogin

            # As the logged-in account (`pakn login`), else anonymously (a citizen).
            self._clients = Clients(self.config, token=StoredLogin())
        return self._clients


pass_ctx = click.make_pass_decorator(Ctx)


def _fail(err) -> None:
    """Print a gRPC error as the user should see it (never a stack trace) and exit 1."""
    from runtime.errors import field_violations

    click.echo(f"Lỗi / Error [{err.code().name}]: {err.details()}", err=True)
    for v in field_violations(err):
        click.echo(f"  - {v.field}: {v.description}", err=True)
    sys.exit(1)


def call(fn, *args, **kwargs):
    import grpc

    try:
        return fn(*args, **kwargs)
    except grpc.RpcError as err:
        _fail(err)


def show(message) -> None:
    from google.protobuf import json_format

    click.echo(json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True),
                          ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="PAKN_CONFIG",
              help="TOML configuration file.")
@click.option("--set", "settings", multiple=True, metavar="SECTION.KEY=VALUE", help="Override one setting.")
@click.option("--address", help="host:port of the platform's gRPC API (every service).")
@click.pass_context
def main(ctx: click.Context, config_file: str | None, settings: tuple[str, ...], address: str | None) -> None:
    """PAKN: citizens' reports, petitions and questions (phản ánh, kiến nghị)."""
    ctx.obj = Ctx(config_file, settings, address)


# -- running ------------------------------------------------------------------------------------

@main.command()
@click.option("--target", default="all", show_default=True,
              help="all (monolithic), a service name, <service>-worker, or workers.")
@click.option("--port", type=int, help="gRPC port (server.port).")
@click.option("--metrics-port", type=int, help="Prometheus port (metrics.port).")
@pass_ctx
def serve(obj: Ctx, target: str, port: int | None, metrics_port: int | None) -> None:
    """Run the platform (or one part of it) until SIGTERM or Ctrl-C."""
    if target.endswith("worker") or target == "workers":
        import eventlet

        eventlet.monkey_patch()
    if port is not None:
        obj.settings += (f"server.port={port}",)
    if metrics_port is not None:
        obj.settings += (f"metrics.port={metrics_port}",)
    from runtime import logs
    from runtime.platform import Platform

    cfg = obj.config
    logs.setup(cfg.log_level)
    try:
        platform = Platform(cfg, target).start()
    except config_mod.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    provider = platform.components.get("identity-provider")
    if getattr(provider, "port", None):
        click.echo(f"PAKN identity (OAuth 2.0, issuer {cfg.identity.embedded_issuer}) on "
                   f"http://{cfg.identity.http_host}:{provider.port}", err=True)
    if platform.port:
        click.echo(f"PAKN {target} on {cfg.server.host}:{platform.port} "
                   f"(metrics http://{cfg.metrics.host}:{cfg.metrics.port}/metrics)", err=True)
        if target == "all":
            click.echo(f"Try: pakn --address {cfg.server.host}:{platform.port} demo", err=True)

    # The handler only records the request: stopping blocks (grace period, joins), which must not
    # happen inside a signal handler (under eventlet it would run in the hub).
    import threading

    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda _s, _f: stop_requested.set())
    signal.signal(signal.SIGINT, lambda _s, _f: stop_requested.set())
    while not stop_requested.wait(0.5):
        pass
    # A supervisor kills the process after its grace period anyway (Kubernetes:
    # terminationGracePeriodSeconds): past the grace and a second, exit on our own, and say so.
    def overdue() -> None:
        logging.getLogger("pakn").error("stopping took longer than server.grace_seconds; exiting now")
        os._exit(1)

    watchdog = threading.Timer(cfg.server.grace_seconds + 1.0, overdue)
    watchdog.daemon = True
    watchdog.start()
    platform.stop()
    watchdog.cancel()


@main.command()
@click.option("--target", default="all", show_default=True, help="all or a service name.")
@pass_ctx
def migrate(obj: Ctx, target: str) -> None:
    """Bring each service's schema to its newest migration."""
    from runtime.crypto import ensure_keys
    from runtime.db import Database, sqlite_url
    from runtime.modules import SERVICES, spec_of

    cfg = obj.config
    ensure_keys(cfg, generate=not cfg.database.url)
    for service in SERVICES if target == "all" else (target,) if target != "identity" else ():
        spec = spec_of(service)
        db = Database(service, cfg.database.url or sqlite_url(cfg.data_path, service), spec.metadata, spec.migrations)
        db.migrate()
        db.dispose()
        click.echo(f"{service}: up to date")
    if target in ("all", "identity") and cfg.identity.embedded:
        from runtime.identity.accounts import AccountStore

        AccountStore.open(cfg, migrate=True).close()
        click.echo("identity: up to date")


@main.group("config")
def config_group() -> None:
    """Configuration."""


@config_group.command("print")
@pass_ctx
def config_print(obj: Ctx) -> None:
    """Print the effective configuration as TOML, secrets redacted."""
    click.echo(config_mod.to_toml(config_mod.as_dict(obj.config)), nl=False)


@main.command()
def targets() -> None:
    """List the targets and the modules each one runs."""
    from runtime.modules import TARGETS, resolve

    for name in TARGETS:
        click.echo(f"{name}: {', '.join(resolve(name))}")


@main.command()
@click.option("--email", default="nguoidan@example.vn", show_default=True, help="The demo submitter's e-mail.")
@pass_ctx
def demo(obj: Ctx, email: str) -> None:
    """Play the whole walkthrough against a running platform, each step as its role's account.

    In the embedded mode it makes its accounts in the issuer's database (the platform's data_dir or
    database.url) and logs each one in at the token endpoint (identity.embedded_issuer).
    """
    import grpc

    from runtime import demo as demo_mod
    from runtime import walkthrough
    from runtime.identity.accounts import AccountError
    from runtime.identity.oauth_client import OAuthClientError

    cfg = obj.config
    if not cfg.identity.embedded:
        raise click.ClickException("pakn demo makes its accounts in the embedded issuer; with identity.embedded "
                                   "off the province's provider holds the accounts (docs/identity.md)")
    try:
        accounts = demo_mod.ensure_accounts(cfg)
    except AccountError as exc:
        raise click.ClickException(f"demo accounts: {exc}") from None
    click.echo("Tài khoản demo (mật khẩu mới mỗi lần chạy) / demo accounts (new passwords each run): "
               + ", ".join(accounts.created))
    cast = None
    try:
        cast = demo_mod.cast(cfg, accounts)
        out = walkthrough.run(cast, email=email, say=click.echo)
    except grpc.RpcError as err:
        _fail(err)
    except OAuthClientError as exc:
        raise click.ClickException(f"no token from {cfg.identity.embedded_issuer} ({exc.error}): is the "
                                   "platform running, with this data_dir and identity.embedded_issuer?") from None
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if cast is not None:
            cast.close()
    click.echo(f"Xong / Done: case {out.case_id}, tracking code {out.tracking_code}")


# -- citizen ------------------------------------------------------------------------------------

@main.group()
def citizen() -> None:
    """What a citizen (or a channel front-end on their behalf) does."""


def _upload_requests(message_cls, path: Path):
    from pakn.common.v1 import common_pb2

    yield message_cls(header=common_pb2.MediaUploadHeader(filename=path.name))
    with open(path, "rb") as fh:
        while chunk := fh.read(256 * 1024):
            yield message_cls(chunk=chunk)


@citizen.command()
@click.option("--channel", type=click.Choice(CHANNELS), default="web_portal", show_default=True)
@click.option("--content", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--address", default="", help="The submitter's address.")
@click.option("--place", default="", help="Where the issue is.")
@click.option("--photo", "photos", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--secret", is_flag=True, help="Keep my identity secret (Đ6.4).")
@click.option("--external-id", default="")
@click.option("--when", default="", help="When it happened, ISO 8601 with offset (default: now).")
@click.option("--ward", default="", help="The commune/ward code (since 1 July 2025) where it happened.")
@click.option("--operator", default="", help="The hotline operator entering it on a caller's behalf.")
@pass_ctx
def submit(obj: Ctx, channel, content, full_name, phone, email, address, place, photos, secret, external_id, when,
           ward, operator):
    """Submit a report, petition or question."""
    import uuid
    from datetime import datetime, timezone

    from google.protobuf import timestamp_pb2

    from pakn.common.v1 import common_pb2
    from pakn.intake.v1 import intake_pb2

    try:
        happened = datetime.fromisoformat(when) if when else datetime.now(timezone.utc)
    except ValueError:
        raise click.BadParameter("expected an ISO 8601 instant, e.g. 2026-03-02T09:00:00+07:00",
                                 param_hint="--when") from None
    if happened.tzinfo is None:
        raise click.BadParameter("give the offset, e.g. +07:00", param_hint="--when")
    occurred_at = timestamp_pb2.Timestamp()
    occurred_at.FromDatetime(happened)

    media_ids = [call(obj.clients.intake.UploadMedia, _upload_requests(intake_pb2.UploadMediaRequest, p)).media.media_id
                 for p in photos]
    r = call(obj.clients.intake.SubmitCase, intake_pb2.SubmitCaseRequest(
        channel=common_pb2.Channel.Value(f"CHANNEL_{channel.upper()}"), content=content,
        external_id=external_id, request_id="" if external_id else str(uuid.uuid4()),
        location=common_pb2.Location(address=place, ward_code=ward), occurred_at=occurred_at,
        submitter=intake_pb2.Submitter(full_name=full_name, phone=phone, email=email, address=address),
        keep_identity_secret=secret, media_ids=media_ids, operator_id=operator))
    if r.emergency_number:
        click.echo(f"KHẨN CẤP / EMERGENCY: gọi ngay / call {r.emergency_number} now")
    click.echo(f"Mã theo dõi / tracking code: {r.tracking_code}")
    if r.location.ward_name:
        mapped = f" (trước đây / formerly: {r.location.mapped_from})" if r.location.mapped_from else ""
        click.echo(f"Địa bàn / ward: {r.location.ward_name}{mapped}")
    for finding in r.findings:
        click.echo(f"Lưu ý / flag: {finding.flag}: {finding.reason_vi} / {finding.reason_en}")


@citizen.command()
@click.argument("tracking_code")
@click.option("--contact", required=True, help="The phone or e-mail given at submission.")
@pass_ctx
def status(obj: Ctx, tracking_code, contact):
    """Look up a case's status."""
    from pakn.intake.v1 import intake_pb2

    show(call(obj.clients.intake.GetCaseStatus, intake_pb2.GetCaseStatusRequest(
        tracking_code=tracking_code, contact=contact)))


@citizen.command()
@click.argument("tracking_code")
@click.option("--contact", default="", help="Your phone or e-mail: also shows a result delivered privately.")
@pass_ctx
def answer(obj: Ctx, tracking_code, contact):
    """Read the answer: the published one, or (with --contact) your own."""
    from pakn.publication.v1 import publication_pb2

    if contact:
        show(call(obj.clients.publication.GetSubmitterAnswer, publication_pb2.GetSubmitterAnswerRequest(
            tracking_code=tracking_code, contact=contact)).answer)
    else:
        show(call(obj.clients.publication.GetPublishedAnswer,
                  publication_pb2.GetPublishedAnswerRequest(tracking_code=tracking_code)).answer)


@citizen.command()
@click.argument("media_id")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def evidence(obj: Ctx, media_id, out_path):
    """Save an evidence photo of a published answer (its public copy, without location data)."""
    import grpc

    from pakn.processing.v1 import processing_pb2

    try:
        with open(out_path, "wb") as fh:
            for part in obj.clients.processing.GetPublicEvidence(
                    processing_pb2.GetPublicEvidenceRequest(media_id=media_id)):
                fh.write(part.chunk)
    except grpc.RpcError as err:
        out_path.unlink(missing_ok=True)
        _fail(err)
    click.echo(f"OK: {out_path}")


@citizen.command()
@click.argument("tracking_code")
@pass_ctx
def timeline(obj: Ctx, tracking_code):
    """The public timeline of a case (Đ12.2)."""
    from pakn.publication.v1 import publication_pb2

    show(call(obj.clients.publication.GetPublicTimeline,
              publication_pb2.GetPublicTimelineRequest(tracking_code=tracking_code)))


@citizen.command()
@click.argument("tracking_code")
@click.option("--contact", required=True)
@click.option("--rating", type=click.Choice(RATINGS), required=True)
@click.option("--comment", default="")
@pass_ctx
def rate(obj: Ctx, tracking_code, contact, rating, comment):
    """Rate the result (Đ11.3)."""
    from pakn.common.v1 import common_pb2
    from pakn.publication.v1 import publication_pb2

    call(obj.clients.publication.RateCase, publication_pb2.RateCaseRequest(
        tracking_code=tracking_code, contact=contact, rating=common_pb2.Rating.Value(f"RATING_{rating.upper()}"),
        comment=comment))
    click.echo("Cảm ơn / Thank you")


# -- coordinator --------------------------------------------------------------------------------

@main.group()
def coordinator() -> None:
    """The coordinating unit: inbox, classification, distribution, publication."""


@coordinator.command()
@pass_ctx
def inbox(obj: Ctx):
    """Open cases, oldest first."""
    from pakn.routing.v1 import routing_pb2

    for case in call(obj.clients.routing.ListInbox, routing_pb2.ListInboxRequest()).cases:
        flags = f" [{', '.join(case.screening_flags)}]" if case.screening_flags else ""
        click.echo(f"{case.case_id}  {case.tracking_code}  {common_status(case.status)}{flags}  {case.content[:60]}")


def common_status(value: int) -> str:
    from pakn.common.v1 import common_pb2

    return common_pb2.CaseStatus.Name(value).removeprefix("CASE_STATUS_")


@coordinator.command()
@click.argument("case_id")
@click.argument("category")
@pass_ctx
def classify(obj: Ctx, case_id, category):
    """Classify a case (Đ7.3b)."""
    from pakn.routing.v1 import routing_pb2

    call(obj.clients.routing.ClassifyCase, routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code=category))
    click.echo("OK")


@coordinator.command()
@click.argument("case_id")
@click.argument("unit_ids", nargs=-1, required=True)
@pass_ctx
def distribute(obj: Ctx, case_id, unit_ids):
    """Distribute a case to one or more units (Đ7.3c)."""
    from pakn.routing.v1 import routing_pb2

    r = call(obj.clients.routing.DistributeCase, routing_pb2.DistributeCaseRequest(case_id=case_id,
                                                                                    unit_ids=list(unit_ids)))
    for a in r.assignments:
        click.echo(f"{a.assignment_id}  {a.unit_id}")


@coordinator.command()
@click.argument("case_id")
@click.option("--reason", required=True, help="A Đ6.5 ground, e.g. advertising, vulgar, emergency.")
@click.option("--note", default="")
@pass_ctx
def cancel(obj: Ctx, case_id, reason, note):
    """Cancel a submission that falls under Đ6.5."""
    from pakn.routing.v1 import routing_pb2

    call(obj.clients.routing.CancelCase, routing_pb2.CancelCaseRequest(case_id=case_id, reason_code=reason, note=note))
    click.echo("OK")


@coordinator.command("review-queue")
@pass_ctx
def review_queue(obj: Ctx):
    """Cases whose every result is approved (Đ10.2)."""
    from pakn.publication.v1 import publication_pb2

    for review in call(obj.clients.publication.ListReviewQueue, publication_pb2.ListReviewQueueRequest()).reviews:
        click.echo(f"{review.case_id}  {review.tracking_code}  {len(review.answers)} answers")


@coordinator.command()
@click.argument("case_id")
@pass_ctx
def publish(obj: Ctx, case_id):
    """Publish the result (Đ10.3a)."""
    from pakn.publication.v1 import publication_pb2

    call(obj.clients.publication.PublishResult, publication_pb2.PublishResultRequest(case_id=case_id))
    click.echo("OK")


# -- unit and leader ----------------------------------------------------------------------------

@main.group()
def unit() -> None:
    """A processing unit: accept, return, handle, submit results."""


@unit.command()
@click.argument("unit_id")
@pass_ctx
def assignments(obj: Ctx, unit_id):
    """The unit's assignments."""
    from pakn.common.v1 import common_pb2
    from pakn.routing.v1 import routing_pb2

    for a in call(obj.clients.routing.ListAssignments, routing_pb2.ListAssignmentsRequest(unit_id=unit_id)).assignments:
        click.echo(f"{a.assignment_id}  {common_pb2.AssignmentStatus.Name(a.status)}  {a.content[:60]}")


@unit.command()
@click.argument("assignment_id")
@click.option("--days", type=int, default=0, help="The unit's own limit, 1–6 working days (Đ8.2a).")
@pass_ctx
def accept(obj: Ctx, assignment_id, days):
    """Accept an assignment."""
    from pakn.routing.v1 import routing_pb2

    a = call(obj.clients.routing.AcceptAssignment, routing_pb2.AcceptAssignmentRequest(
        assignment_id=assignment_id, handling_working_days=days)).assignment
    click.echo(f"Hạn xử lý / deadline: {a.deadline.ToDatetime().isoformat()}Z")


@unit.command("return")
@click.argument("assignment_id")
@click.option("--reason", required=True)
@pass_ctx
def return_(obj: Ctx, assignment_id, reason):
    """Return an assignment outside the unit's competence (Đ8.2b)."""
    from pakn.routing.v1 import routing_pb2

    call(obj.clients.routing.ReturnAssignment, routing_pb2.ReturnAssignmentRequest(
        assignment_id=assignment_id, reason=reason))
    click.echo("OK")


@unit.command("assign-handler")
@click.argument("assignment_id")
@click.argument("handler_id")
@pass_ctx
def assign_handler(obj: Ctx, assignment_id, handler_id):
    """Give the work to a handler."""
    from pakn.processing.v1 import processing_pb2

    call(obj.clients.processing.AssignHandler, processing_pb2.AssignHandlerRequest(
        assignment_id=assignment_id, handler_id=handler_id))
    click.echo("OK")


@unit.command("submit-result")
@click.argument("assignment_id")
@click.option("--answer", required=True)
@click.option("--evidence", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def submit_result(obj: Ctx, assignment_id, answer, evidence):
    """Submit the result with evidence (Đ8.3)."""
    from pakn.processing.v1 import processing_pb2

    ids = [call(obj.clients.processing.UploadEvidence,
                _upload_requests(processing_pb2.UploadEvidenceRequest, p)).media.media_id for p in evidence]
    call(obj.clients.processing.SubmitResult, processing_pb2.SubmitResultRequest(
        assignment_id=assignment_id, result=processing_pb2.Result(answer=answer, evidence_media_ids=ids)))
    click.echo("OK")


@main.group()
def leader() -> None:
    """A unit's leader: approve or return results (Đ9)."""


@leader.command()
@click.argument("assignment_id")
@pass_ctx
def approve(obj: Ctx, assignment_id):
    """Approve a result (Đ9.3b)."""
    from pakn.processing.v1 import processing_pb2

    call(obj.clients.processing.ApproveResult, processing_pb2.ApproveResultRequest(assignment_id=assignment_id))
    click.echo("OK")


@leader.command("return")
@click.argument("assignment_id")
@click.option("--reason", required=True)
@pass_ctx
def leader_return(obj: Ctx, assignment_id, reason):
    """Return a result to its handler (Đ9.3a)."""
    from pakn.processing.v1 import processing_pb2

    call(obj.clients.processing.ReturnToHandler, processing_pb2.ReturnToHandlerRequest(
        assignment_id=assignment_id, reason=reason))
    click.echo("OK")


# -- admin --------------------------------------------------------------------------------------

@main.group()
def admin() -> None:
    """Operators and the Department of I&C: units, the calendar, reports."""


admin.add_command(pki_group)
admin.add_command(admin_audit.audit)
for _command in admin_accounts.COMMANDS:
    admin.add_command(_command)
main.add_command(login_command)
main.add_command(logout_command)
admin_keys.attach(admin)
admin_units.attach(admin)


@admin.command("register-unit")
@click.argument("unit_id")
@click.option("--name", required=True)
@click.option("--leader", "leader_title", required=True, help="The leader's title (Đ16.1).")
@click.option("--contact", "contact_title", required=True, help="The contact person's title (Đ16.1).")
@click.option("--not-on-system", is_flag=True)
@pass_ctx
def register_unit(obj: Ctx, unit_id, name, leader_title, contact_title, not_on_system):
    """Add or update a unit of the directory (Đ13.3, Đ16.1)."""
    from pakn.common.v1 import common_pb2
    from pakn.routing.v1 import routing_pb2

    call(obj.clients.routing.RegisterUnit, routing_pb2.RegisterUnitRequest(unit=common_pb2.Unit(
        unit_id=unit_id, name=name, leader_title=leader_title, contact_title=contact_title,
        on_system=not not_on_system)))
    click.echo("OK")


@admin.command()
@pass_ctx
def units(obj: Ctx):
    """The unit directory."""
    from pakn.routing.v1 import routing_pb2

    for u in call(obj.clients.routing.ListUnits, routing_pb2.ListUnitsRequest()).units:
        click.echo(f"{u.unit_id}  {u.name}")


@admin.command("replay-failed")
@click.option("--service", required=True,
              type=click.Choice(["intake", "routing", "processing", "publication", "notification", "reporting"]))
@pass_ctx
def replay_failed(obj: Ctx, service):
    """Handle again every event a service has parked (once the cause is fixed), including those
    its automatic retries gave up on.

    Runs beside the platform, on the service's own database; what the handlers announce is
    published by the running service's relay.
    """
    from runtime.platform import Platform

    try:
        platform = Platform(obj.config, f"{service}-worker", maintenance=True).build()
    except config_mod.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        runtime = platform.service(service)
        before = runtime.consumer.parked()
        handled = runtime.consumer.replay_failed()
    finally:
        platform.stop()
    click.echo(f"{service}: {handled} of {before} parked events handled; {before - handled} parked again")
    sys.exit(0 if handled == before else 1)


@admin.command()
@pass_ctx
def summary(obj: Ctx):
    """Counts of cases, all time."""
    from pakn.reporting.v1 import reporting_pb2

    show(call(obj.clients.reporting.GetSummary, reporting_pb2.GetSummaryRequest()).summary)


from runtime.admin_disclosures import disclosures as _disclosures  # noqa: E402

admin.add_command(_disclosures)


# -- admin: the run-time calendar (announced days, force majeure) -------------------------------

def _instant(text: str, option: str):
    """An ISO 8601 instant with its UTC offset, as a protobuf Timestamp."""
    from datetime import datetime, timezone

    from google.protobuf import timestamp_pb2

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant, e.g. 2026-10-12T08:00:00+07:00",
                                 param_hint=option) from None
    if value.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no UTC offset (cần ghi múi giờ), e.g. 2026-10-12T08:00:00+07:00",
                                 param_hint=option)
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value.astimezone(timezone.utc))
    return out


@admin.command("calendar-day")
@click.argument("day", metavar="YYYY-MM-DD")
@click.option("--off/--working", "off", default=None, help="A day off, or a (make-up) working day.")
@click.option("--name-vi", required=True, help="The day's name in Vietnamese, e.g. \"Nghỉ bù Quốc khánh\".")
@click.option("--name-en", required=True, help="The day's name in English.")
@click.option("--document", required=True, help="The number of the announcing document.")
@pass_ctx
def calendar_day(obj: Ctx, day, off, name_vi, name_en, document):
    """Record an announced day off or make-up working day (or correct one); open deadlines follow."""
    from pakn.routing.v1 import calendar_pb2

    if off is None:
        raise click.UsageError("give --off or --working")
    show(call(obj.clients.calendar.RecordDay, calendar_pb2.RecordDayRequest(rule=calendar_pb2.DayRule(
        date=day, working=not off, name_vi=name_vi, name_en=name_en, document=document))).rule)


@admin.command("pause")
@click.option("--start", "start_text", required=True, metavar="INSTANT", help="ISO 8601 with offset.")
@click.option("--end", "end_text", required=True, metavar="INSTANT", help="ISO 8601 with offset (excluded).")
@click.option("--unit", "unit_id", default="", help="Only this unit's clocks (default: the whole province).")
@click.option("--reason", required=True, help="The force majeure (Đ8.2a).")
@pass_ctx
def pause(obj: Ctx, start_text, end_text, unit_id, reason):
    """Declare a force-majeure window: clocks it touches stand still; open deadlines follow."""
    from pakn.routing.v1 import calendar_pb2

    request = calendar_pb2.DeclarePauseRequest(start=_instant(start_text, "--start"), end=_instant(end_text, "--end"),
                                               unit_id=unit_id, reason=reason)
    show(call(obj.clients.calendar.DeclarePause, request).pause)


@admin.command("end-pause")
@click.argument("pause_id")
@click.option("--end", "end_text", required=True, metavar="INSTANT",
              help="The new, earlier end: ISO 8601 with offset; the pause's start withdraws it entirely.")
@click.option("--reason", required=True, help="Why: the force majeure ended sooner, the declared end was wrong.")
@pass_ctx
def end_pause(obj: Ctx, pause_id, end_text, reason):
    """End a declared pause sooner (or withdraw it): open deadlines it delayed come back."""
    from pakn.routing.v1 import calendar_pb2

    request = calendar_pb2.EndPauseRequest(pause_id=pause_id, end=_instant(end_text, "--end"), reason=reason)
    show(call(obj.clients.calendar.EndPause, request).pause)


# -- the regulation's clocks, computed locally (no platform needed) -----------------------------

@main.group("calendar")
def calendar_group() -> None:
    """Working days and deadlines (Đ8.2a, Đ9, Đ10.4; Đ7, Đ8.2b, Đ10.2), from the bundled schedules."""


@calendar_group.command("deadline")
@click.option("--from", "start_text", required=True, metavar="INSTANT",
              help="ISO 8601 instant with its offset, e.g. 2026-03-02T09:00:00+07:00.")
@click.option("--working-days", type=click.IntRange(min=0), help="N working days (the day of --from does not count).")
@click.option("--hours", type=click.FloatRange(min=0), help="N calendar hours.")
@click.option("--unit", default="", help="The unit whose clock it is (pauses are per unit; the bundled "
              "schedules hold none, so locally this changes nothing yet).")
def calendar_deadline(start_text: str, working_days: int | None, hours: float | None, unit: str) -> None:
    """Print the deadline N working days or N hours after --from, in Asia/Ho_Chi_Minh (+07:00)."""
    import math
    from datetime import datetime

    from regulation import calendar

    if (working_days is None) == (hours is None):
        raise click.UsageError("give exactly one of --working-days and --hours")
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError:
        raise click.BadParameter(f"{start_text!r} is not an ISO 8601 instant, e.g. 2026-03-02T09:00:00+07:00",
                                 param_hint="--from") from None
    if hours is not None and not math.isfinite(hours):
        raise click.BadParameter(f"{hours} is not a number of hours", param_hint="--hours")
    if start.tzinfo is None:
        raise click.BadParameter(f"{start_text!r} has no UTC offset; an offset is required "
                                 "(cần ghi múi giờ), e.g. 2026-03-02T09:00:00+07:00", param_hint="--from")
    cal = calendar.default()
    try:
        deadline = (cal.add_working_days(start, working_days, unit or None) if working_days is not None
                    else cal.add_hours(start, hours, unit or None))
    except (ValueError, OverflowError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(deadline.astimezone(calendar.VN).isoformat())


@calendar_group.command("working-day")
@click.argument("day_text", metavar="YYYY-MM-DD")
def calendar_working_day(day_text: str) -> None:
    """Whether a local date is a working day, and why; exits 0 for a working day, 1 for a day off."""
    from datetime import date

    from regulation import calendar

    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise click.BadParameter(f"{day_text!r} is not a date YYYY-MM-DD", param_hint="DATE") from None
    cal = calendar.default()
    info = cal.day(day)
    verdict = "ngày làm việc / working day" if info.working else "ngày nghỉ / day off"
    click.echo(f"{day.isoformat()}: {verdict}")
    click.echo(f"Lý do / reason: {info.reason_vi} / {info.reason_en}")
    if info.document:
        full = cal.schedules.documents.get(info.document)
        click.echo(f"Văn bản / document: {info.document}" + (f" ({full})" if full and full != info.document else ""))
    if info.provisional:
        click.echo(f"Tạm tính / provisional: lịch năm {day.year} chưa được công bố, chỉ tính ngày lễ theo "
                   f"Bộ luật Lao động / the {day.year} schedule has not been announced; Labour Code holidays only")
    sys.exit(0 if info.working else 1)


@main.group("report")
def report_group() -> None:
    """Reports (Đ13.7)."""


PERIOD_SPECS = {
    "monthly": "YYYY-MM",
    "quarterly": "YYYY-Qn (n = 1–4)",
    "half": "YYYY-H1 or YYYY-H2",
    "nine-month": "YYYY",
    "annual": "YYYY",
}


def _parse_period_spec(kind: str, spec: str) -> tuple[str, int, int]:
    """(kind of regulation.periods, year, number) from e.g. monthly 2026-03, quarterly 2026-Q1, half 2026-H2."""
    import re

    patterns = {"monthly": r"(\d{4})-(\d{1,2})", "quarterly": r"(\d{4})-[Qq]([1-4])", "half": r"(\d{4})-[Hh]([12])",
                "nine-month": r"(\d{4})", "annual": r"(\d{4})"}
    match = re.fullmatch(patterns[kind], spec.strip())
    if match is None:
        raise click.BadParameter(f"{spec!r}: a {kind} period is written {PERIOD_SPECS[kind]}", param_hint="SPEC")
    year = int(match.group(1))
    number = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 0
    if kind == "half":
        return ("first-half" if number == 1 else "second-half"), year, 0
    return kind, year, number


@report_group.command("period")
@click.argument("kind", metavar="KIND", type=click.Choice(list(PERIOD_SPECS)))
@click.argument("spec")
def report_period(kind: str, spec: str) -> None:
    """Print a report period's first and last day (Đ13.7), e.g. `monthly 2026-03` → 2026-02-15 2026-03-14.

    SPEC: monthly YYYY-MM, quarterly YYYY-Qn, half YYYY-H1|YYYY-H2, nine-month YYYY, annual YYYY.
    """
    from regulation import periods

    name, year, number = _parse_period_spec(kind, spec)
    try:
        p = periods.period(name, year, number)
    except ValueError as exc:
        raise click.BadParameter(f"{spec!r}: {exc}", param_hint="SPEC") from None
    click.echo(f"{p.first_day.isoformat()} {p.last_day.isoformat()}")


if __name__ == "__main__":
    main()
