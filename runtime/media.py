"""Media objects (photos, video, documents): streamed in chunks, typed by content, hashed.

`LocalMediaStore` keeps files under a folder (monolithic mode); `S3MediaStore` keeps them in an
S3 bucket through the minio client (MinIO in production, SeaweedFS in tests). Uploads never hold
a whole file in memory: chunks go to a spooled temporary file while the SHA-256 and the size are
computed and the type is sniffed from the first bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Protocol

from runtime.errors import InvalidArgument, Violation

# Content types decided from magic bytes, never from the declared type or the file name.
_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heic"),
    (b"ftypqt", 4, "video/quicktime"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
]


def sniff(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, ctype in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return ctype
    return None


@dataclass(frozen=True)
class StoredMedia:
    media_id: str
    content_type: str
    size_bytes: int
    sha256: str
    filename: str


class MediaStore(Protocol):
    def put(self, key: str, source: BinaryIO, size: int, content_type: str) -> None: ...
    def open_chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> bool: ...


def receive(store: MediaStore, prefix: str, filename: str, chunks: Iterable[bytes], max_bytes: int,
            allowed_prefixes: tuple[str, ...] = ("image/", "video/", "application/pdf")) -> StoredMedia:
    """Spool `chunks`, check type and size, then put the object; nothing is stored on error."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise InvalidArgument([Violation(
                    "chunk", f"Tệp vượt quá giới hạn {max_bytes // (1024 * 1024)} MB",
                    f"file exceeds the {max_bytes // (1024 * 1024)} MB limit")])
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise InvalidArgument([Violation("chunk", "Tệp rỗng", "file is empty")])
        content_type = sniff(head)
        if content_type is None or not content_type.startswith(allowed_prefixes):
            raise InvalidArgument([Violation(
                "chunk", "Định dạng tệp không được hỗ trợ (chỉ ảnh, video, PDF)",
                "unsupported file type (images, video and PDF only)")])
        spool.seek(0)
        media_id = str(uuid.uuid4())
        store.put(f"{prefix}/{media_id}", spool, size, content_type)
    safe_name = os.path.basename(filename or "")[:200]
    return StoredMedia(media_id, content_type, size, digest.hexdigest(), safe_name)


class LocalMediaStore:
    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("media key escapes the store")
        return path

    def put(self, key: str, source: BinaryIO, size: int, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        os.replace(tmp, path)

    def open_chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]:
        with open(self._path(key), "rb") as fh:
            while chunk := fh.read(chunk_bytes):
                yield chunk

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def ping(self) -> bool:
        return self.root.is_dir() and os.access(self.root, os.W_OK)


class S3MediaStore:
    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, secure: bool = False,
                 region: str = "us-east-1"):
        from minio import Minio

        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.bucket = bucket
        self._bucket_ready = False

    def _ensure_bucket(self) -> None:
        if not self._bucket_ready:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
            self._bucket_ready = True

    def put(self, key: str, source: BinaryIO, size: int, content_type: str) -> None:
        self._ensure_bucket()
        self.client.put_object(self.bucket, key, source, size, content_type=content_type,
                               part_size=16 * 1024 * 1024)

    def open_chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]:
        response = self.client.get_object(self.bucket, key)
        try:
            yield from response.stream(chunk_bytes)
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, key)
            return True
        except S3Error:
            return False

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, key)

    def ping(self) -> bool:
        try:
            self._ensure_bucket()
            return True
        except Exception:  # noqa: BLE001 - readiness only reports
            return False
