"""Intake's rules without I/O: tracking codes (Đ5), validation (Đ6.1–6.3), screening (Đ6.5)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def draft(**kw):
    base = dict(channel=1, content="Nội dung", full_name="Ngô Thị Em", phone="0912345678", email="",
                address="", location_address="")
    base.update(kw)
    return domain.Draft(**base)


def test_validation_reports_every_problem_at_once():
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft(content=" ", full_name="", phone="12345", email="not-an-email"), channel_valid=False)
    fields = [v.field for v in err.value.violations]
    assert fields == ["channel", "content", "submitter.full_name", "submitter.phone", "submitter.email"]
    assert all(v.vi and v.en and v.vi != v.en for v in err.value.violations)


@pytest.mark.parametrize("phone", ["0912345678", "+84912345678", "84 912 345 678", "0385.123.456"])
def test_vietnamese_mobile_numbers_are_accepted(phone):
    domain.validate(draft(phone=phone), channel_valid=True)


def test_screening_flags_and_emergency_numbers():
    flags, number = domain.screen("Cháy lớn tại kho hàng đầu hẻm, có người mắc kẹt bên trong")
    assert "emergency" in flags and number == "114"
    flags, _ = domain.screen("Tôi làm đơn khiếu nại quyết định thu hồi đất của xã")
    assert "complaint_or_denunciation" in flags
    flags, _ = domain.screen("Duong truoc nha toi bi ngap nuoc moi khi troi mua lon")
    assert "no_diacritics" in flags
    flags, number = domain.screen("Đèn đường trước ngõ 5 bị hỏng hai tuần nay chưa sửa")
    assert flags == [] and number == ""
