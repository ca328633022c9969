"""Notification's rules, without I/O: which channel, masking, retry schedule."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pakn.notification.v1 import notification_pb2 as pb
from runtime import limits

EMAIL = pb.DELIVERY_CHANNEL_EMAIL
SMS = pb.DELIVERY_CHANNEL_SMS
CHANNEL_NAMES = {EMAIL: "email", SMS: "sms"}

PENDING = pb.DELIVERY_STATUS_PENDING
SENT = pb.DELIVERY_STATUS_SENT
FAILED = pb.DELIVERY_STATUS_FAILED

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 600.0


def choose_channel(contact: dict) -> tuple[int, str]:
    """E-mail when the submitter gave one, else SMS to their phone; (0, "") when neither."""
    email = (contact.get("email") or "").strip()
    if email:
        return EMAIL, email
    phone = re.sub(r"[^\d+]", "", contact.get("phone") or "")
    if phone:
        return SMS, phone
    return 0, ""


# The size of the recipient_masked columns: any address intake takes (RFC 5321, 254 characters)
# fits masked, since masking keeps one letter of the local part and adds three stars.
MASKED_MAX = limits.MASKED_RECIPIENT


def mask(address: str) -> str:
    """What staff may see of an address: "b***@example.vn", "091****678"."""
    address = (address or "").strip()
    if "@" in address:
        local, domain = address.rsplit("@", 1)
        # At most MASKED_MAX characters (the column's size), whatever an older event carried: a
        # long domain keeps its end.
        if len(domain) > MASKED_MAX - 6:
            domain = "…" + domain[-(MASKED_MAX - 7):]
        return f"{local[:1]}***@{domain}"
    if len(address) <= 6:
        return "*" * len(address)
    return address[:3] + "*" * (len(address) - 6) + address[-3:]


def backoff(attempts: int, base: float = BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS) -> timedelta:
    """Wait before the next try after `attempts` failed ones: base, 2·base, 4·base, … up to cap."""
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), cap))


def after_failure(attempts: int, limit: int, now: datetime,
                  base: float = BACKOFF_SECONDS) -> tuple[int, datetime | None]:
    """(status, next attempt) once `attempts` tries have failed out of `limit`."""
    if attempts >= limit:
        return FAILED, None
    return PENDING, now + backoff(attempts, base)
