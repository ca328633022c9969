"""Keys for personal data: contact encryption at rest, sealing for notification, verifiers.

Separate keys per purpose, so that one service's key opens nothing of another's: intake encrypts
the submitter's contact at rest with `contact_key`; it seals a copy for the notification service
with `notification_key`; routing encrypts the unit directory's leaders and contact persons (Đ16.1)
with `directory_key`; `verifier_key` makes keyed hashes that let a citizen prove they own a case
(publication checks them) without any service but intake holding the contact in clear.

Each purpose holds a list of keys, newest first (docs/crypto.md): the newest encrypts, every key
decrypts (cryptography's MultiFernet), so a key is rotated without downtime: add a new key, let
`pakn admin reencrypt` (runtime/admin_keys.py) move every stored value to it, then drop the old
one. A setting may hold one key (as before) or several separated by commas; data_dir/keys.json
may hold a string (as before) or a list per purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from runtime.config import Config, ConfigError

# Fernet purposes: what they encrypt is listed by the columns' info (`SEALED_WITH`) and by
# SEALED_EVENT_FIELDS; `pakn admin reencrypt` moves all of it to the newest key.
FERNET_KEYS = ("contact_key", "notification_key", "directory_key")
# HMAC purposes: a hash cannot be re-made without the value, so its old keys stay (docs/crypto.md).
KEY_NAMES = FERNET_KEYS + ("verifier_key",)
# The column info entry naming the purpose whose keys seal a column (sa.Column(..., info=...)).
SEALED_WITH = "sealed_with"
# Event payload fields that hold values sealed with a purpose's key; envelopes kept in outboxes and
# parked events carry them, and the re-encryption rewrites them too.
SEALED_EVENT_FIELDS: dict[str, dict[str, str]] = {
    "pakn.events.v1.CaseReceived": {"sealed_contact": "notification_key"},
}
# The event types whose payload is one of those (services/catalogue.py; a unit test compares them),
# so that outboxes are searched by their event_type column.
SEALED_EVENT_TYPES = ("case.received",)
KEYS_FILE = "keys.json"


def sealed_with(purpose: str) -> dict[str, str]:
    """The `info` of a column sealed with the purpose's keys: `sa.Column(..., info=sealed_with(...))`."""
    if purpose not in FERNET_KEYS:
        raise ValueError(f"unknown encryption purpose {purpose}")
    return {SEALED_WITH: purpose}


def key_list(value: str | Iterable[str] | None) -> list[str]:
    """A purpose's keys, newest first, from a setting ("k2,k1"; one key as before) or a list."""
    if value is None:
        return []
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else list(value)
    return [k.strip() for k in items if k and k.strip()]


def _check_keys(purpose: str, keys: list[str]) -> None:
    if not keys:
        raise ConfigError(f"security.{purpose} is missing")
    if len(set(keys)) != len(keys):
        raise ConfigError(f"security.{purpose} lists a key twice")
    if purpose in FERNET_KEYS:
        for i, key in enumerate(keys):
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                # Never the key itself in a message.
                raise ConfigError(f"security.{purpose}: key {i + 1} is not a Fernet key "
                                  "(32 bytes, urlsafe base64)") from None


def keys_path(config: Config) -> Path:
    return Path(config.data_dir) / KEYS_FILE


def read_keys_file(path: Path) -> dict[str, list[str]]:
    """data_dir/keys.json: purpose → keys, newest first (a string is one key, as before)."""
    if not path.exists():
        return {}
    stored = json.loads(path.read_text())
    return {name: key_list(value) for name, value in stored.items()}


