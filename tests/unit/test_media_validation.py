"""Uploaded media are checked by content, size-limited per type, checked structurally, limited in
pixels, scanned, and images re-encoded so that nothing but pixels is stored or published; nothing is
stored when a check fails.

Pure: a LocalMediaStore in tmp_path, files built byte by byte in tests/media_samples.py (the Exif/TIFF
with its GPS IFD, the PNG chunks with their CRCs, ...) or made there with Pillow, and a fake scanner
(tests/integration/test_media_scan.py scans with a real clamd).
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
from PIL import Image

from runtime.errors import InvalidArgument, Unavailable, Violation
from runtime.media import JPEG_TRAILING_TOLERANCE, ImageRules, LocalMediaStore, receive, reencode, validate_structure
from runtime.scan import FileTooLargeToScan, ScannerUnavailable
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


def reencoded(data: bytes, content_type: str, expected_type: str | None = None) -> bytes:
    out = io.BytesIO()
    assert reencode(io.BytesIO(data), content_type, out) == (expected_type or content_type)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def jpeg_with(*segments: bytes) -> bytes:
    """samples.jpeg() with `segments` inserted after APP0."""
    base = samples.jpeg()
    app0_end = 2 + 2 + struct.unpack(">H", base[4:6])[0]
    return base[:app0_end] + b"".join(segments) + base[app0_end:]


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# -- accepted files, typed by content --------------------------------------------------------------

@pytest.mark.parametrize("data, name, content_type", [
    (samples.mp4(), "video.webm", "video/mp4"),
    (samples.webm(), "video.mp4", "video/webm"),
    (samples.pdf(), "don.docx", "application/pdf"),
], ids=["mp4", "webm", "pdf"])
def test_video_and_pdf_are_stored_as_received_typed_by_content_hashed_and_quarantined(store, data, name,
                                                                                      content_type):
    stored = upload(store, data, name, public_copy_key="public/{media_id}")

    assert stored.content_type == content_type and stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.filename == name and stored.public_key is None  # never published as it is
    assert stored.quarantined
    assert b"".join(store.open_chunks(f"intake/{stored.media_id}", 1000)) == data
    assert files_in(store) == [store.root / "intake" / stored.media_id]


@pytest.mark.parametrize("data, name, received, content_type", [
    (samples.jpeg(), "anh.png", "image/jpeg", "image/jpeg"),
    (samples.jpeg(with_gps=True), "anh.jpg", "image/jpeg", "image/jpeg"),
    (samples.png(with_gps=True), "anh.jpg", "image/png", "image/png"),
    (samples.gif(with_xmp=True), "anh.jpg", "image/gif", "image/png"),  # a GIF becomes a PNG of its first frame
    (samples.webp(with_exif=True), "anh.jpg", "image/webp", "image/webp"),
    (samples.heic(), "anh.jpg", "image/heic", "image/jpeg"),  # a HEIC becomes a JPEG
], ids=["jpeg", "jpeg-gps", "png", "gif", "webp", "heic"])
def test_images_are_typed_by_content_and_stored_re_encoded_and_hashed(store, data, name, received, content_type):
    stored = upload(store, data, name)

    kept = b"".join(store.open_chunks(f"intake/{stored.media_id}", 1000))
    assert (stored.received_type, stored.received_bytes) == (received, len(data))
    assert stored.content_type == content_type and not stored.quarantined
    assert stored.size_bytes == len(kept) and stored.sha256 == hashlib.sha256(kept).hexdigest()
    assert kept != data and is_valid(kept, content_type)
    assert decoded(kept).size == decoded(data).size if received != "image/heic" else decoded(kept).size == (64, 48)
    assert not any(marker in kept for marker in LOCATION_MARKERS)
    assert stored.filename == name and stored.public_key is None
    assert files_in(store) == [store.root / "intake" / stored.media_id]


def test_the_type_is_known_across_tiny_chunks(store):
    data = samples.webp(with_exif=True)
    stored = receive(store, "intake", "a", (data[i:i + 1] for i in range(len(data))), 1 * MiB)
    assert stored.content_type == "image/webp" and stored.received_bytes == len(data)


def test_a_large_image_spooled_to_disk_is_checked(store):
    data = samples.jpeg(with_gps=True, size=9 * MiB)  # more than the spool keeps in memory
    stored = upload(store, data, public_copy_key="public/{media_id}")
    assert stored.received_bytes == 9 * MiB and stored.size_bytes < 2000  # the padding is gone
    public = (store.root / "public" / stored.media_id).read_bytes()
    assert decoded(public).size == (8, 8) and not any(marker in public for marker in LOCATION_MARKERS)


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
    assert upload(store, samples.jpeg(size=3 * MiB), limits=limits).received_bytes == 3 * MiB


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
    stored = upload(store, mpf)
    assert stored.received_bytes == len(mpf)
    kept = (store.root / "intake" / stored.media_id).read_bytes()
    assert kept.count(b"\xff\xd8") == 1 and kept.endswith(b"\xff\xd9")  # the further images are not kept
    disguised(store, JPEG + b"\x00" * (JPEG_TRAILING_TOLERANCE + 1))
    disguised(store, JPEG + b"\xff\xd8" + a_zip(5000))  # pretends to be a further image


def test_other_files_with_data_after_their_end_are_refused(store):
    disguised(store, PNG + b"\x00")
    disguised(store, PNG + a_zip(3000))
    disguised(store, samples.gif() + a_zip(100))
    webp = samples.webp()
    disguised(store, webp + a_zip(100))  # the RIFF size no longer matches: data after the container
    disguised(store, samples.pdf() + a_zip(100))


# -- re-encoding: nothing but pixels ---------------------------------------------------------------

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def test_a_jpeg_is_re_encoded_without_exif_xmp_iptc_or_comments():
    assert all(marker in JPEG for marker in (b"Exif", b"GPS", b"\x88\x25", b"Photoshop 3.0"))
    icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01" + b"\x11" * 40)  # not a usable profile: dropped
    others = [segment(0xE2, b"MPF\0" + b"\x22" * 20), segment(0xEB, b"JP\x00\x11" + b"c2pa GPS"),
              segment(0xE3, b"META\0\0MM\0*" + b"\x88\x25"), segment(0xFE, b"GPS 11.31N " + HTML),
              segment(0xE1, b"Exif\0\0" + samples.exif_tiff()), segment(0xED, b"Photoshop 3.0\0")]
    for original in (JPEG, jpeg_with(icc, *others) + samples.jpeg(with_gps=True)):
        copy = reencoded(original, "image/jpeg")
        assert not any(marker in copy for marker in (*LOCATION_MARKERS, b"ICC_PROFILE", b"MPF", b"<html", b"c2pa"))
        assert [m for m, _, _ in _segments(copy) if 0xE1 <= m <= 0xEF or m == 0xFE] == []
        assert decoded(copy).size == (8, 8) and copy.count(b"\xff\xd8") == 1


def _segments(data: bytes):
    from runtime.media import _jpeg_segments

    return list(_jpeg_segments(io.BytesIO(data), 0, len(data)))


def test_a_png_webp_or_gif_is_re_encoded_without_its_metadata():
    png = reencoded(PNG, "image/png")
    assert not any(marker in png for marker in (b"eXIf", b"tEXt", b"zTXt", b"iTXt", *LOCATION_MARKERS))
    webp = reencoded(samples.webp(with_exif=True), "image/webp")
    assert not any(marker in webp for marker in (b"EXIF", b"XMP ", *LOCATION_MARKERS))
    assert struct.unpack("<I", webp[4:8])[0] == len(webp) - 8 and is_valid(webp, "image/webp")
    gif = reencoded(samples.gif(with_xmp=True), "image/gif", "image/png")
    assert gif.startswith(b"\x89PNG") and not any(marker in gif for marker in LOCATION_MARKERS)
    assert decoded(gif).size == (1, 1)


def test_pixels_and_transparency_survive_re_encoding():
    rgba = Image.new("RGBA", (4, 4), (10, 200, 30, 0))
    rgba.putpixel((0, 0), (250, 0, 0, 255))
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    back = decoded(reencoded(out.getvalue(), "image/png"))
    assert back.mode == "RGBA" and back.getpixel((0, 0)) == (250, 0, 0, 255) and back.getpixel((3, 3))[3] == 0
    sixteen = Image.new("I;16", (3, 3), 40000)
    out = io.BytesIO()
    sixteen.save(out, format="PNG")
    assert decoded(reencoded(out.getvalue(), "image/png")).getpixel((1, 1)) == 40000  # 16 bits a sample kept


def test_exif_orientation_is_applied_before_the_metadata_goes():
    # Orientation 6: the camera was turned; the picture is shown rotated 90° clockwise.
    upright = decoded(samples.photo(width=40, height=20, orientation=6)).transpose(Image.Transpose.ROTATE_270)
    copy = decoded(reencoded(samples.photo(width=40, height=20, orientation=6), "image/jpeg"))
    assert copy.size == upright.size == (20, 40)
    assert copy.getexif().get(0x0112) is None and not copy.info.get("exif")
    red, blue = copy.getpixel((15, 5)), copy.getpixel((5, 35))  # top right red, bottom left blue
    assert red[0] > 150 and red[2] < 100 and blue[2] > 150 and blue[0] < 100


def test_a_heic_photo_becomes_a_jpeg_without_its_exif():
    data = samples.heic(with_gps=True)
    assert b"Exif" in data
    copy = reencoded(data, "image/heic", "image/jpeg")
    assert copy.startswith(b"\xff\xd8") and decoded(copy).size == (64, 48)
    assert not any(marker in copy for marker in LOCATION_MARKERS)


@pytest.mark.parametrize("data, content_type", [
    (samples.mp4(), "video/mp4"), (samples.webm(), "video/webm"), (samples.pdf(), "application/pdf"),
])
def test_video_and_pdf_cannot_be_re_encoded(data, content_type):
    with pytest.raises(ValueError):
        reencode(io.BytesIO(data), content_type, io.BytesIO())


def test_an_image_its_decoder_refuses_is_refused():
    with pytest.raises(InvalidArgument) as err:
        reencode(io.BytesIO(JPEG[:200]), "image/jpeg", io.BytesIO())
    assert "damaged" in err.value.violations[0].en
    garbled = bytearray(samples.photo(width=64, height=64, with_gps=False))
    start = garbled.index(b"\xff\xda")
    garbled[start + 20:start + 60] = b"\xff\x00" * 20  # entropy-coded data nonsense
    out = io.BytesIO()
    try:
        reencode(io.BytesIO(bytes(garbled)), "image/jpeg", out)  # libjpeg may repair what it can...
    except InvalidArgument:
        pass  # ...or give up: either way nothing but pixels comes out
    assert b"Exif" not in out.getvalue()


# -- receive() with a public copy -------------------------------------------------------------------

@pytest.mark.parametrize("data", [JPEG, PNG, samples.webp(with_exif=True), samples.gif(with_xmp=True)],
                         ids=["jpeg", "png", "webp", "gif"])
def test_receive_stores_the_re_encoded_image_as_original_and_public_copy(store, data):
    stored = upload(store, data, public_copy_key="public/{media_id}")

    assert stored.public_key == f"public/{stored.media_id}" and not stored.quarantined
    original = (store.root / "intake" / stored.media_id).read_bytes()
    assert hashlib.sha256(original).hexdigest() == stored.sha256 and len(original) == stored.size_bytes
    public = (store.root / stored.public_key).read_bytes()
    assert public == original and is_valid(public, stored.content_type)
    assert not any(marker in original for marker in LOCATION_MARKERS)
    assert len(files_in(store)) == 2


def test_html_in_a_jpeg_comment_is_not_kept_in_the_stored_original(store):
    data = samples.photo(comment=HTML)
    assert HTML in data and b"\xff\xfe" in data
    stored = upload(store, data, public_copy_key="public/{media_id}")
    for key in (f"intake/{stored.media_id}", stored.public_key):
        kept = (store.root / key).read_bytes()
        assert b"<html" not in kept and b"script" not in kept
        assert 0xFE not in [m for m, _, _ in _segments(kept)]  # no COM segment at all
        assert not any(marker in kept for marker in LOCATION_MARKERS)  # nor the photo's GPS


def test_html_in_a_png_text_chunk_is_not_kept(store):
    stored = upload(store, samples.photo(comment=HTML, fmt="PNG"))
    kept = (store.root / "intake" / stored.media_id).read_bytes()
    assert b"<html" not in kept and b"tEXt" not in kept and b"eXIf" not in kept


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


def test_a_photo_keeps_its_orientation_and_loses_its_gps_when_stored(store):
    stored = upload(store, samples.photo(width=40, height=20, orientation=8))
    kept = (store.root / "intake" / stored.media_id).read_bytes()
    assert decoded(kept).size == (20, 40) and b"GPS" not in kept and b"Exif" not in kept


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

EICAR = samples.EICAR


def test_html_or_a_test_virus_after_a_jpeg_end_is_refused_and_nothing_stored(store):
    disguised(store, JPEG + HTML)
    disguised(store, JPEG + EICAR)
    disguised(store, JPEG + b"\x00" * 10 + b"<?php system($_GET['c']); ?>")
    disguised(store, samples.photo() + HTML)
    disguised(store, samples.pdf() + HTML)  # a PDF may end with white space only
    assert files_in(store) == []
    assert upload(store, JPEG + b"\x00\xff" * 20).content_type == "image/jpeg"  # camera padding
    assert upload(store, samples.pdf() + b"\r\n \x00").content_type == "application/pdf"


def forbid_decoding(monkeypatch) -> None:
    """From now on, fail the test if Pillow decodes any pixel."""
    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", load)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", load)


def test_the_testers_20000_by_20000_png_is_refused_before_it_is_decoded(store, monkeypatch):
    import time

    bomb = samples.png_bomb(20000, 20000)
    forbid_decoding(monkeypatch)
    assert len(bomb) < 50_000  # 48 KB on disk, 400 megapixels
    started = time.monotonic()
    v = refused(store, bomb)
    assert time.monotonic() - started < 2
    assert v.vi == "Ảnh quá lớn (tối đa 50 triệu điểm ảnh, mỗi chiều 16.384 điểm ảnh)"
    assert v.en == "the image is too large (50 megapixels and 16,384 pixels a side at most)"


def test_pixel_limits_are_the_configured_ones_for_every_image_type(store, monkeypatch):
    rules = ImageRules(max_pixels=1000, max_side=40)
    gif = samples.gif()
    files = [samples.png(width=32, height=32), samples.photo(width=32, height=32),
             samples.photo(width=41, height=2, fmt="PNG"),
             gif[:6] + struct.pack("<HH", 41, 1) + gif[10:],  # a logical screen past the side limit
             gif.replace(b",\x00\x00\x00\x00\x01\x00\x01\x00", b",\x00\x00\x00\x00\x01\x00\x29\x00")]  # a frame past it
    for lossless in (True, False):
        out = io.BytesIO()
        Image.new("RGB", (41, 1)).save(out, format="WEBP", lossless=lossless)
        files.append(out.getvalue())
    forbid_decoding(monkeypatch)
    for data in files:
        v = refused(store, data, images=rules)
        assert v.en == "the image is too large (0.001 megapixels and 40 pixels a side at most)"


def test_pillow_s_own_bomb_guard_refuses_too(monkeypatch):
    """Past the structural check (bypassed here), reencode() refuses from Pillow's header read."""
    with pytest.raises(InvalidArgument) as err:
        reencode(io.BytesIO(samples.png_bomb(9000, 9000)), "image/png", io.BytesIO())
    assert "too large" in err.value.violations[0].en
    from PIL import Image as PILImage

    monkeypatch.setattr("runtime.media._check_pixels", lambda *a: None)
    with pytest.raises(InvalidArgument) as err:  # 81 megapixels: DecompressionBombWarning, an error here
        reencode(io.BytesIO(samples.png_bomb(9000, 9000)), "image/png", io.BytesIO())
    assert "too large" in err.value.violations[0].en
    assert PILImage.MAX_IMAGE_PIXELS == ImageRules().max_pixels


