"""Intake's rules without I/O: tracking codes (Đ5), validation (Đ6.1–6.3), screening (Đ6.5)."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regulation import calendar
from runtime.errors import InvalidArgument
from services.intake import domain


@given(st.integers(min_value=2024, max_value=2099))
def test_tracking_codes_carry_a_valid_check_character(year):
    code = domain.new_tracking_code(year)
    assert domain.valid_tracking_code(code)
    assert code.startswith(f"{year % 100:02d}-")


@given(st.integers(min_value=3, max_value=9), st.sampled_from(domain.ALPHABET))
def test_any_single_character_typo_is_caught(position, replacement):
    code = domain.new_tracking_code(2026)
    if code[position] == replacement:
        return
    typo = code[:position] + replacement + code[position + 1:]
    assert not domain.valid_tracking_code(typo)


def test_look_alike_characters_are_read_as_digits():
    code = domain.new_tracking_code(2026)
    spoken = code.replace("0", "O").replace("1", "I").lower()
    assert domain.valid_tracking_code(spoken)


def test_text_is_stored_as_nfc():
    decomposed = "Đe\u0300n đu\u031bo\u031b\u0300ng"
    assert domain.nfc(decomposed) == "Đèn đường"


NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 in Tây Ninh


def draft(**kw):
    base = dict(channel=1, content="Nội dung", full_name="Ngô Thị Em", phone="0912345678", email="em@example.vn",
                address="", location_address="Phường Tân Ninh", occurred_at=NOW - timedelta(hours=3), has_place=True)
    base.update(kw)
    return domain.Draft(**base)


def test_validation_reports_every_problem_at_once():
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft(content=" ", full_name="", phone="12345", email="not-an-email", occurred_at=None,
                              has_place=False), channel_valid=False, now=NOW)
    fields = [v.field for v in err.value.violations]
    assert fields == ["channel", "content", "occurred_at", "location", "submitter.full_name", "submitter.phone",
                      "submitter.email"]
    assert all(v.vi and v.en and v.vi != v.en for v in err.value.violations)


def test_dieu_6_3_asks_for_name_phone_and_email_but_a_hotline_caller_may_have_no_email():
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft(phone="", email=""), channel_valid=True, now=NOW)
    assert [v.field for v in err.value.violations] == ["submitter.phone", "submitter.email"]
    domain.validate(draft(channel=domain.HOTLINE, email=""), channel_valid=True, now=NOW)


def test_the_time_of_the_issue_cannot_be_in_the_future():
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft(occurred_at=NOW + timedelta(hours=1)), channel_valid=True, now=NOW)
    assert [v.field for v in err.value.violations] == ["occurred_at"]


def test_content_is_at_most_10000_characters_dieu_6_2():
    """The domain's own check, besides the request limits (runtime/limits.py) checked before it."""
    domain.validate(draft(content="đ" * 10000), channel_valid=True, now=NOW)
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft(content="đ" * 10001), channel_valid=True, now=NOW)
    assert [v.field for v in err.value.violations] == ["content"]


@pytest.mark.parametrize("phone", ["0912345678", "+84912345678", "84 912 345 678", "0385.123.456"])
def test_vietnamese_mobile_numbers_are_accepted(phone):
    domain.validate(draft(phone=phone), channel_valid=True, now=NOW)


@pytest.mark.parametrize("local, expected", [
    ("2026-03-02T09:00:00+07:00", None),                          # Monday, office hours: open
    ("2026-03-02T06:59:00+07:00", "2026-03-02T07:00:00+07:00"),   # before opening: today
    ("2026-03-02T17:00:00+07:00", "2026-03-03T07:00:00+07:00"),   # closing time: tomorrow
    ("2026-03-06T18:00:00+07:00", "2026-03-09T07:00:00+07:00"),   # Friday evening: Monday
    ("2026-02-13T17:30:00+07:00", "2026-02-23T07:00:00+07:00"),   # before Tết 2026: after it
    ("2026-08-22T10:00:00+07:00", None),                          # make-up Saturday (9441/TB-BNV): open
])
def test_the_hotline_opens_in_office_hours_of_working_days_dieu_5_2(local, expected):
    nxt = domain.hotline_next_opening(datetime.fromisoformat(local), calendar.default(), "07:00", "17:00")
    assert (nxt.astimezone(calendar.VN).isoformat() if nxt else None) == expected
