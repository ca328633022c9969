"""runtime/audit.py on a real SQLite file: the chain, what breaks it, and a mutating call's record
committed with its change or not at all (docs/audit.md)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.routing.v1 import routing_pb2
from runtime import audit
from runtime.db import Database, sqlite_url
from runtime.identity.context import Caller, acting, on_behalf
from runtime.identity.principal import ANONYMOUS, Principal
from runtime.identity.roles import Role
from runtime.messaging import consumer_caller, make_envelope, principal_of

ACCEPT = "/pakn.routing.v1.RoutingService/AcceptAssignment"
LEADER = Principal(subject="lanh-dao-1", issuer="https://sso.example", roles=frozenset({Role.UNIT_LEADER}),
                   unit_id="so-gtvt")


@pytest.fixture
def db(tmp_path):
    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    audit.audit_tables(metadata)
    database = Database("routing", sqlite_url(tmp_path, "routing"), metadata, tmp_path / "none")
    metadata.create_all(database.engine)
    yield database
    database.dispose()


def caller(action: str = ACCEPT, principal: Principal = LEADER) -> Caller:
    return Caller(principal, "10.0.0.7", "req-1", action)


def rows(db) -> list[dict]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(db.audit.log).order_by(db.audit.log.c.seq))]


def test_records_chain_from_the_genesis_and_verify(db):
    trail = audit.AuditTrail.attach("routing", db)
    for n in range(3):
        trail.record(audit.entry(caller(), object_type="assignment", object_id=f"a-{n}"))
    got = rows(db)
    assert [r["seq"] for r in got] == [1, 2, 3]
    assert got[0]["prev_hash"] == audit.GENESIS and got[1]["prev_hash"] == got[0]["hash"]
    assert (got[0]["actor_id"], got[0]["roles"], got[0]["unit_id"], got[0]["source_address"]) == (
        "lanh-dao-1", "unit_leader", "so-gtvt", "10.0.0.7")
    assert trail.verify() == audit.Verdict("routing", 3)


@pytest.mark.parametrize("change, seq, problem", [
    ("UPDATE audit_log SET object_id = 'a-9' WHERE seq = 2", 2, "contents do not match"),
    ("UPDATE audit_log SET at = '2020-01-01 00:00:00.000000' WHERE seq = 1", 1, "contents do not match"),
    ("UPDATE audit_log SET prev_hash = hash WHERE seq = 3", 3, "prev_hash differs"),
    ("DELETE FROM audit_log WHERE seq = 2", 2, "seq 2 is missing"),
    ("DELETE FROM audit_log WHERE seq = 3", 3, "head says seq 3"),
    ("UPDATE audit_head SET seq = 2", 2, "head says seq 2"),
])
def test_each_kind_of_tampering_names_its_seq(db, change, seq, problem):
    trail = audit.AuditTrail.attach("routing", db)
    for n in range(3):
        trail.record(audit.entry(caller(), object_type="assignment", object_id=f"a-{n}"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql(change)
    verdict = trail.verify()
    assert (verdict.ok, verdict.broken_seq) == (False, seq)
    assert problem in verdict.problem


def test_a_record_moved_to_another_services_chain_does_not_verify_there(db):
    trail = audit.AuditTrail.attach("routing", db)
    trail.record(audit.entry(caller()))
    [record] = rows(db)
    assert audit.digest("routing", record) == record["hash"]
    assert audit.digest("intake", record) != record["hash"]


def test_a_mutating_calls_record_commits_with_its_change_or_not_at_all(db):
    audit.AuditTrail.attach("routing", db)
    things = db.metadata.tables["things"]
    me = caller()
    request = routing_pb2.AcceptAssignmentRequest(assignment_id="a-1")
    with acting(me), audit.call(me, request):
        with pytest.raises(RuntimeError):
            with db.transaction() as conn:
                conn.execute(things.insert().values(id=1))
                raise RuntimeError("the use case fails after its write")
        assert rows(db) == []
        with db.transaction() as conn:  # a transaction that only reads records nothing
            conn.execute(sa.select(things)).all()
        assert rows(db) == []
        with db.transaction() as conn:
            conn.execute(things.insert().values(id=2))
        with db.transaction() as conn:  # the same call's second write: still one record
            conn.execute(things.insert().values(id=3))
    [record] = rows(db)
    assert (record["action"], record["object_type"], record["object_id"], record["request_id"], record["outcome"]) \
        == (ACCEPT, "assignment", "a-1", "req-1", "ok")
    # A read-only method's writes (none should happen) and work outside any call are not the hook's.
    with db.transaction() as conn:
        conn.execute(things.insert().values(id=4))
    reader = caller("/pakn.routing.v1.RoutingService/GetCase")
    with acting(reader), audit.call(reader, routing_pb2.GetCaseRequest(case_id="c-1")):
        with db.transaction() as conn:
            conn.execute(things.insert().values(id=5))
    assert len(rows(db)) == 1


def test_the_object_comes_from_the_requests_ids_only():
    assert audit._request_ids(routing_pb2.AcceptAssignmentRequest(assignment_id="a-1")) == ("assignment", "a-1", "")
    assert audit._request_ids(routing_pb2.ClassifyCaseRequest(case_id="c-1", category_code="x")) == (
        "case", "c-1", "c-1")
    assert audit._request_ids(routing_pb2.RegisterUnitRequest(unit=common_pb2.Unit(unit_id="so-gtvt", name="Sở"))) \
        == ("unit", "so-gtvt", "")
    assert audit._request_ids(iter([])) == ("", "", "")


def test_denials_go_to_the_chain_of_the_service_that_owns_the_method(db):
    trail = audit.AuditTrail.attach("routing", db)
    hook = trail.denial_hook(["pakn.routing.v1.RoutingService", "pakn.routing.v1.CalendarService"])
    hook(caller("/pakn.intake.v1.IntakeService/DiscloseSubmitter", ANONYMOUS), None, "credentials_required")
    hook(caller("/pakn.routing.v1.CalendarService/RecordDay", ANONYMOUS), None, "credentials_required")
    [record] = rows(db)
    assert (record["actor_id"], record["roles"], record["action"], record["outcome"]) == (
        "anonymous", "citizen", "/pakn.routing.v1.CalendarService/RecordDay", "denied:credentials_required")


def test_the_envelope_carries_the_bound_caller_and_a_consumer_acts_on_its_behalf():
    with acting(caller()):
        env = make_envelope("routing", "assignment.accepted", "c-1", events_pb2.CaseVerified(case_id="c-1"))
    assert (env.actor.subject, list(env.actor.roles), env.actor.unit_id, env.actor.auth_method,
            env.actor.request_id) == ("lanh-dao-1", ["unit_leader"], "so-gtvt", "bearer", "req-1")
    consumer = consumer_caller("processing", env)
    assert consumer.principal.subject == "system:processing" and consumer.on_behalf_of.subject == "lanh-dao-1"
    record = audit.entry(consumer, "assignment.accepted")
    assert (record.actor_id, record.via, record.roles, record.unit_id, record.request_id) == (
        "lanh-dao-1", "system:processing", "unit_leader", "so-gtvt", "req-1")
    # What the consumer emits carries the original actor on, not the consumer.
    with acting(consumer):
        onward = make_envelope("processing", "deadline.changed", "c-1", events_pb2.CaseVerified(case_id="c-1"))
    assert (onward.actor.subject, onward.actor.request_id) == ("lanh-dao-1", "req-1")
    # Nothing bound: the emitting service itself; an envelope of before the actor: unknown.
    alone = make_envelope("notification", "notification.sent", "c-1", events_pb2.CaseVerified(case_id="c-1"))
    assert (alone.actor.subject, alone.actor.auth_method) == ("system:notification", "system")
    assert principal_of(events_pb2.Actor()).subject == "unknown"
    anonymous = on_behalf("routing", principal_of(events_pb2.Actor(auth_method="anonymous", roles=["citizen"])))
    assert audit.entry(anonymous, "case.received").actor_id == "anonymous"
