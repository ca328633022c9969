"""The e-mail channel over real SMTP: smtplib → the gateway → intake over gRPC; replies to an SMTP sink."""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import uuid
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
import sqlalchemy as sa

from gateways.email.parse import parse
from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from services.intake.store import cases, media
from tests import media_samples
from tests.helpers import eventually
from tests.infra import free_port

pytestmark = pytest.mark.smtp

RECIPIENT = "1022@tayninh.gov.vn"
JPEG = media_samples.jpeg(size=2061)
CODE = re.compile(r"\b\d{2}-[0-9A-Z]{7}\b")
REPORT = ("Đường liên ấp 3 xã Tân Phong bị sụt lún một đoạn dài khoảng 20 mét, xe máy đi qua rất nguy hiểm, "
          "nhất là vào ban đêm.\nĐịa điểm: đường liên ấp 3, xã Tân Phong")


# One Date for every message of the run: a resent message must be the same message.
DATE = formatdate(localtime=True)


def a_sender() -> str:
    return f"dan-{uuid.uuid4().hex[:10]}@example.vn"


def message(sender: str, name: str = "Nguyễn Văn An", subject: str = "Đường sụt lún ở ấp 3", body: str = REPORT,
            message_id: str | None = None, jpeg: bytes | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = Address(display_name=name, addr_spec=sender) if name else sender
    msg["To"] = RECIPIENT
    if subject:
        msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.vn")
    msg["Date"] = DATE
    if body and "SĐT" not in body:
        body += "\n\n-- \nSĐT: 0912 345 678"  # Đ6.3: the phone number, in the signature
    msg.set_content(body)
    if jpeg is not None:
        msg.add_attachment(jpeg, maintype="image", subtype="jpeg", filename="sut-lun.jpg")
    return msg


def smtp_send(port: int, msg: EmailMessage, mail_from: str, rcpt: str = RECIPIENT) -> tuple[int, str]:
    """One SMTP transaction; the code of the first refusal, or of the end of DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo()
        code, text = smtp.mail(mail_from)
        if code != 250:
            return code, text.decode()
        code, text = smtp.rcpt(rcpt)
        if code != 250:
            return code, text.decode()
        code, text = smtp.data(msg.as_bytes(policy=policy.SMTP))
        return code, text.decode()


@pytest.fixture
def identity(start_platform):
    """The embedded issuer alone (target identity), as in microservices mode."""
    return start_platform("identity")


@pytest.fixture
def intake(start_platform, identity):
    """Intake trusting the identity target's tokens (its JWKS over HTTP)."""
    return start_platform("intake", **{"identity.embedded_issuer": identity.config.identity.embedded_issuer})


@pytest.fixture
def service_account(identity):
    """The gateway's settings for a real service account of the e-mail channel (client credentials)."""
    _, secret = identity.get("identity-provider").accounts.create_client("email-gateway", ["channel"],
                                                                         channel="email")
    return {"email_gateway.client_id": "email-gateway", "email_gateway.client_secret": secret,
            "email_gateway.token_issuer": identity.config.identity.embedded_issuer}


@pytest.fixture
def gateway(start_platform, intake, smtp_server, service_account):
    """start(**settings) -> the SMTP port of an email-gateway process talking to `intake`."""

    def start(**settings) -> int:
        port = free_port()
        start_platform("email-gateway", **{
            "email_gateway.port": port, "clients.intake": f"127.0.0.1:{intake.port}",
            "mail.backend": "smtp", "mail.smtp_host": "127.0.0.1", "mail.smtp_port": smtp_server.port,
            **service_account, **settings})
        return port

    return start


def intake_rows(intake, table, *where):
    with intake.service("intake").db.engine.connect() as conn:
        return conn.execute(sa.select(table).where(*where)).all()


def test_a_message_with_a_photo_becomes_a_case_and_the_sender_gets_its_tracking_code(
        gateway, intake, clients_for, smtp_server, caplog):
    caplog.set_level(logging.INFO)
    port = gateway()
    sender = a_sender()
    msg = message(sender, body=REPORT + "\n\n-- \nNguyễn Văn An\nSĐT: 0912 345 678", jpeg=JPEG)

    assert smtp_send(port, msg, sender)[0] == 250

    reply = eventually(lambda: smtp_server.to(sender))[0]
    text = reply.get_content()
    code = CODE.search(text).group()
    assert code in reply["Subject"] and "tra cứu" in text
    assert reply["Auto-Submitted"] == "auto-replied"  # RFC 3834: no mail loops with auto-responders
    assert REPORT not in text  # a reply never repeats the content

    clients = clients_for(intake)
    for contact in (sender, "0912345678"):  # the e-mail of From, and the phone of the signature
        status = clients.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=code, contact=contact))
        assert status.channel == common_pb2.CHANNEL_EMAIL
        assert status.status == common_pb2.CASE_STATUS_RECEIVED

    [case] = intake_rows(intake, cases, cases.c.tracking_code == code)
    assert case.content.startswith("Đường sụt lún ở ấp 3\n\n" + REPORT)
    assert "0912" not in case.content and "Nguyễn Văn An" not in case.content  # the contact stays in intake
    [stored] = intake_rows(intake, media, media.c.case_id == case.case_id)
    assert stored.content_type == "image/jpeg" and stored.filename == "sut-lun.jpg"
    downloaded = b"".join(r.chunk for r in clients.intake.DownloadMedia(
        intake_pb2.DownloadMediaRequest(media_id=stored.media_id)))
    # Stored re-encoded (nothing but the pixels): not the attachment's bytes, but its hash is recorded.
    assert downloaded.startswith(b"\xff\xd8") and len(downloaded) == stored.size_bytes < len(JPEG)
    assert hashlib.sha256(downloaded).hexdigest() == stored.sha256

    assert msg["Message-ID"] in caplog.text  # logged: the message id and the outcome
    assert sender not in caplog.text and "sụt lún" not in caplog.text and "0912" not in caplog.text