@pytest.mark.slow
def test_the_bomb_is_refused_in_bounded_memory(tmp_path):
    script = textwrap.dedent("""
        import resource, sys
        from pathlib import Path
        from runtime.errors import InvalidArgument
        from runtime.media import LocalMediaStore, receive
        from tests.media_samples import png_bomb

        bomb = png_bomb(20000, 20000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            receive(LocalMediaStore(Path(sys.argv[1])), "intake", "bomb.png", [bomb], 100 * 1024 * 1024)
        except InvalidArgument:
            print("refused", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "media")], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    verdict, grown_kib = done.stdout.split()
    assert verdict == "refused" and int(grown_kib) < 20 * 1024


# -- the virus scan hook (a real clamd: tests/integration/test_media_scan.py) ----------------------

class FakeScanner:
    def __init__(self, answer=None, error: Exception | None = None):
        self.answer, self.error, self.scanned = answer, error, []

    def scan(self, source, size):
        self.scanned.append(source.read())
        if self.error is not None:
            raise self.error
        return self.answer


def test_every_upload_is_scanned_as_received_before_it_is_stored(store):
    scanner = FakeScanner()
    for data in (JPEG, samples.pdf(), samples.mp4()):
        upload(store, data, scanner=scanner)
    assert scanner.scanned == [JPEG, samples.pdf(), samples.mp4()]


def test_a_file_the_scanner_flags_is_refused_and_nothing_stored(store):
    v = refused(store, samples.pdf(), scanner=FakeScanner("Win.Test.EICAR_HDB-1"))
    assert v.vi == "Tệp chứa mã độc (virus) và bị từ chối"
    assert v.en == "the file contains malware (a virus) and is refused"
    v = refused(store, samples.pdf(), scanner=FakeScanner(error=FileTooLargeToScan("big")))
    assert "too large to be scanned" in v.en


def test_a_scanner_that_cannot_scan_refuses_the_upload_as_unavailable(store):
    with pytest.raises(Unavailable) as err:
        upload(store, JPEG, name="secret-name.jpg", scanner=FakeScanner(error=ScannerUnavailable("down")))
    assert err.value.vi and "try again later" in err.value.en and "secret-name" not in err.value.en
    assert files_in(store) == []


def test_the_image_and_scan_settings_are_checked():
    from runtime.config import ConfigError, load

    config = load(environ={}, overrides={"media.image_max_megapixels": 12, "media.image_max_side": 8000,
                                         "media.jpeg_quality": 80, "scan.clamd": "unix:/run/clamav/clamd.ctl"})
    assert ImageRules.from_config(config.media) == ImageRules(12_000_000, 8000, 80)
    assert load(environ={}).scan.clamd == ""  # off by default (the embedded mode)
    for bad in ({"scan.clamd": "/run/clamav/clamd.ctl"}, {"scan.clamd": "tcp:nohost"}, {"media.jpeg_quality": 100},
                {"media.image_max_megapixels": 0}, {"scan.timeout_seconds": 0}):
        with pytest.raises(ConfigError):
            load(environ={}, overrides=bad)
