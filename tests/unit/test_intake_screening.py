"""Intake screening (Đ6.5, Đ6.1, Đ7.3a): measured on the shared samples and on sentences of our own."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from services.intake.screening import FLAGS, Finding, Screening, screen
from tests.infra import unavailable

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "pakn-samples.jsonl"


def load_samples() -> list[dict]:
    if not SAMPLES.exists():
        unavailable(f"the shared samples are missing: {SAMPLES}")  # fails under CI=true, else skips
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(cases: list[tuple[str, list[str], str, bool]]) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Per flag (hits, expected), emergencies counted only with the right number; and the false flags."""
    hits: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    false_flags: list[str] = []
    for text, flags, number, has_contact in cases:
        result = screen(text, has_contact=has_contact)
        for flag in flags:
            expected[flag] += 1
            ok = flag in result.flags and (flag != "emergency" or result.emergency_number == number)
            hits[flag] += ok
        false_flags += [f"{flag}: {text}" for flag in result.flags if flag not in flags]
    return {flag: (hits[flag], expected[flag]) for flag in expected}, false_flags


# -- The shared samples (screened as they are: they carry no contact details) --------------------

def test_the_shared_samples_are_screened_with_their_flags():
    samples = load_samples()
    cases = [(s["text"], s["flags"], s.get("emergency_number", ""), False) for s in samples]
    recall, false_flags = measure(cases)
    report = {flag: f"{hit}/{n}" for flag, (hit, n) in recall.items()}
    assert recall["emergency"][0] == recall["emergency"][1], report  # every one, with the right number
    others = [v for flag, v in recall.items() if flag != "emergency"]
    assert sum(h for h, _ in others) >= 0.8 * sum(n for _, n in others), report
    clean = [s for s in samples if not s["flags"]]
    assert len(clean) >= 80
    clean_false = [f for f in false_flags if f.split(": ", 1)[1] in {s["text"] for s in clean}]
    assert len(clean_false) <= 2, clean_false


# -- Sentences of our own: other wording than the samples ---------------------------------------
# (text, flags, emergency number, has_contact)

E, C, A, V = "emergency", "complaint_or_denunciation", "advertising", "vulgar"
N, SHORT = "no_diacritics", "insufficient_content"