def test_a_message_without_body_or_name_is_answered_with_what_is_missing(gateway, intake, smtp_server):
    port = gateway()
    sender = a_sender()

    assert smtp_send(port, message(sender, name="", subject="", body=""), sender)[0] == 250

    reply = eventually(lambda: smtp_server.to(sender))[0]
    text = reply.get_content()
    assert "bổ sung" in reply["Subject"]
    assert "Thiếu nội dung phản ánh, kiến nghị" in text and "Thiếu họ và tên người gửi" in text
    assert "Họ và tên: Nguyễn Văn A" in text and RECIPIENT in text  # what to add, and where to write
    assert not CODE.search(text)
    assert intake_rows(intake, cases) == []


def test_the_same_message_id_resent_gives_the_same_tracking_code(gateway, intake, smtp_server):
    port = gateway()
    sender = a_sender()
    msg = message(sender, jpeg=JPEG)

    assert smtp_send(port, msg, sender)[0] == 250
    assert smtp_send(port, msg, sender)[0] == 250  # e.g. the sending server retrying

    first, second = eventually(lambda: (r := smtp_server.to(sender)) and len(r) == 2 and r)
    assert CODE.search(first.get_content()).group() == CODE.search(second.get_content()).group()
    assert "đã được tiếp nhận trước đó" in second.get_content()
    assert len(intake_rows(intake, cases)) == 1
    assert len(intake_rows(intake, media)) == 1  # the photo was not uploaded twice


def test_a_different_message_with_a_used_message_id_gets_no_tracking_code(gateway, intake, smtp_server):
    port = gateway()
    mid = make_msgid(domain="example.vn")
    owner, other = a_sender(), a_sender()
    assert smtp_send(port, message(owner, message_id=mid), owner)[0] == 250

    assert smtp_send(port, message(other, message_id=mid, body=REPORT + " Xin cảm ơn."), other)[0] == 250

    reply = eventually(lambda: smtp_server.to(other))[0]
    assert "trước đó" in reply.get_content() and not CODE.search(reply.get_content())
    assert len(intake_rows(intake, cases)) == 1


