"""Đ6.2: where the reported issue is — a commune/ward of the province, an address, or coordinates.

The units are those in force since 1 July 2025 (provinces merged, districts abolished, communes and wards
merged; the new Tây Ninh, code 80, includes the former Long An). An address that still names a pre-2025
unit ("phường 3, thành phố Tây Ninh", "xã Suối Đá, huyện Dương Minh Châu", a former Long An unit) is
mapped to the current ward it now belongs to.

The data is the `vietnamadminunits` package's: its SQLite dataset (tables `admin_units`, the 34 provinces
after 2025 with the official codes, and `admin_units_legacy`, the 63 provinces before) and its conversion
table `converter_2025.json`. They are read from the installed package's files, read-only and once
(lazily: nothing is built at import time); the package itself is not imported, so none of its geocoding
code (`convert_address` calls an online geocoder for a split ward when a street is given) is ever loaded.
No network at run time; no reverse geocoding of coordinates.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

from runtime.errors import Violation

TAY_NINH = "80"  # the new Tây Ninh's code since 1 July 2025 (the former Long An's code; the old Tây Ninh was 72)

# Vietnam, as two boxes (latitude, longitude): the mainland with its near islands, and the sea to the east
# holding Hoàng Sa and Trường Sa. A box, not a border: points just across a land border pass.
VIETNAM_BOUNDS = (((8.0, 23.5), (102.0, 110.0)), ((6.0, 17.5), (110.0, 118.0)))

# Why a place is not resolved (Place.reason).
NO_PLACE = "no_place"
UNKNOWN_WARD_CODE = "unknown_ward_code"
WARD_OF_ANOTHER_PROVINCE = "ward_of_another_province"
COORDINATES_INVALID = "coordinates_invalid"
COORDINATES_OUTSIDE_VIETNAM = "coordinates_outside_vietnam"
COORDINATES_INCOMPLETE = "coordinates_incomplete"
ADDRESS_NOT_MATCHED = "address_not_matched"
AMBIGUOUS = "ambiguous"
FORMER_DISTRICT_ONLY = "former_district_only"
OUTSIDE_PROVINCE = "outside_province"


class Unit(NamedTuple):
    code: str  # the official five-digit code, e.g. "25459"
    name: str  # with its type, e.g. "Phường Tân Ninh"


@dataclass(frozen=True)
class Place:
    """A normalised place. `kind`: "ward" (a current commune/ward), "coordinates" (accepted as given),
    "address" (text that names no unit we could settle on; kept for a person to read) or "" (nothing usable)."""

    kind: str
    ward_code: str = ""
    ward_name: str = ""
    province_code: str = ""
    province_name: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    mapped_from: str = ""  # the pre-2025 unit the address named, e.g. "Phường 3, Thành phố Tây Ninh, Tỉnh Tây Ninh"
    candidates: tuple[str, ...] = ()  # current ward codes the place may be in, when not just one
    reason: str = ""  # why there is no ward: one of the constants above

    @property
    def resolved(self) -> bool:
        return self.kind in ("ward", "coordinates")


# -- names -------------------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def fold(text: str) -> str:
    """Lower case, without any diacritic: "Phường Tân Thạnh" -> "phuong tan thanh"."""
    text = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _toned(words: list[str]) -> str:
    """Space-less key that keeps each word's tone but not where it was typed ("hoà" == "hòa")."""
    out = []
    for word in words:
        decomposed = unicodedata.normalize("NFD", word.lower())
        tones = "".join(c for c in decomposed if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES)) + tones)
    return "".join(out)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


def _number(word: str) -> str:
    return str(int(word)) if word.isdigit() else word


def _short(name: str, typ: str | None) -> str:
    """The name without its type word: "Phường 3" -> "3", "Xã Tân Biên" -> "Tân Biên"."""
    if typ and fold(name).startswith(fold(typ) + " "):
        return name[len(typ) + 1:].strip()
    return name


# Type words as they are written in addresses, folded (two-word ones are tried first).
_WARD_TYPES = {("thi", "tran"): "thi tran", ("tt",): "thi tran", ("phuong",): "phuong", ("p",): "phuong",
               ("f",): "phuong", ("xa",): "xa", ("x",): "xa"}
