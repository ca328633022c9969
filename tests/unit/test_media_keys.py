"""Stored object keys are server ids: the client's file name never reaches a key or a path."""

import uuid

from runtime.media import LocalMediaStore, receive
from tests import media_samples


def test_object_keys_are_server_ids_never_the_client_name(tmp_path):
    store = LocalMediaStore(tmp_path / "media")
    hostile = "../../etc/passwd/evil<script>.jpg"
    stored = receive(store, "reports/r1", hostile, [media_samples.jpeg()], 10 * 1024 * 1024,
                     public_copy_key="public/{media_id}")
    uuid.UUID(stored.media_id)  # a server-made id
    assert stored.filename == "evil<script>.jpg"  # kept only as a label, without any directory
    files = sorted(p.relative_to(tmp_path / "media").as_posix() for p in (tmp_path / "media").rglob("*")
                   if p.is_file())
    assert files == sorted([f"reports/r1/{stored.media_id}", f"public/{stored.media_id}"])
    assert not any("evil" in f or "passwd" in f for f in files)
    assert not (tmp_path / "etc").exists()
