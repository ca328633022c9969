"""E-mail over a real SMTP conversation (aiosmtpd on loopback)."""

import pytest

from runtime.mail import FileMailer, SmtpMailer
from tests.helpers import eventually

pytestmark = pytest.mark.smtp


def test_smtp_mailer_delivers_utf8_vietnamese(smtp_server):
    mailer = SmtpMailer("127.0.0.1", smtp_server.port, "1022@tayninh.gov.vn")
    mailer.send("dan@example.vn", "Phản ánh của bạn đã được tiếp nhận", "Mã theo dõi: 26-ABCDEF1\nTrân trọng.")
    msg = eventually(lambda: smtp_server.to("dan@example.vn"))[0]
    assert msg["Subject"] == "Phản ánh của bạn đã được tiếp nhận"
    assert msg["Auto-Submitted"] == "auto-generated"  # RFC 3834: never answered by auto-responders
    assert "26-ABCDEF1" in msg.get_content()


def test_smtp_mailer_raises_when_the_server_is_down():
    from tests.infra import free_port

    mailer = SmtpMailer("127.0.0.1", free_port(), "1022@tayninh.gov.vn", timeout=2)
    with pytest.raises(OSError):
        mailer.send("dan@example.vn", "x", "y")


def test_file_mailer_writes_a_readable_eml(tmp_path):
    mailer = FileMailer(tmp_path, "1022@tayninh.gov.vn")
    mailer.send("dan@example.vn", "Kết quả xử lý", "Nội dung")
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1 and b"dan@example.vn" in files[0].read_bytes()
    assert "Nội dung" in files[0].read_text(encoding="utf-8")  # readable as it is
