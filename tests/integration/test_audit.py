"""The audit trail over real gRPC on PostgreSQL (and SQLite where said): one record per change,
decryption and refusal, with the caller's verified identity; chains verified and tampering found
at its seq; append-only on PostgreSQL; the acting identity in events; a case's trail for auditors
(docs/audit.md; Đ12.1, Đ13.1, Đ13.8)."""

from __future__ import annotations

import sqlite3
import uuid

import grpc
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from grpc_health.v1 import health_pb2, health_pb2_grpc

from pakn.audit.v1 import audit_pb2
from pakn.common.v1 import common_pb2 as CS
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from pakn.routing.v1 import routing_pb2
from runtime.cli import main as cli
from runtime.clients import Clients
from tests.helpers import eventually, now_ts, place, rpc_error

NAME, PHONE, EMAIL, ADDRESS = "Trần Thị Bình", "0912345678", "binh@example.vn", "12 Lê Lợi, phường Tân Ninh"
UNIT = "so-gtvt"
LEADER, LEADER_PHONE = "Nguyễn Văn An", "0987654321"
TRAIL_COLUMNS = ("seq", "actor_id", "via", "roles", "unit_id", "action", "object_type", "object_id", "case_id",
                 "outcome", "detail", "source_address", "request_id")


def pg_platform(start_platform, postgres_url):
    from tests.infra import fernet_keys

    return start_platform("all", **{"database.url": postgres_url, **fernet_keys()})


def records(p, service: str, **where) -> list[dict]:
    table = p.service(service).audit.log
    query = sa.select(table).order_by(table.c.seq)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with p.service(service).db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def as_(actor, p, role, unit=None, channel=None, request_id=None):
    md = list(actor(p).metadata(role, unit=unit, channel=channel))
    if request_id:
        md.append(("x-request-id", request_id))
    return md


def submit(c, actor, p, request_id: str) -> str:
    return c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=CS.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay", occurred_at=now_ts(), location=place(),
        submitter=intake_pb2.Submitter(full_name=NAME, phone=PHONE, email=EMAIL, address=ADDRESS),
    ), metadata=as_(actor, p, "channel", channel="mobile_app", request_id=request_id)).case_id


def routed(p, c, actor) -> tuple[str, str]:
    """A case submitted, classified and distributed to UNIT: (case id, assignment id)."""
    c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=CS.Unit(
        unit_id=UNIT, name="Sở Giao thông vận tải", leader_title="Giám đốc", contact_title="Chánh Văn phòng",
        on_system=True, leader=CS.UnitPerson(name=LEADER, position="Giám đốc", phone=LEADER_PHONE))))
    case_id = submit(c, actor, p, "req-submit-1")
    eventually(lambda: case_id in {x.case_id for x in c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases})
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_thong"))
    out = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=[UNIT]))
    return case_id, out.assignments[0].assignment_id


def accept(c, assignment_id: str, days: int):
    """The unit accepts (as PolicyActor's unit officer of the assignment's unit)."""
    from pakn.processing.v1 import processing_pb2

    a = c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(
        assignment_id=assignment_id, handling_working_days=days)).assignment

    def arrived():
        try:
            return c.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(assignment_id=a.assignment_id)).work_item
        except grpc.RpcError as err:
            raise AssertionError(err.code()) from None
    return eventually(arrived)


def no_personal_data(p):
    """No audit record of any chain holds the submitter's name, phone, e-mail or address."""
    for service in ("intake", "routing", "processing", "publication", "notification", "reporting"):
        for row in records(p, service):
            text = " ".join(str(v) for v in row.values())
            for secret in (NAME, PHONE, EMAIL, ADDRESS, "Trần", "binh@", LEADER, LEADER_PHONE):
                assert secret not in text, (service, row["seq"])


