"""Media objects (photos, video, documents): streamed in chunks, typed by content, checked, scanned,
re-encoded, hashed.

`LocalMediaStore` keeps files under a folder (monolithic mode); `S3MediaStore` keeps them in an
S3 bucket through the minio client (MinIO in production, SeaweedFS in tests). Uploads never hold
a whole file in memory: chunks go to a spooled temporary file while the size is counted and the
type is sniffed from the first bytes.

The security rule (OWASP's file upload rules): uploaded media are checked by content (not by the
declared type), size-limited, scanned, and nothing but an image's pixels is ever kept. So `receive()`

- decides the type from the magic bytes and applies the limit of that type (`limits`) from the first
  bytes on, under the overall `max_bytes`;
- checks the structure of the spooled file (`validate_structure`): a damaged file, a file that is
  not what its first bytes say, or one with data after its end other than padding (HTML, a script,
  a ZIP: a "polyglot") is refused; an image's pixel dimensions are read from its header and limited
  (`ImageRules`) before anything decodes it (decompression bombs);
- has the file scanned for viruses (`scanner`, runtime/scan.py) when one is configured;
- re-encodes every image (`reencode`, with Pillow): the pixels are decoded, turned upright by their
  Exif orientation, converted to sRGB, and written anew, so no metadata (Exif with GPS, XMP, IPTC),
  comment, ICC text or appended payload survives, in the stored original as in the public copy;
- stores what cannot be re-encoded (video, PDF) as it came, marked `quarantined`: such a file is
  never published and may only ever be served to authorised staff.

Nothing is stored when any step refuses the file. Checks read the spool with bounded seek/read calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import struct
import tempfile
import uuid
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Protocol

from runtime.errors import InvalidArgument, Unavailable, Violation
from runtime.scan import FileTooLargeToScan, Scanner, ScannerUnavailable

log = logging.getLogger("pakn.media")

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
_HEAD_BYTES = 16  # enough for every signature above
_SPOOL_MEMORY = 8 * 1024 * 1024  # a spool above this size goes to a temporary file on disk
_COPY_BYTES = 1024 * 1024  # copies go through buffers of this size
_SCAN_BYTES = 64 * 1024  # scans (JPEG entropy-coded data) read blocks of this size
_MiB = 1024 * 1024
# Bytes of padding (0x00 or 0xFF only: some cameras pad) a JPEG may carry after its last image;
# anything else after the end, or more of it, is refused.
JPEG_TRAILING_TOLERANCE = 1024
_MAX_FURTHER_IMAGES = 16
# More segments, chunks or boxes than any real file has: refused rather than walked for minutes.
_MAX_PARTS = 100_000
# Archives and executables that a polyglot hides after the end of an image or document.
_FOREIGN = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"MZ\x90\x00",
            b"\x7fELF")

_LABELS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP", "image/heic": "HEIC",
           "application/pdf": "PDF", "video/mp4": "MP4", "video/quicktime": "QuickTime", "video/webm": "WebM"}
_FAMILIES = {"image": ("ảnh", "the image", "images"), "video": ("video", "the video", "videos"),
             "application/pdf": ("PDF", "the PDF", "PDF files")}


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
    # Where the public copy was stored (`receive(public_copy_key=...)`), if one was.
    public_key: str | None = None
    # Stored as received, not re-encoded (video, PDF): never published, only for authorised staff.
    quarantined: bool = False
    # The type and size of the file as received (an image is stored re-encoded: `content_type`,
    # `size_bytes` and `sha256` describe what is stored).
    received_type: str = ""
    received_bytes: int = 0


@dataclass(frozen=True)
class ImageRules:
    """Limits and quality for images; `receive()` uses the defaults unless given others."""

    max_pixels: int = 50_000_000
    max_side: int = 16_384
    jpeg_quality: int = 90

    @classmethod
    def from_config(cls, media) -> ImageRules:
        """From the `media` section of the configuration."""
        return cls(media.image_max_megapixels * 1_000_000, media.image_max_side, media.jpeg_quality)


class MediaStore(Protocol):
    def put(self, key: str, source: BinaryIO, size: int, content_type: str) -> None: ...
    def open_chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> bool: ...


# -- receiving ---------------------------------------------------------------------------------

def receive(store: MediaStore, prefix: str, filename: str, chunks: Iterable[bytes], max_bytes: int,
            allowed_prefixes: tuple[str, ...] = ("image/", "video/", "application/pdf"), *,
            limits: dict[str, int] | None = None, public_copy_key: str | None = None,
            images: ImageRules | None = None, scanner: Scanner | None = None) -> StoredMedia:
    """Spool `chunks`, check type, size and structure, scan, re-encode images, then put the object;
    nothing is stored on error.

    `limits` maps a content type ("image/png") or a family ("image", "video", "application/pdf") to a
    maximum size in bytes, applied as soon as the first bytes tell the type; `max_bytes` stays the hard
    cap for every type. `images` limits pixel dimensions and sets the quality of re-encoding. With
    `scanner`, the file as received is scanned before anything else is done with it: a finding is
    INVALID_ARGUMENT, a scanner that fails or cannot be reached UNAVAILABLE.

    An image is stored re-encoded (see `reencode`; a GIF becomes a PNG of its first frame, a HEIC a
    JPEG). With `public_copy_key` ("{media_id}" in it is replaced by the new media id) the re-encoded
    image is also stored at that key, the one ever shown publicly (`StoredMedia.public_key`). Video and
    PDF are stored as received with `quarantined` set and no public copy: never published as they are.
    """
    rules = images or ImageRules()
    size = 0
    head = b""
    content_type: str | None = None
    cap = max_bytes
    with contextlib.ExitStack() as stack:
        spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY))
        for chunk in chunks:
            if content_type is None and len(head) < _HEAD_BYTES:
                head += chunk[: _HEAD_BYTES - len(head)]
                if len(head) == _HEAD_BYTES:
                    content_type = _accepted_type(head, allowed_prefixes)
                    cap = _limit(content_type, max_bytes, limits)
            size += len(chunk)
            if size > cap:
                raise _too_large(content_type, cap, max_bytes)
            spool.write(chunk)
        if size == 0:
            raise InvalidArgument([Violation("chunk", "Tệp rỗng", "file is empty")])
        if content_type is None:  # shorter than the longest signature
            content_type = _accepted_type(head, allowed_prefixes)
            cap = _limit(content_type, max_bytes, limits)
            if size > cap:
                raise _too_large(content_type, cap, max_bytes)
        validate_structure(spool, content_type, size, rules)
        if scanner is not None:
            _scan(scanner, spool, size)

        media_id = str(uuid.uuid4())
        key = f"{prefix}/{media_id}"
        public_key = None
        received_type, received_size = content_type, size
        kept = spool
        quarantined = not content_type.startswith("image/")
        if not quarantined:
            kept = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY))
            content_type = reencode(spool, received_type, kept, rules)
            size = kept.tell()
            spool.close()  # the upload as received is not needed any more
            if public_copy_key is not None:
                public_key = public_copy_key.replace("{media_id}", media_id)
                if public_key == key:
                    raise ValueError("the public copy's key is the original's key")
        digest = hashlib.sha256()
        kept.seek(0)
        while block := kept.read(_COPY_BYTES):
            digest.update(block)
        kept.seek(0)
        store.put(key, kept, size, content_type)
        if public_key is not None:
            kept.seek(0)
            try:
                store.put(public_key, kept, size, content_type)
            except BaseException:
                for stored in (public_key, key):  # no half-stored media
                    with contextlib.suppress(Exception):
                        store.delete(stored)
                raise
    safe_name = os.path.basename((filename or "").replace("\\", "/"))[:200]
    return StoredMedia(media_id, content_type, size, digest.hexdigest(), safe_name, public_key, quarantined,
                       received_type, received_size)


def _scan(scanner: Scanner, spool: BinaryIO, size: int) -> None:
    """Refuse what the scanner finds (INVALID_ARGUMENT) and fail closed when it cannot scan (UNAVAILABLE)."""
    try:
        found = scanner.scan(spool, size)
    except FileTooLargeToScan:
        raise InvalidArgument([Violation(
            "chunk", "Tệp quá lớn để kiểm tra virus, không được nhận",
            "the file is too large to be scanned for viruses and is refused")]) from None
    except ScannerUnavailable as exc:
        log.error("virus scan failed, upload refused: %s", exc)
        raise Unavailable("Chưa kiểm tra được virus cho tệp; vui lòng gửi lại sau",
                          "the file could not be scanned for viruses; try again later") from None
    finally:
        spool.seek(0)
    if found is not None:
        log.warning("upload refused: the virus scanner found %s", found)
        raise InvalidArgument([Violation(
            "chunk", "Tệp chứa mã độc (virus) và bị từ chối",
            "the file contains malware (a virus) and is refused")])


def _accepted_type(head: bytes, allowed_prefixes: tuple[str, ...]) -> str:
    content_type = sniff(head)
    if content_type is None or not content_type.startswith(allowed_prefixes):
        raise InvalidArgument([Violation(
            "chunk", "Định dạng tệp không được hỗ trợ (chỉ ảnh, video, PDF)",
            "unsupported file type (images, video and PDF only)")])
    return content_type


def _limit(content_type: str, max_bytes: int, limits: dict[str, int] | None) -> int:
    if not limits:
        return max_bytes
    own = limits.get(content_type, limits.get(content_type.split("/")[0]))
    return max_bytes if own is None else min(own, max_bytes)


def _mb(n: int, decimal: str) -> str:
    text = f"{n / _MiB:.2f}".rstrip("0").rstrip(".")
    if text == "0":
        text = f"{n / _MiB:.2g}"
    return text.replace(".", decimal)


def _too_large(content_type: str | None, cap: int, max_bytes: int) -> InvalidArgument:
    if content_type is None or cap >= max_bytes:
        return InvalidArgument([Violation(
            "chunk", f"Tệp vượt quá giới hạn {_mb(max_bytes, ',')} MB",
            f"file exceeds the {_mb(max_bytes, '.')} MB limit")])
    family = content_type if content_type in _FAMILIES else content_type.split("/")[0]
    vi, en, plural = _FAMILIES.get(family, (content_type, "the file", content_type))
    return InvalidArgument([Violation(
        "chunk", f"Tệp {vi} vượt quá giới hạn {_mb(cap, ',')} MB",
        f"{en} exceeds the {_mb(cap, '.')} MB limit for {plural}")])


# -- structure -----------------------------------------------------------------------------------

class _Damaged(Exception):
    """The file is cut short, malformed, or not the type its first bytes claim."""


class _Disguised(Exception):
    """The file carries foreign data after its end (a polyglot)."""


class _TooManyPixels(Exception):
    """The image declares more pixels than `ImageRules` allow (a decompression bomb, or just too large)."""


def _check_pixels(width: int, height: int, rules: ImageRules) -> None:
    if width > rules.max_side or height > rules.max_side or width * height > rules.max_pixels:
        raise _TooManyPixels(f"{width}x{height}")


def _too_many_pixels(rules: ImageRules) -> InvalidArgument:
    mp, side = f"{rules.max_pixels / 1_000_000:g}", f"{rules.max_side:,}"
    return InvalidArgument([Violation(
        "chunk", f"Ảnh quá lớn (tối đa {mp.replace('.', ',')} triệu điểm ảnh, mỗi chiều {side.replace(',', '.')} "
        "điểm ảnh)",
        f"the image is too large ({mp} megapixels and {side} pixels a side at most)")])


def _damaged(label: str) -> InvalidArgument:
    return InvalidArgument([Violation(
        "chunk", f"Tệp bị hỏng hoặc không thật sự là tệp {label}",
        f"the file is damaged or is not really a {label} file")])


def validate_structure(source: BinaryIO, content_type: str, size: int | None = None,
                       images: ImageRules | None = None) -> tuple[int, int] | None:
    """Raise InvalidArgument unless `source` (seekable; read from its start) is a well-formed file of
    `content_type` with nothing but padding after its end, and, for an image, no more pixels than
    `images` allow (read from the header: nothing is decoded). Returns an image's (width, height).
    Reads are bounded; the file is never loaded whole."""
    if size is None:
        size = source.seek(0, os.SEEK_END)
    check = _CHECKS.get(content_type)
    if check is None:
        raise ValueError(f"no structural check for {content_type}")
    label = _LABELS.get(content_type, content_type)
    rules = images or ImageRules()
    try:
        dimensions = check(source, size)
        if dimensions is not None:
            _check_pixels(*dimensions, rules)
        return dimensions
    except _Damaged:
        raise _damaged(label) from None
    except _TooManyPixels:
        raise _too_many_pixels(rules) from None
    except _Disguised:
        raise InvalidArgument([Violation(
            "chunk", f"Tệp {label} có dữ liệu lạ gắn phía sau (tệp ngụy trang), không được nhận",
            f"the {label} file carries foreign data after its end (a disguised file) and is refused")]) from None
    finally:
        source.seek(0)


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise _Damaged("cut short")
    return data


def _read_at(f: BinaryIO, offset: int, n: int) -> bytes:
    f.seek(offset)
    return _read_exact(f, n)


def _check_trailer(f: BinaryIO, end: int, size: int, tolerance: int, pad: bytes = b"\x00\xff") -> None:
    """After the end of the content: at most `tolerance` bytes, all of them padding (`pad`)."""
    if size - end > tolerance:
        raise _Disguised("data after the end")
    if size > end:
        tail = _read_at(f, end, size - end)
        if any(sig in tail for sig in _FOREIGN):
            raise _Disguised("an archive or executable after the end")
        if tail.strip(pad):
            # Cameras pad with 0x00 or 0xFF; anything else after the end (HTML, a script, a test
            # virus) is a payload riding on the image.
            raise _Disguised("data other than padding after the end")


# JPEG: SOI, marker segments with their lengths up to the first SOS, entropy-coded data (where 0xFF
# is followed by 0x00 or a restart marker), further segments and scans, EOI.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_segments(f: BinaryIO, start: int, size: int) -> Iterator[tuple[int, int, int]]:
    """(marker, offset, end) of each marker segment of the JPEG at `start`, SOI to EOI included. Bytes
    between one segment's end and the next one's offset are entropy-coded data (or fill bytes)."""
    if _read_at(f, start, 2) != b"\xff\xd8":
        raise _Damaged("no SOI")
    yield 0xD8, start, start + 2
    pos, frame, scanning = start + 2, False, False
    for _ in range(_MAX_PARTS):
        if scanning:
            found = _next_marker(f, pos)
            if found is None:
                raise _Damaged("no EOI")
            off, marker = found
        else:
            off = pos
            marker = _read_at(f, off, 2)
            if marker[0] != 0xFF:
                raise _Damaged("a segment does not start with a marker")
            marker = marker[1]
            while marker == 0xFF:  # fill bytes
                off += 1
                marker = _read_exact(f, 1)[0]
        if marker == 0xD9:
            if not scanning:
                raise _Damaged("EOI before any scan")
            yield marker, off, off + 2
            return
        if marker == 0x01:  # TEM: no length
            pos = off + 2
            yield marker, off, pos
            continue
        if marker in (0x00, 0xD8) or 0xD0 <= marker <= 0xD7:
            raise _Damaged("a marker out of place")
        length = struct.unpack(">H", _read_at(f, off + 2, 2))[0]
        end = off + 2 + length
        if length < 2 or end > size:
            raise _Damaged("a segment length runs past the end")
        frame = frame or marker in _SOF
        if marker == 0xDA:
            if not frame:
                raise _Damaged("a scan before the frame header")
            scanning = True
        yield marker, off, end
        pos = end
    raise _Damaged("too many segments")


def _next_marker(f: BinaryIO, pos: int) -> tuple[int, int] | None:
    """The offset and code of the first marker at or after `pos` in entropy-coded data."""
    f.seek(pos)
    buf, base, i = b"", pos, 0
    while True:
        j = buf.find(b"\xff", i)
        if j == -1 or j == len(buf) - 1:
            keep = buf[j:] if j != -1 else b""
            base += len(buf) - len(keep)
            block = f.read(_SCAN_BYTES)
            if not block:
                return None
            buf, i = keep + block, 0
            continue
        code = buf[j + 1]
        if code == 0x00 or 0xD0 <= code <= 0xD7:  # stuffed byte, restart marker
            i = j + 2
        elif code == 0xFF:  # fill byte
            i = j + 1
        else:
            return base + j, code


def _jpeg_end(f: BinaryIO, start: int, size: int) -> int:
    end = start
    for segment in _jpeg_segments(f, start, size):
        end = segment[2]
    return end


def _check_jpeg(f: BinaryIO, size: int) -> tuple[int, int]:
    end = _jpeg_end(f, 0, size)
    # Phones store further images after the first one's EOI (MPF: depth maps, Ultra HDR gain maps):
    # accepted only when they are themselves whole JPEGs, and not more of them than a phone writes.
    for _ in range(_MAX_FURTHER_IMAGES):
        if size - end <= JPEG_TRAILING_TOLERANCE and (size - end < 2 or _read_at(f, end, 2) != b"\xff\xd8"):
            break
        try:
            end = _jpeg_end(f, end, size)
        except _Damaged:
            raise _Disguised("data after EOI") from None
    _check_trailer(f, end, size, JPEG_TRAILING_TOLERANCE)
    width, height = 0, 0
    for marker, off, seg_end in _jpeg_segments(f, 0, size):
        if marker in _SOF and seg_end - off >= 9:
            height, width = struct.unpack(">HH", _read_at(f, off + 5, 4))
            break
    if not width or not height:  # a height of 0 (set later by a DNL marker) is not supported
        raise _Damaged("no image size in the frame header")
    return width, height


# PNG: the signature, IHDR first (with a valid CRC), chunks chained by their lengths, IEND last.
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunks(f: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset, end) of each chunk, IHDR to IEND."""
    if _read_at(f, 0, 8) != _PNG_SIGNATURE:
        raise _Damaged("no PNG signature")
    pos = 8
    for n in range(_MAX_PARTS):
        length, kind = struct.unpack(">I4s", _read_at(f, pos, 8))
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > size or not kind.isalpha():
            raise _Damaged("a chunk runs past the end or has no valid type")
        if n == 0:
            if kind != b"IHDR" or length != 13:
                raise _Damaged("IHDR is not the first chunk")
            data = _read_exact(f, 13 + 4)
            if zlib.crc32(kind + data[:13]) != struct.unpack(">I", data[13:])[0]:
                raise _Damaged("IHDR has a wrong CRC")
        yield kind, pos, end
        if kind == b"IEND":
            return
        pos = end
    raise _Damaged("too many chunks")


