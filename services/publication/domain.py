"""Publication's rules, without I/O: readiness, visibility, timeline wording, search text."""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from pakn.common.v1 import common_pb2
from pakn.publication.v1 import publication_pb2
from regulation.calendar import WorkingCalendar
from regulation.profile import RegulationProfile

S = common_pb2.CaseStatus
R = common_pb2.Rating

# Đ3.3: shown with every published answer.
DISCLAIMER_VI = ("Nội dung trả lời mang tính chất giải thích, hướng dẫn quy định pháp luật; "
                 "không phải là căn cứ pháp lý để giải quyết các tranh chấp dân sự (Điều 3 khoản 3, "
                 "Quyết định 58/2024/QĐ-UBND).")

# How far a case has come, for events that may arrive out of order: a late event never moves a
# case back. Outcomes of review and cancellation are final for upstream events.
_RANK = {
    S.CASE_STATUS_UNSPECIFIED: 0,
    S.CASE_STATUS_RECEIVED: 1,
    S.CASE_STATUS_VERIFYING: 1,
    S.CASE_STATUS_CLASSIFIED: 2,
    S.CASE_STATUS_AWAITING_UNIT: 2,
    S.CASE_STATUS_IN_HANDLING: 3,
    S.CASE_STATUS_UNDER_REVIEW: 4,
    S.CASE_STATUS_PUBLISHED: 9,
    S.CASE_STATUS_DELIVERED_PRIVATELY: 9,
    S.CASE_STATUS_RESTRICTED: 9,
    S.CASE_STATUS_CANCELLED: 9,
    S.CASE_STATUS_CLOSED: 9,
}

# Statuses in which the answers are still being produced (readiness is recomputed).
OPEN = frozenset({S.CASE_STATUS_UNSPECIFIED, S.CASE_STATUS_RECEIVED, S.CASE_STATUS_VERIFYING,
                  S.CASE_STATUS_CLASSIFIED, S.CASE_STATUS_AWAITING_UNIT, S.CASE_STATUS_IN_HANDLING})
# Đ11: a citizen replies to and rates a result they were given.
ANSWERED = frozenset({S.CASE_STATUS_PUBLISHED, S.CASE_STATUS_DELIVERED_PRIVATELY})


def advance(current: int, target: int) -> int:
    """The status after an upstream event: forward only (events may arrive out of order)."""
    return target if _RANK.get(target, 0) > _RANK.get(current, 0) else current


@dataclass(frozen=True)
class Answer:
    """One assignment as publication sees it."""

    assignment_id: str
    unit_id: str
    returned: bool
    approved: bool
    approved_at: datetime | None = None
    reworks_after_rating: int = 0

    @property
    def expected(self) -> bool:
        return not self.returned


def ready(answers: list[Answer]) -> bool:
    """Đ10.2: every expected assignment is approved, and there is at least one."""
    expected = [a for a in answers if a.expected]
    return bool(expected) and all(a.approved for a in expected)


def review_deadline(answers: list[Answer], profile: RegulationProfile, cal: WorkingCalendar) -> datetime:
    """Đ10.2: publication within `publication_hours` of the last approval (calendar hours; the
    province's force-majeure pauses stop the clock)."""
    last = max(a.approved_at for a in answers if a.expected and a.approved_at is not None)
    return cal.add_hours(last, profile.publication_hours)


def next_review_status(status: int, received: bool, answers: list[Answer]) -> int:
    """The status readiness implies: UNDER_REVIEW once every expected answer is approved (and the
    case itself has been received), back to IN_HANDLING when a new or reworked assignment is open."""
    if status in OPEN and received and ready(answers):
        return S.CASE_STATUS_UNDER_REVIEW
    if status == S.CASE_STATUS_UNDER_REVIEW and not ready(answers):
        return S.CASE_STATUS_IN_HANDLING
    return status


