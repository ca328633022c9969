"""Đ6.2: the place of a submission — current communes/wards (since 1 July 2025), pre-2025 units mapped to
them, coordinates. The codes and names asserted here are the `vietnamadminunits` package's data."""

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from services.intake import places

ROOT = Path(__file__).resolve().parents[2]

# Current Tây Ninh units (province 80 since 1 July 2025), as the package lists them.
TAN_NINH = ("25459", "Phường Tân Ninh")  # the former Tây Ninh city's centre
TAN_BIEN = ("25486", "Xã Tân Biên")
TAN_THANH = ("25534", "Xã Tân Thành")  # former Tây Ninh
TAN_THANH_LA = ("27826", "Xã Tân Thạnh")  # former Long An: the same name without its tones
LONG_AN = ("27694", "Phường Long An")
TAN_AN = ("27712", "Phường Tân An")
DUONG_MINH_CHAU = ("25552", "Xã Dương Minh Châu")
BINH_MINH = ("25480", "Phường Bình Minh")
MY_HANH = ("27976", "Xã Mỹ Hạnh")


def package_query(sql):
    from vietnamadminunits.database import query

    return query(sql)


def test_the_province_has_its_96_current_communes_and_wards():
    units = places.wards()
    assert len(units) == 96
    assert {TAN_NINH, TAN_BIEN, TAN_THANH, TAN_THANH_LA, LONG_AN, TAN_AN} <= set(units)
    assert units == sorted(units)
    assert all(len(code) == 5 and code.isdigit() for code, _ in units)


def test_the_list_is_the_package_s_own():
    rows = package_query("SELECT wardCode, ward FROM admin_units WHERE provinceCode = '80'")
    assert set(places.wards()) == {(r["wardCode"], r["ward"]) for r in rows}


def test_another_province_can_be_listed_and_an_unknown_one_is_refused():
    hcm = places.wards(province_code=79)
    assert hcm and not set(hcm) & set(places.wards())
    with pytest.raises(ValueError):
        places.wards(province_code="72")  # the old Tây Ninh's code: no longer a province


def test_a_known_ward_code_gives_its_name():
    place = places.resolve(ward_code=" 25459 ")
    assert place.resolved and place.kind == "ward"
    assert (place.ward_code, place.ward_name) == TAN_NINH
    assert (place.province_code, place.province_name) == ("80", "Tỉnh Tây Ninh")


@pytest.mark.parametrize("code, reason", [("99999", places.UNKNOWN_WARD_CODE), ("abc", places.UNKNOWN_WARD_CODE),
                                          ("00004", places.WARD_OF_ANOTHER_PROVINCE)])  # Phường Ba Đình, Hà Nội
def test_an_unknown_ward_code_is_not_resolved(code, reason):
    place = places.resolve(ward_code=code, address="Phường Tân Ninh")
    assert not place.resolved and place.reason == reason


@pytest.mark.parametrize("address, expected", [
    ("123 đường Cách Mạng Tháng Tám, Phường Tân Ninh, Tỉnh Tây Ninh", TAN_NINH),
    ("p. tan ninh, tay ninh", TAN_NINH),
    ("PHƯỜNG TÂN NINH", TAN_NINH),
    (unicodedata.normalize("NFD", "Phường Tân Ninh, Tây Ninh"), TAN_NINH),
    ("XA TAN BIEN", TAN_BIEN),
    ("X. Tân Biên", TAN_BIEN),
    ("Tân Biên, Tây Ninh", TAN_BIEN),
    ("ấp Long Hòa, phường Tân An, tỉnh Tây Ninh", TAN_AN),
    ("đường Dương Minh Châu, xã Dương Minh Châu", DUONG_MINH_CHAU),
    ("xã Tân Thành", TAN_THANH),
    ("xã Tân Thạnh, Tây Ninh", TAN_THANH_LA),
    ("Xã Hoà Hội", ("25606", "Xã Hòa Hội")),  # the tone written on the other vowel
])
def test_an_address_naming_a_current_ward_gives_that_ward(address, expected):
    place = places.resolve(address=address)
    assert place.kind == "ward" and (place.ward_code, place.ward_name) == expected
    assert place.mapped_from == "" and place.address == unicodedata.normalize("NFC", address).strip()


def test_names_that_differ_only_by_tones_are_ambiguous_without_them():
    place = places.resolve(address="xa tan thanh")
    assert not place.resolved and place.kind == "address" and place.reason == places.AMBIGUOUS
    assert place.candidates == (TAN_THANH[0], TAN_THANH_LA[0])


