"""Notification over real gRPC on SQLite: the submitter is told by e-mail (or SMS) on the steps that
concern them (Đ2.7, Đ7.3a, Đ10.3), once per step, and their contact never leaves its seal except to
send."""

import email
import uuid
from email import policy
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa

from pakn.events.v1 import events_pb2 as ev
from pakn.notification.v1 import notification_pb2 as pb
from runtime.crypto import Box
from runtime.messaging import make_envelope, unpack
from tests.helpers import deliver, eventually, rpc_error, violations

PHONE = "0912345678"
EMAIL = "binh@example.vn"


def received(platform, case_id, code="25-ABCDEFG", phone=PHONE, mail=EMAIL, channel=0):
    sealed = Box(platform.config.security.notification_key).seal(
        {"full_name": "Trần Thị Bình", "phone": phone, "email": mail, "address": ""})
    return make_envelope("intake", "case.received", case_id, ev.CaseReceived(
        case_id=case_id, tracking_code=code, content="Đèn đường hỏng", sealed_contact=sealed, channel=channel))


def mails(platform):
    folder = Path(platform.config.data_dir) / "mail"
    out = []
    for path in sorted(folder.glob("*.eml")):
        if path.name.startswith("."):
            continue  # a message still being written (the mailer renames it when whole)
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out.append((str(msg["To"]), str(msg["Subject"]), msg.get_body().get_content()))
    return out


def sms(platform):
    return [p.read_text(encoding="utf-8") for p in (Path(platform.config.data_dir) / "sms").glob("*.txt")]


def emitted(platform, event_type):
    db = platform.service("notification").db
    table = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.envelope).where(table.c.event_type == event_type)).scalars().all()
    return [unpack(ev.EventEnvelope.FromString(r)) for r in rows]


def stored_bytes(platform) -> bytes:
    """Every value the service stored, as bytes: to prove no contact is kept in clear."""
    db = platform.service("notification").db
    out = b""
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                out += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return out


@pytest.fixture
def note(start_platform, clients_for):
    p = start_platform("notification")
    return p, clients_for(p).notification


def test_received_case_is_acknowledged_by_email_with_its_tracking_code(note):
    p, c = note
    case_id = str(uuid.uuid4())
    assert deliver(p, "notification", received(p, case_id)) == 1
    [(to, subject, body)] = eventually(lambda: mails(p))
    assert to == EMAIL and "25-ABCDEFG" in subject and "25-ABCDEFG" in body
    assert "Đèn đường hỏng" not in body  # no content in messages
    [d] = eventually(lambda: [d for d in c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
                              if d.status == pb.DELIVERY_STATUS_SENT])
    assert (d.template, d.channel, d.attempts) == ("received", pb.DELIVERY_CHANNEL_EMAIL, 1)
    assert d.recipient_masked == "b***@example.vn" and d.sent_at.seconds > 0
    [sent] = eventually(lambda: emitted(p, "notification.sent"))
    assert (sent.case_id, sent.delivery_id, sent.channel, sent.template) == (
        case_id, d.delivery_id, "email", "received")
    telemetry = p.get("telemetry")
    assert telemetry.registry.get_sample_value("pakn_notifications_total", {"channel": "email", "outcome": "sent"}) == 1
    # The contact is stored only as sealed: not in any table, nor in the events.
    assert EMAIL.encode() not in stored_bytes(p) and PHONE.encode() not in stored_bytes(p)


def test_without_an_email_the_submitter_gets_an_sms(note):
    p, c = note
    case_id = str(uuid.uuid4())
    deliver(p, "notification", received(p, case_id, mail=""))
    [text] = eventually(lambda: sms(p))
    assert text.startswith(f"To: {PHONE}") and "25-ABCDEFG" in text
    [d] = c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
    assert d.channel == pb.DELIVERY_CHANNEL_SMS and d.recipient_masked == "091****678"
    assert not mails(p)


