"""Processing's rules, without I/O: the work item's transitions (Đ8–Đ9), what a result, an
extension and a rework must satisfy, and the deadlines they set."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from pakn.common.v1 import common_pb2
from regulation.calendar import WorkingCalendar
from regulation.profile import RegulationProfile
from runtime import limits
from runtime.errors import FailedPrecondition, InvalidArgument, Validator, Violation

A = common_pb2.AssignmentStatus

ACCEPTED = A.ASSIGNMENT_STATUS_ACCEPTED
IN_PROGRESS = A.ASSIGNMENT_STATUS_IN_PROGRESS
AWAITING_APPROVAL = A.ASSIGNMENT_STATUS_AWAITING_APPROVAL
APPROVED = A.ASSIGNMENT_STATUS_APPROVED

STATUS_VI = {
    A.ASSIGNMENT_STATUS_PENDING: "chờ tiếp nhận",
    ACCEPTED: "đã tiếp nhận",
    A.ASSIGNMENT_STATUS_RETURNED: "đã trả lại",
    IN_PROGRESS: "đang xử lý",
    AWAITING_APPROVAL: "chờ lãnh đạo duyệt",
    APPROVED: "đã duyệt",
}

# Appendix I: "Kính gửi: Quý [cá nhân/tổ chức]".
ADDRESSEE_KINDS = ("cá nhân", "tổ chức")

# Đ10.4a (format), Đ10.4b (inaccurate or missing evidence), Đ10.4c (citizen not satisfied).
REWORK_KINDS = ("format", "inaccurate", "not_satisfied")

MAX_ANSWER = limits.ANSWER
MAX_HANDLER = limits.OPERATOR
MAX_DOCUMENT_NUMBER = limits.DOCUMENT_NUMBER
MAX_REASON = limits.NOTE


@dataclass(frozen=True)
class Action:
    name: str
    allowed: frozenset[int]
    # None: the status does not change.
    target: int | None
    vi: str
    en: str


ACTIONS = {
    a.name: a for a in (
        Action("assign_handler", frozenset({ACCEPTED, IN_PROGRESS}), IN_PROGRESS,
               "phân công người xử lý", "assign a handler"),
        Action("submit_result", frozenset({IN_PROGRESS}), AWAITING_APPROVAL,
               "gửi kết quả xử lý", "submit a result"),
        Action("request_extension", frozenset({ACCEPTED, IN_PROGRESS}), None,
               "xin gia hạn", "request an extension"),
        Action("approve", frozenset({AWAITING_APPROVAL}), APPROVED, "duyệt kết quả", "approve the result"),
        Action("return_to_handler", frozenset({AWAITING_APPROVAL}), IN_PROGRESS,
               "trả lại cho người xử lý", "return the result to the handler"),
        Action("edit_and_approve", frozenset({AWAITING_APPROVAL}), APPROVED,
               "chỉnh sửa và duyệt kết quả", "edit and approve the result"),
    )
}


def transition(action: str, status: int) -> int:
    """The status after `action` from `status`, or FailedPrecondition (vi + en)."""
    a = ACTIONS[action]
    if status not in a.allowed:
        name = A.Name(status) if status in A.values() else str(status)
        raise FailedPrecondition(
            f"Không thể {a.vi} khi hồ sơ đang ở trạng thái \"{STATUS_VI.get(status, name)}\"",
            f"cannot {a.en} while the assignment is {name.removeprefix('ASSIGNMENT_STATUS_')}")
    return status if a.target is None else a.target


def nfc(text: str) -> str:
    """Đ6.1: text is stored as Unicode NFC, trimmed."""
    return unicodedata.normalize("NFC", text or "").strip()


def effective_deadline(deadline: datetime, rework_deadline: datetime | None) -> datetime:
    """The deadline that applies now: the rework deadline while in rework (Đ10.4), else Đ8.2a's."""
    return rework_deadline if rework_deadline is not None else deadline


def on_time(approved_at: datetime, deadline: datetime) -> bool:
    """Đ9.3b completes the unit's handling; it is on time when approved by the deadline."""
    return approved_at <= deadline


# The unit's clocks. Days off and days a pause of the province or of the unit touches do not count.
HANDLING, APPROVAL, REWORK = "handling", "approval", "rework"


def handling_days(requested: int, profile: RegulationProfile) -> int:
    """Đ8.2a: the unit's own limit (0 or more than the maximum: the maximum)."""
    return min(requested or profile.max_handling_working_days, profile.max_handling_working_days)


def handling_deadline(accepted_at: datetime, days: int, cal: WorkingCalendar, unit_id: str) -> datetime:
    """Đ8.2a: the unit's limit in working days from its acceptance."""
    return cal.add_working_days(accepted_at, days, unit_id)


def approval_deadline(submitted_at: datetime, profile: RegulationProfile, cal: WorkingCalendar,
                      unit_id: str) -> datetime:
    """Đ9: the leader approves within 1 working day of the result."""
    return cal.add_working_days(submitted_at, profile.approval_working_days, unit_id)


