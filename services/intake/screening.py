"""Intake screening (Đ6.5, Đ6.1, Đ7.3a): flags a coordinator should look at. It flags, it never rejects.

`screen(content, has_contact)` returns a `Screening`: its `findings` (a flag with a short reason in
Vietnamese and English, naming the words that raised it) in the order of `FLAGS`, and the emergency
number to direct the citizen to ("" when none). Pure: stdlib only, no I/O.

How text is matched:

* The text is split into sentences and words (`\\w` runs), so a cue only matches whole words: "dm"
  is not found in "admin", "cc" not in "acc" or "CCCD". Masked words ("c*t") and letters joined by
  dots ("đ.m", "v.c.l") are read as one word first.
* Cues are phrases of whole words. With accents they match exactly (the tone mark may sit on
  either vowel: "hoả" = "hỏa"). When the writer left the accents out (the text is mostly unaccented),
  an unaccented word also matches the cue's unaccented form ("khieu nai" = "khiếu nại") - except
  for cues written with a leading "=" in the lists below: their unaccented form is an everyday
  word or phrase ("bán" = "ban", "cháy" = "chạy", "lồn" = "lon", "ngay" = "ngày"), so they match
  only with their accents. Accented text is never matched by its unaccented form: "ban" in "Ủy ban"
  stays "ban".
* Emergencies (Đ6.5e) are weighed per sentence. A sentence that talks about a risk, the past or a
  recurring problem ("nguy cơ cháy nổ", "năm ngoái có vụ cháy", "tình trạng cướp giật") is not an
  emergency, unless it also says it is happening now ("đang", "gấp", "!").
  When several services match, the number is chosen by: an explicit call for a service ("cần xe
  cấp cứu", "gọi 114") first; then 114 > 113 > 115: a spreading hazard (fire, explosion, gas, people
  trapped) endangers everyone near and fire-and-rescue brings the others in; ongoing violence next,
  as the police must secure the scene before medics can work; otherwise the injured person needs
  115. The reason names the other services that may also be needed.
* "cấp cứu" alone is not an emergency cue: "phòng/khoa cấp cứu" in a complaint about a hospital's
  service is an ordinary report (y_te). Only calls for one ("cần xe cấp cứu", "gọi cấp cứu") are.
* Complaint words in a question about the procedure ("Xin hỏi thủ tục khiếu nại ...?") are a
  question, not a complaint, and are not flagged.
* Advertising needs weight 2: one strong cue ("chiết khấu", "inbox để") or two weak ones ("liên hệ
  ngay", "giá rẻ", "cần bán", a phone number ...): a citizen may mention one ("tờ rơi cho vay").
* Harmful content (Đ6.5b) and defamation (Đ6.5đ) are flagged only on a few unmistakable phrases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The flags, in the order findings are listed: what must be acted on first comes first.
FLAGS = (
    "emergency",  # Đ6.5e: belongs to 113 / 114 / 115
    "complaint_or_denunciation",  # Đ6.5a
    "harmful",  # Đ6.5b
    "advertising",  # Đ6.5c
    "vulgar",  # Đ6.5d
    "defamation",  # Đ6.5đ
    "insufficient_content",  # Đ6.5g
    "no_diacritics",  # Đ6.1
)

# -- Cue lists (data). A leading "=" means: match with accents only (see the module's docstring). --

# Đ6.5a: disputes, lawsuits, complaints and denunciations (tranh chấp, khiếu kiện, khiếu nại, tố cáo),
# including a denunciation in substance (an officer taking bribes).
COMPLAINT = (
    "khiếu nại", "khiếu kiện", "tố cáo", "tố giác", "khởi kiện", "kiện tụng", "đơn kiện", "kiện ra tòa",
    "đi kiện", "sẽ kiện", "kiện lên", "tranh chấp", "phân xử", "hối lộ", "tham nhũng", "tham ô", "ăn chặn",
    "vòi tiền", "lấn ranh", "vụ kiện", "kiện đòi", "lấn sang đất", "lấn đất nhà tôi", "lấn đất của",
)
# A complaint word right after one of these, in a question, asks about the procedure: not a complaint.
PROCEDURE = ("thủ tục", "quy trình", "hướng dẫn", "cách", "mẫu", "mẫu đơn", "thời hạn", "thời hiệu",
             "thẩm quyền", "quy định", "luật")
QUESTION = ("xin hỏi", "cho hỏi", "như thế nào", "thế nào", "ra sao", "ở đâu", "bao lâu", "những gì",
            "gồm những")

# Đ6.5b: content harming national interests (incitement, anti-state propaganda, division, disorder).
# Conservative: a citizen reporting such activity uses other words ("có người rải truyền đơn").
HARMFUL = (
    "lật đổ", "đả đảo", "chống phá nhà nước", "chống phá đảng", "chống phá chính quyền",
    "kêu gọi biểu tình", "kêu gọi bạo loạn", "kêu gọi chống", "ly khai",
)

# Đ6.5c: illegal advertising. Weight 2 flags it: a strong cue, or two weak ones (a phone number is weak);
# weak cues in a question do not count ("Xin hỏi có nhận làm căn cước miễn phí không?").
ADVERTISING_STRONG = (
    "=gọi ngay", "inbox ngay", "ib ngay", "inbox để", "ib để", "inbox em",
    "ib em", "=nhắn tin ngay", "chiết khấu", "tư vấn miễn phí", "freeship", "miễn phí vận chuyển",
    "=đặt hàng ngay", "=mua ngay", "số lượng có hạn", "giải ngân", "không cần thế chấp", "vay tiền nhanh",
    "vay nhanh", "bao đậu", "bao công chứng", "không cần thi", "không cần học", "kiếm tiền online",
    "việc nhẹ lương cao", "sim số đẹp", "bán đất nền", "ship cod", "nhận cầm đồ",
)
ADVERTISING_WEAK = (
    "giá rẻ", "giá tốt", "giá sốc", "giá gốc", "giá ưu đãi", "ưu đãi", "khuyến mãi", "giảm giá", "sale",
    "=cần bán", "=bán gấp", "sang nhượng", "cho thuê", "đất nền", "sổ hồng riêng", "thổ cư", "chính chủ",
    "cho vay", "vay tiền", "lãi suất thấp", "lãi thấp", "cầm đồ", "hotline", "zalo", "lh", "liên hệ ngay",
    "lh ngay", "miễn phí", "giao hàng tận nơi", "ship", "=đặt hàng", "chỉ từ", "uy tín", "bảo hành",
    "trọn gói", "nhanh gọn", "khai trương", "thanh lý", "xả hàng", "nhận làm", "làm bằng lái",
    "làm bằng đại học", "làm bằng cấp", "bằng giả", "giấy tờ giả", "tuyển cộng tác viên",
)
# "giảm 30%": a discount, another weak cue.
DISCOUNT = re.compile(r"(?:giảm|giam|sale|off)\s?\d{1,2}\s?%")

# Đ6.5d: vulgar, offensive language: swear words, their usual abbreviations and insults.
VULGAR = (
    "đm", "dm", "đmm", "dmm", "đkm", "dkm", "đcm", "dcm", "vcl", "vkl", "vcc", "clgt", "cmnr", "cmn", "clm",
    "cc", "=địt", "địt mẹ", "đụ má", "=đụ", "=đéo", "=đếch", "=lồn", "=buồi", "=cặc", "=cứt", "=đĩ",
    "=mẹ mày", "=bố mày", "mẹ kiếp", "chó má", "=chó chết", "chó đẻ", "khốn nạn", "khốn kiếp", "mất dạy",
    "súc sinh", "súc vật", "vô học", "đểu cáng", "câm mồm", "im mồm", "=ngu", "ngu như bò", "ngu như lợn",
    "ngu như heo", "ngu như chó", "óc lợn", "óc heo", "ngu si",
)
# Insults made of an addressing word and a noun: "đồ chó", "bọn ăn hại", "lũ óc chó" ...
_INSULT_HEADS = ("đồ", "thằng", "bọn", "lũ", "tụi", "mấy thằng", "con")
_INSULT_NOUNS = ("chó", "óc chó", "ngu", "khốn", "điên", "mất dạy", "ăn hại", "ăn bám", "súc vật", "đĩ", "điếm")
VULGAR_INSULTS = tuple("=" + f"{head} {noun}" for head in _INSULT_HEADS for noun in _INSULT_NOUNS
                       if (head, noun) != ("con", "chó"))  # "con chó" is a dog
# "cc" is also the unit of engine size ("xe 50 cc"): not vulgar after a number.
_UNITS_AFTER_NUMBER = ("cc",)

# Đ6.5đ: defamation. Conservative: name-calling as a criminal, or a private life thrown at someone.
DEFAMATION = (
    "kẻ lừa đảo", "tên lừa đảo", "đồ lừa đảo", "thằng lừa đảo", "đồ ăn cắp", "thằng ăn cắp", "kẻ ăn cắp",
    "bồ nhí", "ngoại tình",
)

# Đ6.5e: emergencies. Per number: "call" - an explicit call for that service (wins the number choice);
# "acute" - an emergency by itself; "urgent" - an emergency only in a sentence that says it is
# happening now. A damped sentence (risk, past, recurring) counts none of them unless it is urgent,
# and never the "urgent" ones.
EMERGENCY = {
    "114": {  # fire, explosion, gas leak, people trapped or swept away: cứu nạn, cứu hộ, chữa cháy
        "call": ("gọi 114", "báo 114", "gọi cứu hỏa", "cần cứu hỏa", "cần chữa cháy", "xe chữa cháy đến",
                 "xe chữa cháy tới", "gửi xe chữa cháy", "cần xe chữa cháy", "gọi chữa cháy", "gọi lính cứu hỏa"),
        "acute": ("=cháy lớn", "=cháy to", "=cháy dữ dội", "=đang cháy", "bốc cháy", "bùng cháy", "cháy rụi",
                  "=cháy lan", "lửa cháy", "đám cháy", "hỏa hoạn", "=cháy nhà", "cháy rừng", "=cháy chợ", "=cháy xe",
                  "cháy kho", "cháy xưởng", "=cháy quán", "ngọn lửa", "lửa bùng", "lửa bốc", "khói lửa", "dập lửa",
                  "phát hỏa", "nổ lớn", "phát nổ", "vụ nổ", "nổ tung", "nổ bình gas", "rò rỉ khí", "khí độc thoát",
                  "khí độc rò", "rò rỉ gas", "rò gas", "xì gas", "mùi gas", "mắc kẹt", "kẹt dưới", "kẹt bên trong",
                  "kẹt trong", "còn kẹt", "bị vùi", "vùi lấp", "sập đè", "đổ đè", "đè lên người", "bị đè",
                  "rơi xuống giếng", "rơi xuống sông", "rơi xuống kênh", "rơi xuống hố", "ngã xuống giếng",
                  "té xuống giếng", "nước cuốn", "lũ cuốn", "bị cuốn trôi", "đang chìm", "nhảy cầu"),
        "urgent": ("=cháy", "=bị cháy", "khí độc"),  # "nhà máy thải khí độc" is pollution
    },
    "113": {  # violence, armed crime, robbery, kidnapping, a break-in in progress: police
        "call": ("gọi 113", "báo 113", "cần công an đến", "cần công an tới", "=công an đến gấp",
                 "=công an tới gấp", "=công an đến ngay", "=công an tới ngay", "cần cảnh sát", "gọi cảnh sát"),
        "acute": ("bắt cóc", "hung khí", "đâm chém", "chém nhau", "đâm nhau", "bị đâm", "bị chém", "nổ súng",
                  "bắn nhau", "bắn người", "cầm súng", "cầm dao", "dí dao", "kề dao", "mã tấu", "con tin",
                  "hỗn chiến", "rượt chém", "chém người", "đang cướp", "cướp ngân hàng", "cướp tiệm vàng",
                  "trộm đang", "đang trộm", "đang đột nhập", "đang phá khóa", "đang cạy cửa", "giết người"),
        "urgent": ("đánh nhau", "ẩu đả", "xô xát", "hành hung", "đánh người", "bị cướp", "cướp giật", "cướp",
                   "đột nhập", "cạy cửa", "phá khóa", "dọa giết", "bạo hành", "đánh đập", "đập phá"),
    },
    "115": {  # a person whose life is at risk now: ambulance
        "call": ("gọi 115", "báo 115", "cần xe cấp cứu", "gọi xe cấp cứu", "gọi cấp cứu", "cần cấp cứu",
                 "=cấp cứu gấp", "xin cấp cứu", "gọi xe cứu thương", "cần xe cứu thương"),
        "acute": ("bất tỉnh", "ngất xỉu", "ngất lịm", "hôn mê", "co giật", "đột quỵ", "đột quị", "ngừng thở",
                  "ngưng thở", "không thở", "ngừng tim", "ngưng tim", "nhồi máu", "chảy nhiều máu",
                  "mất nhiều máu", "chảy máu nhiều", "bị thương nặng", "trọng thương", "đuối nước",
                  "bị điện giật", "sùi bọt mép", "bỏng nặng", "tai nạn nghiêm trọng", "bất động", "sơ cứu",
                  "rắn độc cắn", "bị sét đánh", "uống nhầm", "nuốt nhầm", "nuốt phải", "uống thuốc trừ sâu",
                  "uống thuốc diệt chuột"),
        "urgent": ("bị thương", "ngộ độc", "khó thở", "chảy máu", "gãy chân", "gãy tay", "điện giật", "nôn ói",
                   "co quắp", "không phản ứng"),
    },
}
# A cue followed by one of these words is something else: "cháy nắng" (sunburn), "bị cháy bóng" (a
# burnt-out bulb), "bất động sản" (real estate).
_NOT_FIRE = ("nắng", "túi", "hàng", "vé", "nồi", "cơm", "xém", "sém", "bóng", "đèn", "cầu", "tóc", "da", "phim", "máy")
EMERGENCY_NOT_BEFORE = {"cháy": _NOT_FIRE, "bị cháy": _NOT_FIRE, "bất động": ("sản",)}
# 114 before 113 before 115 (the docstring says why); an explicit call for a service decides first.
EMERGENCY_PRIORITY = ("114", "113", "115")
EMERGENCY_SERVICE = {
    "113": ("công an", "police"),
    "114": ("cứu nạn, cứu hộ, chữa cháy", "fire and rescue"),
    "115": ("cấp cứu", "ambulance"),
}
# It is happening now ("!" at the end of the sentence counts too).
# ("cứu" alone is not: "sơ cứu", "cấp cứu", "nghiên cứu".)
URGENT = ("đang", "=ngay", "=gấp", "khẩn cấp", "khẩn", "cứu với", "cứu giúp", "cứu tôi", "cứu người", "kêu cứu",
          "nhanh lên", "bây giờ", "lúc này", "vừa xảy ra", "vừa bị", "vừa mới", "hiện đang")
# It is a risk, the past, or a recurring problem, not an emergency now.
DAMPING = (
    "nguy cơ", "có thể", "=dễ", "khả năng", "=sợ", "lo sợ", "lo ngại", "e ngại", "nếu", "đề phòng",
    "phòng ngừa", "phòng chống", "phòng cháy", "chống cháy", "diễn tập", "tập huấn", "huấn luyện",
    "tuyên truyền", "suýt", "năm ngoái", "năm trước", "tháng trước", "tuần trước", "hôm trước", "lần trước", "cách đây",
    "trước đây", "=từng", "hôm qua", "tối qua", "đêm qua", "sáng qua", "chiều qua", "vừa qua", "=thường",
    "thường xuyên", "hằng ngày", "hàng ngày", "hằng đêm", "hàng đêm", "mỗi đêm", "mỗi ngày", "mỗi khi",
    "tình trạng", "nhiều vụ", "nhiều lần", "nhiều trường hợp", "gia tăng", "hiện nay",
)

# Đ6.5g: words that carry no verifiable information by themselves.
FILLER = frozenset((
    "có", "vấn", "đề", "cần", "giúp", "đỡ", "xin", "hỏi", "cho", "tôi", "em", "anh", "chị", "mình", "với", "ạ",
    "à", "nhé", "nha", "ơi", "alo", "a", "lô", "test", "thử", "ok", "ừ", "vâng", "dạ", "xử", "lý", "đi", "rồi",
    "không", "được", "gì", "sao", "này", "đó", "kia", "là", "thì", "mà", "và", "bị", "rất", "quá", "lắm",
    "hello", "hi", "chào", "cảm", "ơn", "gấp", "ngay", "việc", "chuyện", "cái", "kiểm", "tra", "nghị",
    "nội", "dung", "phản", "ánh", "kiến", "như", "trên", "sự", "thật", "luôn", "nữa", "vụ", "bức", "xúc", "thôi",
    "bực", "chán", "trời", "vậy", "đây", "nè", "hả", "nhỉ", "ai", "đâu", "nào", "mọi", "người",
))
MIN_WORDS = 4  # fewer words than this cannot say what, where and when
MIN_INFORMATIVE = 3  # words outside FILLER

# Đ6.1: a text is "mostly unaccented" below this share of accented words (texts typed with accents
# have 2/3 or more); unaccented matching then applies, and with MIN_WORDS_NO_DIACRITICS it is flagged.
UNACCENTED_SHARE = 0.35
MIN_WORDS_NO_DIACRITICS = 4
# Unaccented by nature: loanwords and abbreviations that say nothing about the writer's accents.
_ASCII_WORDS = frozenset((
    "inbox", "ib", "zalo", "facebook", "fanpage", "email", "mail", "online", "ok", "wifi", "internet", "app",
    "admin", "acc", "shop", "sale", "ship", "cod", "hotline", "website", "web", "link", "covid", "gas",
    "karaoke", "camera", "taxi", "grab", "bus", "atm", "sim", "lh", "sdt", "cc", "dm", "vcl", "km", "kg",
    "tp", "tx",
))

# A Vietnamese phone number or a 1800/1900 hotline (spaces, dots or dashes between digits allowed).
PHONE = re.compile(r"(?<!\d)(?:(?:\+?84|0)(?:[ .\-]?\d){9,10}|1[89]00(?:[ .\-]?\d){4,6})(?!\d)")


# -- Result --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    flag: str
    reason_vi: str
    reason_en: str

    def as_dict(self) -> dict[str, str]:
        return {"flag": self.flag, "reason_vi": self.reason_vi, "reason_en": self.reason_en}


@dataclass(frozen=True)
class Screening:
    findings: list[Finding] = field(default_factory=list)
    emergency_number: str = ""

    @property
    def flags(self) -> list[str]:
        return [f.flag for f in self.findings]

    def finding(self, flag: str) -> Finding | None:
        return next((f for f in self.findings if f.flag == flag), None)


# -- Words ---------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng


def _key(word: str) -> str:
    """The word with its tone mark moved to the end: "hoả" and "hỏa" have the same key."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in decomposed if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base + tones


