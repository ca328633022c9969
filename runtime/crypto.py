"""Keys for personal data: contact encryption at rest, sealing for notification, verifiers.

Three separate keys, so that one service's key opens nothing of another's: intake encrypts the
submitter's contact at rest with `contact_key`; it seals a copy for the notification service with
`notification_key`; `verifier_key` makes keyed hashes that let a citizen prove they own a case
(publication checks them) without any service but intake holding the contact in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import unicodedata
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from runtime.config import Config, ConfigError

KEY_NAMES = ("contact_key", "notification_key", "verifier_key")


def ensure_keys(config: Config, generate: bool) -> None:
    """Fill empty keys from data_dir/keys.json, generating that file in monolithic mode."""
    missing = [k for k in KEY_NAMES if not getattr(config.security, k)]
    if not missing:
        return
    path = Path(config.data_dir) / "keys.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    elif not generate:
        raise ConfigError(f"security keys missing: {', '.join('security.' + k for k in missing)}")
    changed = False
    for name in missing:
        if name not in stored:
            if not generate:
                raise ConfigError(f"security.{name} is missing")
            stored[name] = Fernet.generate_key().decode()
            changed = True
        setattr(config.security, name, stored[name])
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh)


class Box:
    """Authenticated encryption of small JSON documents."""

    def __init__(self, key: str):
        self._fernet = Fernet(key.encode() if isinstance(key, str) else key)

    def seal(self, data: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(data, ensure_ascii=False).encode())

    def open(self, token: bytes) -> dict:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError("sealed data cannot be opened with this key") from None


def normalise_contact(value: str) -> str:
    """A phone number to its national digits (0xxxxxxxxx); an e-mail to lower case."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def verifier(key: str, contact: str) -> str:
    return hmac.new(key.encode(), normalise_contact(contact).encode(), hashlib.sha256).hexdigest()