@pytest.mark.parametrize("address, expected, old", [
    ("Phường 3, thành phố Tây Ninh, tỉnh Tây Ninh", TAN_NINH, "Phường 3, Thành phố Tây Ninh, Tỉnh Tây Ninh"),
    ("khu phố 1, P3, TP.Tây Ninh", TAN_NINH, "Phường 3, Thành phố Tây Ninh, Tỉnh Tây Ninh"),
    ("F.03 - Tp Tân An - Long An", LONG_AN, "Phường 3, Thành phố Tân An, Tỉnh Long An"),
    ("TT Tân Biên, H. Tân Biên", TAN_BIEN, "Thị trấn Tân Biên, Huyện Tân Biên, Tỉnh Tây Ninh"),
    ("thi tran tan bien, huyen tan bien, tinh tay ninh", TAN_BIEN, "Thị trấn Tân Biên, Huyện Tân Biên, Tỉnh Tây Ninh"),
    ("xã Mỹ Hạnh Nam, huyện Đức Hòa, tỉnh Long An", MY_HANH, "Xã Mỹ Hạnh Nam, Huyện Đức Hòa, Tỉnh Long An"),
    ("Thị trấn Hậu Nghĩa, Đức Hòa, Long An", ("27931", "Xã Hậu Nghĩa"),
     "Thị trấn Hậu Nghĩa, Huyện Đức Hòa, Tỉnh Long An"),
    ("xã Tân Bình, huyện Tân Biên", TAN_BIEN, "Xã Tân Bình, Huyện Tân Biên, Tỉnh Tây Ninh"),
])
def test_an_address_naming_a_pre_2025_unit_gives_the_ward_it_now_belongs_to(address, expected, old):
    place = places.resolve(address=address)
    assert place.kind == "ward" and (place.ward_code, place.ward_name) == expected
    assert place.mapped_from == old


def test_a_split_former_unit_gives_the_package_s_default_ward_and_every_candidate():
    place = places.resolve(address="xã Suối Đá, huyện Dương Minh Châu, Tây Ninh")
    assert (place.ward_code, place.ward_name) == DUONG_MINH_CHAU
    assert place.mapped_from == "Xã Suối Đá, Huyện Dương Minh Châu, Tỉnh Tây Ninh"
    assert place.candidates == (BINH_MINH[0], DUONG_MINH_CHAU[0])


def test_a_former_unit_named_in_several_districts_needs_its_district():
    place = places.resolve(address="phường 3")
    assert place.reason == places.AMBIGUOUS and place.candidates == ("25459", "27694", "27787")
    assert places.resolve(address="xã Bình Thạnh").reason == places.AMBIGUOUS  # Mộc Hóa and Thủ Thừa
    assert places.resolve(address="xã Bình Thạnh, Thủ Thừa").ward_code == "28036"  # Xã Thủ Thừa


def test_a_former_district_alone_lists_the_wards_it_went_into():
    place = places.resolve(address="huyện Gò Dầu, Tây Ninh")
    assert not place.resolved and place.reason == places.FORMER_DISTRICT_ONLY
    assert ("25654", "Phường Gò Dầu") in places.wards() and "25654" in place.candidates
    long_an = places.resolve(address="huyện Châu Thành, Long An")  # not the former Tây Ninh's Châu Thành
    assert long_an.candidates == ("28210", "28222", "28225", "28243")


@pytest.mark.parametrize("address, reason", [
    ("phường Tân Phú, quận Tân Phú, TP Hồ Chí Minh", places.OUTSIDE_PROVINCE),
    ("Quận 1, TP HCM", places.OUTSIDE_PROVINCE),
    ("trước chợ, gần cầu", places.ADDRESS_NOT_MATCHED),
    ("ấp 3, Long An", places.ADDRESS_NOT_MATCHED),  # the former province, not Phường Long An
])
def test_an_address_naming_no_unit_of_the_province_stays_text(address, reason):
    place = places.resolve(address=address)
    assert place.kind == "address" and not place.resolved and place.reason == reason
    assert place.address == address


