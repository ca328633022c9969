"""Đ6.1: submissions are Vietnamese with diacritics, stored as Unicode NFC (TCVN 6909:2011).

Text still reaches intake in the encodings Vietnamese used before Unicode, or as the mojibake a
system shows after decoding those bytes with the wrong code page. `repair(text)` recognises such
text, turns it back into Unicode NFC and says where it came from. Pure: no I/O, stdlib only.

The encodings, as they arrive (bytes shown as Latin-1 / Windows-1252 characters):

* ``tcvn3`` - TCVN 5712:1993, the ABC code of the .VnTime fonts. One byte per letter: lowercase
  letters in 0xA8-0xFE ("Hµ Néi" = "Hà Nội", "®­êng" = "đường"; ư is 0xAD, the soft hyphen).
  The table is the full VN1 form, a superset of ABC: it also places the toned capitals in
  0x80-0x9F and in a few C0 control codes (0x01 = Ú ...), and 0xB0-0xB4 are combining tones.
  (ABC documents write toned capitals with the lowercase codes and an all-caps font, so those
  come back lowercase: the case is lost in the file itself.)
* ``vni`` - VNI Windows (VNI-Times fonts). A letter is an ASCII base followed by a mark byte,
  except ơ ư đ and the toned i and ỵ, which are single bytes ("Vieät Nam" = "Việt Nam",
  "Ñöôøng" = "Đường"). A capital letter takes the capital of each byte ("VIEÄT").
* ``viscii`` - VISCII (RFC 1456). One byte per letter, all 134 letters, six of them on C0
  control codes (0x02 = Ẳ ...).
* ``windows-1258`` - Microsoft's code page: precomposed where the code page has the letter
  (Latin-1 vowels, ă â ê ô ơ ư đ), else a base letter followed by a combining tone byte
  (0xCC grave, 0xEC acute, 0xD2 hook, 0xDE tilde, 0xF2 dot below): "Viêòt" = "Việt".
* ``mojibake-utf8`` - UTF-8 decoded as Windows-1252 or Latin-1 ("Ä‘Æ°á»\\x9dng" = "đường").
  Windows-1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined, so a decoder may have dropped such a
  byte or shown U+FFFD ("Ä‘Æ°á»ng"). A lost byte is put back where one letter alone makes the
  word a syllable ("đường": only ờ fits); where several do ("há»i": hỏi, họi, hời) the letter is
  unknowable and U+FFFD marks it. Text that went through this twice is repaired twice.
* ``viqr`` - RFC 1456's ASCII notation: marks after the vowel (``( ^ +`` breve, circumflex,
  horn; ``' ` ? ~ .`` the five tones), ``dd`` (or ``d9``) for đ, ``\\`` escapes a mark:
  "Vie^.t Nam". A final ``.`` or ``?`` is punctuation where only that reading makes a syllable
  ("dda^u?" = "đâu?"), or at the end of a line, and a ``.`` before a capital.
* ``unicode-eth`` - Unicode text that used Ð (U+00D0, Icelandic eth) for Đ (U+0110), ð for đ.
* ``unicode-nfd`` - Unicode text in decomposed form (NFD), recomposed to NFC.
* ``unicode`` - already correct: returned as it is (``changed`` False).

Detection scores whole-text decodings instead of trusting one-off rules. A word is *good* when it
is a well-formed Vietnamese syllable with a letter beyond ASCII, written in lower, title or upper
case: an onset, a rhyme from the list of rhymes, at most one tone, on the vowel the spelling puts
it on, only sắc or nặng after a final c/ch/p/t. It is *bad* when it holds characters other than
ASCII letters and is not such a syllable; plain ASCII words (English, unaccented Vietnamese,
e-mail addresses, URLs) and lone letters are neutral, and digits and ASCII punctuation separate
words. A decoding scores good - 3 x bad and is taken only when it clearly beats the text as it
came:

* legacy bytes (tcvn3, vni, viscii, windows-1258): at least two good words, a score higher by 4,
  no more bad words than before, at most one bad word in four good ones, and a letter Latin-1
  lacks (ă đ ơ ư ạ ...) in the result; never when the text already holds such a letter, since
  legacy bytes shown as Latin-1 cannot;
* UTF-8: well-formed UTF-8 with at least one intact multi-byte sequence, decoding to plausible
  characters, scoring no worse than before;
* VIQR: only for text without non-ASCII letters; at least two marked words that become
  syllables, a quarter of the words at least, few marked words that do not (those stay as typed);
  words inside e-mail addresses and URLs are left alone;
* eth: only in words it turns into syllables, and only in text that is otherwise Vietnamese.

When two decodings score best with different results, the text is ambiguous and left as it
came. So correct Vietnamese, English, numbers and addresses come back unchanged, and one word
("Hµ", "5 µm", "Vieät", "Café") is too little to go on.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

UNICODE = "unicode"
UNICODE_NFD = "unicode-nfd"
UNICODE_ETH = "unicode-eth"
TCVN3 = "tcvn3"
VNI = "vni"
VISCII = "viscii"
WINDOWS_1258 = "windows-1258"
VIQR = "viqr"
MOJIBAKE_UTF8 = "mojibake-utf8"

ENCODINGS = (TCVN3, VNI, VISCII, WINDOWS_1258)

# The 67 lowercase letters of Vietnamese that are not ASCII: each vowel (bare, where that is not
# ASCII) with huyền, sắc, hỏi, ngã, nặng, then đ; the 67 capitals follow in the same order.
_LOWER = "àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "èéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ" "ùúủũụ" "ưừứửữự" "ỳýỷỹỵ" "đ"
LETTERS = _LOWER + _LOWER.upper()

# Letter, then its bytes in hex; each row is one vowel, lowercase then capitals.
_TCVN3 = """
    à b5  á b8  ả b6  ã b7  ạ b9  À 80  Á 83  Ả 81  Ã 82  Ạ 84
    ă a8  ằ bb  ắ be  ẳ bc  ẵ bd  ặ c6  Ă a1  Ằ af  Ắ c0  Ẳ ba  Ẵ bf  Ặ 85
    â a9  ầ c7  ấ ca  ẩ c8  ẫ c9  ậ cb  Â a2  Ầ c1  Ấ c4  Ẩ c2  Ẫ c3  Ậ 86
    è cc  é d0  ẻ ce  ẽ cf  ẹ d1  È 87  É 8a  Ẻ 88  Ẽ 89  Ẹ 8b
    ê aa  ề d2  ế d5  ể d3  ễ d4  ệ d6  Ê a3  Ề c5  Ế da  Ể cd  Ễ d9  Ệ 8c
    ì d7  í dd  ỉ d8  ĩ dc  ị de  Ì 8d  Í 90  Ỉ 8e  Ĩ 8f  Ị 91
    ò df  ó e3  ỏ e1  õ e2  ọ e4  Ò 92  Ó 95  Ỏ 93  Õ 94  Ọ 96
    ô ab  ồ e5  ố e8  ổ e6  ỗ e7  ộ e9  Ô a4  Ồ db  Ố ff  Ổ e0  Ỗ f0  Ộ 97
    ơ ac  ờ ea  ớ ed  ở eb  ỡ ec  ợ ee  Ơ a5  Ờ 98  Ớ 9b  Ở 99  Ỡ 9a  Ợ 9c
    ù ef  ú f3  ủ f1  ũ f2  ụ f4  Ù 9d  Ú 01  Ủ 9e  Ũ 9f  Ụ 02
    ư ad  ừ f5  ứ f8  ử f6  ữ f7  ự f9  Ư a6  Ừ 04  Ứ 11  Ử 05  Ữ 06  Ự 12
    ỳ fa  ý fd  ỷ fb  ỹ fc  ỵ fe  Ỳ 13  Ý 16  Ỷ 14  Ỹ 15  Ỵ 17
    đ ae  Đ a7