HELD_OUT: list[tuple[str, list[str], str, bool]] = [
    # Đ6.5a: disputes, complaints, denunciations
    ("Tôi gửi đơn khiếu nại việc xã thu hồi đất nhà tôi mà không bồi thường thỏa đáng.", [C], "", True),
    ("Đề nghị xem xét đơn tố cáo ông trưởng ấp lập danh sách hộ nghèo sai đối tượng.", [C], "", True),
    ("Hai gia đình đang tranh chấp lối đi chung, nhờ xã đứng ra giải quyết.", [C], "", True),
    ("toi muon khieu nai ve viec phuong cham tra ho so dat dai cho gia dinh toi", [C, N], "", True),
    ("Cán bộ một cửa đòi hối lộ mới chịu nhận hồ sơ của người dân.", [C], "", True),
    ("Tôi sẽ khởi kiện công ty xây dựng vì làm nứt tường nhà tôi.", [C], "", True),
    # Đ6.5e: emergencies, with the number
    ("Nhà kho phía sau chợ đang bốc cháy dữ dội, lửa lan sang mấy căn bên cạnh.", [E], "114", True),
    ("Bình gas nhà bên cạnh bị rò rỉ, mùi gas nồng nặc khắp hẻm, mọi người rất hoảng.", [E], "114", True),
    ("Có tiếng nổ lớn ở xưởng pháo, nhiều người bị thương.", [E], "114", True),
    ("Mưa lớn làm sập tường, hai người bị vùi lấp chưa ra được.", [E], "114", True),
    ("Có người đang chìm dưới sông Vàm Cỏ, cứu với!", [E], "114", True),
    ("Ông cụ hàng xóm đột quỵ, méo miệng, không nói được, gia đình cần xe cấp cứu ngay.", [E], "115", True),
    ("Một công nhân bị ngã từ giàn giáo xuống, chảy nhiều máu ở đầu.", [E], "115", True),
    ("Người đi đường ngất xỉu giữa trời nắng ở trạm xe buýt, không ai biết làm gì.", [E], "115", True),
    ("Hai thanh niên đang dùng dao đâm chém nhau ở đầu hẻm 12!", [E], "113", True),
    ("Có kẻ lạ đang cạy cửa nhà hàng xóm trong lúc họ đi vắng, cần công an tới ngay.", [E], "113", True),
    ("Một đứa trẻ vừa bị bắt cóc trước cổng trường, kẻ xấu chạy về hướng cầu.", [E], "113", True),
    ("chay lon o khu nha tro, co nguoi mac ket tren lau", [E, N], "114", True),
    ("co nguoi bat tinh giua duong, can goi cap cuu gap", [E, N], "115", True),
    # several services: 114 > 113 > 115, an explicit call first
    ("Xe bồn chở xăng lật và bốc cháy, tài xế bất tỉnh trong cabin.", [E], "114", True),
    ("Tên cướp cầm dao đâm chủ tiệm vàng, nạn nhân chảy nhiều máu.", [E], "113", True),
    ("Hai người đang đánh nhau, một người bất tỉnh, cần xe cấp cứu gấp.", [E], "115", True),
    # Đ6.5c: advertising
    ("Cần bán gấp lô đất thổ cư 100m2 giá tốt, LH 0912.345.678 chính chủ.", [A], "", True),
    ("Cho vay tiền nhanh không cần thế chấp, giải ngân trong ngày, nhắn zalo 0987654321.", [A], "", True),
    ("Nhận làm bằng đại học, bằng cấp 3 không cần học, bao công chứng, ib ngay.", [A], "", True),
    ("Shop thời trang khuyến mãi giảm giá 50% tất cả sản phẩm, đặt hàng ngay hôm nay.", [A], "", True),
    ("Dịch vụ thông cống nghẹt giá rẻ, có mặt sau 15 phút, gọi ngay 0909 888 999.", [A], "", True),
    ("can ban dat nen gia re lien he ngay 0909123456 de xem dat", [A, N], "", True),
    # Đ6.5d: vulgar and offensive
    ("Đèn hỏng cả tháng, bọn cán bộ phường vcl thật, làm ăn như cc.", [V], "", True),
    ("dm đường gì mà ổ gà nhiều như mặt trăng.", [V], "", True),
    ("Mấy thằng mất dạy ở đội trật tự đô thị thu tiền vỉa hè.", [V], "", True),
    ("Đ.M cái đèn tín hiệu này hỏng hoài.", [V], "", True),
    ("Lũ ăn hại ở xã làm việc như l*n, hồ sơ nộp ba tháng chưa xong.", [V], "", True),
    ("bon can bo xa ngu nhu bo, duong hu ca nam", [V, N], "", True),
    # Đ6.1: without diacritics
    ("den duong hem 7 khu pho 2 bi hong lau roi chua ai sua", [N], "", True),
    ("xin hoi ho so xin cap giay phep xay dung gom nhung giay to gi", [N], "", True),
    # Đ6.5g: too little to act on, and nobody to ask
    ("Giúp với.", [SHORT], "", False),
    ("alo alo", [SHORT], "", False),
    ("Đường hỏng rồi", [SHORT], "", False),
    ("Có vấn đề.", [], "", True),  # the submitter can be asked
    ("Hệ thống thoát nước ấp Trà Võ bị nghẹt", [], "", False),  # enough to act on
    # Đ6.5b and Đ6.5đ, conservatively
    ("Kêu gọi mọi người xuống đường biểu tình lật đổ chính quyền xã.", ["harmful"], "", True),
    ("Ông chủ tịch xã là kẻ lừa đảo, có bồ nhí ở thị trấn.", ["defamation"], "", True),
    # several flags
    ("Tôi tố cáo bọn chó chết ở phường ăn hối lộ.", [C, V], "", True),
    # tricky negatives: nothing to flag
    ("Cán bộ admin hệ thống cổng dịch vụ công không phản hồi yêu cầu đặt lại mật khẩu.", [], "", True),
    ("Tôi quên mật khẩu acc đăng nhập, đã nhập đúng số CCCD mà vẫn báo lỗi.", [], "", True),
    ("Số CCCD của tôi là 072090001234 nhưng hệ thống báo không hợp lệ khi nộp hồ sơ.", [], "", True),
    ("Khu vực trong bán kính 5 km quanh bãi rác đều bị ảnh hưởng mùi hôi.", [], "", True),
    ("Xin hỏi người dân bán nông sản ở chợ có phải nộp thuế không?", [], "", True),
    ("Tờ rơi quảng cáo cho vay dán tràn lan trên trụ điện, đề nghị xử lý.", [], "", True),
    ("Công nhân làm đường bị cháy nắng vì không có mái che nghỉ trưa.", [], "", True),
    ("Đề nghị khen thưởng tổ dân phố 5 vì giữ vệ sinh đường phố rất tốt.", [], "", True),
    # "cấp cứu" in a complaint about a hospital's service is an ordinary report (y_te), not Đ6.5e
    ("Thái độ nhân viên phòng cấp cứu bệnh viện tỉnh không tốt, nói chuyện cộc cằn với người nhà.", [], "", True),
    ("Xin hỏi bệnh viện huyện có khoa cấp cứu hoạt động 24 giờ không?", [], "", True),
    ("Tủ điện trước chợ hở dây, có nguy cơ cháy nổ, đề nghị kiểm tra.", [], "", True),
    ("Năm ngoái khu này từng xảy ra vụ cháy lớn, đề nghị lắp thêm trụ nước chữa cháy.", [], "", True),
    ("Tình trạng cướp giật điện thoại ở khu vực chợ đêm gia tăng, đề nghị tăng cường tuần tra.", [], "", True),
    ("Bóng đèn đường ở ngã ba bị cháy, cả đoạn tối om.", [], "", True),
    ("Chó thả rông cắn người đi đường, đề nghị chủ nuôi phải xích lại.", [], "", True),
    ("Xe máy 50 cc của học sinh chạy quá tốc độ trên đường ven kênh.", [], "", True),
    ("Học sinh trường trung học hay đánh nhau sau giờ tan học, đề nghị nhà trường quản lý.", [], "", True),
    # a question about the procedure is a question, not a complaint
    ("Xin hỏi thủ tục khiếu nại quyết định hành chính gồm những bước nào?", [], "", True),
    # a second batch, other styles and cues
    ("Khói mù mịt từ căn nhà số 45, người dân đang dùng xô nước dập lửa, xin gửi xe chữa cháy tới!", [E], "114", True),
    ("Cột điện đổ đè lên một người đi xe máy, người này đang kẹt dưới cột", [E], "114", True),
    ("Bà ngoại tôi bị té cầu thang, bất động, không phản ứng gì", [E], "115", True),
    ("Có đứa nhỏ uống nhầm thuốc trừ sâu, đang nôn ói", [E], "115", True),
    ("Trộm đang leo tường vào nhà ông Tư, mọi người ra chặn giúp", [E], "113", True),
    ("Một nhóm côn đồ cầm mã tấu rượt chém người ngay chợ Long Hoa", [E], "113", True),
    ("Xe khách lật xuống ruộng, nhiều hành khách bị thương kẹt trong xe", [E], "114", True),
    ("Học sinh bị sét đánh trên đường đi học về, đang nằm giữa đồng", [E], "115", True),
    ("Đám cháy rừng tràm ở Lò Gò đang lan rộng", [E], "114", True),
    ("Ống dẫn khí của nhà máy bị bể, khí độc thoát ra, nhiều công nhân choáng váng", [E], "114", True),
    ("nha hang xom dang chay, lua boc cao lam", [E, N], "114", True),
    ("cuop giat tui xach cua toi vua xay ra o nga tu, ten cuop chay ve huong cho", [E, N], "113", True),
    ("Chồng tôi đang đánh đập tôi và các con, xin cứu giúp", [E], "113", True),
    ("Tôi đã gửi đơn khiếu nại lên huyện ba lần mà chưa được trả lời", [C], "", True),
    ("Chúng tôi làm đơn tập thể tố giác chủ cơ sở khai thác cát trái phép", [C], "", True),
    ("Hàng xóm xây tường lấn sang đất nhà tôi 30 cm, hai bên không thống nhất được", [C], "", True),
    ("Tôi bức xúc vì cán bộ thuế vòi tiền mới giải quyết hồ sơ", [C], "", True),
    ("Yêu cầu giải quyết dứt điểm vụ kiện đòi nợ giữa tôi và ông Ba", [C], "", True),
    ("Tuyển nhân viên bán hàng online, lương 10-15 triệu/tháng, làm tại nhà, liên hệ Zalo 0933 456 789", [A], "", True),
    ("Khai trương quán cà phê Gió, giảm 30% cho khách hàng đầu tiên, hẹn gặp các bạn!", [A], "", True),
    ("Thanh lý lô máy lạnh cũ giá chỉ từ 2 triệu, bảo hành 6 tháng, ship toàn tỉnh", [A], "", True),
    ("Dịch vụ làm sổ đỏ nhanh, bao trọn gói, không cần đi lại, gọi 0909.111.222", [A], "", True),
    ("Nhận cầm đồ, cầm xe máy lãi thấp, thủ tục nhanh gọn", [A], "", True),
    ("Đéo hiểu sao đường này sửa hoài không xong", [V], "", True),
    ("Bọn trật tự đô thị đúng là lũ chó, tịch thu xe của dân", [V], "", True),
    ("Cán bộ gì mà như con c*c", [V], "", True),
    ("dcm cái đèn đỏ này hỏng suốt", [V], "", True),
    ("Thằng chủ quán karaoke đúng là đồ khốn nạn", [V], "", True),
    ("Nuoc may nha toi co mui hoi, de nghi cong ty cap nuoc kiem tra", [N], "", True),
    ("???", [SHORT], "", False),
    ("Đề nghị xử lý", [SHORT], "", False),
    ("Bức xúc quá đi thôi", [SHORT], "", False),
    ("Đề nghị cơ quan chức năng tổ chức diễn tập phòng cháy chữa cháy tại chợ", [], "", True),
    ("Xin hỏi thủ tục hưởng chế độ cho người bị thương trong khi làm nhiệm vụ", [], "", True),
    ("Trụ nước cứu hỏa trên đường Lý Thường Kiệt bị hư, không có nước", [], "", True),
    ("Nhà văn hóa ấp thường cho thuê làm tiệc cưới, gây ồn", [], "", True),
    ("Trạm y tế thiếu xe cấp cứu, người bệnh phải tự đi xe máy lên huyện", [], "", True),
    ("Đề nghị lắp camera vì khu này hay có trộm đột nhập vào ban đêm", [], "", True),
    ("Cháy nắng, mất nước, nhiều công nhân phải làm việc ngoài trời giờ trưa", [], "", True),
    ("Đề nghị lãnh đạo phường liên hệ ngay với chúng tôi để giải quyết dứt điểm việc ngập", [], "", True),
    ("Bán kính phục vụ của trạm y tế quá xa", [], "", True),
    ("Đề nghị kiểm tra cơ sở bán hàng giả, hàng nhái giá rẻ ở chợ", [], "", True),
    ("Mẹ tôi bị đột quỵ năm ngoái, xin hỏi chế độ hỗ trợ người khuyết tật", [], "", True),
    ("Đường vào ấp tối om, dễ xảy ra cướp giật", [], "", True),
    ("Con chó nhà hàng xóm sủa suốt đêm", [], "", True),
    ("Đồ chơi trẻ em bán ở cổng trường không rõ nguồn gốc", [], "", True),
    ("Tôi đã inbox fanpage 1022 nhiều lần nhưng không ai trả lời, hotline cũng không ai nghe", [], "", True),
    ("Cổng dịch vụ công tỉnh báo lỗi, đề nghị hỗ trợ miễn phí cho người cao tuổi", [], "", True),
    ("Con tôi bị ngộ độc sau bữa ăn bán trú tuần trước, đề nghị kiểm tra bếp ăn", [], "", True),
    ("Xin hỏi mức phạt khi đánh nhau gây thương tích là bao nhiêu?", [], "", True),
]


