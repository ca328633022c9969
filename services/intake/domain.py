"""Intake's rules, without I/O: tracking codes, validation (Đ6.1–6.3), screening (Đ6.5)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from runtime.errors import Validator

# Crockford's base32: no I, L, O, U, so a code read over the phone is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_N = len(ALPHABET)


def _luhn_mod_n(body: str) -> str:
    """Luhn mod N check character: catches every single-character error and most swaps."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def new_tracking_code(year: int) -> str:
    """e.g. `26-7K3M9QX`: two-digit year, six random characters, one check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(6))
    yy = f"{year % 100:02d}"
    return f"{yy}-{body}{_luhn_mod_n(yy + body)}"


def normalise_tracking_code(code: str) -> str:
    code = (code or "").strip().upper().replace(" ", "")
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


def valid_tracking_code(code: str) -> bool:
    code = normalise_tracking_code(code)
    m = re.fullmatch(r"(\d{2})-([0-9A-HJKMNP-TV-Z]{6})([0-9A-HJKMNP-TV-Z])", code)
    return bool(m) and _luhn_mod_n(m.group(1) + m.group(2)) == m.group(3)


PHONE = re.compile(r"^(0|\+?84)(3|5|7|8|9)\d{8}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def nfc(text: str) -> str:
    """Đ6.1: text is stored as Unicode NFC."""
    return unicodedata.normalize("NFC", text or "").strip()


@dataclass(frozen=True)
class Draft:
    channel: int
    content: str
    full_name: str
    phone: str
    email: str
    address: str
    location_address: str


def validate(draft: Draft, channel_valid: bool) -> None:
    """Everything missing or malformed, in one error (Đ6.2–6.3)."""
    v = Validator()
    if not channel_valid:
        v.add("channel", "Kênh tiếp nhận không hợp lệ", "channel is missing or unknown")
    v.require(draft.content, "content", "nội dung phản ánh, kiến nghị", "content")
    if len(draft.content) > 10000:
        v.add("content", "Nội dung quá dài (tối đa 10.000 ký tự)", "content is too long (10,000 characters at most)")
    v.require(draft.full_name, "submitter.full_name", "họ và tên người gửi", "the submitter's full name")
    phone = re.sub(r"[\s.\-()]", "", draft.phone)
    if not phone and not draft.email:
        v.add("submitter.phone", "Cần số điện thoại hoặc thư điện tử để liên hệ",
              "a phone number or an e-mail address is required")
    if phone and not PHONE.match(phone):
        v.add("submitter.phone", "Số điện thoại không hợp lệ", "the phone number is not a valid Vietnamese number")
    if draft.email and not EMAIL.match(draft.email):
        v.add("submitter.email", "Địa chỉ thư điện tử không hợp lệ", "the e-mail address is malformed")
    v.raise_if_any()


_EMERGENCY = [
    ("114", ("cháy", "hỏa hoạn", "mắc kẹt", "đuối nước")),
    ("115", ("cấp cứu", "bất tỉnh", "ngất xỉu", "tai nạn nghiêm trọng")),
    ("113", ("cướp", "đâm chém", "đánh nhau", "trộm đang", "bắt cóc")),
]
_COMPLAINT = ("khiếu nại", "tố cáo", "khởi kiện", "tranh chấp")
_ADVERTISING = ("khuyến mãi", "giảm giá", "liên hệ mua", "inbox", "zalo ngay")


def screen(content: str) -> tuple[list[str], str]:
    """Đ6.5 flags for the coordinator (intake flags, it does not reject) and an emergency number.

    A first, simple keyword screen; the intake issue deepens it.
    """
    text = content.lower()
    flags: list[str] = []
    number = ""
    for num, words in _EMERGENCY:
        if any(w in text for w in words):
            flags.append("emergency")
            number = num
            break
    if any(w in text for w in _COMPLAINT):
        flags.append("complaint_or_denunciation")
    if any(w in text for w in _ADVERTISING):
        flags.append("advertising")
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 20 and all(ord(c) < 128 for c in letters):
        flags.append("no_diacritics")
    if len(text.split()) < 4:
        flags.append("insufficient_content")
    return flags, number