"""

_VISCII = """
    à e0  á e1  ả e4  ã e3  ạ d5  À c0  Á c1  Ả c4  Ã c3  Ạ 80
    ă e5  ằ a2  ắ a1  ẳ c6  ẵ c7  ặ a3  Ă c5  Ằ 82  Ắ 81  Ẳ 02  Ẵ 05  Ặ 83
    â e2  ầ a5  ấ a4  ẩ a6  ẫ e7  ậ a7  Â c2  Ầ 85  Ấ 84  Ẩ 86  Ẫ 06  Ậ 87
    è e8  é e9  ẻ eb  ẽ a8  ẹ a9  È c8  É c9  Ẻ cb  Ẽ 88  Ẹ 89
    ê ea  ề ab  ế aa  ể ac  ễ ad  ệ ae  Ê ca  Ề 8b  Ế 8a  Ể 8c  Ễ 8d  Ệ 8e
    ì ec  í ed  ỉ ef  ĩ ee  ị b8  Ì cc  Í cd  Ỉ 9b  Ĩ ce  Ị 98
    ò f2  ó f3  ỏ f6  õ f5  ọ f7  Ò d2  Ó d3  Ỏ 99  Õ a0  Ọ 9a
    ô f4  ồ b0  ố af  ổ b1  ỗ b2  ộ b5  Ô d4  Ồ 90  Ố 8f  Ổ 91  Ỗ 92  Ộ 93
    ơ bd  ờ b6  ớ be  ở b7  ỡ de  ợ fe  Ơ b4  Ờ 96  Ớ 95  Ở 97  Ỡ b3  Ợ 94
    ù f9  ú fa  ủ fc  ũ fb  ụ f8  Ù d9  Ú da  Ủ 9c  Ũ 9d  Ụ 9e
    ư df  ừ d7  ứ d1  ử d8  ữ e6  ự f1  Ư bf  Ừ bb  Ứ ba  Ử bc  Ữ ff  Ự b9
    ỳ cf  ý fd  ỷ d6  ỹ db  ỵ dc  Ỳ 9f  Ý dd  Ỷ 14  Ỹ 19  Ỵ 1e
    đ f0  Đ d0
