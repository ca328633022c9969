"""Media in a real S3 server (SeaweedFS standing in for MinIO)."""

import hashlib
import io
import uuid

import pytest
from minio.error import S3Error

from runtime.errors import InvalidArgument
from runtime.media import S3MediaStore, receive
from tests import media_samples

pytestmark = pytest.mark.s3


@pytest.fixture
def store(seaweedfs):
    return S3MediaStore(seaweedfs.endpoint, seaweedfs.access_key, seaweedfs.secret_key,
                        f"pakn-{uuid.uuid4().hex[:8]}")


def test_streamed_upload_is_hashed_typed_and_readable(store):
    data = media_samples.png(size=1024 * 1024)
    stored = receive(store, "intake", "anh.jpg", (data[i:i + 65536] for i in range(0, len(data), 65536)),
                     max_bytes=10 * 1024 * 1024)
    assert stored.content_type == "image/png"  # by content, not by the ".jpg" name
    assert stored.received_bytes == len(data)
    kept = b"".join(store.open_chunks(f"intake/{stored.media_id}", 100_000))
    assert stored.sha256 == hashlib.sha256(kept).hexdigest() and len(kept) == stored.size_bytes
    assert b"tEXt" not in kept  # re-encoded: the padding text chunk is gone


def test_a_pdf_is_stored_as_received_and_quarantined(store):
    data = media_samples.pdf(size=300_000)
    stored = receive(store, "intake", "don.pdf", [data], max_bytes=10 * 1024 * 1024)
    assert stored.quarantined and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.open_chunks(f"intake/{stored.media_id}", 100_000)) == data
    assert store.ping()


def test_rejected_upload_stores_nothing(store):
    fake = b"#!/bin/sh\nrm -rf /\n" * 10
    with pytest.raises(InvalidArgument):
        receive(store, "intake", "photo.jpg", [fake], max_bytes=1024 * 1024)
    store._ensure_bucket()
    assert list(store.client.list_objects(store.bucket, recursive=True)) == []


def test_size_limit_is_enforced_while_streaming(store):
    chunks = (b"\xff\xd8\xff" + b"\x00" * 65533 for _ in range(100))
    with pytest.raises(InvalidArgument) as err:
        receive(store, "intake", "big.jpg", chunks, max_bytes=256 * 1024)
    assert err.value.violations[0].field == "chunk"


def test_wrong_credentials_fail(seaweedfs):
    bad = S3MediaStore(seaweedfs.endpoint, seaweedfs.access_key, "wrong-secret", "pakn-nope")
    assert not bad.ping()
    with pytest.raises(S3Error):
        bad.put("x/y", io.BytesIO(b"\xff\xd8\xff"), 3, "image/jpeg")