def test_another_recipient_is_refused(gateway, intake, smtp_server):
    port = gateway()
    sender = a_sender()

    code, _ = smtp_send(port, message(sender), sender, rcpt="giamdoc@tayninh.gov.vn")

    assert code == 550
    assert intake_rows(intake, cases) == [] and smtp_server.to(sender) == []


def test_intake_down_makes_the_sending_server_retry(start_platform, smtp_server, service_account):
    port = free_port()
    start_platform("email-gateway", **{
        "email_gateway.port": port, "clients.intake": f"127.0.0.1:{free_port()}", "clients.deadline_seconds": 2,
        "mail.backend": "smtp", "mail.smtp_port": smtp_server.port, **service_account})
    sender = a_sender()

    code, _ = smtp_send(port, message(sender, jpeg=JPEG), sender)

    assert code == 451
    assert smtp_server.to(sender) == []


def test_a_refused_service_account_makes_the_sending_server_retry(gateway, intake, identity, smtp_server):
    """A disabled (or wrong) service account gets no token: nothing is submitted, the sender retries."""
    identity.get("identity-provider").accounts.set_client_disabled("email-gateway", True)
    port = gateway()
    sender = a_sender()

    assert smtp_send(port, message(sender), sender)[0] == 451
    assert intake_rows(intake, cases) == [] and smtp_server.to(sender) == []


def test_a_message_over_the_size_limit_is_refused(gateway, intake, smtp_server):
    port = gateway(**{"email_gateway.max_message_bytes": 4096})
    sender = a_sender()

    code, _ = smtp_send(port, message(sender, jpeg=JPEG * 4), sender)

    assert code == 552
    assert intake_rows(intake, cases) == []


def test_automatic_messages_are_neither_submitted_nor_answered(gateway, intake, smtp_server):
    port = gateway()
    sender = a_sender()
    msg = message(sender)
    msg["Auto-Submitted"] = "auto-replied"

    assert smtp_send(port, msg, sender)[0] == 250
    assert smtp_send(port, message(sender), "")[0] == 250  # a bounce: MAIL FROM:<>

    assert intake_rows(intake, cases) == [] and smtp_server.to(sender) == []


# -- reading a message (no servers) -------------------------------------------------------------

def test_html_only_message_with_contact_lines_and_attachments():
    msg = EmailMessage()
    msg["From"] = Address(display_name="an.nv", addr_spec="an@example.vn")
    msg["Subject"] = "Đèn đường"
    msg["Message-ID"] = "<abc@example.vn>"
    msg.set_content("<p>Đèn đường ở khu phố 2 bị hỏng &amp; tối om.</p><p>Họ và tên: Trần Thị Bình</p>"
                    "<div>Điện thoại: +84 912.345.678</div><script>alert(1)</script>"
                    "<blockquote>thư cũ</blockquote>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="octet-stream", filename="don.pdf")
    msg.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="tai-lieu.zip")

    inbound = parse(msg.as_bytes())

    assert inbound.sender == "an@example.vn" and inbound.message_id == "<abc@example.vn>"
    assert inbound.full_name == "Trần Thị Bình"  # the body's line wins over the display name
    assert inbound.phone == "0912345678"
    assert inbound.content == "Đèn đường\n\nĐèn đường ở khu phố 2 bị hỏng & tối om."
    assert [(a.filename, a.content_type) for a in inbound.attachments] == [("don.pdf", "application/pdf")]
    assert inbound.skipped == ["tai-lieu.zip"] and not inbound.automatic


def test_quoted_replies_are_left_out_and_an_unlabelled_number_stays():
    msg = EmailMessage()
    msg["From"] = "an@example.vn"
    msg.set_content("Cống bị tắc, gọi quán 0912345678 không ai nghe.\n\n"
                    "Vào Thứ Hai, 1022 đã viết:\n> Chưa tiếp nhận được phản ánh\n> ...")

    inbound = parse(msg.as_bytes())

    assert inbound.full_name == "" and inbound.phone == "" and inbound.message_id == ""
    assert inbound.content == "Cống bị tắc, gọi quán 0912345678 không ai nghe."