@pytest.mark.postgres
def test_a_mutating_call_writes_one_record_with_the_callers_identity_source_and_request_id(
        start_platform, clients_for, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    case_id, assignment_id = routed(p, c, actor)
    c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id=assignment_id,
                                                                    handling_working_days=3),
                               metadata=as_(actor, p, "unit_officer", unit=UNIT, request_id="req-accept-42"))
    [rec] = records(p, "routing", action="/pakn.routing.v1.RoutingService/AcceptAssignment")
    assert {k: rec[k] for k in TRAIL_COLUMNS if k != "seq"} == {
        "actor_id": f"test-unit_officer@{UNIT}", "via": "", "roles": "unit_officer", "unit_id": UNIT,
        "action": "/pakn.routing.v1.RoutingService/AcceptAssignment", "object_type": "assignment",
        "object_id": assignment_id, "case_id": case_id, "outcome": "ok", "detail": "",
        "source_address": "127.0.0.1", "request_id": "req-accept-42"}
    assert rec["at"].tzinfo is not None and len(rec["hash"]) == 64
    # The submission's record names the case intake made (no id in the request) and the channel.
    [sub] = records(p, "intake", action="/pakn.intake.v1.IntakeService/SubmitCase")
    assert (sub["actor_id"], sub["roles"], sub["object_type"], sub["object_id"], sub["case_id"], sub["request_id"]) \
        == ("test-channel#mobile_app", "channel", "case", case_id, case_id, "req-submit-1")
    # The unit directory's people (Đ16.1) are opened to list the units: one record per list, no name.
    c.routing.ListUnits(routing_pb2.ListUnitsRequest(), metadata=as_(actor, p, "coordinator", request_id="req-units"))
    [listed] = records(p, "routing", request_id="req-units")
    assert (listed["actor_id"], listed["outcome"], listed["object_type"], listed["detail"]) == (
        "test-coordinator", "decrypted", "unit", "list_units:1")
    # A read changes nothing and writes nothing; one record per successful change.
    before = len(records(p, "routing"))
    c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id))
    assert len(records(p, "routing")) == before
    assert [r["action"].rsplit("/", 1)[-1] for r in records(p, "routing") if r["action"].startswith("/")] == [
        "RegisterUnit", "ClassifyCase", "DistributeCase", "AcceptAssignment", "ListUnits"]
    # A refused change writes no change record (a state error is no change).
    err = rpc_error(lambda: c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(
        assignment_id=assignment_id), metadata=as_(actor, p, "unit_officer", unit=UNIT)))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(records(p, "routing", action="/pakn.routing.v1.RoutingService/AcceptAssignment")) == 1
    no_personal_data(p)