_DISTRICT_TYPES = {("thi", "xa"): "thi xa", ("tx",): "thi xa", ("thanh", "pho"): "thanh pho", ("tp",): "thanh pho",
                   ("huyen",): "huyen", ("h",): "huyen", ("quan",): "quan", ("q",): "quan"}
_PROVINCE_TYPES = {("tinh",): "tinh", ("thanh", "pho"): "thanh pho", ("tp",): "thanh pho"}
_SEGMENT = re.compile(r"[,;\n|/]+|\s[-–]\s")
_LETTER_NUMBER = re.compile(r"^(p|f|q|x|phuong|quan)(\d+)$")


def _words(segment: str) -> list[str]:
    words = []
    for word in re.findall(r"\w+", unicodedata.normalize("NFC", segment)):
        m = _LETTER_NUMBER.match(fold(word))
        words.extend([m.group(1), m.group(2)] if m else [word])
    return [_number(w) for w in words]


class _Mention(NamedTuple):
    level: str  # "ward", "district" or "province"
    type: str  # the folded type word written before the name ("xa", "thi tran", ...), "" if none
    key: str  # folded, space-less
    toned: str  # with tones, space-less
    typed: bool


# -- the data ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Ward:
    code: str
    name: str
    short: str
    type: str  # folded: "phuong", "xa", "thi tran", "dac khu"


@dataclass(frozen=True)
class _OldWard:
    code: str
    name: str  # full path, e.g. "Phường 3, Thành phố Tây Ninh, Tỉnh Tây Ninh"
    short: str
    type: str
    district_code: str
    province_code: str  # the old province's code
    new_code: str  # the current ward it belongs to (the package's default one when it was split)
    new_codes: tuple[str, ...]  # every current ward it went into


@dataclass
class _Gazetteer:
    code: str
    name: str
    wards: dict[str, _Ward]
    old_wards: list[_OldWard]
    other_codes: frozenset[str]  # current ward codes of the other provinces
    by_name: dict[str, list[_Ward]] = field(default_factory=dict)
    old_by_name: dict[str, list[_OldWard]] = field(default_factory=dict)
    old_by_alias: dict[str, list[_OldWard]] = field(default_factory=dict)
    districts: dict[str, set[str]] = field(default_factory=dict)  # name key -> old district codes
    district_provinces: dict[str, str] = field(default_factory=dict)  # old district code -> old province code
    provinces: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # key -> {("new"|"old", code)}
    province_tones: dict[str, set[str]] = field(default_factory=dict)  # key -> the names with their tones
    old_province_codes: frozenset[str] = frozenset()
    names: dict[str, set[str]] = field(default_factory=dict)  # level -> every name key of that level


def _package_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _dataset() -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    path = _package_dir() / "data" / "dataset.db"
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        current = conn.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceKeywords, wardCode, ward,"
            " wardType, wardKey FROM admin_units").fetchall()
        legacy = conn.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceKeywords, districtCode,"
            " district, districtType, districtKey, wardCode, ward, wardShort, wardType, wardKey, wardAlias"
            " FROM admin_units_legacy").fetchall()
    finally:
        conn.close()
    return current, legacy


@cache
def _conversion() -> dict:
    return json.loads((_package_dir() / "data" / "converter_2025.json").read_text(encoding="utf-8"))


def _province_code(code: str | int) -> str:
    text = str(code).strip()
    return text.zfill(2) if text.isdigit() else text


def _ward_code(code: str | int) -> str:
    text = str(code or "").strip()
    return text.zfill(5) if text.isdigit() else text


