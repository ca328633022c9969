"""Small, real media files for the tests that upload media.

Most are built byte by byte, so that every segment and chunk is known: a JPEG (optionally with an Exif
APP1 holding GPS tags, an XMP APP1 and an APP13 IPTC block, all built here by hand), a PNG (eXIf,
tEXt and iTXt when asked), a GIF, a WebP, an MP4 (ftyp + mdat, also as a stream of chunks), a PDF and a
WebM header; `runtime.media.validate_structure` accepts each of them. Where a `size` is given the
result has exactly that many bytes. `photo()` and `heic()` are made with Pillow (and pillow-heif): a
camera-like picture with Exif (orientation, GPS) and whatever else a test wants inside it;
`png_bomb()` declares a huge canvas in a few kilobytes.
"""

from __future__ import annotations

import struct
import zlib
from typing import Iterator

# Where the sample photos were "taken": Tây Ninh (11°18'36" N, 106°5'52.8" E).
LATITUDE = ((11, 1), (18, 1), (36, 1))
LONGITUDE = ((106, 1), (5, 1), (528, 10))
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="11,18.6N" '
       b'exif:GPSLongitude="106,5.88E"/></rdf:RDF></x:xmpmeta>')
GPS_IFD_TAG = 0x8825


# -- Exif (TIFF) -----------------------------------------------------------------------------------

def _ifd(entries: list[tuple[int, int, int, bytes]], at: int) -> bytes:
    """A big-endian TIFF IFD placed at offset `at`, followed by the values that do not fit in 4 bytes."""
    data_at = at + 2 + 12 * len(entries) + 4
    head, data = struct.pack(">H", len(entries)), b""
    for tag, kind, count, value in sorted(entries):
        if len(value) <= 4:
            field = value.ljust(4, b"\0")
        else:
            field = struct.pack(">I", data_at + len(data))
            data += value + b"\0" * (len(value) % 2)
        head += struct.pack(">HHI", tag, kind, count) + field
    return head + struct.pack(">I", 0) + data


def _rationals(values: tuple[tuple[int, int], ...]) -> bytes:
    return b"".join(struct.pack(">II", n, d) for n, d in values)


def exif_tiff(with_gps: bool = True) -> bytes:
    """TIFF-structured Exif data: IFD0 with Make and, when asked, a GPS IFD (tag 0x8825) with a position."""
    make = (0x010F, 2, 9, b"PAKN-CAM\0")
    if not with_gps:
        return b"MM\0*" + struct.pack(">I", 8) + _ifd([make], 8)
    ifd0_length = len(_ifd([make, (GPS_IFD_TAG, 4, 1, b"\0" * 4)], 8))
    gps_at = 8 + ifd0_length
    ifd0 = _ifd([make, (GPS_IFD_TAG, 4, 1, struct.pack(">I", gps_at))], 8)
    gps = _ifd([
        (0x0000, 1, 4, bytes([2, 3, 0, 0])),  # GPSVersionID
        (0x0001, 2, 2, b"N\0"), (0x0002, 5, 3, _rationals(LATITUDE)),
        (0x0003, 2, 2, b"E\0"), (0x0004, 5, 3, _rationals(LONGITUDE)),
    ], gps_at)
    return b"MM\0*" + struct.pack(">I", 8) + ifd0 + gps


# -- JPEG --------------------------------------------------------------------------------------------

def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _iptc_city(city: bytes) -> bytes:
    """A Photoshop image resource block (8BIM 0x0404) holding IPTC record 2: version and City."""
    iptc = b"\x1c\x02\x00\x00\x02\x00\x04" + b"\x1c\x02\x5a" + struct.pack(">H", len(city)) + city
    iptc += b"\0" * (len(iptc) % 2)
    return b"Photoshop 3.0\0" + b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iptc)) + iptc


def _jpeg_padding(remaining: int) -> bytes:
    """COM segments of exactly `remaining` bytes."""
    out = b""
    while remaining:
        n = min(remaining, 65537)
        if 0 < remaining - n < 4:
            n -= 4
        if n < 4:
            raise ValueError("size too small for this JPEG")
        out += _segment(0xFE, b"\0" * (n - 4))
        remaining -= n
    return out