@pytest.mark.postgres
def test_each_denial_writes_one_record_on_the_chain_of_the_service_that_owns_the_method(
        start_platform, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    anonymous = Clients(p.config)
    try:
        err = rpc_error(lambda: anonymous.routing.ListInbox(routing_pb2.ListInboxRequest(),
                                                            metadata=[("x-request-id", "req-deny-1")]))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        err = rpc_error(lambda: anonymous.intake.DiscloseSubmitter(
            intake_pb2.DiscloseSubmitterRequest(case_id=str(uuid.uuid4()), requesting_body="x", reason="y"),
            metadata=as_(actor, p, "coordinator", request_id="req-deny-2")))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        err = rpc_error(lambda: anonymous.routing.ListInbox(routing_pb2.ListInboxRequest(), metadata=[
            ("authorization", "Bearer not.a.token"), ("x-request-id", "req-deny-3")]))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        anonymous.close()
    routing = records(p, "routing")
    assert [(r["actor_id"], r["roles"], r["action"], r["outcome"], r["request_id"], r["source_address"])
            for r in routing] == [
        ("anonymous", "citizen", "/pakn.routing.v1.RoutingService/ListInbox", "denied:credentials_required",
         "req-deny-1", "127.0.0.1"),
        ("anonymous", "citizen", "/pakn.routing.v1.RoutingService/ListInbox", "denied:malformed",
         "req-deny-3", "127.0.0.1")]
    [intake] = records(p, "intake")
    assert (intake["actor_id"], intake["roles"], intake["outcome"], intake["request_id"]) == (
        "test-coordinator", "coordinator", "denied:role_not_allowed", "req-deny-2")
    assert all(not records(p, s) for s in ("processing", "publication", "notification", "reporting"))


@pytest.mark.postgres
def test_a_disclosure_decrypts_the_contact_once_and_its_one_record_says_who_and_which_disclosure_dieu_13_8(
        start_platform, clients_for, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    case_id = submit(c, actor, p, "req-submit-d")
    out = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body="Công an phường Tân Ninh", reason="Cần liên hệ người gửi để xác minh"),
        metadata=as_(actor, p, "disclosure_officer", request_id="req-disclose-9"))
    assert out.submitter.phone == PHONE
    [rec] = records(p, "intake", request_id="req-disclose-9")
    assert (rec["actor_id"], rec["roles"], rec["action"], rec["outcome"], rec["object_type"], rec["object_id"],
            rec["case_id"], rec["detail"]) == (
        "test-disclosure_officer", "disclosure_officer", "/pakn.intake.v1.IntakeService/DiscloseSubmitter",
        "decrypted", "contact", case_id, case_id, f"disclosure:{out.disclosure_id}")
    # The citizen's own look-up opens the contact to compare it: recorded too, as a check.
    citizen = Clients(p.config)
    try:
        citizen.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=_code(p, case_id), contact=PHONE),
                                     metadata=[("x-request-id", "req-status-1")])
    finally:
        citizen.close()
    [check] = records(p, "intake", request_id="req-status-1")
    assert (check["actor_id"], check["outcome"], check["detail"], check["case_id"]) == (
        "anonymous", "decrypted", "ownership_check", case_id)
    # Notification opened its sealed copy to choose the channel: who it acted for, and why.
    eventually(lambda: records(p, "notification", outcome="decrypted", detail="choose_channel"))
    [chosen] = records(p, "notification", outcome="decrypted", detail="choose_channel")
    assert (chosen["actor_id"], chosen["via"], chosen["case_id"]) == (
        "test-channel#mobile_app", "system:notification", case_id)
    # ... and its dispatcher opened it to send: the platform's own work, naming the delivery.
    def sent():
        found = [r for r in records(p, "notification", outcome="decrypted") if r["detail"].startswith("send:")]
        assert found
        return found
    sends = eventually(sent)
    assert {(r["actor_id"], r["via"], r["object_type"], r["case_id"]) for r in sends} == {
        ("system:notification", "", "contact", case_id)}
    no_personal_data(p)


def _code(p, case_id: str) -> str:
    with p.service("intake").db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT tracking_code FROM cases WHERE case_id = :c"), {"c": case_id}).scalar_one()