def rework_deadline(requested_at: datetime, profile: RegulationProfile, cal: WorkingCalendar,
                    unit_id: str) -> datetime:
    """Đ10.4a–b: 2 working days to adjust or update the result."""
    return cal.add_working_days(requested_at, profile.rework_working_days, unit_id)


def running_clocks(status: int, rework_deadline_set: bool, approval_deadline_set: bool) -> set[str]:
    """The clocks of a work item that are still running, which a calendar change may move.

    The handling clock (Đ8.2a) runs until approval unless a rework (Đ10.4) replaced it; the rework
    clock runs until the reworked result is approved; the approval clock (Đ9) while the result
    waits for the leader. An approved item's clocks are closed."""
    if status == APPROVED:
        return set()
    clocks = {REWORK} if rework_deadline_set else {HANDLING}
    if status == AWAITING_APPROVAL and approval_deadline_set:
        clocks.add(APPROVAL)
    return clocks


def validate_handler(handler_id: str) -> str:
    v = Validator()
    handler_id = nfc(handler_id)
    v.require(handler_id, "handler_id", "người xử lý", "handler_id")
    if len(handler_id) > MAX_HANDLER:
        v.add("handler_id", "Mã người xử lý quá dài", "handler_id is too long")
    v.raise_if_any()
    return handler_id


@dataclass(frozen=True)
class ResultDraft:
    answer: str
    document_number: str
    addressee_kind: str
    evidence_media_ids: tuple[str, ...]


def validate_result(answer: str, document_number: str, addressee_kind: str,
                    evidence_media_ids: list[str]) -> ResultDraft:
    """Đ8.3 / Appendix I: an answer is required; the number and the addressee kind are optional."""
    v = Validator()
    answer, number, kind = nfc(answer), nfc(document_number), nfc(addressee_kind).lower()
    v.require(answer, "result.answer", "nội dung trả lời", "result.answer")
    if len(answer) > MAX_ANSWER:
        v.add("result.answer", "Nội dung trả lời quá dài (tối đa 20.000 ký tự)",
              "result.answer is too long (20,000 characters at most)")
    if len(number) > MAX_DOCUMENT_NUMBER:
        v.add("result.document_number", "Số văn bản quá dài", "result.document_number is too long")
    if kind and kind not in ADDRESSEE_KINDS:
        v.add("result.addressee_kind", "Đối tượng nhận phải là \"cá nhân\" hoặc \"tổ chức\"",
              "result.addressee_kind must be \"cá nhân\" or \"tổ chức\"")
    seen: set[str] = set()
    for i, mid in enumerate(evidence_media_ids):
        if not mid.strip() or mid in seen:
            v.add(f"result.evidence_media_ids[{i}]", "Mã tệp minh chứng trống hoặc bị lặp",
                  "empty or repeated evidence media id")
        seen.add(mid)
    v.raise_if_any()
    return ResultDraft(answer, number, kind, tuple(evidence_media_ids))


def validate_reason(reason: str, field: str = "reason") -> str:
    v = Validator()
    reason = nfc(reason)
    v.require(reason, field, "lý do", field)
    if len(reason) > MAX_REASON:
        v.add(field, "Lý do quá dài (tối đa 2.000 ký tự)", f"{field} is too long (2,000 characters at most)")
    v.raise_if_any()
    return reason


def validate_extension_request(reason: str, expected_completion: datetime | None) -> str:
    """Đ8.2a: an extension needs a reason and the expected completion date, in writing."""
    v = Validator()
    reason = nfc(reason)
    v.require(reason, "reason", "lý do gia hạn", "reason")
    if len(reason) > MAX_REASON:
        v.add("reason", "Lý do quá dài (tối đa 2.000 ký tự)", "reason is too long (2,000 characters at most)")
    if expected_completion is None:
        v.add("expected_completion", "Thiếu ngày dự kiến hoàn thành", "expected_completion is required")
    v.raise_if_any()
    return reason


def check_extension(now: datetime, deadline: datetime, expected_completion: datetime) -> None:
    """Đ8.2a: recorded before the deadline passes, for a date after it."""
    if now > deadline:
        raise FailedPrecondition(
            "Đã quá hạn xử lý: chỉ được xin gia hạn trước khi hết hạn (Đ8.2a)",
            "the deadline has passed: an extension must be requested before it (Đ8.2a)")
    if expected_completion <= deadline:
        raise InvalidArgument([Violation(
            "expected_completion", "Ngày dự kiến hoàn thành phải sau hạn xử lý hiện tại",
            "expected_completion must be after the current deadline")])


def rework_refusal(kind: str, status: int, rating_reworks: int, profile: RegulationProfile) -> str | None:
    """Why a rework request cannot apply (a short code for logs), or None when it applies.

    Only an approved result goes back for rework; a unit re-handles after a "not satisfied"
    rating at most `rework_per_unit_after_rating` times (Đ10.4c).
    """
    if kind not in REWORK_KINDS:
        return "unknown_kind"
    if status != APPROVED:
        return "not_approved"
    if kind == "not_satisfied" and rating_reworks >= profile.rework_per_unit_after_rating:
        return "rating_rework_used"
    return None

