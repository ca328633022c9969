"""The answers the gateway sends to the sender: Vietnamese, plain text.

A reply goes only to the message's From address and says only what concerns that message: the
tracking code intake gave it, or what is missing. It never repeats the message's content (a forged
From would otherwise turn the gateway into a relay) nor anything of another submission.
"""

from __future__ import annotations

from dataclasses import dataclass

PORTAL = "Cổng thông tin tương tác 1022 Tây Ninh (ứng dụng Tây Ninh Smart)"

_SIGNATURE = ("\n\nTrân trọng,\nĐơn vị điều phối phản ánh, kiến nghị tỉnh Tây Ninh\n"
              "(Thư tự động, vui lòng không trả lời thư này.)\n")

# What to add or correct, per field of intake's INVALID_ARGUMENT.
FIELD_HINTS = {
    "content": "Viết nội dung phản ánh, kiến nghị trong thân thư (sự việc gì, ở đâu, từ khi nào), "
               "không chỉ ở tiêu đề.",
    "submitter.full_name": "Ghi họ và tên của Quý ông/bà: thêm một dòng «Họ và tên: Nguyễn Văn A» trong thân thư "
                           "(hoặc đặt tên hiển thị cho hộp thư).",
    "submitter.phone": "Ghi số điện thoại di động của Quý ông/bà dạng «SĐT: 0912 345 678» (Điều 6 khoản 3).",
    "location": "Ghi địa điểm xảy ra sự việc: thêm một dòng «Địa điểm: số nhà, đường, xã/phường» trong thân thư.",
    "location.ward_code": "Ghi lại tên xã, phường cho đúng.",
    "occurred_at": "Ghi thời gian xảy ra sự việc.",
    "submitter.email": "Gửi thư từ một địa chỉ thư điện tử hợp lệ.",
    "media_ids": "Đính kèm lại ảnh, video hoặc tệp PDF.",
}


@dataclass(frozen=True)
class Reply:
    subject: str
    body: str


@dataclass(frozen=True)
class Problem:
    """One field problem: the field's path and intake's Vietnamese message."""

    field: str
    message_vi: str


def _lookup(code: str) -> str:
    return (f"Quý ông/bà tra cứu tình trạng xử lý trên {PORTAL} bằng mã theo dõi {code} và địa chỉ thư "
            f"điện tử đã gửi thư này. Khi liên hệ về phản ánh, kiến nghị này, vui lòng ghi mã theo dõi {code}.")


def _files(not_received: list[tuple[str, str]]) -> str:
    if not not_received:
        return ""
    lines = "\n".join(f"- {name}: {why}" for name, why in not_received)
    return ("\n\nCác tệp đính kèm sau không được nhận (chỉ nhận ảnh, video và tệp PDF):\n" + lines)


def _emergency(number: str) -> str:
    if not number:
        return ""
    return (f"LƯU Ý: nếu sự việc đang xảy ra và cần xử lý khẩn cấp, vui lòng gọi ngay số {number}. "
            "Thư điện tử không phải là kênh tin báo khẩn cấp.\n\n")


def received(code: str, emergency_number: str = "", not_received: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(
        f"Đã tiếp nhận phản ánh, kiến nghị - mã {code}",
        "Kính gửi Quý ông/bà,\n\n" + _emergency(emergency_number)
        + f"Hệ thống đã tiếp nhận phản ánh, kiến nghị gửi qua thư điện tử của Quý ông/bà với mã theo dõi {code}. "
        "Đơn vị điều phối sẽ kiểm tra, phân loại và chuyển đến đơn vị có thẩm quyền xử lý.\n\n"
        + _lookup(code) + _files(not_received or []) + _SIGNATURE)


def duplicate(code: str, emergency_number: str = "") -> Reply:
    return Reply(
        f"Phản ánh, kiến nghị đã được tiếp nhận - mã {code}",
        "Kính gửi Quý ông/bà,\n\n" + _emergency(emergency_number)
        + f"Thư này đã được tiếp nhận trước đó với mã theo dõi {code}; hệ thống không tạo phản ánh, kiến nghị "
        "mới.\n\n" + _lookup(code) + _SIGNATURE)


def missing(problems: list[Problem], recipient: str, not_received: list[tuple[str, str]] | None = None) -> Reply:
    lines = []
    for p in problems:
        hint = FIELD_HINTS.get(p.field) or FIELD_HINTS.get(p.field.split("[", 1)[0], "")
        lines.append(f"- {p.message_vi}." + (f"\n  {hint}" if hint else ""))
    return Reply(
        "Chưa tiếp nhận được phản ánh, kiến nghị - cần bổ sung thông tin",
        "Kính gửi Quý ông/bà,\n\nHệ thống chưa tiếp nhận được phản ánh, kiến nghị gửi qua thư điện tử của Quý "
        "ông/bà vì còn thiếu hoặc chưa đúng các thông tin sau:\n\n" + "\n".join(lines)
        + f"\n\nVui lòng gửi một thư mới tới {recipient} có đủ nội dung phản ánh, kiến nghị, họ và tên của "
        "Quý ông/bà và, nếu muốn, số điện thoại liên hệ (ví dụ «SĐT: 0912 345 678»)."
        + _files(not_received or []) + _SIGNATURE)


def already_used() -> Reply:
    return Reply(
        "Thư đã được tiếp nhận trước đó",
        "Kính gửi Quý ông/bà,\n\nThư này mang cùng mã thư (Message-ID) với một thư đã được tiếp nhận trước đó "
        "nhưng có nội dung khác, nên hệ thống không tạo phản ánh, kiến nghị mới. Nếu Quý ông/bà đã gửi thư này "
        "trước đó, vui lòng dùng mã theo dõi trong thư trả lời lần trước. Nếu đây là một phản ánh, kiến nghị "
        "mới, vui lòng gửi bằng một thư mới." + _SIGNATURE)
