"""Notification's pure rules: channel choice, masking, retry schedule, templates."""

from datetime import UTC, datetime, timedelta

from services.notification import domain, templates

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def test_email_is_preferred_then_sms():
    assert domain.choose_channel({"email": "binh@example.vn", "phone": "0912345678"}) == (
        domain.EMAIL, "binh@example.vn")
    assert domain.choose_channel({"email": "", "phone": "091 234 5678"}) == (domain.SMS, "0912345678")
    assert domain.choose_channel({"full_name": "X"}) == (0, "")


def test_masking_hides_the_address():
    assert domain.mask("binh@example.vn") == "b***@example.vn"
    assert domain.mask("0912345678") == "091****678"
    assert domain.mask("12345") == "*****"
    assert "2345" not in domain.mask("0912345678")


def test_retries_back_off_then_give_up():
    assert domain.backoff(1, base=2) == timedelta(seconds=2)
    assert domain.backoff(3, base=2) == timedelta(seconds=8)
    assert domain.backoff(30, base=2, cap=60) == timedelta(seconds=60)
    status, at = domain.after_failure(1, 3, NOW, base=2)
    assert status == domain.PENDING and at == NOW + timedelta(seconds=2)
    status, at = domain.after_failure(3, 3, NOW, base=2)
    assert status == domain.FAILED and at is None


def test_templates_carry_the_tracking_code_and_the_reason_in_words():
    for name in templates.TEMPLATES:
        subject, body, sms = templates.render(name, {"tracking_code": "25-ABCDEFG", "reason_code": "advertising"})
        assert "25-ABCDEFG" in subject and "25-ABCDEFG" in body and "25-ABCDEFG" in sms
    _, body, sms = templates.render("cancelled", {"tracking_code": "25-ABCDEFG", "reason_code": "emergency"})
    assert "113" in body and "Điều 6 khoản 5 điểm e" in sms
    _, body, _ = templates.render("cancelled", {"tracking_code": "25-ABCDEFG", "reason_code": "unknown"})
    assert templates.DEFAULT_CANCEL_REASON in body


def test_every_dieu_6_5_ground_has_words():
    grounds = {"complaint_or_denunciation", "harmful", "advertising", "vulgar", "defamation", "emergency",
               "insufficient_content"}
    assert grounds == set(templates.CANCEL_REASONS)
    assert {t.event_type for t in templates.TEMPLATES.values()} == {
        "case.received", "case.cancelled", "case.published", "result.delivered"}