def test_every_former_unit_maps_as_the_package_s_converter_does(monkeypatch):
    """All 280 pre-2025 communes/wards of the former Tây Ninh and Long An, with and without diacritics."""
    import vietnamadminunits.converter.converter_2025 as converter
    from vietnamadminunits import convert_address

    def no_network(*_):
        raise AssertionError("the package's converter tried to geocode")

    monkeypatch.setattr(converter, "get_geo_location", no_network)
    rows = package_query("SELECT ward, district, province FROM admin_units_legacy WHERE provinceCode IN ('72', '80')")
    assert len(rows) == 280
    wrong = []
    for r in rows:
        address = f"{r['ward']}, {r['district']}, {r['province']}"
        expected = convert_address(address).ward_code  # no street: the converter stays offline
        for text in (address, places.fold(address).upper()):
            place = places.resolve(address=text)
            if place.ward_code != expected or place.mapped_from != address:
                wrong.append((text, place.ward_code, place.mapped_from, expected))
    assert not wrong


def test_every_current_ward_is_found_by_its_name():
    wrong = []
    for code, name in places.wards():
        short = name.split(" ", 1)[1]
        bare = f"{short}, Tây Ninh" if short != "Long An" else name  # bare "Long An" is the former province
        for text in (f"{name}, Tỉnh Tây Ninh", bare, places.fold(name).upper()):
            place = places.resolve(address=text)
            if place.ward_code != code and not (place.reason == places.AMBIGUOUS and code in place.candidates):
                wrong.append((text, code, place))
    assert not wrong


@pytest.mark.parametrize("latitude, longitude", [(11.31, 106.10), (10.54, 106.41), (16.5, 112.0), (8.6, 106.6)])
def test_coordinates_in_vietnam_are_taken_as_given(latitude, longitude):
    place = places.resolve(latitude=latitude, longitude=longitude)
    assert place.kind == "coordinates" and place.resolved
    assert (place.latitude, place.longitude) == (latitude, longitude) and place.ward_code == ""


def test_a_ward_is_preferred_to_coordinates_and_both_are_kept():
    place = places.resolve(address="Phường Tân Ninh", latitude=11.31, longitude=106.10)
    assert place.kind == "ward" and place.ward_code == TAN_NINH[0] and place.latitude == 11.31


@pytest.mark.parametrize("latitude, longitude, reason", [
    (0.0, 0.0, places.COORDINATES_OUTSIDE_VIETNAM),
    (13.75, 100.5, places.COORDINATES_OUTSIDE_VIETNAM),  # Bangkok
    (95.0, 106.0, places.COORDINATES_INVALID),
    (11.3, float("nan"), places.COORDINATES_INVALID),
    (11.3, None, places.COORDINATES_INCOMPLETE),
    (None, None, places.NO_PLACE),
])
def test_unusable_coordinates_are_not_a_place(latitude, longitude, reason):
    place = places.resolve(latitude=latitude, longitude=longitude)
    assert not place.resolved and place.kind == "" and place.reason == reason


def test_a_good_place_has_no_problem():
    assert places.validate_place(ward_code="25459") == []
    assert places.validate_place(address="trước cổng chợ Long Hoa") == []  # text a person reads
    assert places.validate_place(latitude=11.31, longitude=106.10) == []


@pytest.mark.parametrize("kwargs, field, vi", [
    ({}, "location", "Cần cho biết nơi xảy ra vụ việc"),
    ({"address": "   "}, "location", "Cần cho biết nơi xảy ra vụ việc"),
    ({"ward_code": "99999", "address": "Phường Tân Ninh"}, "location.ward_code", "không có trong danh mục"),
    ({"ward_code": "00004"}, "location.ward_code", "thuộc tỉnh, thành phố khác"),
    ({"latitude": 95.0, "longitude": 106.0}, "location", "Tọa độ không hợp lệ"),
    ({"latitude": 13.75, "longitude": 100.5}, "location", "ngoài lãnh thổ Việt Nam"),
    ({"latitude": 11.3}, "location", "cả vĩ độ và kinh độ"),
])
def test_each_problem_is_said_in_both_languages(kwargs, field, vi):
    problems = places.validate_place(**kwargs)
    assert len(problems) == 1
    assert problems[0].field == field and vi in problems[0].vi and problems[0].en


def test_the_adapter_neither_builds_at_import_nor_loads_the_package_s_geocoder():
    code = ("import sys; from services.intake import places; assert not places._gazetteer.cache_info().currsize;"
            " assert places.resolve(address='P3, TP Tây Ninh').ward_code == '25459';"
            " assert not {m for m in sys.modules if m.split('.')[0] in ('vietnamadminunits', 'geopy', 'shapely')}")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