"""

_WINDOWS_1258 = """
    à e0  á e1  ả 61d2  ã 61de  ạ 61f2  À c0  Á c1  Ả 41d2  Ã 41de  Ạ 41f2
    ă e3  ằ e3cc  ắ e3ec  ẳ e3d2  ẵ e3de  ặ e3f2  Ă c3  Ằ c3cc  Ắ c3ec  Ẳ c3d2  Ẵ c3de  Ặ c3f2
    â e2  ầ e2cc  ấ e2ec  ẩ e2d2  ẫ e2de  ậ e2f2  Â c2  Ầ c2cc  Ấ c2ec  Ẩ c2d2  Ẫ c2de  Ậ c2f2
    è e8  é e9  ẻ 65d2  ẽ 65de  ẹ 65f2  È c8  É c9  Ẻ 45d2  Ẽ 45de  Ẹ 45f2
    ê ea  ề eacc  ế eaec  ể ead2  ễ eade  ệ eaf2  Ê ca  Ề cacc  Ế caec  Ể cad2  Ễ cade  Ệ caf2
    ì 69cc  í ed  ỉ 69d2  ĩ 69de  ị 69f2  Ì 49cc  Í cd  Ỉ 49d2  Ĩ 49de  Ị 49f2
    ò 6fcc  ó f3  ỏ 6fd2  õ 6fde  ọ 6ff2  Ò 4fcc  Ó d3  Ỏ 4fd2  Õ 4fde  Ọ 4ff2
    ô f4  ồ f4cc  ố f4ec  ổ f4d2  ỗ f4de  ộ f4f2  Ô d4  Ồ d4cc  Ố d4ec  Ổ d4d2  Ỗ d4de  Ộ d4f2
    ơ f5  ờ f5cc  ớ f5ec  ở f5d2  ỡ f5de  ợ f5f2  Ơ d5  Ờ d5cc  Ớ d5ec  Ở d5d2  Ỡ d5de  Ợ d5f2
    ù f9  ú fa  ủ 75d2  ũ 75de  ụ 75f2  Ù d9  Ú da  Ủ 55d2  Ũ 55de  Ụ 55f2
    ư fd  ừ fdcc  ứ fdec  ử fdd2  ữ fdde  ự fdf2  Ư dd  Ừ ddcc  Ứ ddec  Ử ddd2  Ữ ddde  Ự ddf2
    ỳ 79cc  ý 79ec  ỷ 79d2  ỹ 79de  ỵ 79f2  Ỳ 59cc  Ý 59ec  Ỷ 59d2  Ỹ 59de  Ỵ 59f2
    đ f0  Đ d0