def _fold(word: str) -> str:
    """The word without any accent: "đường" -> "duong"."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Word:
    surface: str  # as written (lowercase)
    key: str
    fold: str

    @property
    def bare(self) -> bool:
        return self.fold == self.surface

    @property
    def number(self) -> bool:
        return self.surface.isdigit()


def _word(surface: str) -> _Word:
    return _Word(surface, _key(surface), _fold(surface))


_EDGE_PUNCT = "\"'“”‘’()[]{}<>,.:;!?…-–—_/\\|~`^"
_MASKED = re.compile(r"[^\W\d_]{1,4}\*+[^\W\d_]{1,4}|[^\W\d_]{1,2}\*{2,}")  # "c*t", "l*n", "đ**"; not "gửi*"
_DOTTED = re.compile(r"[^\W\d_](?:[.\-_][^\W\d_])+")  # "đ.m", "v.c.l", "đ-m"
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"([.!?;…]+(?=\s|$)|\n+)")


def _words(sentence: str) -> list[_Word]:
    words: list[_Word] = []
    for chunk in sentence.split():
        core = chunk.strip(_EDGE_PUNCT)
        if _MASKED.fullmatch(core):
            words.append(_Word(core, "*masked*", "*masked*"))
        elif _DOTTED.fullmatch(core):
            joined = re.sub(r"[.\-_]", "", core)
            words.append(_Word(core, _key(joined), _fold(joined)))
        else:
            words.extend(_word(w) for w in _WORD.findall(chunk))
    return words


@dataclass(frozen=True)
class _Sentence:
    words: list[_Word]
    exclaimed: bool  # ends with "!"
    question: bool  # ends with "?"


def _sentences(text: str) -> list[_Sentence]:
    parts = _SENTENCE_END.split(text)
    out: list[_Sentence] = []
    for i in range(0, len(parts), 2):
        end = parts[i + 1] if i + 1 < len(parts) else ""
        words = _words(parts[i])
        if words:
            out.append(_Sentence(words, "!" in end, "?" in end))
    return out


# -- Cues ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cue:
    text: str
    words: tuple[_Word, ...]
    strict: bool


class _Cues:
    """A list of phrases, indexed by the unaccented form of their first word."""

    def __init__(self, phrases: tuple[str, ...] | list[str]):
        self.by_first: dict[str, list[_Cue]] = {}
        for phrase in phrases:
            strict = phrase.startswith("=")
            text = phrase.lstrip("=")
            cue = _Cue(text, tuple(_word(w) for w in text.split()), strict)
            self.by_first.setdefault(cue.words[0].fold, []).append(cue)

    def find(self, words: list[_Word], unaccented: bool) -> list[tuple[_Cue, int]]:
        """Every (cue, start) whose words match the sentence's words from `start`."""
        found = []
        for start, first in enumerate(words):
            for cue in self.by_first.get(first.fold, ()):
                end = start + len(cue.words)
                if end <= len(words) and all(_same(w, c, unaccented and not cue.strict)
                                             for w, c in zip(words[start:end], cue.words, strict=True)):
                    found.append((cue, start))
        return found

    def any(self, words: list[_Word], unaccented: bool) -> bool:
        return bool(self.find(words, unaccented))