def test_cancellation_is_told_once_with_the_reason_in_words_dieu_7_3a(note):
    p, c = note
    case_id = str(uuid.uuid4())
    deliver(p, "notification", received(p, case_id))
    for _ in range(2):  # a second cancellation event (a replay) sends nothing more
        deliver(p, "notification", make_envelope("routing", "case.cancelled", case_id,
                                                 ev.CaseCancelled(case_id=case_id, reason_code="emergency",
                                                                  note="ghi chú nội bộ")))
    eventually(lambda: len(mails(p)) == 2)
    [cancel] = [m for m in mails(p) if "không được tiếp nhận" in m[1]]
    assert "113" in cancel[2] and "Điều 6 khoản 5 điểm e" in cancel[2] and "25-ABCDEFG" in cancel[2]
    assert "ghi chú nội bộ" not in cancel[2]
    templates = sorted(d.template for d in c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries)
    assert templates == ["cancelled", "received"]


def test_publication_before_reception_waits_for_the_contact(note):
    p, c = note
    case_id = str(uuid.uuid4())
    deliver(p, "notification", make_envelope("publication", "case.published", case_id,
                                             ev.CasePublished(case_id=case_id, tracking_code="25-ABCDEFG")))
    [d] = c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
    assert d.status == pb.DELIVERY_STATUS_PENDING and d.recipient_masked == ""
    deliver(p, "notification", received(p, case_id))
    eventually(lambda: len(mails(p)) == 2)
    assert any("công khai" in body and "25-ABCDEFG" in body for _, _, body in mails(p))
    deliver(p, "notification", make_envelope("publication", "result.delivered", case_id,
                                             ev.ResultDelivered(case_id=case_id, tracking_code="25-ABCDEFG")))
    eventually(lambda: len(mails(p)) == 3)
    assert any("gửi riêng" in subject for _, subject, _ in mails(p))


def test_resend_queues_the_message_again(note):
    p, c = note
    case_id = str(uuid.uuid4())
    deliver(p, "notification", received(p, case_id))
    [d] = eventually(lambda: [d for d in c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
                              if d.status == pb.DELIVERY_STATUS_SENT])
    again = c.ResendDelivery(pb.ResendDeliveryRequest(delivery_id=d.delivery_id)).delivery
    assert again.delivery_id == d.delivery_id
    eventually(lambda: len(mails(p)) == 2)
    [after] = eventually(lambda: [x for x in c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
                                  if x.status == pb.DELIVERY_STATUS_SENT and x.attempts == 2])
    assert after.delivery_id == d.delivery_id


def test_bad_requests_and_unknown_ids(note):
    _, c = note
    empty = rpc_error(lambda: c.ListDeliveries(pb.ListDeliveriesRequest()))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT and "case_id" in violations(empty)
    assert rpc_error(lambda: c.ListDeliveries(pb.ListDeliveriesRequest(case_id="nope"))).code() == \
        grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: c.ResendDelivery(pb.ResendDeliveryRequest(delivery_id="nope"))).code() == \
        grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: c.ResendDelivery(pb.ResendDeliveryRequest())).code() == grpc.StatusCode.INVALID_ARGUMENT


def test_templates_are_listed(note):
    _, c = note
    names = {t.name: t for t in c.ListTemplates(pb.ListTemplatesRequest()).templates}
    assert set(names) == {"received", "cancelled", "published", "delivered"}
    assert names["cancelled"].event_type == "case.cancelled" and "{tracking_code}" in names["received"].subject_vi


def test_a_case_from_the_email_channel_is_not_acknowledged_twice(note):
    """The e-mail gateway already answered with the tracking code; later steps are still told."""
    from pakn.common.v1 import common_pb2

    p, c = note
    case_id = str(uuid.uuid4())
    deliver(p, "notification", received(p, case_id, channel=common_pb2.CHANNEL_EMAIL))
    deliver(p, "notification", make_envelope("publication", "case.published", case_id, ev.CasePublished(
        case_id=case_id, tracking_code="25-ABCDEFG")))
    sent = eventually(lambda: [d for d in c.ListDeliveries(pb.ListDeliveriesRequest(case_id=case_id)).deliveries
                               if d.status == pb.DELIVERY_STATUS_SENT])
    assert [d.template for d in sent] == ["published"]