def _check_png(f: BinaryIO, size: int) -> tuple[int, int]:
    end, image, dimensions = 0, False, (0, 0)
    for kind, off, chunk_end in _png_chunks(f, size):
        if kind == b"IHDR":
            dimensions = struct.unpack(">II", _read_at(f, off + 8, 8))
        image, end = image or kind == b"IDAT", chunk_end
    if not image:
        raise _Damaged("no IDAT")
    _check_trailer(f, end, size, 0)
    if not all(dimensions):
        raise _Damaged("an empty canvas")
    return dimensions


# GIF: header, logical screen descriptor, colour table, blocks (images, extensions), trailer 0x3B.
_GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _gif_walk(f: BinaryIO) -> tuple[int, int, int]:
    """Walk a GIF's blocks to its trailer; return the offset after it and the canvas every frame needs
    (the logical screen, or larger when a frame reaches past it)."""
    head = _read_at(f, 0, 13)
    if head[:6] not in (b"GIF87a", b"GIF89a"):
        raise _Damaged("no GIF header")
    width, height = struct.unpack("<HH", head[6:10])
    if head[10] & 0x80:
        _read_exact(f, 3 << ((head[10] & 7) + 1))
    images = 0
    for _ in range(_MAX_PARTS):
        intro = _read_exact(f, 1)
        if intro == b";":
            if not images:
                raise _Damaged("no image")
            return f.tell(), width, height
        if intro == b",":
            descriptor = _read_exact(f, 9)
            left, top, w, h = struct.unpack("<HHHH", descriptor[:8])
            width, height = max(width, left + w), max(height, top + h)
            if descriptor[8] & 0x80:
                _read_exact(f, 3 << ((descriptor[8] & 7) + 1))
            _read_exact(f, 1)  # LZW minimum code size
            _gif_sub_blocks(f)
            images += 1
        elif intro == b"!":
            _read_exact(f, 1)  # label
            length = _read_exact(f, 1)
            _read_exact(f, length[0])
            if length[0]:
                _gif_sub_blocks(f)
        else:
            raise _Damaged("an unknown GIF block")
    raise _Damaged("too many blocks")