def _same(word: _Word, cue: _Word, fold: bool) -> bool:
    return word.key == cue.key or (fold and word.bare and word.fold == cue.fold)


_COMPLAINT = _Cues(COMPLAINT)
_PROCEDURE = _Cues(PROCEDURE)
_QUESTION = _Cues(QUESTION)
_HARMFUL = _Cues(HARMFUL)
_AD_STRONG = _Cues(ADVERTISING_STRONG)
_AD_WEAK = _Cues(ADVERTISING_WEAK)
_VULGAR = _Cues(VULGAR + VULGAR_INSULTS)
_DEFAMATION = _Cues(DEFAMATION)
_URGENT = _Cues(URGENT)
_DAMPING = _Cues(DAMPING)
_EMERGENCY = {number: {kind: _Cues(phrases) for kind, phrases in kinds.items()}
              for number, kinds in EMERGENCY.items()}
_EMERGENCY_NOT_BEFORE = {cue: frozenset(_key(w) for w in words) for cue, words in EMERGENCY_NOT_BEFORE.items()}


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _surface(words: list[_Word], start: int, length: int) -> str:
    return " ".join(w.surface for w in words[start:start + length])


# -- Screening -----------------------------------------------------------------------------------

def _accent_share(text: str) -> tuple[int, int]:
    """(accented words, words that count): acronyms ("UBND"; unless all is in capitals), loanwords and
    single letters do not count."""
    words = re.findall(r"[^\W\d_]+", text)
    shouted = sum(w.isupper() for w in words) * 2 > len(words)
    counted = accented = 0
    for w in words:
        if len(w) < 2 or (w.isupper() and len(w) <= 6 and not shouted) or w.lower() in _ASCII_WORDS:
            continue
        counted += 1
        accented += _fold(w) != w
    return accented, counted