def is_public(status: int, published_at: datetime | None) -> bool:
    """Đ3.2, Đ10.3b–c: what the public may read. A published answer stays readable while it is
    re-handled after a "not satisfied" rating (Đ10.4c); private and restricted results never."""
    if status == S.CASE_STATUS_PUBLISHED:
        return True
    return published_at is not None and status in (S.CASE_STATUS_IN_HANDLING, S.CASE_STATUS_UNDER_REVIEW)


def timeline_visible(status: int) -> bool:
    """Đ12.2: the process is public except for cases under Đ10.3c."""
    return status != S.CASE_STATUS_RESTRICTED


def on_time(now: datetime, deadline: datetime | None) -> bool:
    return deadline is None or now <= deadline


def owns(verifiers: list[str], candidate: str) -> bool:
    """Whether a keyed hash of the given contact is one of the case's verifiers."""
    return any(hmac.compare_digest(candidate, v) for v in verifiers)


def units_to_rework_after_rating(answers: list[Answer], profile: RegulationProfile) -> list[Answer]:
    """Đ10.4c: after "not satisfied", each unit re-handles once; then the result is final."""
    return [a for a in answers
            if a.expected and a.reworks_after_rating < profile.rework_per_unit_after_rating]


REWORK_KINDS = {
    publication_pb2.REWORK_KIND_FORMAT: "format",          # Đ10.4a
    publication_pb2.REWORK_KIND_INACCURATE: "inaccurate",  # Đ10.4b
}
NOT_SATISFIED = "not_satisfied"                            # Đ10.4c


def normalise_tracking_code(code: str) -> str:
    code = (code or "").strip().upper().replace(" ", "")
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


def fold(text: str) -> str:
    """Text for accent- and case-insensitive search: "Đèn đường" -> "den duong"."""
    text = unicodedata.normalize("NFD", (text or "").casefold().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.split())


def search_terms(query: str) -> list[str]:
    return [t for t in fold(query).split(" ") if t][:10]


def unit_label(unit_name: str, unit_id: str) -> str:
    return unit_name or unit_id


# Public timeline wording (Đ12.2): unit names and ids only, never personal data or content.
def entry_received() -> tuple[str, str]:
    return "Hệ thống tiếp nhận phản ánh, kiến nghị", "The report was received"


def entry_classified(category_code: str) -> tuple[str, str]:
    suffix_vi = f" (nhóm {category_code})" if category_code else ""
    suffix_en = f" (category {category_code})" if category_code else ""
    return f"Đơn vị điều phối phân loại phản ánh{suffix_vi}", f"The coordinating unit classified the report{suffix_en}"


def entry_cancelled() -> tuple[str, str]:
    return ("Phản ánh không được tiếp nhận xử lý theo Điều 6 khoản 5",
            "The report was not accepted for handling (Article 6.5)")


def entry_distributed(unit: str) -> tuple[str, str]:
    return f"Chuyển đến đơn vị xử lý: {unit}", f"Distributed to the processing unit: {unit}"


def entry_accepted(unit: str) -> tuple[str, str]:
    return f"{unit} tiếp nhận xử lý", f"{unit} accepted the report for handling"


def entry_returned(unit: str) -> tuple[str, str]:
    return (f"{unit} trả lại phản ánh cho đơn vị điều phối để phân công lại",
            f"{unit} returned the report to the coordinating unit for redistribution")


def entry_approved(unit: str) -> tuple[str, str]:
    return f"Lãnh đạo {unit} phê duyệt kết quả xử lý", f"The leader of {unit} approved the result"


def entry_published() -> tuple[str, str]:
    return "Công khai kết quả xử lý", "The result was published"


def entry_delivered() -> tuple[str, str]:
    return ("Kết quả xử lý được gửi riêng cho người gửi theo yêu cầu bảo mật",
            "The result was sent to the submitter only, as they asked for confidentiality")


def entry_rework() -> tuple[str, str]:
    return "Đơn vị điều phối yêu cầu xử lý lại", "The coordinating unit asked for the result to be reworked"