def jpeg(with_gps: bool = False, size: int | None = None) -> bytes:
    """An 8×8 grey baseline JPEG that decoders display; with `with_gps`, Exif (GPS IFD), XMP and IPTC segments
    follow APP0. Without padding, a public copy of jpeg(with_gps=True) is byte for byte jpeg()."""
    head = b"\xff\xd8" + _segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if with_gps:
        head += _segment(0xE1, b"Exif\0\0" + exif_tiff(with_gps=True))
        head += _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + XMP)
        head += _segment(0xED, _iptc_city(b"Tay Ninh"))
    tables = (_segment(0xDB, b"\x00" + b"\x01" * 64)  # quantisation table 0
              + _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")  # 8-bit, 8×8, one component
              + _segment(0xC4, b"\x00" + b"\x01" + b"\0" * 15 + b"\x00")  # DC table 0: one 1-bit code, category 0
              + _segment(0xC4, b"\x10" + b"\x01" + b"\0" * 15 + b"\x00"))  # AC table 0: one 1-bit code, EOB
    scan = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x3f" + b"\xff\xd9"  # DC 0, EOB, padding 1s; EOI
    data = head + tables + scan
    if size is not None:
        data = head + tables + _jpeg_padding(size - len(data)) + scan
    return data


# -- PNG ---------------------------------------------------------------------------------------------

def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(with_gps: bool = False, size: int | None = None, width: int = 2, height: int = 2) -> bytes:
    """A grey PNG; with `with_gps`, eXIf (GPS IFD), tEXt and iTXt (XMP) chunks follow IHDR. Without padding,
    a public copy of png(with_gps=True) is byte for byte png()."""
    head = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    meta = b""
    if with_gps:
        meta = (png_chunk(b"eXIf", exif_tiff(with_gps=True))
                + png_chunk(b"tEXt", b"Comment\0GPS 11.31N 106.098E")
                + png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + XMP))
    rows = b"".join(b"\x00" + bytes([0x80]) * width for _ in range(height))
    tail = png_chunk(b"pHYs", struct.pack(">IIB", 3780, 3780, 1)) + png_chunk(b"IDAT", zlib.compress(rows))
    tail += png_chunk(b"IEND", b"")
    data = head + meta + tail
    if size is not None:
        pad = size - len(data) - 12 - len(b"Comment\0")
        if pad < 0:
            raise ValueError("size too small for this PNG")
        data = head + meta + png_chunk(b"tEXt", b"Comment\0" + b" " * pad) + tail
    return data


# -- GIF ---------------------------------------------------------------------------------------------

def _sub_blocks(data: bytes) -> bytes:
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\0"


def gif(with_xmp: bool = False) -> bytes:
    """A 1×1 GIF89a; with `with_xmp`, an XMP application extension and a comment extension."""
    head = b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00" + b"\xff\xff\xff\x00\x00\x00"
    meta = b""
    if with_xmp:
        meta = b"!\xff\x0bXMP DataXMP" + _sub_blocks(XMP) + b"!\xfe" + _sub_blocks(b"GPS 11.31N 106.098E")
    looping = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    image = b"!\xf9\x04\x01\x00\x00\x00\x00" + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00" + b"\x02\x02D\x01\x00"
    return head + looping + meta + image + b";"


# -- WebP --------------------------------------------------------------------------------------------

_VP8L_1X1 = b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"  # lossless 1×1 bitstream (padded)


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)


def webp(with_exif: bool = False) -> bytes:
    """An extended (VP8X) 1×1 lossless WebP; with `with_exif`, EXIF (GPS IFD) and XMP chunks and their flags.
    A public copy of webp(with_exif=True) is byte for byte webp()."""
    flags = 0x10 | (0x08 | 0x04 if with_exif else 0)  # alpha; EXIF, XMP
    body = _riff_chunk(b"VP8X", bytes([flags, 0, 0, 0]) + b"\0\0\0" + b"\0\0\0")  # canvas 1×1
    body += b"VP8L" + struct.pack("<I", 13) + _VP8L_1X1
    if with_exif:
        body += _riff_chunk(b"EXIF", exif_tiff(with_gps=True)) + _riff_chunk(b"XMP ", XMP)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


# -- MP4 ---------------------------------------------------------------------------------------------

_FTYP = struct.pack(">I4s4sI", 28, b"ftyp", b"isom", 0x200) + b"isomiso2mp41"