def _is_question(s: _Sentence, unaccented: bool) -> bool:
    return s.question or _QUESTION.any(s.words, unaccented)


def _complaints(sentences: list[_Sentence], unaccented: bool) -> list[str]:
    quotes = []
    for s in sentences:
        question = _is_question(s, unaccented)
        procedural_starts = {start + len(cue.words) for cue, start in _PROCEDURE.find(s.words, unaccented)}
        for cue, start in _COMPLAINT.find(s.words, unaccented):
            if question and (start in procedural_starts or start - 1 in procedural_starts):
                continue  # "thủ tục khiếu nại ...?", "hướng dẫn cách tố cáo ...?"
            quotes.append(_surface(s.words, start, len(cue.words)))
    return quotes


def _simple(cues: _Cues, sentences: list[_Sentence], unaccented: bool) -> list[str]:
    return [_surface(s.words, start, len(cue.words))
            for s in sentences for cue, start in cues.find(s.words, unaccented)]


def _vulgar(sentences: list[_Sentence], unaccented: bool) -> list[str]:
    quotes = []
    for s in sentences:
        quotes += [w.surface for w in s.words if w.key == "*masked*"]
        for cue, start in _VULGAR.find(s.words, unaccented):
            if cue.text in _UNITS_AFTER_NUMBER and start > 0 and s.words[start - 1].number:
                continue
            quotes.append(_surface(s.words, start, len(cue.words)))
    return quotes