def write_keys_file(path: Path, keys: dict[str, list[str]]) -> None:
    """Atomically, mode 0600: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({name: list(value) for name, value in keys.items()}, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def ensure_keys(config: Config, generate: bool) -> None:
    """Fill empty keys from data_dir/keys.json, generating that file in monolithic mode.

    Keys set in the configuration win; those taken from the file are remembered
    (`security._keys_file`), so that a running process follows `pakn admin rotate-keys`."""
    sec = config.security
    for name in KEY_NAMES:
        if getattr(sec, name):
            _check_keys(name, key_list(getattr(sec, name)))
    missing = [k for k in KEY_NAMES if not getattr(sec, k)]
    if not missing:
        return
    path = keys_path(config)
    if not path.exists() and not generate:
        raise ConfigError(f"security keys missing: {', '.join('security.' + k for k in missing)}")
    stored = read_keys_file(path)
    changed = False
    for name in missing:
        if not stored.get(name):
            if not generate:
                raise ConfigError(f"security.{name} is missing")
            stored[name] = [Fernet.generate_key().decode()]
            changed = True
        _check_keys(name, stored[name])
        setattr(sec, name, ",".join(stored[name]))
    from_file = set(getattr(sec, "_keys_file_purposes", ())) | set(missing)
    sec._keys_file = str(path)
    sec._keys_file_purposes = tuple(sorted(from_file))
    if changed:
        write_keys_file(path, stored)


class Box:
    """Authenticated encryption of small JSON documents with a purpose's keys.

    `Box(keys)` takes one key or a list, newest first. `Box.of(config, purpose)` follows
    data_dir/keys.json when the purpose's keys came from it: a rotation there is seen by the next
    call, without a restart."""

    def __init__(self, key: str | bytes | Iterable[str], _file: Path | None = None, _purpose: str = ""):
        if isinstance(key, bytes):
            key = key.decode()
        self._file, self._purpose = _file, _purpose
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._set(key_list(key))
        if _file is not None:
            self._stamp = self._mtime()

    @classmethod
    def of(cls, config: Config, purpose: str) -> "Box":
        sec = config.security
        value = getattr(sec, purpose)
        path = getattr(sec, "_keys_file", None)
        if path and purpose in getattr(sec, "_keys_file_purposes", ()):
            return cls(value, _file=Path(path), _purpose=purpose)
        return cls(value)

    def _set(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("no key")
        self.keys = keys
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._newest = Fernet(keys[0].encode())

    def _mtime(self) -> int | None:
        try:
            return os.stat(self._file).st_mtime_ns
        except OSError:
            return None

    def _follow(self) -> None:
        """Take the file's keys again when it changed (a stat per call: microseconds)."""
        if self._file is None:
            return
        stamp = self._mtime()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                keys = read_keys_file(self._file).get(self._purpose, [])
                _check_keys(self._purpose, keys)
            except (OSError, ValueError, ConfigError):
                return  # keep the keys held; a half-edited file must not stop the service
            self._set(keys)
            self._stamp = stamp

    def seal(self, data: dict) -> bytes:
        self._follow()
        return self._fernet.encrypt(json.dumps(data, ensure_ascii=False).encode())

    def open(self, token: bytes) -> dict:
        self._follow()
        try:
            return json.loads(self._fernet.decrypt(bytes(token)))
        except InvalidToken:
            raise ValueError("sealed data cannot be opened with this key") from None

    def rotate(self, token: bytes) -> bytes | None:
        """The token sealed with the newest key, or None when it already is (nothing to write).
        ValueError when no key opens it."""
        self._follow()
        token = bytes(token)
        try:
            self._newest.decrypt(token)
            return None
        except InvalidToken:
            pass
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise ValueError("sealed data cannot be opened with these keys") from None

    def opens_with_newest(self, token: bytes) -> bool:
        self._follow()
        try:
            self._newest.decrypt(bytes(token))
            return True
        except InvalidToken:
            return False


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
    """The keyed hash of a contact, with the newest of the purpose's keys."""
    newest = key_list(key)[0]
    return hmac.new(newest.encode(), normalise_contact(contact).encode(), hashlib.sha256).hexdigest()


def verifiers(key: str, contact: str) -> list[str]:
    """The keyed hash of a contact with each key, newest first: a hash made before a rotation of
    `verifier_key` is still recognised while its key is listed."""
    return [verifier(k, contact) for k in key_list(key)]