def mp4_chunks(size: int = 4096, chunk_bytes: int = 1024 * 1024) -> Iterator[bytes]:
    """An MP4 (ftyp, then one mdat box up to the end) of exactly `size` bytes, as a stream of chunks;
    a 64-bit mdat size past 4 GiB. Memory stays at one chunk whatever the size."""
    payload = size - len(_FTYP) - 8
    if payload < 0:
        raise ValueError("size too small for an MP4")
    if payload + 8 <= 0xFFFFFFFF:
        header = struct.pack(">I4s", payload + 8, b"mdat")
    else:
        payload -= 8
        header = struct.pack(">I4sQ", 1, b"mdat", payload + 16)
    yield _FTYP + header
    block = bytes(range(256)) * (chunk_bytes // 256) or b"\0"
    while payload > 0:
        part = block if payload >= len(block) else block[:payload]
        payload -= len(part)
        yield part


def mp4(size: int = 4096) -> bytes:
    return b"".join(mp4_chunks(size))


# -- PDF ---------------------------------------------------------------------------------------------

def pdf(size: int | None = None) -> bytes:
    """A one-page empty A4 PDF with a correct cross-reference table (padded with a comment to `size`)."""
    data = _pdf(None)
    if size is not None:
        pad = size - len(data) - 2
        data = _pdf(pad)
        data = _pdf(pad - (len(data) - size))  # the startxref offset may have gained digits
        if len(data) != size:
            raise ValueError("size too small for this PDF")
    return data


def _pdf(pad: int | None) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    if pad is not None:
        if pad < 0:
            raise ValueError("size too small for this PDF")
        out += b"%" + b" " * pad + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


# -- WebM --------------------------------------------------------------------------------------------

def _ebml(element: bytes, data: bytes) -> bytes:
    assert len(data) < 127
    return element + bytes([0x80 | len(data)]) + data


def webm(doctype: bytes = b"webm") -> bytes:
    """An EBML header (DocType `doctype`) and a Segment holding an Info element."""
    header = (_ebml(b"\x42\x86", b"\x01") + _ebml(b"\x42\xf7", b"\x01") + _ebml(b"\x42\xf2", b"\x04")
              + _ebml(b"\x42\xf3", b"\x08") + _ebml(b"\x42\x82", doctype) + _ebml(b"\x42\x87", b"\x04")
              + _ebml(b"\x42\x85", b"\x02"))
    info = _ebml(b"\x15\x49\xa9\x66", _ebml(b"\x2a\xd7\xb1", b"\x0f\x42\x40"))  # TimecodeScale 1 ms
    return _ebml(b"\x1a\x45\xdf\xa3", header) + _ebml(b"\x18\x53\x80\x67", info)


# -- made with Pillow --------------------------------------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _picture(width: int, height: int):
    """A picture whose top-left quarter is red and the rest blue: which way is up can be told."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (20, 40, 200))
    image.paste((220, 30, 30), (0, 0, max(1, width // 2), max(1, height // 2)))
    return image


def _exif(orientation: int, with_gps: bool):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PAKN-CAM"  # Make
    exif[0x0112] = orientation
    if with_gps:
        exif[GPS_IFD_TAG] = {1: "N", 2: (11.0, 18.0, 36.0), 3: "E", 4: (106.0, 5.0, 52.8)}
    return exif


def photo(width: int = 64, height: int = 48, orientation: int = 1, with_gps: bool = True,
          comment: bytes | None = None, fmt: str = "JPEG") -> bytes:
    """A photo as a phone writes it: Exif with an orientation and (when asked) a GPS position; with
    `comment`, a JPEG COM segment (or a PNG tEXt chunk) holding it."""
    import io

    from PIL import PngImagePlugin

    out = io.BytesIO()
    params: dict = {"exif": _exif(orientation, with_gps).tobytes()}
    if fmt == "JPEG":
        params["quality"] = 95
        if comment is not None:
            params["comment"] = comment
    elif comment is not None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", comment.decode("latin-1"))
        params["pnginfo"] = info
    _picture(width, height).save(out, format=fmt, **params)
    return out.getvalue()


def heic(width: int = 64, height: int = 48, with_gps: bool = True) -> bytes:
    """A HEIC photo (pillow-heif's encoder) with Exif and GPS."""
    import io

    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(_picture(width, height)).save(out, format="HEIF", quality=90,
                                                         exif=_exif(1, with_gps).tobytes())
    return out.getvalue()


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid black-and-white PNG of `width` × `height` pixels in a few dozen kilobytes (a decompression
    bomb: 20000 × 20000 is 400 megapixels, 48 KB on disk, more than 400 MB once decoded by Pillow).
    Built row by row: never the whole image in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then one bit a pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b""))