# Ordinary reports (some typed without accents) full of words near the cues: no flag but Đ6.1's.
ORDINARY = [
    "Các hộ kinh doanh ở chợ Long Hoa buôn bán lấn chiếm lối đi, xe cứu thương khó vào.",
    "Buổi sáng xe tải chạy lớn tiếng còi, người dân không ngủ được.",
    "Đề nghị các cơ quan kiểm tra lon bia, chai nhựa vứt bừa bãi ở công viên.",
    "Học sinh phải đeo khẩu trang vì bụi từ công trình bên cạnh trường.",
    "Ban quản lý chợ thu phí cao, tiểu thương than phiền.",
    "Nhà tôi ở gần trạm biến áp, tiếng ồn thường xuyên khiến cả nhà khó ngủ.",
    "Cầu tạm qua kênh yếu, xe chở nông sản chạy qua rất dễ sập.",
    "Bệnh nhân phải chờ ở khoa cấp cứu bệnh viện đa khoa hơn 3 tiếng mới được khám.",
    "Xin hỏi chế độ cho thương binh, bệnh binh được điều chỉnh từ khi nào?",
    "Đề nghị bố trí lực lượng cứu hộ tại bãi tắm trong dịp lễ.",
    "Tổ chức tập huấn kỹ năng sơ cứu, phòng chống đuối nước cho học sinh vào mùa hè.",
    "Cửa hàng bán bình gas không có giấy phép, đặt ngay cạnh trường mẫu giáo.",
    "Kho chứa pháo của cơ sở sản xuất gần khu dân cư, người dân lo sợ cháy nổ.",
    "Tôi muốn đăng ký tham gia tố tụng với tư cách người làm chứng thì cần thủ tục gì?",
    "Đề nghị công khai kết quả giải quyết đơn thư của công dân tại xã.",
    "Bảng giá dịch vụ khám chữa bệnh tại trạm y tế không được niêm yết.",
    "Con chó của nhà bên cắn chết gà nhà tôi, xin hỏi phải làm sao?",
    "Xe cấp cứu của bệnh viện huyện đã cũ, thường xuyên hư hỏng giữa đường.",
    "Đường vào khu công nghiệp có nhiều xe container chạy nhanh, rất dễ gây tai nạn nghiêm trọng.",
    "Lực lượng công an đến rất nhanh khi người dân báo tin, xin cảm ơn.",
    "Xin hỏi mẫu đơn tố cáo hành vi vi phạm pháp luật về đất đai theo quy định mới?",
    "Đoàn thanh niên tổ chức hiến máu nhân đạo nhưng thiếu chỗ ngồi chờ.",
    "Các em học sinh tan học đi bộ dưới nắng gắt, đề nghị trồng thêm cây xanh.",
    "Đường dây điện bị chập, chiều qua có tia lửa, may mà chưa cháy.",
    "Tôi là admin nhóm Zalo của khu phố, muốn hỏi thủ tục đăng ký tổ tự quản.",
    "Xin hỏi thủ tục cấp lại bằng lái xe bị mất.",
    "Đề nghị giảm giá vé xe buýt cho người cao tuổi.",
    "Giá rau củ ở chợ tăng cao bất thường sau bão, đề nghị quản lý thị trường kiểm tra.",
    "Xin hỏi làm thế nào để vay vốn ưu đãi hộ nghèo tại ngân hàng chính sách xã hội?",
    "Đèn đường ấp Tân Định hỏng, buổi tối rất tối, dễ bị cướp giật.",
    "Nhà văn hóa ấp xuống cấp, đề nghị sửa chữa trước mùa mưa.",
    "Tôi bị mất ví có giấy tờ tùy thân, xin hỏi thủ tục làm lại căn cước.",
    "Trong buổi họp dân, cán bộ xã hứa sẽ sửa đường nhưng đến nay chưa thực hiện.",
    "Xin hỏi cách đăng ký khám bảo hiểm y tế tuyến huyện cho con tôi 5 tuổi.",
    "cac ho dan ap 3 chua duoc ho tro tien dien, de nghi xa xem xet",
    "xe tai chay qua dem lam nut tuong nha toi, de nghi kiem tra tai trong",
    "cho toi hoi thu tuc dang ky thuong tru cho con moi sinh",
    "ban quan ly cho thu phi ve sinh qua cao so voi quy dinh",
    "buoi toi duong nay rat toi, de nghi lap den",
    "nha toi bi cup dien tu sang, dien luc chua den sua",
    "tre em trong xom thuong deo cap di hoc qua duong quoc lo rat nguy hiem",
    "de nghi kiem tra quan nhau mo loa lon den khuya",
    "Xin hỏi hồ sơ đề nghị công nhận gia đình văn hóa cần những gì?",
    "Đề nghị xử lý nghiêm các xe chạy quá tốc độ, cách đây 1 tuần đã có vụ va chạm làm 2 người bị thương.",
]


