"""Uploaded media are checked by content, size-limited per type, checked structurally, and published
without location metadata; nothing is stored when a check fails.

Pure: a LocalMediaStore in tmp_path, and files built byte by byte in tests/media_samples.py (the
Exif/TIFF with its GPS IFD, the PNG chunks with their CRCs, ...): no imaging library is used.
"""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from runtime.errors import InvalidArgument, Violation
from runtime.media import JPEG_TRAILING_TOLERANCE, MAX_SIDE, LocalMediaStore, public_copy, receive, validate_structure
from tests import media_samples as samples
from tests.media_samples import png_chunk

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
LOCATION_MARKERS = (b"Exif", b"GPS", b"\x88\x25", b"\x25\x88", b"http://ns.adobe.com", b"Photoshop 3.0", b"8BIM",
                    b"Tay Ninh", b"XMP")


@pytest.fixture
def store(tmp_path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media")


def files_in(store: LocalMediaStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


def chunked(data: bytes, n: int = 4096):
    return (data[i:i + n] for i in range(0, len(data), n))


def upload(store, data: bytes, name: str = "tep", max_bytes: int = 100 * MiB, **kw):
    return receive(store, "intake", name, chunked(data), max_bytes, **kw)


def refused(store, data: bytes, **kw) -> Violation:
    before = files_in(store)  # empty, unless the test stored a valid file first
    with pytest.raises(InvalidArgument) as err:
        upload(store, data, **kw)
    assert files_in(store) == before  # nothing stored, no temporary file left behind
    [violation] = err.value.violations
    assert violation.field == "chunk" and violation.vi and violation.en
    return violation


def damaged(store, data: bytes, **kw) -> None:
    v = refused(store, data, **kw)
    assert "hỏng" in v.vi and "damaged" in v.en


def disguised(store, data: bytes, **kw) -> None:
    v = refused(store, data, **kw)
    assert "ngụy trang" in v.vi and "disguised" in v.en


def a_zip(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("payload.exe", b"MZ\x90\x00" + bytes(range(256)) * (size // 256))
    return out.getvalue()


def is_valid(data: bytes, content_type: str) -> bool:
    try:
        validate_structure(io.BytesIO(data), content_type)
        return True
    except InvalidArgument:
        return False


def copy_of(data: bytes, content_type: str) -> bytes:
    out = io.BytesIO()
    assert public_copy(io.BytesIO(data), content_type, out) is True
    return out.getvalue()


def jpeg_with(*segments: bytes) -> bytes:
    """samples.jpeg() with `segments` inserted after APP0."""
    base = samples.jpeg()
    app0_end = 2 + 2 + struct.unpack(">H", base[4:6])[0]
    return base[:app0_end] + b"".join(segments) + base[app0_end:]


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# -- accepted files, typed by content --------------------------------------------------------------

@pytest.mark.parametrize("data, name, content_type", [
    (samples.jpeg(), "anh.png", "image/jpeg"),
    (samples.jpeg(with_gps=True), "anh.jpg", "image/jpeg"),
    (samples.png(with_gps=True), "anh.jpg", "image/png"),
    (samples.gif(with_xmp=True), "anh.jpg", "image/gif"),
    (samples.webp(with_exif=True), "anh.jpg", "image/webp"),
    (samples.mp4(), "video.webm", "video/mp4"),
    (samples.webm(), "video.mp4", "video/webm"),
    (samples.pdf(), "don.docx", "application/pdf"),
], ids=["jpeg", "jpeg-gps", "png", "gif", "webp", "mp4", "webm", "pdf"])
def test_valid_files_are_stored_typed_by_content_and_hashed(store, data, name, content_type):
    stored = upload(store, data, name)

    assert stored.content_type == content_type and stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.filename == name and stored.public_key is None
    assert b"".join(store.open_chunks(f"intake/{stored.media_id}", 1000)) == data
    assert files_in(store) == [store.root / "intake" / stored.media_id]


def test_the_type_is_known_across_tiny_chunks(store):
    data = samples.webp(with_exif=True)
    stored = receive(store, "intake", "a", (data[i:i + 1] for i in range(len(data))), 1 * MiB)
    assert stored.content_type == "image/webp" and stored.size_bytes == len(data)


def test_a_large_image_spooled_to_disk_is_checked(store):
    data = samples.jpeg(with_gps=True, size=9 * MiB)  # more than the spool keeps in memory
    stored = upload(store, data, public_copy_key="public/{media_id}")
    assert stored.size_bytes == 9 * MiB
    assert (store.root / "public" / stored.media_id).read_bytes() == samples.jpeg()


def test_mp4_box_sizes_zero_and_one_are_understood(store):
    ftyp = samples.mp4()[:28]
    to_the_end = ftyp + struct.pack(">I4s", 0, b"mdat") + b"\x01" * 5000
    large_size = ftyp + struct.pack(">I4sQ", 1, b"mdat", 16 + 3000) + b"\x02" * 3000 + struct.pack(">I4s", 8, b"free")
    assert upload(store, to_the_end).content_type == "video/mp4"
    assert upload(store, large_size).content_type == "video/mp4"


# -- size limits per type ----------------------------------------------------------------------------

def test_an_image_over_the_image_limit_is_refused_while_a_video_of_the_same_size_is_accepted(store):
    limits = {"image": 1 * MiB, "video": 10 * MiB, "application/pdf": 5 * MiB}
    image, video = samples.jpeg(size=2 * MiB), samples.mp4(size=2 * MiB)

    v = refused(store, image, limits=limits)
    assert v.vi == "Tệp ảnh vượt quá giới hạn 1 MB"
    assert v.en == "the image exceeds the 1 MB limit for images"

    stored = upload(store, video, limits=limits)
    assert stored.content_type == "video/mp4" and stored.size_bytes == 2 * MiB


def test_the_type_limit_applies_while_streaming(store):
    consumed = 0

    def stream():
        nonlocal consumed
        for chunk in samples.mp4_chunks(50 * MiB, 64 * 1024):
            consumed += len(chunk)
            yield chunk

    with pytest.raises(InvalidArgument) as err:
        receive(store, "intake", "clip.mp4", stream(), 100 * MiB, limits={"video": 1536 * 1024})
    assert consumed <= 1536 * 1024 + 64 * 1024  # stopped at the first chunk over the limit
    assert "1,5 MB" in err.value.violations[0].vi and "1.5 MB" in err.value.violations[0].en
    assert files_in(store) == []


def test_an_exact_type_limit_wins_over_its_family_and_pdf_has_its_own(store):
    limits = {"image": 10 * MiB, "image/png": 1 * MiB, "application/pdf": 2 * MiB}
    assert upload(store, samples.jpeg(size=3 * MiB), limits=limits).content_type == "image/jpeg"
    refused(store, samples.png(size=3 * MiB), limits=limits)
    v = refused(store, samples.pdf(size=3 * MiB), limits=limits)
    assert v.vi == "Tệp PDF vượt quá giới hạn 2 MB" and v.en == "the PDF exceeds the 2 MB limit for PDF files"
    assert upload(store, samples.pdf(size=2 * MiB), limits=limits).size_bytes == 2 * MiB


def test_max_bytes_stays_the_hard_cap(store):
    v = refused(store, samples.mp4(size=2 * MiB), max_bytes=1 * MiB, limits={"video": 100 * MiB})
    assert v.vi == "Tệp vượt quá giới hạn 1 MB" and v.en == "file exceeds the 1 MB limit"


def test_unknown_content_is_refused_from_the_first_bytes(store):
    consumed = []

    def stream():
        for i in range(100):
            consumed.append(i)
            yield b"MZ\x90\x00" + b"\x00" * 65532

    with pytest.raises(InvalidArgument):
        receive(store, "intake", "anh.jpg", stream(), 100 * MiB)
    assert len(consumed) == 1 and files_in(store) == []


# -- damaged files ---------------------------------------------------------------------------------

JPEG = samples.jpeg(with_gps=True)
PNG = samples.png(with_gps=True)
MP4 = samples.mp4(size=10_000)


@pytest.mark.parametrize("data", [
    JPEG[:-2],  # no EOI
    JPEG[:len(JPEG) // 2],  # cut inside a segment
    samples.jpeg()[:samples.jpeg().index(b"\xff\xda")] + b"\xff\xd9",  # EOI before any scan
    b"\xff\xd8\xff\xe0" + b"\x00" * 2000,  # a JPEG signature, then nothing of a JPEG
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9",  # APP0 length not followed by a marker
    JPEG[:4] + b"\xff\xff" + JPEG[6:],  # APP0 length past the end
], ids=["no-eoi", "cut", "eoi-before-scan", "zeros", "bad-app0", "length-past-end"])
def test_damaged_jpeg_is_refused(store, data):
    damaged(store, data)


@pytest.mark.parametrize("data", [
    PNG[:-12],  # no IEND
    PNG[:60],  # cut in a chunk
    PNG[:29] + bytes([PNG[29] ^ 0xFF]) + PNG[30:],  # IHDR CRC wrong
    PNG[:8] + png_chunk(b"tEXt", b"a\0b") + PNG[8:],  # IHDR not first
    PNG[:8] + PNG[33:],  # no IHDR at all
    samples.png()[:33] + png_chunk(b"IEND", b""),  # no image data
], ids=["no-iend", "cut", "ihdr-crc", "ihdr-not-first", "no-ihdr", "no-idat"])
def test_damaged_png_is_refused(store, data):
    damaged(store, data)


@pytest.mark.parametrize("data", [
    MP4[:-1],  # mdat runs past the end
    MP4 + b"\x00\x00",  # a box header cut short
    MP4 + struct.pack(">I4s", 4, b"free"),  # a box smaller than its header
    MP4 + struct.pack(">I4s", 8, b"\x00\x01\x02\x03"),  # a box with no valid type
    struct.pack(">I4s", 8, b"ftyp") + MP4[8:],  # an ftyp without its brands
    MP4[:28] + struct.pack(">I4sQ", 1, b"mdat", 1 << 40) + b"\x00" * 100,  # a 64-bit size past the end
], ids=["cut", "header-cut", "box-too-small", "bad-type", "short-ftyp", "large-size-past-end"])
def test_damaged_mp4_is_refused(store, data):
    damaged(store, data)


@pytest.mark.parametrize("data", [
    samples.gif()[:-1],  # no trailer
    samples.gif()[:40] + b";",  # cut inside the image, a trailer glued on
    samples.webp()[:-2],  # RIFF size larger than the file
    samples.webp()[:12] + b"ALPH" + samples.webp()[16:],  # the first chunk is not an image
    samples.pdf()[:-7],  # no %%EOF
    samples.pdf() + b"\n" * 2000,  # %%EOF not near the end
    samples.webm(doctype=b"matroska"),  # not WebM
    samples.webm()[:20],  # EBML header cut short
], ids=["gif-no-trailer", "gif-cut", "webp-riff-size", "webp-first-chunk", "pdf-no-eof", "pdf-eof-far",
        "webm-doctype", "webm-cut"])
def test_other_damaged_files_are_refused(store, data):
    damaged(store, data)


# -- disguised files (polyglots) ------------------------------------------------------------------

def test_a_jpeg_with_a_zip_appended_is_refused(store):
    disguised(store, JPEG + a_zip(10_000))
    disguised(store, JPEG + a_zip(100))  # small, but an archive all the same


def test_a_jpeg_may_carry_a_little_padding_and_further_images(store):
    assert upload(store, JPEG + b"\x00" * JPEG_TRAILING_TOLERANCE).content_type == "image/jpeg"
    mpf = JPEG + samples.jpeg(size=5000) + samples.jpeg(with_gps=True)  # depth map, gain map...
    assert upload(store, mpf).size_bytes == len(mpf)
    disguised(store, JPEG + b"\x00" * (JPEG_TRAILING_TOLERANCE + 1))
    disguised(store, JPEG + b"\xff\xd8" + a_zip(5000))  # pretends to be a further image


def test_other_files_with_data_after_their_end_are_refused(store):
    disguised(store, PNG + b"\x00")
    disguised(store, PNG + a_zip(3000))
    disguised(store, samples.gif() + a_zip(100))
    webp = samples.webp()
    disguised(store, webp + a_zip(100))  # the RIFF size no longer matches: data after the container
    disguised(store, samples.pdf() + a_zip(100))


# -- public copy without location metadata --------------------------------------------------------

def test_public_jpeg_has_no_exif_xmp_or_iptc_and_is_otherwise_byte_exact():
    assert all(marker in JPEG for marker in (b"Exif", b"GPS", b"\x88\x25", b"Photoshop 3.0"))
    copy = copy_of(JPEG, "image/jpeg")
    assert not any(marker in copy for marker in LOCATION_MARKERS)
    assert copy == samples.jpeg() and is_valid(copy, "image/jpeg")


def test_public_jpeg_keeps_what_display_needs_and_drops_other_metadata():
    icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01" + b"\x11" * 40)
    adobe = segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")
    dropped = [segment(0xE2, b"MPF\0" + b"\x22" * 20), segment(0xEB, b"JP\x00\x11" + b"c2pa GPS"),
               segment(0xE3, b"META\0\0MM\0*" + b"\x88\x25"), segment(0xFE, b"GPS 11.31N"),
               segment(0xE1, b"Exif\0\0" + samples.exif_tiff()), segment(0xED, b"Photoshop 3.0\0")]
    original = jpeg_with(icc, *dropped[:3], adobe, *dropped[3:])
    copy = copy_of(original + samples.jpeg(with_gps=True), "image/jpeg")  # + a secondary (MPF) image
    assert copy == jpeg_with(icc, adobe)
    assert not any(marker in copy for marker in LOCATION_MARKERS)


def test_public_png_has_no_exif_or_text_chunks():
    assert b"eXIf" in PNG and b"\x88\x25" in PNG and b"GPS" in PNG
    copy = copy_of(PNG, "image/png")
    assert not any(marker in copy for marker in (b"eXIf", b"tEXt", b"zTXt", b"iTXt", *LOCATION_MARKERS))
    assert copy == samples.png() and is_valid(copy, "image/png")
    assert b"pHYs" in copy  # display information stays
    c2pa = samples.png()[:33] + png_chunk(b"caBX", b"jumb GPS") + png_chunk(b"zTXt", b"Raw profile\0\0x") \
        + samples.png()[33:]
    assert copy_of(c2pa, "image/png") == samples.png()


def test_public_webp_has_no_exif_or_xmp_and_fixes_size_and_flags():
    original = samples.webp(with_exif=True)
    assert original[20] & 0x0C == 0x0C
    copy = copy_of(original, "image/webp")
    assert copy == samples.webp() and is_valid(copy, "image/webp")
    assert struct.unpack("<I", copy[4:8])[0] == len(copy) - 8
    assert copy[20] & 0x0C == 0 and copy[20] & 0x10  # EXIF and XMP flags off, alpha kept
    assert not any(marker in copy for marker in (b"EXIF", b"XMP ", *LOCATION_MARKERS))


def test_public_gif_has_no_xmp_or_comments():
    copy = copy_of(samples.gif(with_xmp=True), "image/gif")
    assert copy == samples.gif() and is_valid(copy, "image/gif")
    assert b"NETSCAPE2.0" in copy and not any(marker in copy for marker in LOCATION_MARKERS)


@pytest.mark.parametrize("data, content_type", [
    (samples.mp4(), "video/mp4"), (samples.webm(), "video/webm"), (samples.pdf(), "application/pdf"),
    (samples.mp4(), "image/heic"),
])
def test_no_public_copy_of_video_pdf_or_heic(data, content_type):
    out = io.BytesIO()
    assert public_copy(io.BytesIO(data), content_type, out) is False
    assert out.getvalue() == b""


def test_public_copy_of_a_damaged_image_is_refused():
    with pytest.raises(InvalidArgument):
        public_copy(io.BytesIO(JPEG[:200]), "image/jpeg", io.BytesIO())


# -- receive() with a public copy -------------------------------------------------------------------

@pytest.mark.parametrize("data, plain", [
    (JPEG, samples.jpeg()), (PNG, samples.png()), (samples.webp(with_exif=True), samples.webp()),
    (samples.gif(with_xmp=True), samples.gif()),
], ids=["jpeg", "png", "webp", "gif"])
def test_receive_stores_the_original_unchanged_and_a_public_copy_without_location(store, data, plain):
    stored = upload(store, data, public_copy_key="public/{media_id}")

    assert stored.public_key == f"public/{stored.media_id}"
    original = (store.root / "intake" / stored.media_id).read_bytes()
    assert original == data and hashlib.sha256(original).hexdigest() == stored.sha256
    public = (store.root / stored.public_key).read_bytes()
    assert public == plain and is_valid(public, stored.content_type)
    assert not any(marker in public for marker in LOCATION_MARKERS)
    assert len(files_in(store)) == 2


@pytest.mark.parametrize("data", [samples.mp4(), samples.pdf(), samples.webm()])
def test_receive_makes_no_public_copy_of_video_or_pdf(store, data):
    stored = upload(store, data, public_copy_key="public/{media_id}")
    assert stored.public_key is None and files_in(store) == [store.root / "intake" / stored.media_id]


def test_receive_stores_nothing_when_an_image_asked_to_be_published_is_damaged(store):
    damaged(store, JPEG[:-2], public_copy_key="public/{media_id}")
    disguised(store, JPEG + a_zip(5000), public_copy_key="public/{media_id}")


def test_when_the_public_copy_cannot_be_stored_the_original_is_removed(store):
    class FailingPublicStore(LocalMediaStore):
        def put(self, key, source, size, content_type):
            if key.startswith("public/"):
                source.read(10)
                raise OSError("disk full")
            super().put(key, source, size, content_type)

    failing = FailingPublicStore(store.root)
    with pytest.raises(OSError):
        upload(failing, JPEG, public_copy_key="public/{media_id}")
    assert files_in(store) == []


def test_the_public_key_must_differ_from_the_original(store):
    with pytest.raises(ValueError):
        receive(store, "intake", "a.jpg", [JPEG], MiB, public_copy_key="intake/{media_id}")
    assert files_in(store) == []


# -- memory ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_50_mb_video_streams_through_receive_in_bounded_memory(tmp_path):
    """In a fresh interpreter, so that the peak RSS measured is this upload's, not the test run's."""
    size = 50 * MiB
    script = textwrap.dedent("""
        import resource, sys
        from pathlib import Path
        from runtime.media import LocalMediaStore, receive
        from tests.media_samples import mp4_chunks

        store = LocalMediaStore(Path(sys.argv[1]))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stored = receive(store, "intake", "clip.mp4", mp4_chunks(int(sys.argv[2]), 256 * 1024),
                         max_bytes=100 * 1024 * 1024, limits={"video": 60 * 1024 * 1024, "image": 1024},
                         public_copy_key="public/{media_id}")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(stored.media_id, stored.content_type, stored.size_bytes, stored.sha256, stored.public_key, before, after)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "media"), str(size)], cwd=ROOT,
                          capture_output=True, text=True, timeout=110, check=True)
    media_id, content_type, stored_size, sha256, public_key, before, after = done.stdout.split()

    expected = hashlib.sha256()
    for chunk in samples.mp4_chunks(size, 256 * 1024):
        expected.update(chunk)
    assert (content_type, int(stored_size), sha256, public_key) == ("video/mp4", size, expected.hexdigest(), "None")
    assert (tmp_path / "media" / "intake" / media_id).stat().st_size == size
    grown_kib = int(after) - int(before)  # Linux: KiB
    assert grown_kib < 30 * 1024, f"peak RSS grew by {grown_kib} KiB"


# -- payloads riding on images (OWASP File Upload) ------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_html_or_a_test_virus_after_a_jpeg_end_is_refused_and_nothing_stored(store):
    disguised(store, JPEG + b"<html><script>alert(1)</script></html>")
    disguised(store, JPEG + EICAR)
    disguised(store, JPEG + b"\x00" * 10 + b"<?php system($_GET['c']); ?>")
    assert files_in(store) == []
    assert upload(store, JPEG + b"\x00\xff" * 20).content_type == "image/jpeg"  # camera padding


def test_an_image_declaring_a_huge_canvas_is_refused_before_it_is_decoded(store):
    import zlib as z

    # 20000 × 20000 grey pixels in a few kilobytes: 400 megapixels once decoded.
    rows = z.compress(b"\x00" * 20001 * 8, 9)
    bomb = (b"\x89PNG\r\n\x1a\n" + samples.png_chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0))
            + samples.png_chunk(b"IDAT", rows) + samples.png_chunk(b"IEND", b""))
    v = refused(store, bomb)
    assert "quá lớn" in v.vi and "too large" in v.en
    tall = samples.png(width=1, height=MAX_SIDE + 1)
    assert "too large" in refused(store, tall).en
    assert upload(store, samples.png(width=64, height=64)).content_type == "image/png"
    assert files_in(store) != []
