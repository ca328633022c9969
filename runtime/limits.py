"""Every request field's limits, in one place, checked before any I/O (docs/limits.md).

`FIELDS` names every string, repeated, timestamp and enum field of every request message of every
service (nested messages included) with its limit. The gRPC server checks each unary request
against it before the handler runs (`check`, called from `runtime/grpc_server.py`); upload headers
are checked by the servicers (`check` too). A string longer than its limit, a string holding NUL
or another control character (newline and tab are allowed in free text only), a timestamp outside
protobuf's range or the platform's years, or a repeated field with too many items is refused with
INVALID_ARGUMENT — at most one violation per field, never the offending value, and few enough
that the status fits in a gRPC trailer (`cap`).

The stores' columns use the same constants (`sa.String(limits.UNIT_ID)`, …), and
`tests/unit/test_limits.py` checks each field declared `stored=` against its column, and that no
request field lacks an entry here. The services' own validation (Đ6.2–6.3 required content,
formats, places, states) runs after this, on requests that are already of a sane size; it takes
its numbers from here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from runtime.errors import Validator, Violation

# -- sizes (shared with the stores' columns) ----------------------------------------------------
UUID = 36               # ids the platform makes: cases, assignments, media, deliveries, pauses
ID = 64                 # ids chosen by people: units (the administrator), categories
UNIT_ID = ID
CATEGORY_CODE = 64
CODE = 64               # reason codes and other short codes
KIND = 32               # short kinds: rework kind, addressee kind, template
IDEMPOTENCY = 256       # request_id, external_id
IDEMPOTENCY_KEY = 300   # the key stored: "req:<request_id>" or "<channel>:<external_id>"
OPERATOR = 120          # operator, handler and actor ids (a token's subject: runtime/identity/principal.py)
TRACKING_CODE = 16
WARD_CODE = 16
DATE = 32               # a local date written YYYY-MM-DD (a little room for spaces)
PAGE_TOKEN = 200
NAME = 200              # a person's full name, a ward's name, a file name, a day's name
TITLE = 300             # a unit's name, a leader's title, a requesting body, a document number
DOCUMENT_NUMBER = 200   # the number of a result's document (Appendix I)
EMAIL = 254             # RFC 5321: a path of 256 octets with its angle brackets
EMAIL_LOCAL = 64        # RFC 5321 §4.5.3.1.1
# What notification keeps of an address: its first letter, "***", "@" and the domain.
MASKED_RECIPIENT = EMAIL + 3
PHONE = 32
ADDRESS = 500
QUERY = 500             # a search of the knowledge base (Đ3.2)
CONTENT = 10_000        # a case's content (Đ6.2)
ANSWER = 20_000         # a unit's answer (Appendix I)
NOTE = 2_000            # the coordinator's, units' and leaders' notes and reasons
CITIZEN_TEXT = 5_000    # publication: reasons, notes, the citizen's reply and comment
STATUSES = 20           # a filter of statuses
UNITS_PER_CASE = 50     # units one distribution names (Đ7.3c)
MEDIA_IDS = 10          # media of one case (intake.case_max_files, Đ6.2); the configured limit wins
CASE_FILES = -1         # marks a repeated field bounded by intake.case_max_files
MAX_VIOLATIONS = 50     # the rest are summed up in one more: a status must fit in a gRPC trailer
VIOLATION_BYTES = 3_500  # their text in all, which base64 makes about 4.7 KiB in the trailer
MESSAGE_CHARS = 500     # an error's own message, each language

# Years the platform serves (calendars, deadlines, reports): 2000 to 2100.
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=timezone.utc)
# Protobuf Timestamp's own range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_TS_MIN, _TS_MAX = -62_135_596_800, 253_402_300_799


@dataclass(frozen=True)
class Rule:
    """The limit of one field. Strings: `max_length` (and `free_text`: newlines and tabs allowed;
    `email`: RFC 5321's local part; `legacy`: C1 control characters allowed, since text in a
    pre-Unicode encoding or its mojibake shows them and intake repairs it, Đ6.1). Repeated
    fields: `max_items` (CASE_FILES: the configured media limit) and `each` for their items.
    Timestamps: `ahead` (at most now + ahead) besides the platform's years. `stored` names the
    column (`table.column` of the service's schema) that keeps the value as given, which must be
    at least as large."""

    what_vi: str = "giá trị"
    what_en: str = "value"
    max_length: int = 0
    free_text: bool = False
    email: bool = False
    legacy: bool = False
    max_items: int = 0
    each: "Rule | None" = None
    timestamp: bool = False
    ahead: timedelta | None = None
    enum: bool = False
    stored: tuple[str, ...] = ()


def text(n: int, vi: str, en: str, *stored: str, free: bool = False, email: bool = False,
         legacy: bool = False) -> Rule:
    return Rule(vi, en, max_length=n, free_text=free, email=email, legacy=legacy, stored=stored)


def many(n: int, each: Rule | None = None) -> Rule:
    return Rule(max_items=n, each=each)


def when(vi: str, en: str, ahead: timedelta | None = None) -> Rule:
    return Rule(vi, en, timestamp=True, ahead=ahead)


# Enums: each service refuses a value its contract does not define, with its own message (the
# channel, a status filter, a rating, a rework or report period kind); declared here so that the
# table names every field.
ENUM = Rule(enum=True)

# Shared shapes.
CASE_ID = text(UUID, "mã phản ánh", "case id")
ASSIGNMENT_ID = text(UUID, "mã phân công", "assignment id")
MEDIA_ID = text(UUID, "mã tệp", "media id")
UNIT = text(UNIT_ID, "mã đơn vị", "unit id")
TRACKING = text(TRACKING_CODE, "mã số theo dõi", "tracking code")
CONTACT = text(EMAIL, "số điện thoại hoặc thư điện tử", "phone or e-mail", email=True)
PAGE = {"page_token": text(PAGE_TOKEN, "mã trang", "page token")}
MEDIA_REF = {
    "media_id": MEDIA_ID, "content_type": text(CODE, "loại tệp", "content type"),
    "sha256": text(CODE, "mã băm", "hash"), "filename": text(NAME, "tên tệp", "file name"),
}
PERIOD = {"start": when("thời điểm bắt đầu", "start"), "end": when("thời điểm kết thúc", "end")}


def _note(n: int, *stored: str) -> Rule:
    return text(n, "nội dung", "text", *stored, free=True)


# Message full name -> field name -> its limit. Every field of every request message that is a
# string, repeated, a timestamp or an enum; tests/unit/test_limits.py fails on one missing here.
FIELDS: dict[str, dict[str, Rule]] = {
    # -- shared messages ---------------------------------------------------------------------
    "pakn.common.v1.Location": {
        "address": text(ADDRESS, "địa chỉ", "address", free=True, legacy=True),
        "ward_code": text(WARD_CODE, "mã xã, phường", "ward code", "cases.ward_code"),
        "ward_name": text(NAME, "tên xã, phường", "ward name", "cases.ward_name"),
        "mapped_from": text(TITLE, "đơn vị cũ", "former unit", "cases.mapped_from"),
    },
    "pakn.common.v1.PageRequest": PAGE,
    "pakn.common.v1.MediaUploadHeader": {
        "filename": text(NAME, "tên tệp", "file name", "media.filename", "evidence.filename"),
        "declared_content_type": text(CODE, "loại tệp", "content type"),
        "owner_id": text(UUID, "mã phân công", "assignment id", "evidence.owner_id"),
    },
    "pakn.common.v1.MediaRef": MEDIA_REF,
    "pakn.common.v1.Unit": {
        "unit_id": text(UNIT_ID, "mã đơn vị", "unit id", "units.unit_id"),
        "name": text(TITLE, "tên đơn vị", "unit name", "units.name"),
        "leader_title": text(TITLE, "lãnh đạo phụ trách", "leader", "units.leader_title"),
        "contact_title": text(TITLE, "đầu mối liên hệ", "contact person", "units.contact_title"),
    },
    # Đ16.1: a unit's leader and contact person, stored encrypted (units.contacts_enc).
    "pakn.common.v1.UnitPerson": {
        "name": text(NAME, "họ tên", "name"),
        "position": text(TITLE, "chức vụ", "position"),
        "phone": text(PHONE, "số điện thoại", "phone number"),
        "email": text(EMAIL, "địa chỉ thư điện tử", "e-mail address", email=True),
    },
    # -- intake ------------------------------------------------------------------------------
    "pakn.intake.v1.SubmitCaseRequest": {
        "channel": ENUM,
        "external_id": text(IDEMPOTENCY, "mã tin nhắn của kênh", "external id"),
        "request_id": text(IDEMPOTENCY, "mã yêu cầu", "request id"),
        "content": text(CONTENT, "nội dung", "content", free=True, legacy=True),
        "occurred_at": when("thời gian xảy ra sự việc", "the time of the issue", ahead=timedelta(days=1)),
        "media_ids": many(CASE_FILES, MEDIA_ID),
        "operator_id": text(OPERATOR, "mã người nhập", "operator id", "cases.operator_id"),
    },
    "pakn.intake.v1.Submitter": {
        "full_name": text(NAME, "họ tên", "full name", legacy=True),
        "phone": text(PHONE, "số điện thoại", "phone number"),
        "email": text(EMAIL, "địa chỉ thư điện tử", "e-mail address", email=True),
        "address": text(ADDRESS, "địa chỉ", "address", free=True, legacy=True),
    },
    "pakn.intake.v1.UploadMediaRequest": {},
    "pakn.intake.v1.DownloadMediaRequest": {"media_id": MEDIA_ID},
    "pakn.intake.v1.GetCaseStatusRequest": {"tracking_code": TRACKING, "contact": CONTACT},
    "pakn.intake.v1.DiscloseSubmitterRequest": {
        "case_id": CASE_ID,
        "requesting_body": text(TITLE, "cơ quan đề nghị", "requesting body", "disclosures.requesting_body"),
        "reason": _note(NOTE),
    },
    "pakn.intake.v1.ApproveDisclosureRequest": {"disclosure_id": text(UUID, "mã đề nghị", "disclosure id")},
    "pakn.intake.v1.RefuseDisclosureRequest": {
        "disclosure_id": text(UUID, "mã đề nghị", "disclosure id"), "reason": _note(NOTE),
    },
    "pakn.intake.v1.ListDisclosuresRequest": {"case_id": CASE_ID},
    # -- routing -----------------------------------------------------------------------------
    "pakn.routing.v1.ListInboxRequest": {"statuses": many(STATUSES, ENUM)},
    "pakn.routing.v1.GetCaseRequest": {"case_id": CASE_ID},
    "pakn.routing.v1.VerifyCaseRequest": {"case_id": CASE_ID},
    "pakn.routing.v1.CancelCaseRequest": {
        "case_id": CASE_ID, "reason_code": text(CODE, "lý do hủy", "reason code", "cases.cancel_reason_code"),
        "note": _note(NOTE),
    },
    "pakn.routing.v1.SendBackForVerificationRequest": {"case_id": CASE_ID, "note": _note(NOTE)},
    "pakn.routing.v1.ClassifyCaseRequest": {
        "case_id": CASE_ID,
        "category_code": text(CATEGORY_CODE, "nhóm phân loại", "category", "cases.category_code",
                              "categories.code"),
    },
    "pakn.routing.v1.DistributeCaseRequest": {
        "case_id": CASE_ID, "unit_ids": many(UNITS_PER_CASE, text(UNIT_ID, "mã đơn vị", "unit id",
                                                                  "assignments.unit_id")),
        "note": _note(NOTE),
    },
    "pakn.routing.v1.MarkAwaitingUnitRequest": {
        "case_id": CASE_ID,
        "proposed_unit_name": text(TITLE, "tên đơn vị", "unit name", "cases.proposed_unit_name"),
    },
    "pakn.routing.v1.AcceptAssignmentRequest": {"assignment_id": ASSIGNMENT_ID},
    "pakn.routing.v1.ReturnAssignmentRequest": {"assignment_id": ASSIGNMENT_ID, "reason": _note(NOTE)},
    "pakn.routing.v1.ListAssignmentsRequest": {"unit_id": UNIT, "statuses": many(STATUSES, ENUM)},
    "pakn.routing.v1.ListCategoriesRequest": {},
    "pakn.routing.v1.ListUnitsRequest": {},
    "pakn.routing.v1.RegisterUnitRequest": {},
    "pakn.routing.v1.UpdateUnitContactsRequest": {"unit_id": UNIT},
    "pakn.routing.v1.GetUnitHistoryRequest": {"unit_id": UNIT},
    # CalendarService (routing)
    "pakn.routing.v1.GetDayRequest": {"date": text(DATE, "ngày", "date"), "unit_id": UNIT},
    "pakn.routing.v1.ComputeDeadlineRequest": {"from": when("thời điểm bắt đầu tính", "from"), "unit_id": UNIT},
    "pakn.routing.v1.RecordDayRequest": {},
    "pakn.routing.v1.DayRule": {
        "date": text(DATE, "ngày", "date"),
        "name_vi": text(NAME, "tên ngày", "day's name", "calendar_days.name_vi"),
        "name_en": text(NAME, "tên ngày", "day's name", "calendar_days.name_en"),
        "document": text(TITLE, "số văn bản", "document", "calendar_days.document"),
    },
    "pakn.routing.v1.DeclarePauseRequest": {
        "start": when("thời điểm bắt đầu", "start"), "end": when("thời điểm kết thúc", "end"),
        "unit_id": text(UNIT_ID, "mã đơn vị", "unit id", "calendar_pauses.unit_id"), "reason": _note(NOTE),
    },
    "pakn.routing.v1.EndPauseRequest": {
        "pause_id": text(UUID, "mã đợt bất khả kháng", "pause id"), "end": when("thời điểm kết thúc", "end"),
        "reason": _note(NOTE),
    },
    "pakn.routing.v1.ListDayRulesRequest": {},
    "pakn.routing.v1.ListPausesRequest": {},
    # -- processing --------------------------------------------------------------------------
    "pakn.processing.v1.ListWorkItemsRequest": {"unit_id": UNIT, "statuses": many(STATUSES, ENUM)},
    "pakn.processing.v1.GetWorkItemRequest": {"assignment_id": ASSIGNMENT_ID},
    "pakn.processing.v1.AssignHandlerRequest": {
        "assignment_id": ASSIGNMENT_ID,
        "handler_id": text(OPERATOR, "mã người xử lý", "handler id", "work_items.handler_id"),
    },
    "pakn.processing.v1.UploadEvidenceRequest": {},
    "pakn.processing.v1.SubmitResultRequest": {"assignment_id": ASSIGNMENT_ID},
    "pakn.processing.v1.Result": {
        "document_number": text(DOCUMENT_NUMBER, "số văn bản", "document number", "work_items.document_number"),
        "addressee_kind": text(KIND, "đối tượng nhận", "addressee", "work_items.addressee_kind"),
        "answer": text(ANSWER, "nội dung trả lời", "answer", free=True),
        "evidence_media_ids": many(CASE_FILES, MEDIA_ID),
        # Output only (the server ignores them), bounded all the same.
        "evidence": many(CASE_FILES),
        "submitted_at": when("thời điểm gửi", "submitted_at"),
    },
    "pakn.processing.v1.RequestExtensionRequest": {
        "assignment_id": ASSIGNMENT_ID, "reason": _note(NOTE),
        "expected_completion": when("ngày dự kiến hoàn thành", "expected completion"),
    },
    "pakn.processing.v1.ApproveResultRequest": {"assignment_id": ASSIGNMENT_ID},
    "pakn.processing.v1.ReturnToHandlerRequest": {"assignment_id": ASSIGNMENT_ID, "reason": _note(NOTE)},
    "pakn.processing.v1.EditAndApproveResultRequest": {
        "assignment_id": ASSIGNMENT_ID, "answer": text(ANSWER, "nội dung trả lời", "answer", free=True)},
    "pakn.processing.v1.GetPublicEvidenceRequest": {"media_id": MEDIA_ID},
    # -- publication -------------------------------------------------------------------------
    "pakn.publication.v1.ListReviewQueueRequest": {},
    "pakn.publication.v1.GetReviewRequest": {"case_id": CASE_ID},
    "pakn.publication.v1.PublishResultRequest": {"case_id": CASE_ID},
    "pakn.publication.v1.DeliverPrivatelyRequest": {"case_id": CASE_ID},
    "pakn.publication.v1.RestrictCaseRequest": {"case_id": CASE_ID, "reason": _note(CITIZEN_TEXT)},
    "pakn.publication.v1.RequestReworkRequest": {
        # Publication keeps assignment ids from routing's events in 64-character columns.
        "case_id": CASE_ID, "kind": ENUM, "note": _note(CITIZEN_TEXT),
        "assignment_id": text(ID, "mã phân công", "assignment id", "answers.assignment_id", "reworks.assignment_id")},
    "pakn.publication.v1.GetPublishedAnswerRequest": {"tracking_code": TRACKING},
    "pakn.publication.v1.GetPublicTimelineRequest": {"tracking_code": TRACKING},
    "pakn.publication.v1.GetSubmitterAnswerRequest": {"tracking_code": TRACKING, "contact": CONTACT},
    "pakn.publication.v1.SearchAnswersRequest": {"query": text(QUERY, "từ khóa tìm kiếm", "search query")},
    "pakn.publication.v1.ReplyToAnswerRequest": {
        "tracking_code": TRACKING, "contact": CONTACT, "message": _note(CITIZEN_TEXT)},
    "pakn.publication.v1.RateCaseRequest": {
        "tracking_code": TRACKING, "contact": CONTACT, "rating": ENUM, "comment": _note(CITIZEN_TEXT)},
    # -- notification ------------------------------------------------------------------------
    "pakn.notification.v1.ListDeliveriesRequest": {"case_id": CASE_ID},
    "pakn.notification.v1.ResendDeliveryRequest": {"delivery_id": text(UUID, "mã lần gửi", "delivery id")},
    "pakn.notification.v1.ListTemplatesRequest": {},
    # -- reporting ---------------------------------------------------------------------------
    "pakn.reporting.v1.Period": PERIOD,
    "pakn.reporting.v1.GetSummaryRequest": {},
    "pakn.reporting.v1.ListOverdueRequest": {"as_of": when("thời điểm tính", "as_of")},
    "pakn.reporting.v1.GetUnitScorecardsRequest": {},
    "pakn.reporting.v1.ExportReportRequest": {},
    "pakn.reporting.v1.GetReportPeriodRequest": {"kind": ENUM},
}

# A field without an entry (a contract newer than this table) still gets a conservative limit.
DEFAULT = text(1_000, "giá trị", "value")
DEFAULT_ITEMS = 100

# C0 controls and DEL; newline, carriage return and tab only in free text; the C1 controls
# (U+0080-U+009F) too, except in the text intake repairs from legacy encodings (Đ6.1).
_CONTROLS = {
    (free, legacy): re.compile("[" + (r"\x00-\x08\x0b\x0c\x0e-\x1f" if free else r"\x00-\x1f")
                               + (r"\x7f" if legacy else r"\x7f-\x9f") + "]")
    for free in (False, True) for legacy in (False, True)
}


def rule_of(message_name: str, field_name: str) -> Rule | None:
    return FIELDS.get(message_name, {}).get(field_name)


def check(message: Message, media_ids: int = MEDIA_IDS, now: datetime | None = None) -> list[Violation]:
    """Every violation of `message` and the messages inside it, at most one per field."""
    out: dict[str, Violation] = {}
    for violation in _walk(message, "", media_ids, now or datetime.now(timezone.utc)):
        out.setdefault(violation.field, violation)
    return list(out.values())


def check_request(message: Message, media_ids: int = MEDIA_IDS) -> list[Violation]:
    """A request message's violations (the name the server and the servicers use: `check`)."""
    return check(message, media_ids)


def raise_if_invalid(message: Message, media_ids: int = MEDIA_IDS) -> None:
    violations = check(message, media_ids)
    if violations:
        from runtime.errors import InvalidArgument

        raise InvalidArgument(violations)


def _walk(message: Message, prefix: str, media_ids: int, now: datetime) -> Iterator[Violation]:
    name = message.DESCRIPTOR.full_name
    for field, value in message.ListFields():
        path = prefix + field.name
        rule = rule_of(name, field.name)
        if field.is_repeated:
            limit = (rule.max_items if rule and rule.max_items else DEFAULT_ITEMS)
            if limit == CASE_FILES:
                limit = media_ids
            if len(value) > limit:
                yield Violation(path, f"Quá nhiều mục (tối đa {limit})", f"too many items ({limit} at most)")
                continue
            each = rule.each if rule else None
            for i, item in enumerate(value):
                yield from _one(field, item, f"{path}[{i}]", each, media_ids, now)
        else:
            yield from _one(field, value, path, rule, media_ids, now)


def _one(field: FieldDescriptor, value, path: str, rule: Rule | None, media_ids: int,
         now: datetime) -> Iterator[Violation]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            problem = timestamp_problem(value, rule or when("thời điểm", "timestamp"), now)
            if problem:
                yield Violation(path, *problem)
        elif not field.message_type.GetOptions().map_entry:
            yield from _walk(value, path + ".", media_ids, now)
    elif field.type == FieldDescriptor.TYPE_STRING:
        problem = string_problem(value, rule if rule and rule.max_length else DEFAULT)
        if problem:
            yield Violation(path, *problem)


def string_problem(value: str, rule: Rule) -> tuple[str, str] | None:
    """(vi, en) when `value` breaks `rule`; never quotes the value."""
    if len(value) > rule.max_length:
        return (f"{rule.what_vi.capitalize()} quá dài (tối đa {rule.max_length:,} ký tự)".replace(",", "."),
                f"{rule.what_en} is too long ({rule.max_length:,} characters at most)")
    if _CONTROLS[rule.free_text, rule.legacy].search(value):
        return (f"{rule.what_vi.capitalize()} chứa ký tự điều khiển không được phép",
                f"{rule.what_en} contains a control character that is not allowed")
    if rule.email and "@" in value and len(value.rsplit("@", 1)[0]) > EMAIL_LOCAL:
        return (f"Phần trước @ của địa chỉ thư điện tử quá dài (tối đa {EMAIL_LOCAL} ký tự)",
                f"the part before @ is too long ({EMAIL_LOCAL} characters at most)")
    return None


def timestamp_problem(ts: Message, rule: Rule, now: datetime) -> tuple[str, str] | None:
    if not (_TS_MIN <= ts.seconds <= _TS_MAX) or not (0 <= ts.nanos <= 999_999_999):
        return (f"{rule.what_vi.capitalize()} không hợp lệ", f"{rule.what_en}: not a valid timestamp")
    if not EARLIEST.timestamp() <= ts.seconds < LATEST.timestamp():
        return (f"{rule.what_vi.capitalize()} phải trong các năm {FIRST_YEAR}–{LAST_YEAR}",
                f"{rule.what_en} must be within the years {FIRST_YEAR}–{LAST_YEAR}")
    if rule.ahead is not None and ts.seconds > (now + rule.ahead).timestamp():
        return (f"{rule.what_vi.capitalize()} ở quá xa trong tương lai", f"{rule.what_en} is too far in the future")
    return None


# -- helpers for the services' own validation ---------------------------------------------------

def check_text(v: Validator, field: str, value: str, max_length: int, vi: str, en: str,
               free_text: bool = False) -> None:
    """Adds a violation when `value` is too long or holds a control character."""
    problem = string_problem(value or "", text(max_length, vi, en, free=free_text))
    if problem:
        v.add(field, *problem)


def email_problem(address: str) -> tuple[str, str] | None:
    """RFC 5321's sizes: at most EMAIL characters in all and EMAIL_LOCAL before the `@`."""
    return string_problem(address or "", text(EMAIL, "địa chỉ thư điện tử", "the e-mail address", email=True))


def cap(violations: list[Violation]) -> list[Violation]:
    """One per field, and few enough that the status fits in a gRPC trailer (8 KiB, base64-encoded):
    at most MAX_VIOLATIONS and VIOLATION_BYTES in all; the rest are counted in a last one."""
    seen: dict[str, Violation] = {}
    for v in violations:
        seen.setdefault(v.field, v)
    unique = [Violation(v.field[:200], v.vi[:MESSAGE_CHARS], v.en[:MESSAGE_CHARS]) for v in seen.values()]
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


# -- the table as docs/limits.md shows it -------------------------------------------------------

def describe(rule: Rule) -> str:
    if rule.enum:
        return "a value the contract defines (checked by the service)"
    if rule.timestamp:
        out = f"protobuf's range, nanos 0–999,999,999, years {FIRST_YEAR}–{LAST_YEAR}"
        if rule.ahead is not None:
            out += f", at most now + {rule.ahead.days} day"
        return out
    if rule.max_items:
        items = ("`intake.case_max_files` items" + f" ({MEDIA_IDS} by default)" if rule.max_items == CASE_FILES
                 else f"{rule.max_items} items")
        return items + (f", each {describe(rule.each)}" if rule.each else "")
    out = f"{rule.max_length:,} characters"
    if rule.email:
        out += f", {EMAIL_LOCAL} before `@`"
    out += ", newlines and tabs allowed" if rule.free_text else ""
    return out + (", C1 controls allowed (Đ6.1 repair)" if rule.legacy else "")


def table_markdown() -> str:
    """Every declared field with its limit (a test keeps docs/limits.md the same)."""
    lines = ["| message | field | at most | stored in |", "|---|---|---|---|"]
    for message, fields in FIELDS.items():
        for name, rule in fields.items():
            stored = ", ".join(f"`{s}`" for s in (rule.stored or (rule.each.stored if rule.each else ())))
            lines.append(f"| `{message.removeprefix('pakn.')}` | `{name}` | {describe(rule)} | {stored} |")
    return "\n".join(lines) + "\n"