@cache
def _gazetteer(province_code: str) -> _Gazetteer:
    current, legacy = _dataset()
    mine = [r for r in current if r["provinceCode"] == province_code]
    if not mine:
        raise ValueError(f"unknown province code {province_code!r} (codes after 1 July 2025)")
    wards = {r["wardCode"]: _Ward(r["wardCode"], r["ward"], _short(r["ward"], r["wardType"]),
                                  fold(r["wardType"] or "")) for r in mine}
    by_key = {r["wardKey"]: r["wardCode"] for r in mine}
    province_key = mine[0]["provinceKey"]

    conversion = _conversion()
    old_keys = set(conversion["DICT_PROVINCE"].get(province_key, ()))
    mapping: dict[str, tuple[str, tuple[str, ...]]] = {}
    for new_key, olds in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {}).items():
        for old in olds:
            mapping[old] = (by_key[new_key], (by_key[new_key],))
    for old, news in conversion["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items():
        default = next((n["newWardKey"] for n in news if n["isDefaultNewWard"]), news[0]["newWardKey"])
        mapping[old] = (by_key[default], tuple(sorted(by_key[n["newWardKey"]] for n in news)))

    old_wards = []
    for r in legacy:
        if r["provinceKey"] not in old_keys or r["wardCode"] is None:
            continue
        new = mapping.get(f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}")
        if new is None:
            continue
        old_wards.append(_OldWard(
            code=r["wardCode"], name=f"{r['ward']}, {r['district']}, {r['province']}",
            short=_short(r["ward"], r["wardType"]),
            type=fold(r["wardType"] or ""), district_code=r["districtCode"], province_code=r["provinceCode"],
            new_code=new[0], new_codes=new[1]))

    g = _Gazetteer(code=province_code, name=mine[0]["province"], wards=wards, old_wards=old_wards,
                   other_codes=frozenset(r["wardCode"] for r in current if r["provinceCode"] != province_code),
                   old_province_codes=frozenset(w.province_code for w in old_wards))
    for w in wards.values():
        g.by_name.setdefault(_key(w.short), []).append(w)
    for w in old_wards:
        g.old_by_name.setdefault(_key(w.short), []).append(w)
    old_by_code = {(w.code, w.district_code): w for w in old_wards}
    for r in legacy:
        if r["provinceKey"] in old_keys:
            g.districts.setdefault(_key(_short(r["district"], r["districtType"])), set()).add(r["districtCode"])
            g.district_provinces[r["districtCode"]] = r["provinceCode"]
            old = old_by_code.get((r["wardCode"], r["districtCode"]))
            for alias in set(json.loads(r["wardAlias"] or "[]")) if old else ():
                g.old_by_alias.setdefault(_key(alias), []).append(old)
    for kind, rows in (("new", current), ("old", legacy)):
        for r in rows:
            # The short name and the package's keywords for it ("hcm", "hochiminh", "thanhphohochiminh").
            for key in {_key(r["provinceShort"]), *json.loads(r["provinceKeywords"] or "[]")}:
                g.provinces.setdefault(key, set()).add((kind, r["provinceCode"]))
            g.province_tones.setdefault(_key(r["provinceShort"]), set()).add(_toned(r["provinceShort"].split()))
    g.names = {"ward": g.by_name.keys() | g.old_by_name.keys() | g.old_by_alias.keys(),
               "district": set(g.districts), "province": set(g.provinces)}
    return g


# -- reading an address ------------------------------------------------------------------------------------

def _mentions(g: _Gazetteer, address: str) -> list[_Mention]:
    """Units an address names: a type word followed by a known name anywhere, or a whole comma-separated
    part that is a known name (untyped; a province's name there is taken as the province only, unless its
    tones tell it apart: "Thạnh Hóa" is a commune, "Thanh Hóa" a province)."""
    found: list[_Mention] = []
    types = (("ward", _WARD_TYPES), ("district", _DISTRICT_TYPES), ("province", _PROVINCE_TYPES))
    for segment in _SEGMENT.split(address):
        words = _words(segment)
        folded = [fold(w) for w in words]
        whole = "".join(folded)
        toned = _toned(words)
        if any(tuple(folded[:size]) in table for _, table in types for size in (1, 2)):
            whole = ""  # it starts with a type word: read below
        if whole in g.provinces and (toned == whole or toned in g.province_tones.get(whole, ())):
            found.append(_Mention("province", "", whole, toned, False))
        elif whole:
            found.extend(_Mention(level, "", whole, toned, False)
                         for level in ("ward", "district") if whole in g.names[level])
        i = 0
        while i < len(words):
            step = 1
            for level, table in types:
                for size in (2, 1):
                    typ = table.get(tuple(folded[i:i + size]))
                    if typ is None or i + size >= len(words):
                        continue
                    names = g.names[level]
                    for end in range(min(len(words), i + size + 6), i + size, -1):
                        key = "".join(folded[i + size:end])
                        if key in names:
                            found.append(_Mention(level, typ, key, _toned(words[i + size:end]), True))
                            step = max(step, end - i)
                            break
            i += step
    found.sort(key=lambda m: not m.typed)  # typed mentions first, in the order written
    return found


class _Match(NamedTuple):
    ward: _Ward | None = None
    mapped_from: str = ""
    candidates: tuple[str, ...] = ()
    reason: str = ADDRESS_NOT_MATCHED


def _same_tones(units: list, mention: _Mention) -> list:
    return [u for u in units if _toned(u.short.split()) == mention.toned]


def _match(g: _Gazetteer, address: str) -> _Match:
    mentions = _mentions(g, address)
    named = set().union(*(g.provinces[m.key] for m in mentions if m.level == "province"))
    ours = {("new", g.code)} | {("old", c) for c in g.old_province_codes}
    if named and not named & ours:
        return _Match(reason=OUTSIDE_PROVINCE)
    # A former province named (Long An), not as the new province's name, narrows the former units.
    own_names = {m.key for m in mentions if m.level == "province" and ("new", g.code) in g.provinces[m.key]}
    old_provinces = {c for m in mentions if m.level == "province" and m.key not in own_names
                     for kind, c in g.provinces[m.key] if kind == "old" and ("old", c) in ours}
    districts = {m: {d for d in g.districts[m.key] if not old_provinces or g.district_provinces[d] in old_provinces}
                 for m in mentions if m.level == "district"}
    typed_districts = set().union(*(d for m, d in districts.items() if m.typed))
    any_districts = set().union(*districts.values())

    ambiguous: set[str] = set()
    for m in (m for m in mentions if m.level == "ward"):
        current = g.by_name.get(m.key, [])
        old = g.old_by_name.get(m.key) or g.old_by_alias.get(m.key, [])
        if old_provinces:
            old = [w for w in old if w.province_code in old_provinces] or old
        if any_districts:
            old = [w for w in old if w.district_code in any_districts] or old
        in_typed_district = [w for w in old if w.district_code in typed_districts]
        if in_typed_district:
            options = [("old", [w for w in in_typed_district if m.type in ("", w.type)]), ("old", in_typed_district)]
        else:
            options = [("current", [w for w in current if m.type in ("", w.type)]),
                       ("old", [w for w in old if m.type in ("", w.type)]), ("current", current), ("old", old)]
        # Names written with their tones first ("Bình Thạnh" is not "Bình Thành"), then without.
        passes = [[(kind, _same_tones(units, m)) for kind, units in options], options]
        kind, units = next(((k, u) for p in passes for k, u in p if u), ("", []))
        if kind == "current":
            if len(units) == 1:
                return _Match(units[0], reason="")
            ambiguous |= {u.code for u in units}
        elif kind == "old":
            new_codes = {u.new_code for u in units}
            if len(new_codes) == 1:
                splits = units[0].new_codes if len(units) == 1 and len(units[0].new_codes) > 1 else ()
                return _Match(g.wards[units[0].new_code], " / ".join(u.name for u in units), splits, reason="")
            ambiguous |= new_codes
    if ambiguous:
        return _Match(candidates=tuple(sorted(ambiguous)), reason=AMBIGUOUS)
    if any_districts:
        codes = {c for w in g.old_wards if w.district_code in any_districts for c in w.new_codes}
        return _Match(candidates=tuple(sorted(codes)), reason=FORMER_DISTRICT_ONLY)
    return _Match()


# -- coordinates -------------------------------------------------------------------------------------------

def _coordinates_problem(latitude: float | None, longitude: float | None) -> str:
    if latitude is None and longitude is None:
        return ""
    if latitude is None or longitude is None:
        return COORDINATES_INCOMPLETE
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return COORDINATES_INVALID
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return COORDINATES_INVALID
    if not any(a <= lat <= b and c <= lon <= d for (a, b), (c, d) in VIETNAM_BOUNDS):
        return COORDINATES_OUTSIDE_VIETNAM
    return ""


# -- the API -----------------------------------------------------------------------------------------------

def wards(province_code: str | int = TAY_NINH) -> list[Unit]:
    """The province's communes, wards (and special zones) since 1 July 2025, by code."""
    g = _gazetteer(_province_code(province_code))
    return [Unit(w.code, w.name) for w in sorted(g.wards.values(), key=lambda w: w.code)]


def resolve(ward_code: str = "", address: str = "", latitude: float | None = None, longitude: float | None = None,
            *, province_code: str | int = TAY_NINH) -> Place:
    """The place a submission gives, normalised: a ward code wins, then an address naming a unit, then
    coordinates inside Vietnam (as given). `latitude`/`longitude` None mean not given (the proto's 0.0 must
    be passed as None, as intake's app does)."""
    g = _gazetteer(_province_code(province_code))
    address = unicodedata.normalize("NFC", address or "").strip()
    coordinates = _coordinates_problem(latitude, longitude)
    has_coordinates = latitude is not None and longitude is not None and not coordinates
    lat, lon = (float(latitude), float(longitude)) if has_coordinates else (None, None)
    base = dict(province_code=g.code, province_name=g.name, address=address, latitude=lat, longitude=lon)

    code = _ward_code(ward_code)
    if code:
        ward = g.wards.get(code)
        if ward is not None:
            return Place("ward", ward_code=ward.code, ward_name=ward.name, **base)
        reason = WARD_OF_ANOTHER_PROVINCE if code in g.other_codes else UNKNOWN_WARD_CODE
        return Place("", reason=reason, **base)
    match = _match(g, address) if address else _Match(reason=NO_PLACE)
    if match.ward is not None:
        return Place("ward", ward_code=match.ward.code, ward_name=match.ward.name, mapped_from=match.mapped_from,
                     candidates=match.candidates, **base)
    if has_coordinates:
        return Place("coordinates", candidates=match.candidates, **base)
    if address:
        return Place("address", candidates=match.candidates, reason=match.reason, **base)
    return Place("", reason=coordinates or NO_PLACE, **base)


def validate_place(ward_code: str = "", address: str = "", latitude: float | None = None,
                   longitude: float | None = None, *, province_code: str | int = TAY_NINH) -> list[Violation]:
    """Đ6.2's problems with a submission's place, each with its field and a Vietnamese and English message.

    An address that names no known unit is not a problem: a person reads it.
    """
    g = _gazetteer(_province_code(province_code))
    problems: list[Violation] = []
    code = _ward_code(ward_code)
    if code and code not in g.wards:
        if code in g.other_codes:
            problems.append(Violation(
                "location.ward_code", f"Mã xã, phường thuộc tỉnh, thành phố khác, không thuộc {g.name}",
                f"the ward code belongs to another province, not to {g.name}"))
        else:
            problems.append(Violation(
                "location.ward_code", f"Mã xã, phường không có trong danh mục đơn vị hành chính của {g.name}",
                f"the ward code is not a commune or ward of {g.name} (units since 1 July 2025)"))
    problem = _coordinates_problem(latitude, longitude)
    if problem == COORDINATES_INCOMPLETE:
        problems.append(Violation("location", "Tọa độ cần có cả vĩ độ và kinh độ",
                                  "coordinates need both a latitude and a longitude"))
    elif problem == COORDINATES_INVALID:
        problems.append(Violation("location", "Tọa độ không hợp lệ (vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180)",
                                  "the coordinates are out of range (latitude -90..90, longitude -180..180)"))
    elif problem == COORDINATES_OUTSIDE_VIETNAM:
        problems.append(Violation("location", "Tọa độ nằm ngoài lãnh thổ Việt Nam",
                                  "the coordinates are outside Vietnam"))
    if not code and not (address or "").strip() and latitude is None and longitude is None:
        problems.append(Violation("location", "Cần cho biết nơi xảy ra vụ việc: địa chỉ, xã/phường hoặc tọa độ",
                                  "say where the issue is: an address, a commune or ward, or coordinates"))
    return problems