"""

# VNI as it looks in Latin-1: base letter, then the mark byte. Marks: ù sắc, ø huyền, û hỏi,
# õ ngã, ï nặng; â circumflex, and with a tone á à å ã ä; ê breve, and with a tone é è ú ü ë.
# Single bytes: ô ơ, ö ư, ñ đ, í ì æ ó ò for the toned i, î for ỵ. Capitals: .upper() of each.
_VNI = """
    à aø  á aù  ả aû  ã aõ  ạ aï
    ă aê  ằ aè  ắ aé  ẳ aú  ẵ aü  ặ aë
    â aâ  ầ aà  ấ aá  ẩ aå  ẫ aã  ậ aä
    è eø  é eù  ẻ eû  ẽ eõ  ẹ eï
    ê eâ  ề eà  ế eá  ể eå  ễ eã  ệ eä
    ì ì   í í   ỉ æ   ĩ ó   ị ò
    ò oø  ó où  ỏ oû  õ oõ  ọ oï
    ô oâ  ồ oà  ố oá  ổ oå  ỗ oã  ộ oä
    ơ ô   ờ ôø  ớ ôù  ở ôû  ỡ ôõ  ợ ôï
    ù uø  ú uù  ủ uû  ũ uõ  ụ uï
    ư ö   ừ öø  ứ öù  ử öû  ữ öõ  ự öï
    ỳ yø  ý yù  ỷ yû  ỹ yõ  ỵ î
    đ ñ
"""

# Bytes that are not letters: TCVN3's (VN1) combining tones and Windows-1258's, and the đồng sign.
_EXTRA = {
    TCVN3: {0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323"},
    WINDOWS_1258: {0xCC: "\u0300", 0xEC: "\u0301", 0xD2: "\u0309", 0xDE: "\u0303", 0xF2: "\u0323", 0xFE: "₫"},
}

# Windows-1252's 0x80-0x9F; the five bytes it leaves undefined stay C1 controls (as Windows shows them).
_CP1252_C1 = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ"
_TO_C1 = {ord(c): 0x80 + i for i, c in enumerate(_CP1252_C1) if ord(c) > 0xFF}
_FROM_C1 = {0x80 + i: c for i, c in enumerate(_CP1252_C1) if ord(c) > 0xFF}


@dataclass(frozen=True)
class Repaired:
    text: str  # Unicode NFC
    source: str  # one of the names above
    changed: bool  # text differs from what was given


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@cache
def _table(encoding: str) -> dict[str, bytes]:
    """Letter -> its bytes in the encoding, for all 134 letters."""
    if encoding == VNI:
        pairs = _VNI.split()
        lower = dict(zip(pairs[::2], pairs[1::2], strict=True))
        both = lower | {k.upper(): v.upper() for k, v in lower.items()}
        return {k: v.encode("latin-1") for k, v in both.items()}
    text = {TCVN3: _TCVN3, VISCII: _VISCII, WINDOWS_1258: _WINDOWS_1258}[encoding]
    pairs = text.split()
    return {k: bytes.fromhex(v) for k, v in zip(pairs[::2], pairs[1::2], strict=True)}


def encode(text: str, encoding: str) -> bytes:
    """Vietnamese text in a legacy encoding (for tests and tools): ASCII and the 134 letters only."""
    table = _table(encoding)
    out = bytearray()
    for char in _nfc(text):
        if char in table:
            out += table[char]
        elif " " <= char <= "~" or char in "\t\n\r":
            out.append(ord(char))
        else:
            raise ValueError(f"{char!r} has no code in {encoding}")
    return bytes(out)


@cache
def _decoder(encoding: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """A regex over the encoding's sequences (in their Latin-1 look), longest first, and their letters."""
    mapping = {code.decode("latin-1"): letter for letter, code in _table(encoding).items()}
    if encoding == VNI:  # a capital base with a lowercase mark, or the reverse, still means the letter
        for code, letter in list(mapping.items()):
            if len(code) == 2:
                mapping.setdefault(code[0] + code[1].swapcase(), letter)
    mapping.update({chr(b): c for b, c in _EXTRA.get(encoding, {}).items()})
    keys = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), mapping


