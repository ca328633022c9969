"""Keys of personal data (runtime/crypto.py, docs/crypto.md): lists of keys per purpose, newest
first, backward compatible with one key and with keys.json as it was; and every sealed column and
event field known to `pakn admin reencrypt` (runtime/admin_keys.py)."""

import json

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from google.protobuf.descriptor import FieldDescriptor

from pakn.events.v1 import events_pb2
from runtime.admin_keys import ENVELOPE_TABLES, envelope_columns, sealed_columns
from runtime.config import ConfigError, load
from runtime.crypto import (
    FERNET_KEYS,
    KEY_NAMES,
    SEALED_EVENT_FIELDS,
    SEALED_EVENT_TYPES,
    Box,
    ensure_keys,
    key_list,
    verifiers,
)
from runtime.modules import SERVICES, spec_of


def test_a_setting_holds_one_key_as_before_or_several_newest_first():
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert key_list(k1) == [k1]
    assert key_list(f" {k2}, {k1} ") == [k2, k1] == key_list([k2, k1])
    old = Box(k1).seal({"phone": "0912345678"})
    both = Box(f"{k2},{k1}")
    assert both.open(old) == {"phone": "0912345678"}
    new = both.seal({"phone": "0987654321"})
    assert Box(k2).open(new) == {"phone": "0987654321"}
    with pytest.raises(ValueError):
        Box(k1).open(new)
    rotated = both.rotate(old)
    assert Box(k2).open(rotated) == {"phone": "0912345678"}
    assert both.rotate(rotated) is None  # already current: nothing to write
    with pytest.raises(ValueError):
        Box(k2).rotate(Box(Fernet.generate_key()).seal({}))


def test_keys_json_as_it_was_still_loads_and_a_new_purpose_is_added(tmp_path):
    old = {k: Fernet.generate_key().decode() for k in ("contact_key", "notification_key", "verifier_key")}
    (tmp_path / "keys.json").write_text(json.dumps(old))
    config = load(environ={}, overrides={"data_dir": str(tmp_path)})
    ensure_keys(config, generate=True)
    assert config.security.contact_key == old["contact_key"]
    stored = json.loads((tmp_path / "keys.json").read_text())
    assert stored["contact_key"] == [old["contact_key"]] and len(stored["directory_key"]) == 1
    assert config.security.directory_key == stored["directory_key"][0]


def test_a_bad_key_is_refused_without_showing_it(tmp_path):
    config = load(environ={}, overrides={"data_dir": str(tmp_path),
                                         "security.contact_key": f"{Fernet.generate_key().decode()},not-a-key"})
    with pytest.raises(ConfigError) as err:
        ensure_keys(config, generate=True)
    assert "security.contact_key: key 2" in str(err.value) and "not-a-key" not in str(err.value)


def test_microservices_mode_needs_every_key(tmp_path):
    # A data folder of its own: the checkout's var/ (left by `pakn serve`) may hold a keys.json.
    config = load(environ={}, overrides={"database.url": "postgresql://localhost/x", "data_dir": str(tmp_path),
                                         **{f"security.{k}": Fernet.generate_key().decode()
                                            for k in KEY_NAMES if k != "directory_key"}})
    with pytest.raises(ConfigError, match="directory_key"):
        ensure_keys(config, generate=False)


def test_a_verifier_made_with_an_older_key_is_still_recognised():
    k1, k2 = "old-verifier-key", "new-verifier-key"
    made_before = verifiers(k1, "0912 345 678")[0]
    assert made_before in verifiers(f"{k2},{k1}", "+84912345678")
    assert made_before not in verifiers(k2, "0912345678")


def test_every_binary_column_is_sealed_with_a_purpose_or_keeps_envelopes():
    """A new encrypted column must name its purpose (`info=sealed_with(...)`), or
    `pakn admin reencrypt` would leave it on an old key."""
    for service in SERVICES:
        metadata = spec_of(service).metadata
        sealed = {(t.name, c.name) for t, c, _ in sealed_columns(metadata)}
        envelopes = {(t.name, c.name) for t, c in envelope_columns(metadata)}
        assert {t for t, _ in envelopes} == set(ENVELOPE_TABLES)
        for table in metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.LargeBinary):
                    assert (table.name, column.name) in sealed | envelopes, (service, table.name, column.name)
        for table, _, purpose in sealed_columns(metadata):
            assert purpose in FERNET_KEYS
            assert len(table.primary_key.columns) == 1, (service, table.name)  # keyset batches
    found = {(s, t.name, c.name, p) for s in SERVICES for t, c, p in sealed_columns(spec_of(s).metadata)}
    assert found == {("intake", "cases", "contact_enc", "contact_key"),
                     ("notification", "recipients", "sealed_contact", "notification_key"),
                     ("routing", "units", "contacts_enc", "directory_key"),
                     ("routing", "unit_history", "previous_enc", "directory_key")}


def test_every_bytes_field_of_an_event_is_a_sealed_field():
    for message in events_pb2.DESCRIPTOR.message_types_by_name.values():
        for field in message.fields:
            if field.type == FieldDescriptor.TYPE_BYTES:
                assert SEALED_EVENT_FIELDS.get(message.full_name, {}).get(field.name) in FERNET_KEYS, field.full_name
    from services.catalogue import EVENTS

    assert sorted(SEALED_EVENT_TYPES) == sorted(
        t for t, (_, cls) in EVENTS.items() if cls.DESCRIPTOR.full_name in SEALED_EVENT_FIELDS)
