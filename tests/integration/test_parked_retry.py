"""Parked events are retried automatically with growing back-off, then left for an operator.

The failure is real and switched off at will: routing's `cases` table is renamed away while a
citizen's case arrives (the handler fails as it would while its database is unusable), then
renamed back. Monolithic mode on SQLite and every service on PostgreSQL, both with the in-process
bus, the outbox relay and the retrier of the running platform.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from pakn.routing.v1 import routing_pb2
from runtime.messaging import ParkedEventRetrier, make_envelope, utcnow
from tests.helpers import eventually, now_ts, place

FAST_RETRIES = {"events.consumer_attempts": 1, "events.parked_retry_base_seconds": 0.2,
                "events.parked_poll_seconds": 0.1}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> dict:
    """Settings of the platform's databases: SQLite files, or one PostgreSQL database."""
    if request.param == "sqlite":
        return {}
    from tests.infra import fernet_keys

    return {"database.url": request.getfixturevalue("postgres_url"), **fernet_keys()}


def rename(db, old: str, new: str) -> None:
    with db.transaction() as conn:
        conn.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")


def submit(c) -> str:
    return c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
        content="Rác thải đổ trộm bên kênh Tây, bốc mùi nhiều ngày", occurred_at=now_ts(), location=place(),
        submitter=intake_pb2.Submitter(full_name="Lê Văn Tâm", phone="0987654321", email="tam@example.vn"),
    )).case_id


def parked(db, case_id: str) -> list:
    """The failed_events rows of events about `case_id`."""
    failed = db.metadata.tables["failed_events"]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(failed).order_by(failed.c.id)).all()
    return [r for r in rows if events_pb2.EventEnvelope.FromString(r.envelope).case_id == case_id]


def the_parked(db, case_id: str):
    rows = parked(db, case_id)
    assert len(rows) == 1, rows
    return rows[0]


def exhausted(row):
    return row if row.retries == 3 and row.next_retry_at is None else None


def gauge(p) -> float | None:
    return p.get("telemetry").registry.get_sample_value("pakn_parked_events", {"service": "routing"})


def in_inbox(c, case_id: str) -> bool:
    return case_id in {x.case_id for x in c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases}


def count(db, sql: str, **params) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_a_parked_event_is_handled_once_its_cause_is_fixed(start_platform, clients_for, database):
    p = start_platform("all", **database, **FAST_RETRIES)
    c = clients_for(p)
    db = p.service("routing").db
    rename(db, "cases", "cases_x")
    try:
        case_id = submit(c)
        row = eventually(lambda: the_parked(db, case_id))
        assert row.handler == "on_case_received" and row.resolved_at is None
        assert row.error_type in ("OperationalError", "ProgrammingError")
        eventually(lambda: gauge(p) == 1)
        # Retried automatically while the cause lasts: the same row, rescheduled further each time.
        retried = eventually(lambda: the_parked(db, case_id).retries >= 1 and the_parked(db, case_id))
        assert retried.id == row.id and retried.next_retry_at is not None and retried.resolved_at is None
    finally:
        rename(db, "cases_x", "cases")

    eventually(lambda: in_inbox(c, case_id))
    done = eventually(lambda: the_parked(db, case_id).resolved_at is not None and the_parked(db, case_id))
    assert done.id == row.id and done.next_retry_at is None
    assert count(db, "SELECT count(*) FROM inbox WHERE event_id = :e", e=row.event_id) == 1
    assert count(db, "SELECT count(*) FROM cases WHERE case_id = :c", c=case_id) == 1
    assert c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id)).case.content.startswith("Rác thải")
    eventually(lambda: gauge(p) == 0)
    # The other services had it at once: only routing's handling waited.
    reporting = p.service("reporting").db
    assert count(reporting, "SELECT count(*) FROM inbox WHERE event_id = :e", e=row.event_id) >= 1


def test_a_permanently_failing_event_is_left_for_an_operator(start_platform, clients_for, database, caplog):
    caplog.set_level(logging.INFO, logger="runtime.messaging")
    p = start_platform("all", **database, **FAST_RETRIES, **{"events.parked_max_retries": 3})
    c = clients_for(p)
    routing = p.service("routing")
    rename(routing.db, "cases", "cases_x")
    try:
        case_id = submit(c)
        row = eventually(lambda: the_parked(routing.db, case_id))
        given_up = eventually(lambda: exhausted(the_parked(routing.db, case_id)), timeout=15)
        # A fourth retry would be due 0.2 s · 2³ = 1.6 s after the third: wait past it, polls included.
        time.sleep(2.0)
        still = the_parked(routing.db, case_id)
        assert (still.id, still.retries, still.next_retry_at, still.resolved_at) == (row.id, 3, None, None)
        assert given_up.error_type in ("OperationalError", "ProgrammingError")
        assert gauge(p) == 1
    finally:
        rename(routing.db, "cases_x", "cases")

    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "runtime.messaging"]
    final = [r.getMessage() for r in errors if "automatic retries" in r.getMessage()]
    assert len(final) == 1
    assert row.event_id in final[0] and "on_case_received" in final[0] and given_up.error_type in final[0]
    for record in caplog.records:  # the class only, never the exception's text
        assert record.exc_info is None
        assert "no such table" not in record.getMessage() and "does not exist" not in record.getMessage()
    assert not in_inbox(c, case_id)

    # The operator's replay, once the cause is fixed.
    assert routing.consumer.replay_failed() == 1
    done = the_parked(routing.db, case_id)
    assert done.resolved_at is not None and done.next_retry_at is None
    assert in_inbox(c, case_id)
    assert gauge(p) == 0


def test_replicas_lease_due_rows_apart(start_platform, database):
    """Two retriers (two replicas) never take the same parked row."""
    p = start_platform("routing", **database, **{"events.parked_poll_seconds": 600})
    consumer = p.service("routing").consumer
    failed = consumer.tables["failed_events"]
    envelope = make_envelope("intake", "case.received", "case-lease-1", events_pb2.CaseReceived(
        case_id="case-lease-1", tracking_code="26-0000001", channel=common_pb2.CHANNEL_WEB_PORTAL,
        content="Đèn đường tắt", received_at=now_ts(0.5)))
    with consumer.db.transaction() as conn:
        for event_id, due in ((envelope.event_id, utcnow() - timedelta(seconds=1)),
                              ("not-due", utcnow() + timedelta(hours=1)), ("operator-only", None)):
            conn.execute(failed.insert().values(
                event_id=event_id, handler="on_case_received", envelope=envelope.SerializeToString(),
                error_type="OperationalError", failed_at=utcnow(), next_retry_at=due))
    first, second = ParkedEventRetrier(consumer), ParkedEventRetrier(consumer)
    leased = first.lease_due()
    assert [r.event_id for r in leased] == [envelope.event_id]
    assert second.lease_due() == []
    assert consumer.retry_parked(leased[0])
    assert first.lease_due() == [] and consumer.parked() == 2