@pytest.mark.parametrize(("text", "flags", "number", "has_contact"), HELD_OUT, ids=lambda v: str(v)[:40])
def test_held_out_sentences(text, flags, number, has_contact):
    result = screen(text, has_contact=has_contact)
    assert result.flags == [f for f in FLAGS if f in flags], [f.reason_vi for f in result.findings]
    assert result.emergency_number == number


def test_held_out_recall_and_false_flags():
    recall, false_flags = measure(HELD_OUT)
    assert {flag for flag in recall} >= {E, C, A, V, N, SHORT, "harmful", "defamation"}
    assert all(hit == n for hit, n in recall.values()), recall
    assert not false_flags
    assert len(HELD_OUT) >= 40


@pytest.mark.parametrize("text", ORDINARY, ids=lambda v: v[:40])
def test_ordinary_reports_raise_no_flag(text):
    expected = [N] if text == text.lower() and text.isascii() else []
    assert screen(text).flags == expected, [f.reason_vi for f in screen(text).findings]


# -- The result's shape --------------------------------------------------------------------------

def test_findings_explain_the_cue_in_both_languages():
    result = screen("Tôi làm đơn tố cáo cán bộ xã")
    assert isinstance(result, Screening) and result.emergency_number == ""
    assert result.findings == [Finding(C, "Có từ ngữ tranh chấp, khiếu nại, tố cáo (“tố cáo”)",
                                       "Mentions a dispute, complaint or denunciation (“tố cáo”)")]