@pytest.mark.postgres
def test_the_envelope_carries_the_verified_actor_and_consumers_records_name_them(
        start_platform, clients_for, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    case_id, assignment_id = routed(p, c, actor)
    with p.service("intake").db.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT envelope FROM outbox WHERE event_type = 'case.received'")).scalar_one()
    env = events_pb2.EventEnvelope.FromString(raw)
    assert (env.actor.subject, list(env.actor.roles), env.actor.auth_method, env.actor.channel,
            env.actor.request_id, env.actor.issuer) == (
        "test-channel#mobile_app", ["channel"], "bearer", "mobile_app", "req-submit-1",
        p.config.identity.embedded_issuer)
    # Routing handled it as itself, for the channel's account; its record says both.
    got = eventually(lambda: records(p, "routing", action="case.received"))
    assert [(r["actor_id"], r["via"], r["roles"], r["object_type"], r["object_id"], r["case_id"], r["request_id"])
            for r in got] == [("test-channel#mobile_app", "system:routing", "channel", "event", env.event_id,
                               case_id, "req-submit-1")]
    # The coordinator's classification reaches publication with the coordinator as who acted.
    classified = eventually(lambda: records(p, "publication", action="case.classified"))
    assert [(r["actor_id"], r["via"]) for r in classified] == [("test-coordinator", "system:publication")]
    with p.service("routing").db.engine.connect() as conn:
        envelopes = [events_pb2.EventEnvelope.FromString(r[0]) for r in conn.execute(sa.text(
            "SELECT envelope FROM outbox ORDER BY id"))]
    assert {(e.event_type, e.actor.subject) for e in envelopes} >= {
        ("case.classified", "test-coordinator"), ("assignment.created", "test-coordinator")}
    # An event a consumer emits carries the original actor on: the administrator's day off moves
    # processing's deadline, and processing's deadline.changed says the administrator acted.
    from runtime.messaging import from_ts
    from tests.integration.test_calendar_api import day_off, local, next_working_day

    item = accept(c, assignment_id, 3)
    c.calendar.RecordDay(day_off(next_working_day(c, local(from_ts(item.accepted_at)))),
                         metadata=as_(actor, p, "administrator", request_id="req-day-off"))

    def moved():
        with p.service("processing").db.engine.connect() as conn:
            found = [events_pb2.EventEnvelope.FromString(r[0]) for r in conn.execute(sa.text(
                "SELECT envelope FROM outbox WHERE event_type = 'deadline.changed'"))]
        assert found
        return found
    [changed] = eventually(moved)
    assert (changed.actor.subject, changed.actor.request_id, changed.actor.auth_method) == (
        "test-administrator", "req-day-off", "bearer")
    # Work no call started (the dispatcher's sending) is the platform's own.
    def sent():
        with p.service("notification").db.engine.connect() as conn:
            found = [events_pb2.EventEnvelope.FromString(r[0]) for r in conn.execute(sa.text(
                "SELECT envelope FROM outbox WHERE event_type IN ('notification.sent', 'notification.failed')"))]
        assert found
        return found
    assert {(e.actor.subject, e.actor.auth_method) for e in eventually(sent)} == {("system:notification", "system")}
    no_personal_data(p)


@pytest.mark.postgres
def test_auditors_read_a_cases_trail_over_the_rpc_and_no_one_else_may(start_platform, clients_for, actor,
                                                                        postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    case_id, assignment_id = routed(p, c, actor)
    eventually(lambda: records(p, "reporting", case_id=case_id))
    trail = c.audit("routing")
    out = trail.ListCaseTrail(audit_pb2.ListCaseTrailRequest(case_id=case_id, page={"page_size": 200}),
                              metadata=as_(actor, p, "auditor"))
    got = [(r.service, r.action, r.actor_id) for r in out.records]
    assert ("intake", "/pakn.intake.v1.IntakeService/SubmitCase", "test-channel#mobile_app") in got
    assert ("routing", "/pakn.routing.v1.RoutingService/DistributeCase", "test-coordinator") in got
    assert ("routing", "case.received", "test-channel#mobile_app") in got
    assert all(r.case_id == case_id and r.outcome and r.at.seconds and len(r.hash) == 64 for r in out.records)
    times = [(r.at.seconds, r.at.nanos) for r in out.records]
    assert times == sorted(times)
    only = trail.ListCaseTrail(audit_pb2.ListCaseTrailRequest(case_id=case_id, service="routing"),
                               metadata=as_(actor, p, "auditor"))
    assert {r.service for r in only.records} == {"routing"} and only.records
    page = trail.ListCaseTrail(audit_pb2.ListCaseTrailRequest(case_id=case_id, page={"page_size": 2}),
                               metadata=as_(actor, p, "auditor"))
    assert len(page.records) == 2 and page.next_page_token
    for role in ("coordinator", "report_reader", "administrator"):
        err = rpc_error(lambda r=role: trail.ListCaseTrail(audit_pb2.ListCaseTrailRequest(case_id=case_id),
                                                           metadata=as_(actor, p, r)))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    bad = rpc_error(lambda: trail.ListCaseTrail(audit_pb2.ListCaseTrailRequest(case_id=""),
                                                metadata=as_(actor, p, "auditor")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    # Health and reflection list the service.
    channel = grpc.insecure_channel(f"127.0.0.1:{p.port}")
    try:
        status = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="pakn.audit.v1.AuditService"), timeout=5).status
        assert status == health_pb2.HealthCheckResponse.SERVING
    finally:
        channel.close()


@pytest.mark.postgres
def test_on_postgresql_the_applications_connection_cannot_change_or_remove_audit_rows(
        start_platform, clients_for, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    submit(c, actor, p, "req-submit-pg")
    before = records(p, "intake")
    assert before
    engine = p.service("intake").db.engine
    for statement in ("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 1",
                      "DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log"):
        with pytest.raises(sa.exc.DBAPIError) as refused:
            with engine.begin() as conn:
                conn.exec_driver_sql(statement)
        assert "append-only" in str(refused.value.orig) or "permission denied" in str(refused.value.orig)
    assert records(p, "intake") == before


def verify(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.postgres
def test_verify_names_the_first_broken_seq_after_one_byte_changes_on_postgresql(
        start_platform, clients_for, actor, postgres_url):
    p = pg_platform(start_platform, postgres_url)
    c = clients_for(p)
    routed(p, c, actor)
    settings = ["--set", f"database.url={postgres_url}"]
    code, output = verify(*settings, "admin", "audit", "verify")
    assert code == 0, output
    assert f"routing: OK, {len(records(p, 'routing'))} records" in output
    assert "intake: OK" in output and "BROKEN" not in output
    target = records(p, "routing")[2]["seq"]
    admin = sa.create_engine(postgres_url)  # the test's superuser, who may switch the trigger off
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE routing.audit_log DISABLE TRIGGER audit_log_append_only")
            conn.exec_driver_sql("UPDATE routing.audit_log SET actor_id = overlay(actor_id placing 'X' from 1 for 1) "
                                 f"WHERE seq = {target}")
            conn.exec_driver_sql("ALTER TABLE routing.audit_log ENABLE TRIGGER audit_log_append_only")
    finally:
        admin.dispose()
    code, output = verify(*settings, "admin", "audit", "verify")
    assert code == 1
    assert f"routing: BROKEN at seq {target}: the record's contents do not match its hash" in output
    assert "intake: OK" in output
    code, output = verify(*settings, "admin", "audit", "verify", "--service", "intake")
    assert code == 0 and "routing" not in output


@pytest.mark.parametrize("column", ["actor_id", "hash", "prev_hash", "outcome"])
def test_verify_names_the_seq_whose_byte_changed_on_sqlite(start_platform, clients_for, actor, column):
    p = start_platform("all")
    c = clients_for(p)
    routed(p, c, actor)
    settings = ["--set", f"data_dir={p.config.data_dir}"]
    code, output = verify(*settings, "admin", "audit", "verify", "--service", "routing")
    assert code == 0 and "routing: OK" in output, output
    target = records(p, "routing")[1]["seq"]
    path = str(p.service("routing").db.url.database)
    with sqlite3.connect(path) as conn:
        old = conn.execute(f"SELECT {column} FROM audit_log WHERE seq = ?", (target,)).fetchone()[0]
        changed = ("0" if old[0] != "0" else "1") + old[1:]
        conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (changed, target))
    code, output = verify(*settings, "admin", "audit", "verify", "--service", "routing")
    assert code == 1
    assert f"routing: BROKEN at seq {target}:" in output


@pytest.mark.e2e
def test_an_auditor_logged_in_reads_a_cases_trail_with_the_cli(start_platform, clients_for, actor, tmp_path):
    from tests.e2e.accounts import logged_in, pakn

    p = start_platform("all")
    c = clients_for(p)
    case_id, _ = routed(p, c, actor)
    eventually(lambda: records(p, "routing", action="case.received"))
    address = ("--address", f"127.0.0.1:{p.port}")
    env = logged_in(tmp_path, p, "auditor", username="thanh-tra")
    shown = pakn(*address, "admin", "audit", "trail", case_id, env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any("intake#" in line and "test-channel#mobile_app (channel)" in line
               and "/pakn.intake.v1.IntakeService/SubmitCase" in line and line.endswith(" ok") for line in lines)
    assert any("routing#" in line and "via system:routing" in line and "case.received" in line for line in lines)
    assert any("DistributeCase case:" + case_id in line for line in lines)
    assert not any(secret in shown.stdout for secret in (NAME, PHONE, EMAIL))
    only = pakn(*address, "admin", "audit", "trail", case_id, "--service", "routing", env=env)
    assert only.returncode == 0 and only.stdout and all(" routing#" in line for line in only.stdout.splitlines())
    coordinator = logged_in(tmp_path, p, "coordinator", username="dieu-phoi")
    refused = pakn(*address, "admin", "audit", "trail", case_id, env=coordinator)
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr and "Traceback" not in refused.stderr
