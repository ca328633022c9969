"""Routing's rules, without I/O: the case and assignment transitions of Đ7 and Đ8.2, validation.

Statuses mirror `pakn.common.v1.CaseStatus` / `AssignmentStatus` by value (a unit test checks it),
so this module needs neither the generated code nor a database.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Iterable

from regulation.calendar import DayRule, Pause, WorkingCalendar
from regulation.profile import RegulationProfile
from runtime import limits
from runtime.errors import FailedPrecondition, Validator


class CaseStatus(IntEnum):
    RECEIVED = 1
    VERIFYING = 2
    CANCELLED = 3
    CLASSIFIED = 4
    AWAITING_UNIT = 5
    IN_HANDLING = 6
    UNDER_REVIEW = 7
    PUBLISHED = 8
    DELIVERED_PRIVATELY = 9
    RESTRICTED = 10
    CLOSED = 11


class AssignmentStatus(IntEnum):
    PENDING = 1
    ACCEPTED = 2
    RETURNED = 3
    IN_PROGRESS = 4
    AWAITING_APPROVAL = 5
    APPROVED = 6


C, A = CaseStatus, AssignmentStatus

# Finished cases leave the coordinator's default inbox view.
FINISHED = frozenset({C.CANCELLED, C.PUBLISHED, C.DELIVERED_PRIVATELY, C.RESTRICTED, C.CLOSED})
OPEN = frozenset(CaseStatus) - FINISHED

_STATUS_VI = {
    C.RECEIVED: "đã tiếp nhận", C.VERIFYING: "đang xác minh", C.CANCELLED: "đã hủy",
    C.CLASSIFIED: "đã phân loại", C.AWAITING_UNIT: "chờ đơn vị tham gia hệ thống",
    C.IN_HANDLING: "đang xử lý", C.UNDER_REVIEW: "đang biên tập", C.PUBLISHED: "đã công khai",
    C.DELIVERED_PRIVATELY: "đã gửi riêng", C.RESTRICTED: "hạn chế công khai", C.CLOSED: "đã kết thúc",
}
_ASSIGNMENT_VI = {
    A.PENDING: "chờ tiếp nhận", A.ACCEPTED: "đã tiếp nhận", A.RETURNED: "đã trả lại",
    A.IN_PROGRESS: "đang xử lý", A.AWAITING_APPROVAL: "chờ phê duyệt", A.APPROVED: "đã phê duyệt",
}


@dataclass(frozen=True)
class Action:
    name: str
    vi: str
    allowed_from: frozenset[CaseStatus]


# The coordinator's actions (Đ7.3) and the case statuses each may start from.
VERIFY = Action("verify", "xác minh", frozenset({C.RECEIVED, C.VERIFYING}))                     # Đ7.3a
CANCEL = Action("cancel", "hủy", frozenset({C.RECEIVED, C.VERIFYING, C.CLASSIFIED, C.AWAITING_UNIT}))  # Đ7.3a
SEND_BACK = Action("send back for verification", "chuyển xác minh lại",
                   frozenset({C.RECEIVED, C.CLASSIFIED}))                                       # Đ7.3c
CLASSIFY = Action("classify", "phân loại", frozenset({C.RECEIVED, C.CLASSIFIED}))              # Đ7.3b
DISTRIBUTE = Action("distribute", "chuyển xử lý",
                    frozenset({C.CLASSIFIED, C.AWAITING_UNIT, C.IN_HANDLING}))                  # Đ7.3c
AWAIT_UNIT = Action("mark awaiting a unit", "chờ đơn vị tham gia hệ thống", frozenset({C.CLASSIFIED}))  # Đ7.3c

# The status each action leads to (VERIFY keeps RECEIVED, and ends VERIFYING).
TARGET = {VERIFY.name: C.RECEIVED, CANCEL.name: C.CANCELLED, SEND_BACK.name: C.VERIFYING,
          CLASSIFY.name: C.CLASSIFIED, DISTRIBUTE.name: C.IN_HANDLING, AWAIT_UNIT.name: C.AWAITING_UNIT}


def check_case_action(action: Action, current: int) -> CaseStatus:
    """The status the case moves to, or FailedPrecondition when `action` is not allowed now."""
    status = CaseStatus(current)
    if status not in action.allowed_from:
        raise FailedPrecondition(
            f"Không thể {action.vi} phản ánh ở trạng thái “{_STATUS_VI[status]}”",
            f"cannot {action.name} a case that is {status.name}")
    return TARGET[action.name]


def check_assignment_pending(current: int, action_en: str, action_vi: str) -> None:
    """Đ8.2: only a distribution not yet accepted or returned can be accepted or returned."""
    status = AssignmentStatus(current)
    if status is not A.PENDING:
        raise FailedPrecondition(
            f"Không thể {action_vi} phân công ở trạng thái “{_ASSIGNMENT_VI[status]}”",
            f"cannot {action_en} an assignment that is {status.name}")


def is_active(status: int) -> bool:
    """An assignment still counts for its case unless the unit returned it."""
    return AssignmentStatus(status) is not A.RETURNED


def status_after_return(case_status: int, active_left: int) -> CaseStatus:
    """Đ8.2b: once every unit has returned the case, it goes back to the coordinator (CLASSIFIED)."""
    status = CaseStatus(case_status)
    if active_left == 0 and status is C.IN_HANDLING:
        return C.CLASSIFIED
    return status


# -- Publication outcomes (consumed events) ---------------------------------------------------

def apply_outcome(current: int, changed_at: datetime | None, new: CaseStatus, occurred_at: datetime) -> bool:
    """Whether a publication event (`new`, at `occurred_at`) should set the case's status.

    Events can arrive late or twice: an event older than the case's last change is ignored, so a
    late `case.under_review` never hides a `case.published`. A cancelled case stays cancelled.
    """
    if CaseStatus(current) is C.CANCELLED:
        return False
    return changed_at is None or occurred_at >= changed_at


# -- Deadlines ---------------------------------------------------------------------------------

# Cases whose reception (Đ7) is still running: not distributed yet, not finished.
RECEPTION_OPEN = frozenset({C.RECEIVED, C.VERIFYING, C.CLASSIFIED, C.AWAITING_UNIT})
# Cases whose accepted assignments are still being handled (Đ8.2a): not every result approved yet.
HANDLING_OPEN = OPEN - {C.UNDER_REVIEW}


def reception_deadline(received_at: datetime, profile: RegulationProfile, cal: WorkingCalendar) -> datetime:
    """Đ7: the coordinating unit receives a case within 24 hours of its submission (the province's
    pauses stop the clock)."""
    return cal.add_hours(received_at, profile.reception_hours)


def return_deadline(distributed_at: datetime, profile: RegulationProfile, cal: WorkingCalendar,
                    unit_id: str) -> datetime:
    """Đ8.2b: a unit returns a case outside its competence within 24 hours (the province's and the
    unit's pauses stop the clock)."""
    return cal.add_hours(distributed_at, profile.return_hours, unit_id)


def handling_days(requested: int, profile: RegulationProfile) -> int:
    """Đ8.2a: the unit's own limit, 1..6 working days; 0 means the maximum."""
    if requested == 0:
        return profile.max_handling_working_days
    if not 1 <= requested <= profile.max_handling_working_days:
        v = Validator()
        limit = profile.max_handling_working_days
        v.add("handling_working_days", f"Thời hạn xử lý phải từ 1 đến {limit} ngày làm việc",
              f"handling_working_days must be between 1 and {limit} (0 means {limit})")
        v.raise_if_any()
    return requested


def handling_deadline(accepted_at: datetime, days: int, cal: WorkingCalendar, unit_id: str) -> datetime:
    """Đ8.2a: counted in working days from the unit's acceptance; days a pause of the province or of
    the unit touches do not count."""
    return cal.add_working_days(accepted_at, days, unit_id)


def returned_within_limit(returned_at: datetime, deadline: datetime) -> bool:
    """Đ8.2b: the return is on time when made by its deadline."""
    return returned_at <= deadline


# -- Input -------------------------------------------------------------------------------------

# Đ6.5: the grounds on which a submission is not accepted.
CANCEL_REASONS: dict[str, tuple[str, str]] = {
    "complaint_or_denunciation": ("Tranh chấp, khiếu nại, tố cáo (Đ6.5a)", "dispute, complaint or denunciation"),
    "harmful": ("Nội dung xâm phạm lợi ích quốc gia (Đ6.5b)", "harms national interests"),
    "advertising": ("Quảng cáo trái phép (Đ6.5c)", "illegal advertising"),
    "vulgar": ("Ngôn từ thô tục, xúc phạm (Đ6.5d)", "vulgar or offensive language"),
    "defamation": ("Vu khống, bôi nhọ (Đ6.5đ)", "defamation"),
    "emergency": ("Tin báo khẩn cấp thuộc 113, 114, 115 (Đ6.5e)", "emergency report for 113, 114 or 115"),
    "insufficient_content": ("Nội dung không đầy đủ, không có thông tin liên hệ để xác minh (Đ6.5g)",
                             "incomplete content with no contact to verify it"),
}

UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TEXT = limits.TITLE
MAX_NOTE = limits.NOTE


def nfc(text: str) -> str:
    """Đ6.1: text is kept as Unicode NFC."""
    return unicodedata.normalize("NFC", text or "").strip()


def validate_note(v: Validator, note: str, field: str = "note") -> None:
    if len(note) > MAX_NOTE:
        v.add(field, f"Ghi chú quá dài (tối đa {MAX_NOTE} ký tự)",
              f"{field} is too long ({MAX_NOTE} characters at most)")


def validate_cancel(case_id: str, reason_code: str, note: str) -> None:
    """Đ7.3a: a cancellation names one Đ6.5 ground."""
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    if not reason_code:
        v.add("reason_code", "Thiếu lý do hủy (Đ6.5)", "reason_code is required (one of the Đ6.5 grounds)")
    elif reason_code not in CANCEL_REASONS:
        v.add("reason_code", "Lý do hủy không thuộc các trường hợp của Đ6.5",
              f"reason_code must be one of: {', '.join(CANCEL_REASONS)}")
    validate_note(v, note)
    v.raise_if_any()


def validate_case_id(case_id: str) -> None:
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    v.raise_if_any()


def validate_send_back(case_id: str, note: str) -> None:
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    validate_note(v, note)
    v.raise_if_any()


def validate_classify(case_id: str, category_code: str, known: set[str] | None) -> None:
    """Đ7.3b: one of the categories; `known` is None when the caller checks existence itself."""
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    if not category_code:
        v.add("category_code", "Thiếu nhóm phân loại", "category_code is required")
    elif known is not None and category_code not in known:
        v.add("category_code", "Nhóm phân loại không tồn tại", "unknown category_code")
    v.raise_if_any()


@dataclass(frozen=True)
class UnitFacts:
    """What the caller knows about one unit of the directory."""

    exists: bool
    on_system: bool


def validate_distribution(case_id: str, unit_ids: list[str], units: dict[str, UnitFacts],
                          busy: set[str], note: str) -> None:
    """Đ7.3c: one or more distinct, registered units that are on the system and do not already
    hold an active assignment of this case."""
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    if not unit_ids:
        v.add("unit_ids", "Cần ít nhất một đơn vị xử lý", "at least one unit is required")
    seen: set[str] = set()
    for i, unit_id in enumerate(unit_ids):
        field = f"unit_ids[{i}]"
        facts = units.get(unit_id)
        if unit_id in seen:
            v.add(field, "Đơn vị bị lặp lại", "the unit is listed twice")
        elif facts is None or not facts.exists:
            v.add(field, "Đơn vị không có trong danh mục", "unknown unit")
        elif not facts.on_system:
            v.add(field, "Đơn vị chưa tham gia hệ thống (Đ7.3c)", "the unit has not joined the system yet")
        elif unit_id in busy:
            v.add(field, "Đơn vị đang được giao phản ánh này", "the unit already holds this case")
        seen.add(unit_id)
    validate_note(v, note)
    v.raise_if_any()


def validate_awaiting_unit(case_id: str, proposed_unit_name: str) -> None:
    v = Validator()
    v.require(case_id, "case_id", "mã phản ánh", "case_id")
    v.require(proposed_unit_name, "proposed_unit_name", "tên đơn vị đề nghị tham gia", "proposed_unit_name")
    if len(proposed_unit_name) > MAX_TEXT:
        v.add("proposed_unit_name", "Tên đơn vị quá dài", f"proposed_unit_name is too long ({MAX_TEXT} at most)")
    v.raise_if_any()


def validate_accept(assignment_id: str, requested_days: int, profile: RegulationProfile) -> int:
    v = Validator()
    v.require(assignment_id, "assignment_id", "mã phân công", "assignment_id")
    limit = profile.max_handling_working_days
    if requested_days != 0 and not 1 <= requested_days <= limit:
        v.add("handling_working_days", f"Thời hạn xử lý phải từ 1 đến {limit} ngày làm việc (Đ8.2a)",
              f"handling_working_days must be between 1 and {limit} (0 means {limit})")
    v.raise_if_any()
    return handling_days(requested_days, profile)


def validate_return(assignment_id: str, reason: str) -> None:
    """Đ8.2b: a return always gives its reason."""
    v = Validator()
    v.require(assignment_id, "assignment_id", "mã phân công", "assignment_id")
    v.require(reason, "reason", "lý do trả lại", "reason")
    validate_note(v, reason, "reason")
    v.raise_if_any()


@dataclass(frozen=True)
class Person:
    """Đ16.1: a leader or contact person a unit designates for PAKN (personal data)."""

    name: str = ""
    position: str = ""
    phone: str = ""
    email: str = ""

    def as_dict(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in PERSON_FIELDS}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Person | None":
        if not data:
            return None
        return cls(**{f: str(data.get(f, "")) for f in PERSON_FIELDS})


PERSON_FIELDS = ("name", "position", "phone", "email")
# The two people of Đ16.1, by the name their fields carry in requests and in the history.
ROLES_OF_UNIT = ("leader", "contact")
# A Vietnamese number, mobile or landline, national (0…) or international (+84…), with the
# separators people write (spaces, dots, hyphens, brackets).
PHONE_SEPARATORS = re.compile(r"[\s.()\-]")
PHONE_NUMBER = re.compile(r"^(?:\+84|0)\d{8,10}$")
EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def validate_person(v: Validator, field: str, p: Person) -> Person:
    """Đ16.1: a designated person has a name and a way to reach them (a phone or an e-mail)."""
    p = Person(nfc(p.name), nfc(p.position), nfc(p.phone), nfc(p.email).lower())
    v.require(p.name, f"{field}.name", "họ tên người được phân công (Đ16.1)", "name")
    if not p.phone and not p.email:
        v.add(f"{field}.phone", "Cần số điện thoại hoặc thư điện tử để liên hệ (Đ16.1)",
              "a phone number or an e-mail address is required (Đ16.1)")
    if p.phone and not PHONE_NUMBER.match(PHONE_SEPARATORS.sub("", p.phone)):
        v.add(f"{field}.phone", "Số điện thoại không hợp lệ (0… hoặc +84…, 9 đến 11 chữ số)",
              "not a Vietnamese phone number (0… or +84…, 9 to 11 digits)")
    if p.email:
        problem = limits.email_problem(p.email)
        if problem:
            v.add(f"{field}.email", *problem)
        elif not EMAIL_ADDRESS.match(p.email):
            v.add(f"{field}.email", "Địa chỉ thư điện tử không hợp lệ", "not an e-mail address")
    for name, size, vi in (("name", limits.NAME, "họ tên"), ("position", limits.TITLE, "chức vụ")):
        limits.check_text(v, f"{field}.{name}", getattr(p, name), size, vi, name)
    return p


def contact_changes(old: dict[str, Person | None], new: dict[str, Person | None]) -> list[str]:
    """The fields that differ ("leader.phone", ...), in a fixed order; never their values."""
    out = []
    for who in ROLES_OF_UNIT:
        before, after = old.get(who) or Person(), new.get(who) or Person()
        out += [f"{who}.{f}" for f in PERSON_FIELDS if getattr(before, f) != getattr(after, f)]
    return out


def sees_contacts(roles: Iterable[str], caller_unit: str | None, unit_id: str) -> bool:
    """Đ16.1, Đ16.6: the leaders' and contact persons' names, phones and e-mails are for those who
    need them to reach the unit: the coordinating unit (Đ13.5 reminders), the administrator
    (Đ13.3), and the unit's own leader (who reports them). Others see the positions only."""
    roles = set(roles)
    if roles & {"coordinator", "administrator"}:
        return True
    return "unit_leader" in roles and caller_unit == unit_id


@dataclass(frozen=True)
class UnitDraft:
    unit_id: str
    name: str
    leader_title: str
    contact_title: str
    on_system: bool
    # None: keep what the directory holds.
    leader: Person | None = None
    contact: Person | None = None


def validate_unit_id(v: Validator, field: str, unit_id: str) -> str:
    unit_id = unit_id.strip()
    if not unit_id:
        v.add(field, "Thiếu mã đơn vị", "unit_id is required")
    elif not UNIT_ID.match(unit_id):
        v.add(field, "Mã đơn vị chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang",
              "unit_id may hold only a-z, 0-9 and '-' (64 characters at most)")
    return unit_id


def validate_contacts_update(unit_id: str, leader: Person | None, contact: Person | None
                             ) -> tuple[str, Person | None, Person | None]:
    """Đ16.1: a unit reports a new leader or contact person: at least one, each complete."""
    v = Validator()
    unit_id = validate_unit_id(v, "unit_id", unit_id)
    if leader is None and contact is None:
        v.add("leader", "Cần thông tin lãnh đạo hoặc đầu mối liên hệ", "leader or contact is required")
    leader = validate_person(v, "leader", leader) if leader is not None else None
    contact = validate_person(v, "contact", contact) if contact is not None else None
    v.raise_if_any()
    return unit_id, leader, contact


def validate_unit(u: UnitDraft) -> UnitDraft:
    """Đ13.3, Đ16.1: a unit has an id, a name, a leader and a contact person for PAKN."""
    v = Validator()
    leader = validate_person(v, "unit.leader", u.leader) if u.leader is not None else None
    contact = validate_person(v, "unit.contact", u.contact) if u.contact is not None else None
    u = UnitDraft(validate_unit_id(v, "unit.unit_id", u.unit_id), nfc(u.name), nfc(u.leader_title),
                  nfc(u.contact_title), bool(u.on_system), leader, contact)
    v.require(u.name, "unit.name", "tên đơn vị", "name")
    v.require(u.leader_title, "unit.leader_title", "lãnh đạo phụ trách (Đ16.1)", "leader_title")
    v.require(u.contact_title, "unit.contact_title", "đầu mối liên hệ (Đ16.1)", "contact_title")
    for field, value in (("unit.name", u.name), ("unit.leader_title", u.leader_title),
                         ("unit.contact_title", u.contact_title)):
        if len(value) > MAX_TEXT:
            v.add(field, "Quá dài", f"{field} is too long ({MAX_TEXT} characters at most)")
    v.raise_if_any()
    return u


# -- The calendar's administration (Đ8.2a, Đ9, Đ10.4: working days; Đ7, Đ8.2b, Đ10.2: hours) ----

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_YEAR, LAST_YEAR = limits.FIRST_YEAR, limits.LAST_YEAR
# A longer force majeure is declared again when it goes on (a guard against a calendar with no
# working day left, where no deadline exists).
MAX_PAUSE = timedelta(days=366)
MAX_DEADLINE_WORKING_DAYS = 1000
MAX_DEADLINE_HOURS = 24 * 1000
MAX_DOCUMENT = limits.TITLE
MAX_DAY_NAME = limits.NAME


def parse_day(v: Validator, value: str, field: str) -> date | None:
    """A local date written YYYY-MM-DD, within the years the platform serves."""
    value = (value or "").strip()
    if not value:
        v.add(field, "Thiếu ngày", f"{field} is required")
        return None
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        v.add(field, "Ngày không hợp lệ (định dạng YYYY-MM-DD)", f"{field} must be a valid date YYYY-MM-DD")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        v.add(field, f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}", f"{field}: the year must be {FIRST_YEAR}–{LAST_YEAR}")
        return None
    return day


def validate_day(value: str, field: str = "date") -> date:
    v = Validator()
    day = parse_day(v, value, field)
    v.raise_if_any()
    return day


def validate_day_rule(day: str, working: bool, name_vi: str, name_en: str, document: str) -> DayRule:
    """An announced day off or make-up working day: its date, names and the document that set it."""
    v = Validator()
    parsed = parse_day(v, day, "rule.date")
    name_vi, name_en, document = nfc(name_vi), nfc(name_en), nfc(document)
    v.require(name_vi, "rule.name_vi", "tên ngày bằng tiếng Việt", "rule.name_vi")
    v.require(name_en, "rule.name_en", "tên ngày bằng tiếng Anh", "rule.name_en")
    v.require(document, "rule.document", "số văn bản thông báo", "rule.document")
    for field, value, limit in (("rule.name_vi", name_vi, MAX_DAY_NAME), ("rule.name_en", name_en, MAX_DAY_NAME),
                                ("rule.document", document, MAX_DOCUMENT)):
        if len(value) > limit:
            v.add(field, f"Quá dài (tối đa {limit} ký tự)", f"{field} is too long ({limit} characters at most)")
    v.raise_if_any()
    return DayRule(parsed, bool(working), name_vi, name_en, document)


def validate_pause(start: datetime | None, end: datetime | None, unit_id: str, unit_exists: bool,
                   reason: str) -> None:
    """A force-majeure window [start, end) with its reason, for the province or one registered unit."""
    v = Validator()
    if start is None:
        v.add("start", "Thiếu thời điểm bắt đầu", "start is required")
    if end is None:
        v.add("end", "Thiếu thời điểm kết thúc", "end is required")
    if start is not None and end is not None:
        if end <= start:
            v.add("end", "Thời điểm kết thúc phải sau thời điểm bắt đầu", "end must be after start")
        elif end - start > MAX_PAUSE:
            v.add("end", "Một đợt bất khả kháng kéo dài tối đa 366 ngày; hãy khai báo đợt tiếp theo",
                  "a pause lasts at most 366 days; declare another one if it goes on")
    if unit_id and not unit_exists:
        v.add("unit_id", "Đơn vị không có trong danh mục", "unknown unit")
    v.require(reason, "reason", "lý do (sự cố bất khả kháng)", "reason")
    validate_note(v, reason, "reason")
    v.raise_if_any()


def validate_end_pause_request(pause_id: str, end: datetime | None, reason: str) -> None:
    """EndPause's own fields, before the pause is looked up."""
    v = Validator()
    v.require(pause_id, "pause_id", "mã đợt bất khả kháng", "pause_id")
    if end is None:
        v.add("end", "Thiếu thời điểm kết thúc mới", "end is required")
    v.require(reason, "reason", "lý do kết thúc sớm hoặc rút lại", "reason")
    validate_note(v, reason, "reason")
    v.raise_if_any()


def validate_end_pause(pause: Pause, end: datetime) -> None:
    """Only shortening: the new end is at or after the pause's start (equal: withdrawn) and before
    its current end."""
    v = Validator()
    if end < pause.start:
        v.add("end", "Thời điểm kết thúc không được trước thời điểm bắt đầu của đợt (bằng: rút lại cả đợt)",
              "end must not be before the pause's start (equal to it: the pause is withdrawn)")
    elif pause.withdrawn:
        v.add("end", "Đợt bất khả kháng này đã được rút lại", "the pause is already withdrawn")
    elif end >= pause.end:
        v.add("end", "Chỉ được kết thúc sớm hơn: thời điểm kết thúc mới phải trước thời điểm kết thúc hiện tại",
              "a pause can only be shortened: end must be before its current end")
    v.raise_if_any()


def validate_deadline_request(start: datetime | None, kind: str | None, amount: int) -> None:
    """A deadline question: from an instant, N working days or N calendar hours."""
    v = Validator()
    if start is None:
        v.add("from", "Thiếu thời điểm bắt đầu tính", "from is required")
    if kind is None:
        v.add("amount", "Cần số ngày làm việc hoặc số giờ", "working_days or hours is required")
    else:
        limit = MAX_DEADLINE_WORKING_DAYS if kind == "working_days" else MAX_DEADLINE_HOURS
        if not 0 <= amount <= limit:
            v.add(kind, f"Phải từ 0 đến {limit}", f"{kind} must be between 0 and {limit}")
    v.raise_if_any()


def validate_year(year: int) -> None:
    """0 means every year."""
    if year and not FIRST_YEAR <= year <= LAST_YEAR:
        v = Validator()
        v.add("year", f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}", f"year must be {FIRST_YEAR}–{LAST_YEAR} (0: all)")
        v.raise_if_any()


def day_rules(cal: WorkingCalendar, year: int) -> list[DayRule]:
    """The announced days of `year` (0: all years) with the recorded ones over them, by date."""
    merged = {d: r for d, r in cal.schedules.days.items() if not year or d.year == year}
    merged.update({d: r for d, r in cal.overrides.items() if not year or d.year == year})
    return [merged[d] for d in sorted(merged)]


def pauses_of(pauses: Iterable[Pause]) -> list[Pause]:
    """Every declared pause, withdrawn ones included, by start."""
    return sorted(pauses, key=lambda p: (p.start, p.pause_id))


# -- Paging ------------------------------------------------------------------------------------

DEFAULT_PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    size: int
    after: tuple[str, str] | None  # (instant as ISO text, id) of the last item of the previous page


def page(page_size: int, token: str, statuses: list[int] = (), known: set[int] = frozenset()) -> Page:
    """Page size (0 = default, capped) and the keyset position an opaque token carries; every
    status filter must be a known, specified status."""
    v = Validator()
    for i, value in enumerate(statuses):
        if value not in known:
            v.add(f"statuses[{i}]", "Trạng thái không hợp lệ", "unknown or unspecified status")
    if page_size < 0:
        v.add("page.page_size", "Kích thước trang không hợp lệ", "page_size must not be negative")
    after = None
    if token:
        try:
            after_list = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
            if not (isinstance(after_list, list) and len(after_list) == 2
                    and all(isinstance(x, str) for x in after_list)):
                raise ValueError
            datetime.fromisoformat(after_list[0])
            after = (after_list[0], after_list[1])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            v.add("page.page_token", "Mã trang không hợp lệ", "malformed page_token")
    v.raise_if_any()
    size = DEFAULT_PAGE if page_size == 0 else min(page_size, MAX_PAGE)
    return Page(size, after)


def page_token(instant: datetime, item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([instant.isoformat(), item_id]).encode()).decode()