def test_unaccented_cues_are_quoted_as_written():
    result = screen("toi muon khieu nai quyet dinh cua xa ve dat dai")
    assert "“khieu nai”" in result.finding(C).reason_vi


def test_flags_are_unique_and_in_a_stable_order():
    text = "CHÁY NHÀ! cứu với, đ.m bọn ăn hại, tôi sẽ tố cáo hết, liên hệ ngay 0909123456 chiết khấu cao"
    result = screen(text)
    assert result.flags == [E, C, A, V]
    assert result.emergency_number == "114"
    assert screen(text).findings == result.findings


def test_an_emergency_names_the_other_services_that_may_be_needed():
    result = screen("Xe bồn chở xăng lật và bốc cháy, tài xế bất tỉnh trong cabin.")
    assert result.emergency_number == "114"
    assert "115" in result.finding(E).reason_vi and "115" in result.finding(E).reason_en


def test_tone_marks_may_sit_on_either_vowel():
    assert screen("Hoả hoạn ở kho gỗ cuối hẻm, khói bốc rất cao").emergency_number == "114"


def test_decomposed_unicode_is_read_like_nfc():
    decomposed = "Tôi khie\u0302\u0301u na\u0323i quyết định xử phạt của phường"
    assert screen(decomposed).flags == [C]


def test_accented_text_is_not_matched_by_its_unaccented_form():
    # "ban" (Ủy ban) is not "bán", "chạy" is not "cháy", "ngủ" is not "ngu", "đeo" is not "đéo".
    text = "Ủy ban nhân dân xã cho xe chạy lớn tiếng ban đêm, người dân không ngủ được, phải đeo khẩu trang"
    assert screen(text).flags == []


def test_long_or_odd_text_is_screened_quickly():
    for text in ("a*" * 5000, "." * 10000, "đ.m." * 2500, "0" * 10000, "cháy " * 2000, "0909 " * 2000):
        started = time.perf_counter()
        screen(text, has_contact=False)
        assert time.perf_counter() - started < 1.0


def test_empty_text_without_contact_is_insufficient():
    assert screen("", has_contact=False).flags == [SHORT]
    assert screen("   ").flags == []