def _decode_shown(shown: str, encoding: str) -> str:
    """Legacy-encoded bytes shown as Latin-1/Windows-1252 -> Unicode NFC. Other characters pass."""
    pattern, mapping = _decoder(encoding)
    text = pattern.sub(lambda m: mapping[m.group()], shown.translate(_TO_C1))
    return _nfc(text.translate(_FROM_C1))


def decode(data: bytes, encoding: str) -> str:
    """Bytes in a legacy encoding -> Unicode NFC."""
    return _decode_shown(data.decode("latin-1"), encoding)


# -- what a Vietnamese syllable looks like -------------------------------------------------------

_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x".split()
_RHYMES = """
    a ai ao au ay ac ach am an ang anh ap at   ăc ăm ăn ăng ăp ăt   âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et   ê êu êch êm ên ênh êp êt
    i ia iu ich im in inh ip it   iêc iêm iên iêng iêp iêt iêu   yêm yên yêng yêt yêu
    o oi oc om on ong op ot oong ooc   ô ôi ôc ôm ôn ông ôp ôt   ơ ơi ơm ơn ơp ơt
    u ua ui uc um un ung up ut   uôc uôi uôm uôn uông uôt
    ư ưa ưi ưu ưc ưm ưn ưng ưt   ươc ươi ươm ươn ương ươp ươt ươu   y
    oa oai oay oac oach oam oan oang oanh oao oap oat   oăc oăm oăn oăng oăt   oe oeo oen oet
    uâc uân uâng uât uây   uê uêch uênh   uy uya uych uynh uyt uyu uyn   uyên uyêt   uơ
""".split()
_SYLLABLE = re.compile(
    "(?P<onset>{})?(?P<rhyme>{})".format(
        "|".join(_ONSETS), "|".join(sorted(_RHYMES, key=len, reverse=True))))
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = "aăâeêioôơuưy"
_SHAPED = "ăâêôơư"


# The longest Vietnamese syllable ("nghiêng") has 7 letters; decomposed, a few more code points.
_SYLLABLE_MAX = 12


