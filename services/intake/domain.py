"""Intake's rules, without I/O: tracking codes, validation (Đ6.2–6.3), hotline hours (Đ5.2).

Text repair (Đ6.1) lives in `encoding.py`, screening (Đ6.5) in `screening.py`, places (Đ6.2) in
`places.py`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from regulation.calendar import VN
from runtime import limits
from runtime.errors import Validator, Violation

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
HOTLINE = 7  # pakn.common.v1.CHANNEL_HOTLINE (Đ5.1g)


def nfc(text: str) -> str:
    """Đ6.1: text is stored as Unicode NFC."""
    return unicodedata.normalize("NFC", text or "").strip()


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", phone or "")


@dataclass(frozen=True)
class Draft:
    channel: int
    content: str
    full_name: str
    phone: str
    email: str
    address: str
    location_address: str
    occurred_at: datetime | None = None
    has_place: bool = False
    operator_id: str = ""


def validate(draft: Draft, channel_valid: bool, now: datetime, place_problems: list[Violation] = ()) -> None:
    """Everything missing or malformed, in one error (Đ6.2–6.3).

    Đ6.3 asks for the name, phone number and e-mail address; a caller of the 1022 hotline (Đ5.1g),
    entered by an operator, may have no e-mail address, so there the e-mail is optional.
    """
    v = Validator()
    if not channel_valid:
        v.add("channel", "Kênh tiếp nhận không hợp lệ", "channel is missing or unknown")
    v.require(draft.content, "content", "nội dung phản ánh, kiến nghị", "content")
    if len(draft.content) > limits.CONTENT:
        v.add("content", "Nội dung quá dài (tối đa 10.000 ký tự)", "content is too long (10,000 characters at most)")
    if draft.occurred_at is None:
        v.add("occurred_at", "Thiếu thời gian xảy ra sự việc", "the time of the issue is required")
    elif draft.occurred_at > now + timedelta(minutes=5):
        v.add("occurred_at", "Thời gian xảy ra sự việc ở tương lai", "the time of the issue is in the future")
    elif draft.occurred_at < limits.EARLIEST:
        v.add("occurred_at", f"Thời gian xảy ra sự việc phải từ năm {limits.FIRST_YEAR}",
              f"the time of the issue must be in {limits.FIRST_YEAR} or later")
    if not draft.has_place:
        v.add("location", "Thiếu địa điểm xảy ra sự việc (địa chỉ, xã/phường hoặc tọa độ)",
              "the place of the issue is required (an address, a commune/ward or coordinates)")
    for problem in place_problems:
        v.violations.append(problem)
    v.require(draft.full_name, "submitter.full_name", "họ và tên người gửi", "the submitter's full name")
    phone = normalise_phone(draft.phone)
    if not phone:
        v.add("submitter.phone", "Thiếu số điện thoại người gửi", "the submitter's phone number is required")
    elif not PHONE.match(phone):
        v.add("submitter.phone", "Số điện thoại không hợp lệ", "the phone number is not a valid Vietnamese number")
    if not draft.email and draft.channel != HOTLINE:
        v.add("submitter.email", "Thiếu địa chỉ thư điện tử người gửi", "the submitter's e-mail address is required")
    elif draft.email and (problem := limits.email_problem(draft.email)):
        # RFC 5321's sizes (254 in all, 64 before the @): a longer address is not deliverable, and
        # notification keeps a masked copy of it.
        v.add("submitter.email", *problem)
    elif draft.email and not EMAIL.match(draft.email):
        v.add("submitter.email", "Địa chỉ thư điện tử không hợp lệ", "the e-mail address is malformed")
    v.raise_if_any()


# -- Đ5.2: the hotline takes calls in office hours ------------------------------------------------

def _hm(value: str) -> time:
    return time(int(value[:2]), int(value[3:]))


def hotline_next_opening(now: datetime, calendar, opens: str, closes: str) -> datetime | None:
    """None when the hotline is open at `now`; otherwise the next opening instant (UTC).

    Open on working days of the calendar (announced days off excluded, make-up Saturdays included)
    between `opens` and `closes`, local time.
    """
    local = now.astimezone(VN)
    day = local.date()
    if calendar.is_working_day(day) and _hm(opens) <= local.time() < _hm(closes):
        return None
    if not (calendar.is_working_day(day) and local.time() < _hm(opens)):
        day += timedelta(days=1)
        for _ in range(400):
            if calendar.is_working_day(day):
                break
            day += timedelta(days=1)
    return datetime.combine(day, _hm(opens), VN).astimezone(timezone.utc)


# -- Đ13.8, Đ16.6: disclosure of a submitter's contact -------------------------------------------
PENDING, DISCLOSED, REFUSED = "pending", "disclosed", "refused"
SAME_OFFICER, ALREADY_DECIDED = "same_officer", "already_decided"


def disclosure_status(confidential: bool) -> str:
    """A confidential case's (Đ6.4) request waits for a second officer; any other is disclosed at once."""
    return PENDING if confidential else DISCLOSED


def disclosure_decision_problem(status: str, requested_by: str, decider: str) -> str | None:
    """Why `decider` may not approve or refuse this request, or None: two different people (Đ6.4,
    Đ13.8), and one decision per request. An empty id is never a second person."""
    if not decider or decider == requested_by:
        return SAME_OFFICER
    if status != PENDING:
        return ALREADY_DECIDED
    return None
