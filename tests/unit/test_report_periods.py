"""Report periods of Đ13.7 (regulation/periods.py) and the regulation profile's numbers
(regulation/profile.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from regulation.periods import KINDS, period
from regulation.profile import DEFAULT, RegulationProfile


@pytest.mark.parametrize("kind, year, number, first, last", [
    # Monthly: the 15th of the previous month to the 14th of the report month.
    ("monthly", 2026, 1, date(2025, 12, 15), date(2026, 1, 14)),  # January crosses the year
    ("monthly", 2026, 3, date(2026, 2, 15), date(2026, 3, 14)),
    ("monthly", 2024, 3, date(2024, 2, 15), date(2024, 3, 14)),
    ("monthly", 2026, 12, date(2026, 11, 15), date(2026, 12, 14)),
    # Quarterly: the 15th of the month before the quarter to the 14th of its last month.
    ("quarterly", 2026, 1, date(2025, 12, 15), date(2026, 3, 14)),
    ("quarterly", 2026, 2, date(2026, 3, 15), date(2026, 6, 14)),
    ("quarterly", 2026, 3, date(2026, 6, 15), date(2026, 9, 14)),
    ("quarterly", 2026, 4, date(2026, 9, 15), date(2026, 12, 14)),
    # Six months, nine months, a year.
    ("first-half", 2026, 0, date(2025, 12, 15), date(2026, 6, 14)),
    ("second-half", 2026, 0, date(2026, 6, 15), date(2026, 12, 14)),
    ("nine-month", 2026, 0, date(2025, 12, 15), date(2026, 9, 14)),
    ("annual", 2026, 0, date(2025, 12, 15), date(2026, 12, 14)),
    ("annual", 2025, 0, date(2024, 12, 15), date(2025, 12, 14)),
])
def test_periods_of_d13_7(kind, year, number, first, last):
    p = period(kind, year, number)
    assert (p.kind, p.first_day, p.last_day) == (kind, first, last)


def test_boundaries_are_local_midnights_in_utc():
    p = period("monthly", 2026, 3)
    # Midnight in Tây Ninh (UTC+7) is 17:00 UTC the day before.
    assert p.start == datetime(2026, 2, 14, 17, tzinfo=UTC)
    assert p.end == datetime(2026, 3, 14, 17, tzinfo=UTC)  # exclusive: midnight after 14 March
    q1 = period("quarterly", 2026, 1)
    assert (q1.start, q1.end) == (datetime(2025, 12, 14, 17, tzinfo=UTC), datetime(2026, 3, 14, 17, tzinfo=UTC))
    for kind in KINDS:
        p = period(kind, 2026, 1)
        assert p.start == datetime.combine(p.first_day - timedelta(days=1), datetime.min.time(), UTC) + \
            timedelta(hours=17)
        assert p.end == datetime.combine(p.last_day, datetime.min.time(), UTC) + timedelta(hours=17)
        assert p.start.tzinfo is not None and p.end.utcoffset() == timedelta(0)


def test_periods_tile_the_report_year_without_gap_or_overlap():
    months = [period("monthly", 2026, m) for m in range(1, 13)]
    quarters = [period("quarterly", 2026, q) for q in range(1, 5)]
    for series in (months, quarters, [period("first-half", 2026), period("second-half", 2026)]):
        for before, after in zip(series, series[1:], strict=False):
            assert before.end == after.start
            assert before.last_day + timedelta(days=1) == after.first_day
        assert (series[0].start, series[-1].end) == (period("annual", 2026).start, period("annual", 2026).end)
    # One report year ends where the next begins.
    assert period("annual", 2025).end == period("annual", 2026).start
    assert period("monthly", 2025, 12).end == period("monthly", 2026, 1).start
    assert period("nine-month", 2026).end == quarters[3].start


@pytest.mark.parametrize("kind, number, message", [
    ("monthly", 0, "month"), ("monthly", 13, "month"), ("monthly", -1, "month"),
    ("quarterly", 0, "quarter"), ("quarterly", 5, "quarter"),
    ("weekly", 1, "unknown report period"), ("", 0, "unknown report period"),
])
def test_bad_periods_are_refused(kind, number, message):
    with pytest.raises(ValueError, match=message):
        period(kind, 2026, number)


# -- the regulation profile ----------------------------------------------------------------------

def test_a_province_file_overrides_one_number(tmp_path):
    path = tmp_path / "profile.toml"
    path.write_text("[profile]\nmax_handling_working_days = 5\n", encoding="utf-8")
    profile = RegulationProfile.load(str(path))
    assert profile.max_handling_working_days == 5
    # Everything else stays as QĐ 58/2024/QĐ-UBND says.
    assert profile.name == DEFAULT.name
    assert (profile.reception_hours, profile.return_hours, profile.approval_working_days,
            profile.publication_hours, profile.rework_working_days, profile.rework_per_unit_after_rating,
            profile.retention_days) == (24, 24, 1, 24, 2, 1, 365)
    assert DEFAULT.max_handling_working_days == 6


def test_a_file_without_a_profile_table_is_the_default(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("# nothing changed\n", encoding="utf-8")
    assert RegulationProfile.load(str(path)) == DEFAULT
    named = tmp_path / "named.toml"
    named.write_text('[profile]\nname = "QĐ 99/2025/QĐ-UBND Bình Phước"\n', encoding="utf-8")
    assert RegulationProfile.load(str(named)).name == "QĐ 99/2025/QĐ-UBND Bình Phước"


@pytest.mark.parametrize("body, message", [
    ("max_handling_days = 5", "unknown profile setting"),
    ("reception_hours = 0", "profile.reception_hours must be a positive whole number"),
    ("rework_working_days = -2", "profile.rework_working_days must be a positive whole number"),
    ("retention_days = 1.5", "profile.retention_days must be a positive whole number"),
    ("approval_working_days = true", "profile.approval_working_days must be a positive whole number"),
    ('return_hours = "24"', "profile.return_hours must be a positive whole number"),
])
def test_bad_profile_values_are_refused(tmp_path, body, message):
    path = tmp_path / "profile.toml"
    path.write_text(f"[profile]\n{body}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        RegulationProfile.load(str(path))