def _is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable: onset, rhyme, at most one tone, on the right vowel.

    Longer words are refused before the cache, so that a stream of long inputs cannot fill it.
    """
    return len(word) <= _SYLLABLE_MAX and _is_short_syllable(word)


@lru_cache(maxsize=16384)
def _is_short_syllable(word: str) -> bool:
    letters: list[str] = []
    tone = ""
    tone_at = -1
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _TONES:
            if tone or not letters:
                return False
            tone, tone_at = char, len(letters) - 1
        elif unicodedata.combining(char):
            if not letters:
                return False
            letters[-1] += char
        else:
            letters.append(char)
    letters = [_nfc(c) for c in letters]
    if any(len(c) != 1 for c in letters):
        return False
    m = _SYLLABLE.fullmatch("".join(letters))
    if not m:
        return False
    if not tone:
        return True
    rhyme = m.group("rhyme")
    if rhyme.endswith(("c", "ch", "p", "t")) and tone not in "\u0301\u0323":
        return False  # a final stop takes only sắc or nặng
    start = m.start("rhyme")
    vowels = [start + i for i, c in enumerate(rhyme) if c in _VOWELS]
    shaped = [i for i in vowels if letters[i] in _SHAPED]
    if shaped:
        allowed = {shaped[-1]}  # iê uô ươ ...: on the letter with the circumflex, breve or horn
    elif rhyme[-1] not in _VOWELS or len(vowels) == 1:
        allowed = {vowels[-1]}  # closed rhyme: on the last vowel
    elif len(vowels) == 2:
        pair = rhyme[-2:]
        allowed = set(vowels) if pair in ("oa", "oe", "uy") else {vowels[0]}  # hoà and hòa both spelled
    else:
        allowed = {vowels[1]}  # oai, uya, uyu, oeo: on the middle one
    return tone_at in allowed


# Words: runs of characters other than spaces, ASCII punctuation and digits (mojibake never makes those).
_WORD = re.compile(r"[^\s!-@\[-`{-~]+")


def _trim(word: str) -> str:
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[start:end]


@dataclass(frozen=True)
class _Stats:
    good: int  # words with a Vietnamese letter that are syllables (and in lower, title or upper case)
    bad: int  # words with other characters than ASCII letters that are not

    @property
    def score(self) -> int:
        return self.good - 3 * self.bad


def _stats(text: str) -> _Stats:
    good = bad = 0
    for m in _WORD.finditer(text):
        word = _trim(m.group())
        if len(word) < 2 or (word.isascii() and word.isalpha()):
            continue  # a lone letter (ở, đ for đồng) says little either way
        if _is_syllable(word) and (word.islower() or word.isupper() or word[1:].islower()):
            good += 1
        else:
            bad += 1
    return _Stats(good, bad)


# -- candidates: each returns the repaired text, or None when it does not explain the text ----------

def _beyond_latin1(text: str) -> bool:
    """Has a Vietnamese letter that Latin-1 lacks (ă đ ơ ư ạ ả ...): most Vietnamese text does."""
    return any(c in LETTERS and ord(c) > 0xFF for c in text)


def _legacy(encoding: str):
    def candidate(text: str, before: _Stats) -> str | None:
        if _beyond_latin1(text):
            return None  # legacy bytes shown as Latin-1 cannot hold these: the text is Unicode already
        out = _decode_shown(text, encoding)
        after = _stats(out)
        if (after.good >= 2 and after.score >= before.score + 4 and after.bad <= before.bad
                and 4 * after.bad <= after.good):
            return out
        return None

    return candidate


_ETH = str.maketrans("Ðð", "Đđ")


def _eth(text: str, before: _Stats) -> str | None:
    text = _nfc(text)
    if "Ð" not in text and "ð" not in text:
        return None

    def fix(m: re.Match[str]) -> str:
        word = m.group().translate(_ETH)
        return word if _is_syllable(_trim(word)) else m.group()

    out = _WORD.sub(fix, text)
    after = _stats(out)
    if after.good > before.good and after.bad <= before.bad and (after.good >= 2 or _beyond_latin1(text)):
        return out
    return None


# Bytes Windows-1252 does not define: a decoder may drop them or show U+FFFD.
_LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_PLACEHOLDER = 0xF0000  # private-use characters stand for a lost byte until the word is known


# What a submission's UTF-8 plausibly holds: Latin letters and marks, Vietnamese, punctuation,
# currency and other common symbols, emoji. "lß½ng" is not UTF-8 for an N'Ko letter.
_UTF8_PLAUSIBLE = ((0x80, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x2BFF), (0x1F000, 0x1FAFF))


def _utf8_once(text: str) -> tuple[str, int] | None:
    """Text shown from UTF-8 bytes -> (decoded text, intact multi-byte sequences), or None."""
    units: list[int | str | None] = []
    for char in text:
        code = ord(char)
        units.append(code if code < 0x100 else _TO_C1.get(code, None if char == "\ufffd" else char))
    out: list[str] = []
    choices: list[list[str]] = []
    intact = 0
    i, n = 0, len(units)
    while i < n:
        unit = units[i]
        if not isinstance(unit, int):
            out.append("\ufffd" if unit is None else unit)
            i += 1
            continue
        if unit < 0x80:
            out.append(chr(unit))
            i += 1
            continue
        need = 1 if 0xC2 <= unit <= 0xDF else 2 if 0xE0 <= unit <= 0xEF else 3 if 0xF0 <= unit <= 0xF4 else 0
        if not need:
            return None
        seq = [unit]
        j = i + 1
        while len(seq) <= need and j < n and isinstance(units[j], int) and 0x80 <= units[j] <= 0xBF:
            seq.append(units[j])
            j += 1
        if len(seq) == need + 1:
            try:
                char = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                return None
            if not any(low <= ord(char) <= high for low, high in _UTF8_PLAUSIBLE):
                return None
            out.append(char)
            intact += 1
        elif len(seq) == need:  # the last byte was lost: dropped, or shown as U+FFFD
            if j < n and units[j] is None:
                j += 1
            options = []
            for lost in _LOST:
                try:
                    char = bytes([*seq, lost]).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if char in LETTERS:
                    options.append(char)
            if not options:
                return None
            out.append(chr(_PLACEHOLDER + len(choices)))
            choices.append(options)
        else:
            return None
        i = j
    decoded = "".join(out)
    if choices:
        decoded = _choose_lost(decoded, choices)
        if decoded is None:
            return None
    return _nfc(decoded), intact


def _choose_lost(text: str, choices: list[list[str]]) -> str | None:
    """Put back each lost letter where one option alone makes its word a syllable (in the word's case).

    Where several do ("há»i": hỏi, họi, hời), the letter cannot be known: U+FFFD marks it. Where none
    does, the text is not Vietnamese UTF-8 after all: None.
    """
    failed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal failed
        word = m.group()
        slots = [c for c in word if ord(c) >= _PLACEHOLDER]
        if not slots:
            return word
        fits = []
        for combo in itertools.product(*(choices[ord(s) - _PLACEHOLDER] for s in slots)):
            candidate = word
            for slot, letter in zip(slots, combo, strict=True):
                candidate = candidate.replace(slot, letter)
            trimmed = _trim(candidate)
            if _is_syllable(trimmed) and (trimmed.islower() or trimmed.isupper() or trimmed[1:].islower()):
                fits.append(combo)
        if not fits:
            failed = True
            return word
        for i, slot in enumerate(slots):
            letters = {combo[i] for combo in fits}
            word = word.replace(slot, letters.pop() if len(letters) == 1 else "\ufffd")
        return word

    out = _WORD.sub(fix, text)
    return None if failed else out


def _utf8(text: str, before: _Stats) -> str | None:
    out, current = None, text
    for _ in range(3):  # UTF-8 shown as Windows-1252, saved as UTF-8 and shown again ...
        step = _utf8_once(current)
        if step is None or not step[1] or step[0] == current or _stats(step[0]).score < before.score:
            break
        out = current = step[0]
    return out


_VIQR_WORD = re.compile(
    r"(?<![A-Za-z\\])(?:[Dd][Dd9](?=[A-Za-z]))?"
    r"(?:(?:[Aa][(^]?|[Ee]\^?|[Oo][\^+]?|[Uu]\+?|[IiYy])['`?~.]?|[B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z])+")
_VIQR_UNIT = re.compile(r"^[Dd][Dd9](?=[A-Za-z])|([AaEeIiOoUuYy])([(^+]?)(['`?~.]?)|.")
_VIQR_SHAPES = {"a(": "ă", "a^": "â", "e^": "ê", "o^": "ô", "o+": "ơ", "u+": "ư"}
_VIQR_TONES = {"`": "\u0300", "'": "\u0301", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_VIQR_ESCAPE = re.compile(r"\\([(^+'`?~.])")
_ADDRESS = re.compile(r"@|://|^www\.", re.I)


def _viqr_letters(word: str) -> str:
    out = []
    for m in _VIQR_UNIT.finditer(word):
        unit = m.group()
        if m.start() == 0 and len(unit) == 2 and unit[1] in "Dd9":
            out.append("Đ" if unit[0] == "D" else "đ")
        elif m.group(1):
            vowel, shape, tone = m.groups()
            base = _VIQR_SHAPES.get(vowel.lower() + shape, vowel.lower())
            out.append((base.upper() if vowel.isupper() else base) + _VIQR_TONES.get(tone, ""))
        else:
            out.append(unit)
    return _nfc("".join(out))


_AFTER_WORD = re.compile(r"[\"')\]]*(\s*)(\S?)")


def _ends_sentence(text: str, word: str, at: int) -> bool:
    """A final . or ? that may be a tone or punctuation: punctuation at the end of the text or a line,
    and a . before a capital, unless the text is in capitals (a ? there is as likely a hỏi:
    "o+? Ha` No^.i" is "ở Hà Nội")."""
    m = _AFTER_WORD.match(text, at)
    gap, following = m.group(1), m.group(2)
    capital = word[-1] == "." and bool(gap) and following.isupper() and not word.isupper()
    return not following or "\n" in gap or capital


def _final_mark_is_punctuation(text: str, word: str, end: int) -> bool:
    """Whether the . or ? ending a VIQR word is punctuation: when only that reading gives a syllable
    ("dda^u?": đâủ is not one), or when both do and the sentence ends there."""
    toned, plain = _viqr_letters(word), _viqr_letters(word[:-1])
    plain_ok = plain == word[:-1] or _is_syllable(plain)
    if not _is_syllable(toned):
        return plain_ok
    return plain_ok and _ends_sentence(text, word, end)


def _viqr(text: str, before: _Stats) -> str | None:
    if any(ord(c) > 0x7F and c.isalpha() for c in text):
        return None  # VIQR is ASCII: text with other letters is something else
    addresses = [m.span() for m in re.finditer(r"\S+", text) if _ADDRESS.search(m.group())]
    good = bad = words = 0
    pieces, last = [], 0
    for m in _VIQR_WORD.finditer(text):
        if any(a <= m.start() < b for a, b in addresses):
            continue
        words += 1
        word, end = m.group(), m.end()
        if word[-1] in ".?" and _final_mark_is_punctuation(text, word, end):
            word, end = word[:-1], end - 1
        letters = _viqr_letters(word)
        if letters == word:
            continue  # no marks
        if not _is_syllable(letters):
            bad += 1
            continue
        good += 1
        pieces += [_VIQR_ESCAPE.sub(r"\1", text[last:m.start()]), letters]
        last = end
    pieces.append(_VIQR_ESCAPE.sub(r"\1", text[last:]))
    if good >= 2 and 2 * bad <= good and 4 * good >= words:
        return _nfc("".join(pieces))
    return None


# In order of preference when two explain the text equally well.
_CANDIDATES = (
    (UNICODE_ETH, _eth),
    (MOJIBAKE_UTF8, _utf8),
    (VIQR, _viqr),
    (TCVN3, _legacy(TCVN3)),
    (VNI, _legacy(VNI)),
    (VISCII, _legacy(VISCII)),
    (WINDOWS_1258, _legacy(WINDOWS_1258)),
)


def repair(text: str) -> Repaired:
    """Đ6.1: the text in Unicode NFC, repaired from a legacy encoding or mojibake when it clearly is one."""
    text = text or ""
    nfc = _nfc(text)
    before = _stats(nfc)
    found: list[tuple[int, str, str]] = []
    for source, candidate in _CANDIDATES:
        out = candidate(text, before)
        if out is not None and out != nfc:
            found.append((_stats(out).score, out, source))
    if found:
        top = max(score for score, _, _ in found)
        best = [(out, source) for score, out, source in found if score == top]
        out, source = best[0]  # the first named when two give the same text (Ð: eth or Windows-1258)
        # Two decodings that explain the text equally well but differ: leave it. A legacy decoding
        # with only Latin-1 letters ("Où ... où" read as VNI) is not convincing Vietnamese either.
        if len({o for o, _ in best}) == 1 and (source not in ENCODINGS or _beyond_latin1(out)):
            return Repaired(out, source, out != text)
    return Repaired(nfc, UNICODE_NFD if nfc != text else UNICODE, nfc != text)
