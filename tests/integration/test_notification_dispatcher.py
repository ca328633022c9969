"""The notification dispatcher against real mail adapters that fail: retries with backoff, then
FAILED with `notification.failed`; never an address in events or errors."""

import shutil
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from pakn.events.v1 import events_pb2 as ev
from runtime.crypto import Box
from runtime.mail import FileMailer, SmtpMailer
from runtime.messaging import make_envelope, unpack
from services.notification import domain
from services.notification.app import Dispatcher
from tests.helpers import deliver

EMAIL = "binh@example.vn"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stopped(start_platform):
    """A notification platform whose own dispatcher is stopped, so the test drives one by hand."""
    p = start_platform("notification")
    for part in p.service("notification").parts.background:
        part.stop()
    return p


def queue(p) -> str:
    case_id = str(uuid.uuid4())
    sealed = Box(p.config.security.notification_key).seal({"full_name": "B", "phone": "", "email": EMAIL})
    deliver(p, "notification", make_envelope("intake", "case.received", case_id, ev.CaseReceived(
        case_id=case_id, tracking_code="25-ABCDEFG", sealed_contact=sealed)))
    return case_id


def dispatcher(p, mailer) -> Dispatcher:
    rt = p.service("notification")
    return Dispatcher(rt.db, rt.outbox, rt.telemetry, Box(p.config.security.notification_key), mailer,
                      p.get("sms"), backoff_seconds=0)


def delivery(p, case_id):
    db = p.service("notification").db
    table = db.metadata.tables["deliveries"]
    with db.engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c.case_id == case_id)).one()


def outbox(p, event_type):
    db = p.service("notification").db
    table = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        return conn.execute(sa.select(table.c.envelope).where(table.c.event_type == event_type)).scalars().all()


def test_a_failing_smtp_server_is_retried_then_the_delivery_fails(stopped):
    p = stopped
    case_id = queue(p)
    d = dispatcher(p, SmtpMailer("127.0.0.1", closed_port(), "1022@tayninh.gov.vn", timeout=1))
    for attempt in range(1, domain.MAX_ATTEMPTS + 1):
        assert d.run_once() == 1
        row = delivery(p, case_id)
        assert row.attempts == attempt
    assert row.status == domain.FAILED and row.sent_at is None and row.last_error == "ConnectionRefusedError"
    assert d.run_once() == 0  # given up
    [raw] = outbox(p, "notification.failed")
    assert EMAIL.encode() not in raw
    failed = unpack(ev.EventEnvelope.FromString(raw))
    assert (failed.case_id, failed.channel, failed.error_code) == (case_id, "email", "ConnectionRefusedError")
    counter = p.get("telemetry").registry.get_sample_value
    assert counter("pakn_notifications_total", {"channel": "email", "outcome": "retry"}) == domain.MAX_ATTEMPTS - 1
    assert counter("pakn_notifications_total", {"channel": "email", "outcome": "failed"}) == 1


def test_a_transient_failure_is_retried_until_sent(stopped, tmp_path):
    p = stopped
    case_id = queue(p)
    folder = tmp_path / "mail-out"
    mailer = FileMailer(folder, "1022@tayninh.gov.vn")
    shutil.rmtree(folder)  # the mail folder is gone: sending fails
    d = dispatcher(p, mailer)
    d.run_once()
    row = delivery(p, case_id)
    assert (row.status, row.attempts, row.last_error) == (domain.PENDING, 1, "FileNotFoundError")
    folder.mkdir()
    d.run_once()
    row = delivery(p, case_id)
    assert (row.status, row.attempts) == (domain.SENT, 2) and row.sent_at is not None
    assert len(list(Path(folder).glob("*.eml"))) == 1
    assert len(outbox(p, "notification.sent")) == 1 and not outbox(p, "notification.failed")


def test_retries_wait_for_their_backoff(stopped):
    p = stopped
    case_id = queue(p)
    rt = p.service("notification")
    d = Dispatcher(rt.db, rt.outbox, rt.telemetry, Box(p.config.security.notification_key),
                   SmtpMailer("127.0.0.1", closed_port(), "x@y.vn", timeout=1), p.get("sms"), backoff_seconds=60)
    assert d.run_once() == 1
    assert d.run_once() == 0  # the next try is a minute away
    assert delivery(p, case_id).status == domain.PENDING