def _gif_sub_blocks(f: BinaryIO) -> None:
    while True:
        length = _read_exact(f, 1)
        _read_exact(f, length[0])
        if not length[0]:
            return


def _check_gif(f: BinaryIO, size: int) -> tuple[int, int]:
    end, width, height = _gif_walk(f)
    _check_trailer(f, end, size, 0)  # the walk ends at the trailer 0x3B: it must be the last byte
    if not width or not height:
        raise _Damaged("an empty canvas")
    return width, height


# WebP: a RIFF container whose size is the file's, of chunks (four-character code, little-endian size,
# payload padded to an even length), the first one VP8, VP8L or VP8X.
def _riff_chunks(f: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    head = _read_at(f, 0, 12)
    if head[:4] != b"RIFF" or head[8:] != b"WEBP":
        raise _Damaged("no RIFF WEBP header")
    riff_end = 8 + struct.unpack("<I", head[4:8])[0]
    if riff_end > size:
        raise _Damaged("cut short")
    if riff_end < size:
        raise _Disguised("data after the RIFF container")
    pos = 12
    for _ in range(_MAX_PARTS):
        if pos >= size:
            return
        kind, length = struct.unpack("<4sI", _read_at(f, pos, 8))
        end = pos + 8 + length + (length & 1)
        if end > size:
            raise _Damaged("a chunk runs past the end")
        yield kind, pos, end
        pos = end
    raise _Damaged("too many chunks")


def _check_webp(f: BinaryIO, size: int) -> tuple[int, int]:
    dimensions = None
    for kind, off, end in _riff_chunks(f, size):  # all of them: they must chain to the end
        if dimensions is None:
            if kind not in (b"VP8 ", b"VP8L", b"VP8X") or (kind == b"VP8X" and end - off < 18):
                raise _Damaged("the first chunk is not an image")
            dimensions = _webp_size(f, kind, off, end)
    if dimensions is None:
        raise _Damaged("no chunks")
    return dimensions


def _webp_size(f: BinaryIO, kind: bytes, off: int, end: int) -> tuple[int, int]:
    """The canvas (VP8X) or the image's size (VP8 key frame header, VP8L header)."""
    if kind == b"VP8X":
        raw = _read_at(f, off + 12, 6)
        return 1 + int.from_bytes(raw[:3], "little"), 1 + int.from_bytes(raw[3:], "little")
    if kind == b"VP8L":
        raw = _read_at(f, off + 8, min(5, end - off - 8))
        if len(raw) < 5 or raw[0] != 0x2F:
            raise _Damaged("no VP8L signature")
        bits = int.from_bytes(raw[1:5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    raw = _read_at(f, off + 8, min(10, end - off - 8))
    if len(raw) < 10 or raw[3:6] != b"\x9d\x01\x2a":
        raise _Damaged("no VP8 key frame")
    width, height = struct.unpack("<HH", raw[6:10])
    return width & 0x3FFF, height & 0x3FFF


def _check_pdf(f: BinaryIO, size: int) -> None:
    start = max(0, size - 1024)
    tail = _read_at(f, start, size - start)
    at = tail.rfind(b"%%EOF")
    if at == -1:
        raise _Damaged("no %%EOF near the end")
    _check_trailer(f, start + at + 5, size, 1024, pad=b" \t\r\n\x00\x0c")


# MP4, QuickTime, HEIC (ISO base media): top-level boxes, 'ftyp' first, whose sizes chain exactly to
# the end of the file; size 1 means a 64-bit size follows the type, size 0 "to the end of the file".
def _check_bmff(f: BinaryIO, size: int) -> None:
    pos = 0
    for n in range(_MAX_PARTS):
        if pos == size:
            if n == 0:
                raise _Damaged("empty")
            return
        box, kind = struct.unpack(">I4s", _read_at(f, pos, 8))
        header = 8
        if box == 1:
            box, header = struct.unpack(">Q", _read_exact(f, 8))[0], 16
        elif box == 0:
            box = size - pos
        if n == 0 and (kind != b"ftyp" or box < 16):
            raise _Damaged("'ftyp' is not the first box")
        if box < header or pos + box > size or not all(0x20 <= c <= 0x7E for c in kind):
            raise _Damaged("a box runs past the end or has no valid type")
        pos += box
    raise _Damaged("too many boxes")


# WebM: an EBML header whose DocType is "webm", followed by a Segment.
def _ebml_number(f: BinaryIO, marker: bool) -> tuple[int, bool]:
    """A variable-length EBML number: an element ID (`marker` kept) or a size; and whether it is 'unknown'."""
    first = _read_exact(f, 1)[0]
    if first == 0:
        raise _Damaged("an EBML number longer than 8 bytes")
    length = 9 - first.bit_length()
    value = first if marker else first & ((1 << (8 - length)) - 1)
    for byte in _read_exact(f, length - 1):
        value = value << 8 | byte
    return value, not marker and value == (1 << 7 * length) - 1


def _check_webm(f: BinaryIO, size: int) -> None:
    f.seek(0)
    if _ebml_number(f, True)[0] != 0x1A45DFA3:
        raise _Damaged("no EBML header")
    length, unknown = _ebml_number(f, False)
    end = f.tell() + length
    if unknown or length > 4096 or end > size:
        raise _Damaged("a malformed EBML header")
    doctype = None
    while f.tell() < end:
        element = _ebml_number(f, True)[0]
        length, unknown = _ebml_number(f, False)
        if unknown or f.tell() + length > end:
            raise _Damaged("a malformed EBML header element")
        if element == 0x4282:
            doctype = _read_exact(f, length).rstrip(b"\0")
        else:
            f.seek(length, os.SEEK_CUR)
    if doctype != b"webm":
        raise _Damaged("not a WebM document")
    if _ebml_number(f, True)[0] != 0x18538067:
        raise _Damaged("no Segment after the EBML header")
    length, unknown = _ebml_number(f, False)
    if not unknown and f.tell() + length > size:
        raise _Damaged("the Segment runs past the end")


_CHECKS: dict[str, Callable[[BinaryIO, int], tuple[int, int] | None]] = {
    "image/jpeg": _check_jpeg, "image/png": _check_png, "image/gif": _check_gif, "image/webp": _check_webp,
    "image/heic": _check_bmff, "application/pdf": _check_pdf, "video/mp4": _check_bmff,
    "video/quicktime": _check_bmff, "video/webm": _check_webm,
}


# -- re-encoding -----------------------------------------------------------------------------------

# What each accepted image type is decoded as, and what it is written as.
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
_OUTPUT = {"image/jpeg": "image/jpeg", "image/png": "image/png", "image/gif": "image/png",
           "image/webp": "image/webp", "image/heic": "image/jpeg"}
# Modes each output format can hold as they are; anything else is converted first.
_MODES = {"image/jpeg": ("L", "RGB"), "image/png": ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"),
          "image/webp": ("RGB", "RGBA")}


def reencode(source: BinaryIO, content_type: str, out: BinaryIO, images: ImageRules | None = None) -> str:
    """Decode the image in `source` (seekable; its structure already checked) and write only its pixels
    to `out`; return the type written. Nothing of the original but the pixels survives: no Exif (GPS),
    XMP, IPTC, comment, text chunk, ICC profile, thumbnail, further image or trailing byte.

    - the Exif orientation is applied to the pixels first, so the image stays upright without it;
    - an ICC profile is applied (the pixels are converted to sRGB), CMYK becomes RGB;
    - JPEG stays JPEG (quality `images.jpeg_quality`), PNG stays PNG (16-bit and transparency kept),
      WebP stays WebP (lossless when it was), a GIF becomes a PNG of its first frame, a HEIC a JPEG;
      animations (GIF, APNG, animated WebP) keep their first frame only.
    The dimensions are checked against `images` before any pixel is decoded, and Pillow's own
    decompression-bomb guard is set to the same limit (its warning is an error here).
    A file Pillow cannot decode is refused (InvalidArgument).
    """
    rules = images or ImageRules()
    output = _OUTPUT.get(content_type)
    if output is None:
        raise ValueError(f"{content_type} is not an image that can be re-encoded")
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = rules.max_pixels
    # Past MAX_IMAGE_PIXELS Pillow warns (twice that, it raises): here both refuse the file.
    warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
    label = _LABELS.get(content_type, content_type)
    source.seek(0)
    try:
        image = _decode(source, content_type, rules)
        image = _pixels_only(image, output)
        _write(image, output, out, rules, lossless=content_type == "image/webp" and _webp_lossless(source))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, _TooManyPixels):
        raise _too_many_pixels(rules) from None
    except MemoryError:
        raise
    except _Damaged:
        raise _damaged(label) from None
    except Exception as exc:  # noqa: BLE001 - whatever a decoder raises, the file cannot be used
        log.info("an uploaded %s could not be decoded (%s)", label, type(exc).__name__)
        raise _damaged(label) from None
    finally:
        source.seek(0)
    return output


def _decode(source: BinaryIO, content_type: str, rules: ImageRules):
    from PIL import Image, ImageOps

    if content_type == "image/heic":
        import pillow_heif

        heif = pillow_heif.open_heif(source, convert_hdr_to_8bit=True)  # reads the header only
        _check_pixels(*heif.size, rules)
        image = heif.to_pillow()  # libheif applies the container's rotation and mirroring
    else:
        image = Image.open(source, formats=[_PIL_FORMATS[content_type]])
        _check_pixels(*image.size, rules)  # from the header: nothing is decoded yet
        image.load()  # the first frame only
    ImageOps.exif_transpose(image, in_place=True)
    return image


def _pixels_only(image, output: str):
    """The image without anything but its pixels (and transparency), in a mode `output` can hold."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image.info = {}
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                              ImageCms.createProfile("sRGB"),
                                              outputMode="RGBA" if image.mode == "RGBA" else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: the pixels as they are
    if image.mode == "P" and transparency is not None and output != "image/png":
        image = image.convert("RGBA")
    elif image.mode not in _MODES[output]:
        alpha = image.has_transparency_data if transparency is None else True
        target = {"image/jpeg": "RGB"}.get(output, "RGBA" if alpha else "RGB")
        image = image.convert(target)
    if output == "image/jpeg" and image.mode != "L":
        image = image.convert("RGB")
    if transparency is not None and image.mode in ("P", "L", "RGB") and output == "image/png":
        image.info["transparency"] = transparency
    image.info.pop("icc_profile", None)
    return image


def _write(image, output: str, out: BinaryIO, rules: ImageRules, lossless: bool) -> None:
    if output == "image/jpeg":
        image.save(out, format="JPEG", quality=rules.jpeg_quality)
    elif output == "image/png":
        params = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
        image.save(out, format="PNG", **params)
    else:
        image.save(out, format="WEBP", lossless=lossless, quality=100 if lossless else rules.jpeg_quality)


def _webp_lossless(source: BinaryIO) -> bool:
    """Whether a WebP's image is lossless (VP8L), looking at its first image chunk."""
    size = source.seek(0, os.SEEK_END)
    for kind, _, _ in _riff_chunks(source, size):
        if kind in (b"VP8 ", b"VP8L"):
            return kind == b"VP8L"
    return False


# -- stores --------------------------------------------------------------------------------------

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
        tmp = path.with_name(path.name + ".part")
        try:
            with open(tmp, "wb") as out:
                shutil.copyfileobj(source, out, _COPY_BYTES)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # nothing half-written stays behind
            raise

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
