"""An inbound e-mail, read into the parts of a submission. Pure functions, no I/O.

- From: the submitter's e-mail address; its display name is the full name unless the body has a
  "Họ và tên: …" line.
- Subject and text body (text/plain preferred, else text/html without its tags) are the content.
  Quoted earlier messages and the signature (after a "-- " line) are left out.
- A phone number after a label ("ĐT:", "SĐT:", "điện thoại", …) becomes the submitter's phone and is
  taken out of the content, as is the "Họ và tên" line: units never receive the contact.
- Image, video and PDF parts are the attachments; other files are listed as skipped.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser

# Intake's own limit is 200 characters; keep room for the extension.
_MAX_FILENAME = 150
# Message-ids longer than this are hashed (intake keys submissions on channel + external id).
_MAX_EXTERNAL_ID = 200


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Inbound:
    message_id: str
    sender: str
    full_name: str
    phone: str
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    # File names (or types) of parts that are not images, videos or PDFs.
    skipped: list[str] = field(default_factory=list)
    # A bounce, an auto-reply or bulk mail: never turned into a case, never answered.
    automatic: bool = False
    # The hash of the whole message: the idempotency key when there is no Message-ID.
    digest: str = ""
    # Đ6.2: where the issue is ("Địa điểm: …" line), and when the message was written (Date header).
    place: str = ""
    written_at: datetime | None = None

    @property
    def content(self) -> str:
        """The report: subject and body. An empty body is no report, whatever the subject says."""
        if not self.body:
            return ""
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body

    @property
    def external_id(self) -> str:
        mid = self.message_id
        if len(mid) > _MAX_EXTERNAL_ID:
            return "sha256:" + hashlib.sha256(mid.encode()).hexdigest()
        return mid


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


# -- the body -----------------------------------------------------------------------------------

class _HtmlText(HTMLParser):
    _BLOCK = {"p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "section"}
    _SKIP = {"script", "style", "head", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "br" or tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return _tidy("\n".join(lines))


def _tidy(text: str) -> str:
    """Strip each line's right side, squeeze blank lines, strip the whole."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return "\n".join(out).strip()


_ATTRIBUTION = re.compile(r"(wrote|viết|đã viết)\s*:\s*$", re.IGNORECASE)
_FORWARD_MARK = re.compile(r"^\s*-{2,}\s*(original message|thư gốc|forwarded message|thư chuyển tiếp)",
                           re.IGNORECASE)


def split_signature(text: str) -> tuple[str, str]:
    """(body without quoted replies, signature). The signature starts at a "-- " line."""
    body: list[str] = []
    signature: list[str] = []
    target = body
    for line in text.splitlines():
        if target is body and line.rstrip() == "--":
            target = signature
            continue
        if _FORWARD_MARK.match(line):
            break
        if line.lstrip().startswith(">"):
            # The "On …, X wrote:" line before a quote belongs to the quote.
            if target and _ATTRIBUTION.search(target[-1]):
                target.pop()
            continue
        target.append(line)
    return "\n".join(body), "\n".join(signature)


# -- contact in the text ------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<!\w)(?:số\s+)?(?:sđt|sdt|đtdđ|đt|dt|điện\s*thoại|dien\s*thoai|di\s*động|di\s*dong|tel|phone|mobile)"
    r"\s*[:：.\-]?\s*(?P<number>(?:\(?\+?84\)?|0)(?:[\s.\-]?\d){9})(?!\d)",
    re.IGNORECASE)
_NAME = re.compile(
    r"^\s*(?:họ\s*(?:và\s*)?tên|ho\s*(?:va\s*)?ten|người\s*gửi)\s*[:：]\s*(?P<name>\S.{0,98}?)\s*$",
    re.IGNORECASE)
_PLACE = re.compile(
    r"^\s*(?:địa\s*điểm|dia\s*diem|địa\s*chỉ\s*sự\s*việc|dia\s*chi\s*su\s*viec|nơi\s*xảy\s*ra|noi\s*xay\s*ra)"
    r"\s*[:：]\s*(?P<place>\S.{0,298}?)\s*$",
    re.IGNORECASE)
_LEFTOVER = re.compile(r"^[\W_]*$")


def normalise_phone(number: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx, or None when it does not look like one."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0[35789]\d{8}", digits) else None


def take_phone(lines: list[str]) -> tuple[str, list[str]]:
    """The first labelled phone number, and the lines without it."""
    for i, line in enumerate(lines):
        for m in _PHONE.finditer(line):
            phone = normalise_phone(m.group("number"))
            if phone:
                rest = (line[: m.start()] + line[m.end():]).rstrip()
                kept = lines[:i] + ([] if _LEFTOVER.match(rest) else [rest]) + lines[i + 1:]
                return phone, kept
    return "", lines