def _advertising(sentences: list[_Sentence], unaccented: bool, text: str) -> list[str]:
    strong = _simple(_AD_STRONG, sentences, unaccented)
    weak = _simple(_AD_WEAK, [s for s in sentences if not _is_question(s, unaccented)], unaccented)
    # A weak cue inside a strong one ("inbox" in "inbox để") is not counted twice.
    weak = [w for w in dict.fromkeys(weak) if not any(w in s for s in strong)]
    weak += [m.group(0) for m in DISCOUNT.finditer(text.lower())][:1]
    phone = ["\0phone"] if PHONE.search(text) else []
    score = 2 * len(dict.fromkeys(strong)) + len(weak) + len(phone)
    return (strong + weak + phone) if score >= 2 else []


def _emergency(sentences: list[_Sentence], unaccented: bool) -> tuple[list[str], str, list[str]]:
    """(quotes, number, other numbers that may be needed)."""
    calls: list[str] = []
    matched: dict[str, list[str]] = {}
    for s in sentences:
        urgent = s.exclaimed or _URGENT.any(s.words, unaccented)
        damped = _DAMPING.any(s.words, unaccented)
        for number, kinds in _EMERGENCY.items():
            for kind, cues in kinds.items():
                if kind == "urgent" and not (urgent and not damped):
                    continue
                if damped and not urgent:
                    continue
                for cue, start in cues.find(s.words, unaccented):
                    end = start + len(cue.words)
                    if end < len(s.words) and s.words[end].key in _EMERGENCY_NOT_BEFORE.get(cue.text, ()):
                        continue  # "cháy nắng", "bất động sản"
                    matched.setdefault(number, []).append(_surface(s.words, start, len(cue.words)))
                    if kind == "call":
                        calls.append(number)
    if not matched:
        return [], "", []
    candidates = calls or list(matched)
    number = next(n for n in EMERGENCY_PRIORITY if n in candidates)
    others = [n for n in EMERGENCY_PRIORITY if n in matched and n != number]
    quotes = matched[number] + [q for n in others for q in matched[n]]
    return quotes, number, others


