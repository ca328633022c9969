"""The messages sent to submitters: Vietnamese, plain text, with the case's tracking code.

A template says only what concerns the submitter's own case; it never carries another person's
data, the case content or a unit's answer (the answer is read on the portal with the code).
"""

from __future__ import annotations

from dataclasses import dataclass

PORTAL = "Cổng thông tin tương tác 1022 Tây Ninh (ứng dụng Tây Ninh Smart)"


@dataclass(frozen=True)
class Template:
    name: str
    event_type: str
    subject_vi: str
    body_vi: str
    sms_vi: str


# Đ6.5: the grounds on which a submission is not accepted, in words.
CANCEL_REASONS = {
    "complaint_or_denunciation": "nội dung thuộc loại tranh chấp, khiếu nại, tố cáo (Điều 6 khoản 5 điểm a)",
    "harmful": "nội dung gây phương hại đến lợi ích quốc gia, an ninh, trật tự xã hội (Điều 6 khoản 5 điểm b)",
    "advertising": "nội dung quảng cáo trái phép (Điều 6 khoản 5 điểm c)",
    "vulgar": "nội dung sử dụng ngôn từ thô tục, xúc phạm (Điều 6 khoản 5 điểm d)",
    "defamation": "nội dung vu khống, xúc phạm danh dự, uy tín của cá nhân, tổ chức (Điều 6 khoản 5 điểm đ)",
    "emergency": ("nội dung là tin báo khẩn cấp cần gọi ngay 113 (công an), 114 (cứu nạn, cứu hộ) hoặc "
                  "115 (cấp cứu) (Điều 6 khoản 5 điểm e)"),
    "insufficient_content": ("nội dung không đầy đủ và không có thông tin liên hệ để xác minh "
                             "(Điều 6 khoản 5 điểm g)"),
}
DEFAULT_CANCEL_REASON = "nội dung không đáp ứng yêu cầu tại Điều 6 khoản 5 Quyết định 58/2024/QĐ-UBND"


def cancel_reason(code: str) -> str:
    return CANCEL_REASONS.get((code or "").strip().lower(), DEFAULT_CANCEL_REASON)


_SIGNATURE = ("\n\nTrân trọng,\nĐơn vị điều phối phản ánh, kiến nghị tỉnh Tây Ninh\n"
              "(Thư tự động, vui lòng không trả lời.)\n")

TEMPLATES: dict[str, Template] = {t.name: t for t in (
    Template(
        "received", "case.received",
        "Đã tiếp nhận phản ánh, kiến nghị - mã {tracking_code}",
        "Kính gửi Quý ông/bà,\n\nHệ thống đã tiếp nhận phản ánh, kiến nghị của Quý ông/bà với mã theo dõi "
        "{tracking_code}. Đơn vị điều phối sẽ kiểm tra, phân loại và chuyển đến đơn vị có thẩm quyền xử lý.\n\n"
        "Quý ông/bà có thể theo dõi quá trình xử lý trên " + PORTAL + " bằng mã {tracking_code}." + _SIGNATURE,
        "Đã tiếp nhận phản ánh, kiến nghị. Mã theo dõi: {tracking_code}. Tra cứu trên Cổng 1022 Tây Ninh.",
    ),
    Template(
        "cancelled", "case.cancelled",
        "Phản ánh, kiến nghị mã {tracking_code} không được tiếp nhận xử lý",
        "Kính gửi Quý ông/bà,\n\nPhản ánh, kiến nghị mã {tracking_code} không được tiếp nhận xử lý vì "
        "{reason}.\n\nQuý ông/bà vui lòng gửi phản ánh, kiến nghị khác đáp ứng quy định hoặc liên hệ đúng "
        "cơ quan có thẩm quyền." + _SIGNATURE,
        "Phản ánh mã {tracking_code} không được tiếp nhận xử lý vì {reason}.",
    ),
    Template(
        "published", "case.published",
        "Đã có kết quả xử lý phản ánh, kiến nghị mã {tracking_code}",
        "Kính gửi Quý ông/bà,\n\nKết quả xử lý phản ánh, kiến nghị mã {tracking_code} đã được công khai. "
        "Quý ông/bà xem câu trả lời trên " + PORTAL + " bằng mã {tracking_code}, và có thể phản hồi hoặc "
        "đánh giá mức độ hài lòng tại đó." + _SIGNATURE,
        "Phản ánh mã {tracking_code} đã có kết quả xử lý công khai. Xem trên Cổng 1022 Tây Ninh bằng mã này.",
    ),
    Template(
        "delivered", "result.delivered",
        "Kết quả xử lý phản ánh, kiến nghị mã {tracking_code} (gửi riêng)",
        "Kính gửi Quý ông/bà,\n\nTheo yêu cầu bảo mật của Quý ông/bà, kết quả xử lý phản ánh, kiến nghị mã "
        "{tracking_code} không được công khai mà chỉ được gửi riêng cho Quý ông/bà (Điều 10 khoản 3 điểm b). "
        "Quý ông/bà xem, phản hồi hoặc đánh giá kết quả trên " + PORTAL + " bằng mã {tracking_code} và số "
        "điện thoại hoặc thư điện tử đã dùng khi gửi." + _SIGNATURE,
        "Kết quả xử lý phản ánh mã {tracking_code} được gửi riêng cho Quý ông/bà, không công khai.",
    ),
)}


def render(name: str, params: dict) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS text) of a template with its parameters."""
    t = TEMPLATES[name]
    values = {"tracking_code": params.get("tracking_code", ""),
              "reason": cancel_reason(params.get("reason_code", ""))}
    return t.subject_vi.format(**values), t.body_vi.format(**values), t.sms_vi.format(**values)