def take_place(lines: list[str]) -> tuple[str, list[str]]:
    """The place of a "Địa điểm: …" line (kept in the content too: units need it), and the lines."""
    for line in lines:
        m = _PLACE.match(line)
        if m:
            return m.group("place").strip(" ,;.-"), lines
    return "", lines


def _written_at(msg: EmailMessage) -> datetime | None:
    try:
        value = msg["Date"]
        when = getattr(value, "datetime", None)
    except (ValueError, IndexError, TypeError, AttributeError):
        return None
    return when if when is not None and when.tzinfo is not None else None


def take_name(lines: list[str]) -> tuple[str, list[str]]:
    """The name of a "Họ và tên: …" line, and the lines without it."""
    for i, line in enumerate(lines):
        m = _NAME.match(line)
        if m:
            return m.group("name").strip(" ,;.-"), lines[:i] + lines[i + 1:]
    return "", lines


# -- the message --------------------------------------------------------------------------------

def _text_of(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _media_type(part) -> str:
    """The part's type if it is an image, a video or a PDF (by type, else by file name), else ""."""
    ctype = part.get_content_type()
    if ctype in ("application/octet-stream", "binary/octet-stream"):
        ctype = mimetypes.guess_type(part.get_filename() or "")[0] or ctype
    if ctype.startswith(("image/", "video/")) or ctype == "application/pdf":
        return ctype
    return ""


def _filename(part, ctype: str, index: int) -> str:
    name = os.path.basename(nfc(part.get_filename() or "").replace("\\", "/")).strip()
    if not name:
        name = f"tep-dinh-kem-{index}{mimetypes.guess_extension(ctype) or ''}"
    if len(name) > _MAX_FILENAME:
        stem, ext = os.path.splitext(name)
        name = stem[: _MAX_FILENAME - len(ext[:20])] + ext[:20]
    return name


def _sender(msg: EmailMessage) -> tuple[str, str]:
    """(address, display name) of the From header; ("", "") when it has no usable address."""
    try:
        header = msg["From"]
        addresses = header.addresses if header is not None else ()
    except (ValueError, IndexError, TypeError, AttributeError):
        return "", ""
    for address in addresses:
        spec = (address.addr_spec or "").strip()
        if "@" in spec and not spec.startswith("@") and not spec.endswith("@"):
            name = nfc(address.display_name or "").strip()
            if "@" in name:  # "dan@example.vn" <dan@example.vn> is no name
                name = ""
            return spec, name
    return "", ""


def _automatic(msg: EmailMessage) -> bool:
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    return (auto not in ("", "no")) or precedence in ("bulk", "junk", "auto_reply")


def parse(raw: bytes) -> Inbound:
    msg = message_from_bytes(raw, policy=policy.default)
    sender, display_name = _sender(msg)
    try:
        subject = " ".join(nfc(str(msg.get("Subject", "") or "")).split())
        message_id = str(msg.get("Message-ID", "") or "").strip()
    except (ValueError, IndexError, TypeError):
        subject, message_id = "", ""

    body_part = msg.get_body(preferencelist=("plain",))
    if body_part is not None:
        text = _text_of(body_part)
    else:
        body_part = msg.get_body(preferencelist=("html",))
        text = html_to_text(_text_of(body_part)) if body_part is not None else ""
    body, signature = split_signature(nfc(text).replace("\r\n", "\n"))
    body_lines, sig_lines = body.splitlines(), signature.splitlines()

    # The signature is where a phone number most likely is the sender's own.
    phone, sig_lines = take_phone(sig_lines)
    if not phone:
        phone, body_lines = take_phone(body_lines)
    name, body_lines = take_name(body_lines)
    if not name:
        name, sig_lines = take_name(sig_lines)
    place, body_lines = take_place(body_lines)

    attachments: list[Attachment] = []
    skipped: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or part is body_part:
            continue
        ctype = _media_type(part)
        if ctype:
            data = part.get_payload(decode=True) or b""
            attachments.append(Attachment(_filename(part, ctype, len(attachments) + 1), ctype, data))
        elif part.get_content_disposition() == "attachment" or part.get_filename():
            skipped.append(_filename(part, part.get_content_type(), len(skipped) + 1))
        # else: the other rendering of the body (text/html beside text/plain), not a file.

    return Inbound(
        message_id=message_id, sender=sender, full_name=name or display_name, phone=phone, subject=subject,
        body=_tidy("\n".join(body_lines)), attachments=attachments, skipped=skipped, automatic=_automatic(msg),
        digest=hashlib.sha256(raw).hexdigest(), place=place, written_at=_written_at(msg))