def _insufficient(sentences: list[_Sentence]) -> tuple[bool, int]:
    words = [w for s in sentences for w in s.words]
    informative = {w.key for w in words if w.key not in _FILLER_KEYS and len(w.surface) > 1}
    return len(words) < MIN_WORDS or len(informative) < MIN_INFORMATIVE, len(words)


_FILLER_KEYS = frozenset(_key(w) for w in FILLER) | frozenset(_fold(w) for w in FILLER)


def _quotes_vi(quotes: list[str]) -> str:
    return ", ".join("số điện thoại" if q == "\0phone" else _quote(q) for q in dict.fromkeys(quotes).keys()
                     if q)[:200]


def _quotes_en(quotes: list[str]) -> str:
    return ", ".join("a phone number" if q == "\0phone" else _quote(q) for q in dict.fromkeys(quotes).keys()
                     if q)[:200]


def _limit(quotes: list[str], n: int = 3) -> list[str]:
    """The first n distinct quotes, leaving out one that is part of another ("kẹt" in "còn kẹt")."""
    unique = list(dict.fromkeys(quotes))
    return [q for q in unique if not any(q != other and f" {q} " in f" {other} " for other in unique)][:n]


def screen(content: str, has_contact: bool = True) -> Screening:
    """Đ6.5 (and Đ6.1) flags for the coordinator (Đ7.3a step 1) and the emergency number, if any.

    `has_contact`: whether the submitter left a phone number or an e-mail address (Đ6.5g flags a text
    too short to act on only when nobody can be asked about it).
    """
    text = unicodedata.normalize("NFC", content or "").strip()
    lowered = text.lower()
    accented, counted = _accent_share(text)
    unaccented = counted > 0 and accented < UNACCENTED_SHARE * counted
    sentences = _sentences(lowered)
    found: dict[str, Finding] = {}

    def add(flag: str, vi: str, en: str, quotes: list[str]) -> None:
        q = _limit(quotes)
        found[flag] = Finding(flag, f"{vi} ({_quotes_vi(q)})" if q else vi, f"{en} ({_quotes_en(q)})" if q else en)

    quotes, number, others = _emergency(sentences, unaccented)
    if number:
        vi_service, en_service = EMERGENCY_SERVICE[number]
        vi = f"Có dấu hiệu tình huống khẩn cấp, cần hướng dẫn gọi {number} ({vi_service})"
        en = f"Looks like an emergency: direct the caller to {number} ({en_service})"
        if others:
            vi += "; có thể cần cả " + ", ".join(others)
            en += "; " + ", ".join(others) + " may be needed too"
        q = _limit(quotes)
        found["emergency"] = Finding("emergency", f"{vi}: {_quotes_vi(q)}", f"{en}: {_quotes_en(q)}")
    if quotes := _complaints(sentences, unaccented):
        add("complaint_or_denunciation", "Có từ ngữ tranh chấp, khiếu nại, tố cáo",
            "Mentions a dispute, complaint or denunciation", quotes)
    if quotes := _simple(_HARMFUL, sentences, unaccented):
        add("harmful", "Có dấu hiệu nội dung kích động, chống phá, xâm hại lợi ích quốc gia",
            "May incite unrest or harm national interests", quotes)
    if quotes := _advertising(sentences, unaccented, text):
        add("advertising", "Có dấu hiệu quảng cáo, rao vặt", "Looks like advertising", quotes)
    if quotes := _vulgar(sentences, unaccented):
        add("vulgar", "Có từ ngữ thô tục, xúc phạm", "Contains vulgar or offensive language", quotes)
    if quotes := _simple(_DEFAMATION, sentences, unaccented):
        add("defamation", "Có dấu hiệu bôi nhọ, vu khống cá nhân", "May defame a person", quotes)
    short, n_words = _insufficient(sentences)
    if short and not has_contact:
        add("insufficient_content",
            f"Nội dung quá ngắn hoặc không cụ thể ({n_words} từ) và không có thông tin liên hệ để xác minh",
            f"Too short or too vague ({n_words} words) and no contact details to verify it", [])
    if unaccented and counted >= MIN_WORDS_NO_DIACRITICS:
        add("no_diacritics",
            f"Nội dung viết không dấu ({accented}/{counted} từ có dấu); tiếng Việt phải có dấu (Đ6.1)",
            f"Written without Vietnamese diacritics ({accented} of {counted} words have them; Đ6.1)", [])
    return Screening([found[f] for f in FLAGS if f in found], number)
