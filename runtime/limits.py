"""Every request field's limits, in one place, checked before any I/O (docs/limits.md).

The gRPC server checks every unary request message against these rules before the handler runs
(`runtime/grpc_server.py`): a string longer than its limit, a string holding NUL or another control
character, a timestamp outside what can be stored, or a repeated field with too many items is
refused with INVALID_ARGUMENT — at most one violation per field, and never the offending value.
The rules go by field name, so a new field is covered the day it is added; `RULES` is the table,
and the store's column sizes use the same constants (`ID`, `IDEMPOTENCY`, `OPERATOR`, …).

The services' own validation (Đ6.2–6.3 required content, formats, places) runs after this, on
requests that are already of a sane size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from runtime.errors import Violation

# Sizes shared with the stores' columns.
UUID = 36               # ids the platform makes: cases, assignments, media, deliveries, …
ID = 64                 # other ids: units (chosen by the administrator), categories
KIND = 32               # short kinds: rework kind, addressee kind, template
IDEMPOTENCY = 256       # request_id, external_id
IDEMPOTENCY_KEY = 300   # the key stored: "req:<request_id>" or "<channel>:<external_id>"
OPERATOR = 120          # operator and actor ids
TRACKING_CODE = 16
WARD_CODE = 16
CODE = 64               # category, reason and other codes
NAME = 200              # a person's full name
TITLE = 300             # a unit's name, a leader's title, a requesting body
EMAIL = 254             # RFC 5321: a path of 256 octets with its angle brackets
EMAIL_LOCAL = 64        # RFC 5321 §4.5.3.1.1
PHONE = 32
ADDRESS = 500
CONTENT = 10_000        # a case's content (Đ6.2), an answer, a reply
TEXT = 10_000           # any other free text (reasons, notes) unless its service says less
STRING = 1_000          # any other string
REPEATED = 100          # any repeated field unless said otherwise
MEDIA_IDS = 10          # media of one case (intake.case_max_files, Đ6.2); the configured limit wins
MAX_VIOLATIONS = 50     # the rest are summed up in one more: a status must fit in a gRPC trailer
VIOLATION_BYTES = 3_500  # their text in all, which base64 makes about 4.7 KiB in the trailer

# Protobuf Timestamp's own range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_TS_MIN, _TS_MAX = -62_135_596_800, 253_402_300_799


@dataclass(frozen=True)
class Rule:
    max_length: int
    free_text: bool = False  # newlines and tabs allowed
    what_vi: str = "giá trị"
    what_en: str = "value"


# By field name: the first pattern that matches the field's own name gives its rule.
RULES: list[tuple[re.Pattern[str], Rule]] = [(re.compile(p), r) for p, r in [
    (r"^(request_id|external_id)$", Rule(IDEMPOTENCY, what_vi="mã yêu cầu", what_en="request id")),
    (r"^(operator_id|actor|actor_id|approver_id|officer_id)$", Rule(OPERATOR, what_vi="mã người thực hiện",
                                                                     what_en="actor id")),
    (r"^tracking_code$", Rule(TRACKING_CODE, what_vi="mã số theo dõi", what_en="tracking code")),
    (r"^contact$", Rule(EMAIL, what_vi="số điện thoại hoặc thư điện tử", what_en="phone or e-mail")),
    (r"^sha256$", Rule(CODE, what_vi="mã băm", what_en="hash")),
    (r"^(filename|document_number|page_token)$", Rule(NAME, what_vi="giá trị", what_en="value")),
    (r"^query$", Rule(ADDRESS, what_vi="từ khóa tìm kiếm", what_en="search query")),
    (r"^mapped_from$", Rule(TITLE, what_vi="đơn vị cũ", what_en="former unit")),
    (r"^ward_code$", Rule(WARD_CODE, what_vi="mã xã, phường", what_en="ward code")),
    (r"^(case|media|evidence_media|delivery|owner|rework|reply|disclosure|work_item|result)_ids?$",
     Rule(UUID, what_vi="mã", what_en="id")),
    (r"(^|_)ids?$", Rule(ID, what_vi="mã", what_en="id")),
    (r"(^|_)kind$", Rule(KIND, what_vi="loại", what_en="kind")),
    (r"^ward_name$", Rule(NAME, what_vi="tên xã, phường", what_en="ward name")),
    (r"(^|_)(code|type|status|template|locale|channel_name)$", Rule(CODE, what_vi="mã", what_en="code")),
    (r"^email$|_email$", Rule(EMAIL, what_vi="địa chỉ thư điện tử", what_en="e-mail address")),
    (r"^phone$|_phone$", Rule(PHONE, what_vi="số điện thoại", what_en="phone number")),
    (r"^full_name$", Rule(NAME, what_vi="họ tên", what_en="name")),
    (r"(^|_)(name|title|body)$|^requesting_body$", Rule(TITLE, what_vi="tên", what_en="name")),
    (r"address$", Rule(ADDRESS, free_text=True, what_vi="địa chỉ", what_en="address")),
    (r"^(content|answer|text|reply|message)$|_(content|answer|text)$",
     Rule(CONTENT, free_text=True, what_vi="nội dung", what_en="content")),
    (r"(reason|note|notes|comment|summary|description|obstacles|proposals|explanation)s?$",
     Rule(TEXT, free_text=True, what_vi="nội dung", what_en="text")),
]]
DEFAULT = Rule(STRING, what_vi="giá trị", what_en="value")

# Repeated fields with a smaller bound than REPEATED.
REPEATED_LIMITS: dict[str, int] = {"media_ids": MEDIA_IDS, "evidence_media_ids": MEDIA_IDS}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f]")


def rule_for(name: str) -> Rule:
    for pattern, rule in RULES:
        if pattern.search(name):
            return rule
    return DEFAULT


def check(message: Message, media_ids: int = MEDIA_IDS) -> list[Violation]:
    """Every violation of `message` and the messages inside it, at most one per field."""
    out: dict[str, Violation] = {}
    for violation in _walk(message, "", media_ids):
        out.setdefault(violation.field, violation)
    return list(out.values())


def _walk(message: Message, prefix: str, media_ids: int) -> Iterator[Violation]:
    if message.DESCRIPTOR.full_name == "google.protobuf.Timestamp":
        problem = timestamp_problem(message)
        if problem:
            yield Violation(prefix.rstrip("."), *problem)
        return
    for field, value in message.ListFields():
        path = prefix + field.name
        if field.is_repeated:
            limit = REPEATED_LIMITS.get(field.name, REPEATED)
            if field.name in ("media_ids", "evidence_media_ids"):
                limit = media_ids
            if len(value) > limit:
                yield Violation(path, f"Quá nhiều mục (tối đa {limit})", f"too many items ({limit} at most)")
                continue
            for i, item in enumerate(value):
                yield from _one(field, item, f"{path}[{i}]", media_ids)
        else:
            yield from _one(field, value, path, media_ids)


def _one(field: FieldDescriptor, value, path: str, media_ids: int) -> Iterator[Violation]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.GetOptions().map_entry:
            return
        yield from _walk(value, path + ".", media_ids)
    elif field.type == FieldDescriptor.TYPE_STRING:
        problem = string_problem(value, rule_for(field.name))
        if problem:
            yield Violation(path, *problem)


def string_problem(value: str, rule: Rule) -> tuple[str, str] | None:
    """(vi, en) when `value` breaks `rule`; never quotes the value."""
    if len(value) > rule.max_length:
        return (f"{rule.what_vi.capitalize()} quá dài (tối đa {rule.max_length:,} ký tự)".replace(",", "."),
                f"{rule.what_en} is too long ({rule.max_length:,} characters at most)")
    if (_CONTROL if rule.free_text else _CONTROL_OR_SPACE).search(value):
        return (f"{rule.what_vi.capitalize()} chứa ký tự điều khiển không được phép",
                f"{rule.what_en} contains a control character that is not allowed")
    if rule.max_length == EMAIL and "@" in value and len(value.rsplit("@", 1)[0]) > EMAIL_LOCAL:
        return (f"Phần trước @ của địa chỉ thư điện tử quá dài (tối đa {EMAIL_LOCAL} ký tự)",
                f"the part before @ is too long ({EMAIL_LOCAL} characters at most)")
    return None


def timestamp_problem(ts: Message) -> tuple[str, str] | None:
    if not (_TS_MIN <= ts.seconds <= _TS_MAX) or not (0 <= ts.nanos <= 999_999_999):
        return ("Thời điểm không hợp lệ", "the timestamp is out of range")
    return None


def cap(violations: list[Violation]) -> list[Violation]:
    """One per field, and few enough that the status fits in a gRPC trailer (8 KiB, base64-encoded):
    at most MAX_VIOLATIONS and VIOLATION_BYTES in all; the rest are counted in a last one."""
    seen: dict[str, Violation] = {}
    for v in violations:
        seen.setdefault(v.field, v)
    unique = list(seen.values())
    kept: list[Violation] = []
    size = 0
    for v in unique:
        # Each is carried as "vi / en" and again as the Vietnamese localized message.
        cost = len(v.field) + 2 * len(v.vi.encode()) + len(v.en) + 40
        if len(kept) == MAX_VIOLATIONS - 1 or size + cost > VIOLATION_BYTES:
            break
        kept.append(v)
        size += cost
    if len(kept) == len(unique):
        return kept
    rest = len(unique) - len(kept)
    return kept + [Violation("", f"Và {rest} lỗi khác", f"and {rest} more problems")]


def table_markdown() -> str:
    """The rules as docs/limits.md shows them (a test keeps that file current)."""
    lines = ["| field name (pattern) | at most | newlines allowed |", "|---|---|---|"]
    for pattern, rule in RULES:
        shown = pattern.pattern.replace("|", "\\|")
        lines.append(f"| `{shown}` | {rule.max_length:,} characters | {'yes' if rule.free_text else 'no'} |")
    lines.append(f"| any other string | {DEFAULT.max_length:,} characters | no |")
    lines.append(f"| `media_ids`, `evidence_media_ids` | `intake.case_max_files` items ({MEDIA_IDS} by default) | |")
    lines.append(f"| any other repeated field | {REPEATED} items | |")
    return "\n".join(lines) + "\n"
