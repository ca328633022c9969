"""The regulation's calendar (regulation/calendar.py): the announced 2024–2026 schedules day by day,
properties of deadline arithmetic (Đ8.2a, Đ9, Đ10.4 working days; Đ7, Đ8.2b, Đ10.2 hours),
boundary cases, clock states, administrator overrides and force-majeure pauses.

The expectations are written out here from the announcements themselves, independently of
regulation/data/vn-civil-service.json.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regulation import calendar as cal
from regulation.calendar import VN, ClockState, DayRule, Pause, WorkingCalendar

LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112"

# Every weekday off, with the document that set it, as announced.
DAYS_OFF: dict[int, dict[date, str]] = {
    2024: {
        date(2024, 1, 1): LABOUR_CODE,  # Tết Dương lịch
        # Thông báo 5015/TB-LĐTBXH: Tết Giáp Thìn, Thu 8 Feb – Wed 14 Feb (Sat 10 is mùng 1).
        date(2024, 2, 8): "5015/TB-LĐTBXH",
        date(2024, 2, 9): "5015/TB-LĐTBXH",
        date(2024, 2, 12): "5015/TB-LĐTBXH",
        date(2024, 2, 13): "5015/TB-LĐTBXH",
        date(2024, 2, 14): "5015/TB-LĐTBXH",
        date(2024, 4, 18): LABOUR_CODE,  # Giỗ Tổ Hùng Vương
        date(2024, 4, 29): "2450/VPCP-KGVX",  # swapped with Saturday 4 May
        date(2024, 4, 30): LABOUR_CODE,
        date(2024, 5, 1): LABOUR_CODE,
        date(2024, 9, 2): "5015/TB-LĐTBXH",
        date(2024, 9, 3): "5015/TB-LĐTBXH",
    },
    2025: {
        date(2025, 1, 1): LABOUR_CODE,
        # Thông báo 6150/TB-BLĐTBXH: Tết Ất Tỵ, Sat 25 Jan – Sun 2 Feb.
        date(2025, 1, 27): "6150/TB-BLĐTBXH",
        date(2025, 1, 28): "6150/TB-BLĐTBXH",
        date(2025, 1, 29): "6150/TB-BLĐTBXH",
        date(2025, 1, 30): "6150/TB-BLĐTBXH",
        date(2025, 1, 31): "6150/TB-BLĐTBXH",
        date(2025, 4, 7): LABOUR_CODE,  # Giỗ Tổ Hùng Vương
        date(2025, 4, 30): LABOUR_CODE,
        date(2025, 5, 1): LABOUR_CODE,
        date(2025, 5, 2): "6150/TB-BLĐTBXH",  # swapped with Saturday 26 April
        date(2025, 9, 1): "6150/TB-BLĐTBXH",
        date(2025, 9, 2): "6150/TB-BLĐTBXH",
    },
    2026: {
        date(2026, 1, 1): LABOUR_CODE,
        # Thông báo 9441/TB-BNV: Tết Bính Ngọ, Sat 14 Feb – Sun 22 Feb.
        date(2026, 2, 16): "9441/TB-BNV",
        date(2026, 2, 17): "9441/TB-BNV",
        date(2026, 2, 18): "9441/TB-BNV",
        date(2026, 2, 19): "9441/TB-BNV",
        date(2026, 2, 20): "9441/TB-BNV",
        date(2026, 4, 27): LABOUR_CODE,  # Giỗ Tổ (Sunday 26 April), compensated
        date(2026, 4, 30): LABOUR_CODE,
        date(2026, 5, 1): LABOUR_CODE,
        date(2026, 8, 31): "9441/TB-BNV",  # swapped with Saturday 22 August
        date(2026, 9, 1): "9441/TB-BNV",
        date(2026, 9, 2): "9441/TB-BNV",
        date(2026, 11, 24): "Nghị quyết 80-NQ/TW",  # Ngày Văn hóa Việt Nam
    },
}

# Saturdays worked to make up a swapped day off.
MAKE_UP_SATURDAYS: dict[int, dict[date, str]] = {
    2024: {date(2024, 5, 4): "2450/VPCP-KGVX"},
    2025: {date(2025, 4, 26): "6150/TB-BLĐTBXH"},
    2026: {date(2026, 8, 22): "9441/TB-BNV"},
}


def expected_working(day: date) -> bool:
    if day in MAKE_UP_SATURDAYS[day.year]:
        return True
    return day.weekday() < 5 and day not in DAYS_OFF[day.year]


def every_day(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def local(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def end_of(y, m, d) -> datetime:
    return local(y, m, d, 23, 59, 59)


# -- the announced schedules, day by day --------------------------------------------------------

def test_the_expectation_itself_is_sane():
    for year in (2024, 2025, 2026):
        assert all(d.weekday() < 5 for d in DAYS_OFF[year]), "only weekdays are listed as days off"
        assert all(d.weekday() == 5 for d in MAKE_UP_SATURDAYS[year]), "make-up days are Saturdays"


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_of_an_announced_year_follows_the_announcements(year):
    calendar = WorkingCalendar()
    wrong = [(d.isoformat(), calendar.is_working_day(d)) for d in every_day(year)
             if calendar.is_working_day(d) != expected_working(d)]
    assert wrong == []
    # The module-level helper uses the same bundled schedules.
    assert all(cal.is_working_day(d) == expected_working(d) for d in every_day(year))


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_announced_days_carry_their_document_and_are_not_provisional(year):
    calendar = WorkingCalendar()
    documents = calendar.schedules.documents
    for d, document in {**DAYS_OFF[year], **MAKE_UP_SATURDAYS[year]}.items():
        info = calendar.day(d)
        assert info.document == document, d
        assert document in documents, f"{document} is described in 'documents'"
        assert info.reason_vi and info.reason_en
        assert not info.provisional and not info.paused
    for d in every_day(year):
        info = calendar.day(d)
        assert not info.provisional, d
        if d not in DAYS_OFF[year] and d not in MAKE_UP_SATURDAYS[year]:
            assert info.document == "", d  # an ordinary weekday or weekend day


def test_an_unannounced_year_is_provisional():
    calendar = WorkingCalendar()
    assert all(calendar.day(d).provisional for d in every_day(2027))
    new_year = calendar.day(date(2027, 1, 1))  # a Friday: a Labour Code holiday
    assert not new_year.working and new_year.provisional
    assert "Bộ luật Lao động" in new_year.document and "chưa có thông báo" in new_year.document
    assert calendar.day(date(2027, 1, 4)).working  # an ordinary Monday
    saturday = calendar.day(date(2027, 1, 2))
    assert not saturday.working and (saturday.reason_vi, saturday.reason_en) == ("Thứ Bảy", "Saturday")


def test_reasons_in_both_languages():
    calendar = WorkingCalendar()
    sunday = calendar.day(date(2026, 3, 1))
    assert (sunday.working, sunday.reason_vi, sunday.reason_en) == (False, "Chủ nhật", "Sunday")
    monday = calendar.day(date(2026, 3, 2))
    assert (monday.working, monday.reason_vi, monday.reason_en) == (True, "Thứ Hai", "Monday")
    make_up = calendar.day(date(2025, 4, 26))
    assert make_up.working and "Làm bù" in make_up.reason_vi and "Make-up" in make_up.reason_en


# -- properties ---------------------------------------------------------------------------------

INSTANTS = st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 10, 31),
                        timezones=st.sampled_from([UTC, VN, timezone(timedelta(hours=-5)),
                                                   timezone(timedelta(hours=9))]))
UNITS = st.sampled_from(["", "unit-1", "unit-2"])


@st.composite
def pauses(draw, near=None):
    """A few force-majeure windows; with `near`, around that instant, where they matter."""
    if near is None:
        start = draw(st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 10, 31),
                                  timezones=st.just(UTC)))
    else:
        start = near.astimezone(UTC) + draw(st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=20)))
    length = draw(st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=6)))
    return Pause(f"p-{draw(st.uuids())}", start, start + length, unit_id=draw(UNITS), reason="lũ lụt")


@st.composite
def with_pauses(draw, unit_only: str | None = None):
    """(start, pauses): an instant and up to four pauses, most of them close to it."""
    start = draw(INSTANTS)
    found = draw(st.lists(st.one_of(pauses(near=start), pauses()), max_size=4))
    if unit_only is not None:
        found = [Pause(p.pause_id, p.start, p.end, unit_only, p.reason) for p in found]
    return start, found


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case=with_pauses(), days=st.integers(1, 20), unit=UNITS)
def test_a_working_day_deadline_is_the_end_of_a_working_day(case, days, unit):
    start, pause_list = case
    calendar = WorkingCalendar(pauses=pause_list)
    deadline = calendar.add_working_days(start, days, unit)
    assert deadline.utcoffset() == timedelta(0)
    at = deadline.astimezone(VN)
    assert at.time().isoformat() == "23:59:59"
    assert calendar.is_working_day(at.date(), unit)
    assert at.date() > start.astimezone(VN).date()  # the day of the event does not count
    assert calendar.working_days_between(start.astimezone(VN).date(), at.date(), unit) == days


@PROPERTY
@given(case=with_pauses(), days=st.integers(0, 20), unit=UNITS)
def test_adding_working_days_is_monotonic_in_n(case, days, unit):
    start, pause_list = case
    calendar = WorkingCalendar(pauses=pause_list)
    assert calendar.add_working_days(start, days, unit) < calendar.add_working_days(start, days + 1, unit)


@PROPERTY
@given(case=with_pauses(), later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=12)),
       days=st.integers(0, 12), unit=UNITS)
def test_adding_working_days_is_monotonic_in_the_start(case, later_by, days, unit):
    start, pause_list = case
    calendar = WorkingCalendar(pauses=pause_list)
    assert calendar.add_working_days(start, days, unit) <= calendar.add_working_days(start + later_by, days, unit)


@PROPERTY
@given(case=with_pauses(), days=st.integers(0, 12), unit=UNITS)
def test_pauses_only_delay_a_working_day_deadline(case, days, unit):
    start, pause_list = case
    plain = WorkingCalendar().add_working_days(start, days, unit)
    assert WorkingCalendar(pauses=pause_list).add_working_days(start, days, unit) >= plain


@PROPERTY
@given(case=with_pauses(), hours=st.one_of(st.integers(0, 500), st.floats(0, 500, allow_nan=False)), unit=UNITS)
def test_pauses_only_delay_an_hour_deadline(case, hours, unit):
    start, pause_list = case
    plain = WorkingCalendar().add_hours(start, hours, unit)
    paused = WorkingCalendar(pauses=pause_list).add_hours(start, hours, unit)
    assert paused >= plain
    # The delay is never more than the paused time that lies after the start.
    after_start = sum((p.end - max(p.start, start) for p in pause_list
                       if p.applies_to(unit) and p.end > start), timedelta(0))
    assert paused - plain <= after_start


@PROPERTY
@given(start=INSTANTS, hours=st.one_of(st.integers(0, 1000), st.floats(0, 1000, allow_nan=False)))
def test_hours_without_pauses_are_calendar_hours(start, hours):
    assert WorkingCalendar().add_hours(start, hours) == start + timedelta(hours=hours)
    assert cal.add_hours(start, hours) == start + timedelta(hours=hours)


@PROPERTY
@given(case=with_pauses(unit_only="unit-1"), days=st.integers(0, 12), hours=st.integers(0, 300))
def test_a_unit_pause_does_not_affect_another_unit(case, days, hours):
    start, pause_list = case
    plain, paused = WorkingCalendar(), WorkingCalendar(pauses=pause_list)
    for other in ("unit-2", "", None):
        assert paused.add_working_days(start, days, other) == plain.add_working_days(start, days, other)
        assert paused.add_hours(start, hours, other) == plain.add_hours(start, hours, other)
        for offset in range(days + 1):
            day = start.astimezone(VN).date() + timedelta(days=offset)
            assert paused.day(day, other) == plain.day(day, other)


# -- boundary cases -----------------------------------------------------------------------------

@pytest.mark.parametrize("start, days, deadline", [
    # Tết 2026: Sat 14 – Sun 22 Feb off.
    (local(2026, 2, 13, 9), 1, end_of(2026, 2, 23)),
    (local(2026, 2, 12, 9), 2, end_of(2026, 2, 23)),
    (local(2026, 2, 12, 9), 6, end_of(2026, 2, 27)),
    # 30/4 – 1/5 2025: Sat 26 Apr worked, Wed 30 Apr – Fri 2 May off.
    (local(2025, 4, 25, 10), 1, end_of(2025, 4, 26)),
    (local(2025, 4, 25, 10), 3, end_of(2025, 4, 29)),
    (local(2025, 4, 29, 10), 1, end_of(2025, 5, 5)),
    (local(2025, 4, 24, 10), 6, end_of(2025, 5, 6)),
    # 30/4 – 1/5 2024: Mon 29 Apr off, Sat 4 May worked.
    (local(2024, 4, 26, 10), 1, end_of(2024, 5, 2)),
    (local(2024, 5, 3, 10), 1, end_of(2024, 5, 4)),
    # 2/9.
    (local(2024, 8, 30, 10), 1, end_of(2024, 9, 4)),
    (local(2025, 8, 29, 10), 1, end_of(2025, 9, 3)),
    (local(2026, 8, 21, 10), 1, end_of(2026, 8, 22)),  # the make-up Saturday
    (local(2026, 8, 28, 10), 1, end_of(2026, 9, 3)),
    # Compensatory days: Giỗ Tổ 2026 on a Sunday; Tết 2024's mùng 1–2 on a weekend.
    (local(2026, 4, 24, 10), 1, end_of(2026, 4, 28)),
    (local(2026, 4, 24, 10), 2, end_of(2026, 4, 29)),
    (local(2026, 4, 29, 10), 1, end_of(2026, 5, 4)),
    (local(2024, 2, 7, 10), 1, end_of(2024, 2, 15)),
    # Vietnam Culture Day, 24 Nov 2026 (a Tuesday).
    (local(2026, 11, 23, 10), 1, end_of(2026, 11, 25)),
    # Across the new year into a provisional year (1 Jan 2027 is a Friday).
    (local(2026, 12, 31, 10), 1, end_of(2027, 1, 4)),
    # `pakn calendar deadline`'s example.
    (local(2026, 3, 2, 9), 6, end_of(2026, 3, 10)),
])
def test_working_day_deadlines_around_days_off(start, days, deadline):
    got = WorkingCalendar().add_working_days(start, days)
    assert got == deadline
    assert got.tzinfo == UTC


def test_the_day_of_the_event_does_not_count_even_late_in_the_evening():
    calendar = WorkingCalendar()
    assert calendar.add_working_days(local(2026, 3, 2, 23, 30), 1) == end_of(2026, 3, 3)
    assert calendar.add_working_days(local(2026, 3, 2, 0, 0), 1) == end_of(2026, 3, 3)
    # Zero days: the end of the event's own day.
    assert calendar.add_working_days(local(2026, 3, 2, 23, 30), 0) == end_of(2026, 3, 2)


def test_an_instant_counts_on_its_local_date_not_its_utc_date():
    calendar = WorkingCalendar()
    # 18:00Z on Mon 2 Mar is 01:00 on Tue 3 Mar in Tây Ninh: Tuesday is the event's day.
    assert calendar.add_working_days(datetime(2026, 3, 2, 18, tzinfo=UTC), 1) == end_of(2026, 3, 4)
    assert calendar.add_working_days(datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC), 1) == end_of(2026, 3, 3)
    # 17:30Z on Fri 13 Feb 2026 is already Saturday 14 Feb locally; either way Tết follows.
    assert calendar.add_working_days(datetime(2026, 2, 13, 17, 30, tzinfo=UTC), 1) == end_of(2026, 2, 23)
    # 08:00 on Fri 6 Mar in Tokyo is 06:00 Friday locally; 23:00 Fri 6 Mar in New York is Saturday here.
    assert calendar.add_working_days(datetime(2026, 3, 6, 8, tzinfo=timezone(timedelta(hours=9))), 1) == \
        end_of(2026, 3, 9)
    assert calendar.add_working_days(datetime(2026, 3, 6, 23, tzinfo=timezone(timedelta(hours=-5))), 1) == \
        end_of(2026, 3, 9)
    assert calendar.add_working_days(datetime(2026, 3, 5, 23, tzinfo=timezone(timedelta(hours=-5))), 1) == \
        end_of(2026, 3, 9)


def test_the_module_helpers_and_the_cli_example():
    assert cal.add_working_days(datetime.fromisoformat("2026-03-02T09:00:00+07:00"), 6).astimezone(VN).isoformat() \
        == "2026-03-10T23:59:59+07:00"
    assert cal.add_hours(local(2026, 2, 13, 9), 24) == local(2026, 2, 14, 9)


def test_naive_instants_and_negative_days_are_refused():
    calendar = WorkingCalendar()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_days(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_hours(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(local(2026, 3, 2, 9), -1)


def test_a_province_wide_pause_pushes_deadlines():
    # Flooding all of Wednesday 4 March 2026 (local).
    flood = Pause("flood", local(2026, 3, 4).astimezone(UTC), local(2026, 3, 5).astimezone(UTC), reason="lũ")
    calendar = WorkingCalendar(pauses=[flood])
    info = calendar.day(date(2026, 3, 4))
    assert not info.working and info.paused and info.reason_en == "Force majeure"
    assert calendar.add_working_days(local(2026, 3, 2, 9), 6) == end_of(2026, 3, 11)
    # Hours stand still for the 24 h of the pause.
    assert calendar.add_hours(local(2026, 3, 3, 12), 24) == local(2026, 3, 5, 12)
    assert calendar.add_hours(local(2026, 3, 4, 12), 24) == local(2026, 3, 6, 0)
    # A pause that merely touches a day (an hour) removes that day from the count.
    hour = Pause("hour", local(2026, 3, 3, 10).astimezone(UTC), local(2026, 3, 3, 11).astimezone(UTC), "unit-7")
    calendar = WorkingCalendar(pauses=[hour])
    assert calendar.add_working_days(local(2026, 3, 2, 9), 1, "unit-7") == end_of(2026, 3, 4)
    assert calendar.add_working_days(local(2026, 3, 2, 9), 1, "unit-8") == end_of(2026, 3, 3)


# -- clocks ------------------------------------------------------------------------------------

DEADLINE = end_of(2026, 3, 10)


def test_a_running_clock_is_on_time_then_due_soon():
    calendar = WorkingCalendar()
    assert calendar.clock(DEADLINE, local(2026, 3, 9, 9)).state == ClockState.ON_TIME
    assert calendar.clock(DEADLINE, local(2026, 3, 10, 9)).state == ClockState.DUE_SOON
    assert calendar.clock(DEADLINE, DEADLINE - timedelta(hours=24)).state == ClockState.DUE_SOON
    assert calendar.clock(DEADLINE, DEADLINE).state == ClockState.DUE_SOON  # not late yet
    # The threshold is a parameter (regulation.due_soon_hours).
    assert calendar.clock(DEADLINE, local(2026, 3, 9, 9), due_soon=timedelta(hours=48)).state == ClockState.DUE_SOON
    assert calendar.clock(DEADLINE, local(2026, 3, 10, 22), due_soon=timedelta(hours=1)).state == ClockState.ON_TIME
    on_time = calendar.clock(DEADLINE, local(2026, 3, 2, 9))
    assert (on_time.deadline, on_time.late_working_days, on_time.late_hours) == (DEADLINE, 0, 0.0)


def test_an_overdue_clock_says_how_late():
    calendar = WorkingCalendar()
    late = calendar.clock(DEADLINE, local(2026, 3, 12, 10))
    assert late.state == ClockState.OVERDUE
    assert late.late_working_days == 2  # Wed 11 and Thu 12
    assert late.late_hours == 34.0
    # One second late is already Wednesday 11 March locally: a working day late.
    one_second = calendar.clock(DEADLINE, DEADLINE + timedelta(seconds=1))
    assert (one_second.state, one_second.late_working_days, one_second.late_hours) == (ClockState.OVERDUE, 1, 0.0)
    # Over a weekend: Sat 14 and Sun 15 are not working days.
    weekend = calendar.clock(end_of(2026, 3, 13), local(2026, 3, 15, 12))
    assert (weekend.late_working_days, weekend.late_hours) == (0, 36.0)
    # Over Tết 2026: only Mon 23 Feb counts.
    tet = calendar.clock(end_of(2026, 2, 13), local(2026, 2, 23, 8))
    assert (tet.late_working_days, tet.late_hours) == (1, 224.0)


def test_a_stopped_clock_keeps_its_state():
    calendar = WorkingCalendar()
    done = calendar.clock(DEADLINE, now=local(2026, 3, 20, 9), stopped_at=local(2026, 3, 10, 15))
    assert done.state == ClockState.ON_TIME  # finished in time, and it is no longer "due soon"
    late = calendar.clock(DEADLINE, now=local(2026, 3, 20, 9), stopped_at=local(2026, 3, 11, 12))
    assert (late.state, late.late_working_days, late.late_hours) == (ClockState.OVERDUE, 1, 12.0)


def test_lateness_does_not_count_a_pause():
    flood = Pause("flood", local(2026, 3, 11).astimezone(UTC), local(2026, 3, 11, 12).astimezone(UTC))
    calendar = WorkingCalendar(pauses=[flood])
    late = calendar.clock(DEADLINE, local(2026, 3, 12, 10))
    assert (late.late_working_days, late.late_hours) == (1, 22.0)
    # Another unit's pause changes nothing for this one.
    theirs = WorkingCalendar(pauses=[Pause("x", flood.start, flood.end, unit_id="unit-9")])
    mine = theirs.clock(DEADLINE, local(2026, 3, 12, 10), unit_id="unit-1")
    assert (mine.late_working_days, mine.late_hours) == (2, 34.0)


# -- administrators' overrides -----------------------------------------------------------------

def test_an_override_turns_a_working_day_off_and_a_saturday_on():
    off = DayRule(date(2026, 3, 4), False, "Nghỉ đột xuất", "Unscheduled day off", "123/QĐ-UBND")
    on = DayRule(date(2026, 3, 7), True, "Làm bù", "Make-up working Saturday", "123/QĐ-UBND")
    calendar = WorkingCalendar(overrides=[off, on])
    wednesday = calendar.day(date(2026, 3, 4))
    assert (wednesday.working, wednesday.reason_vi, wednesday.reason_en, wednesday.document) == (
        False, "Nghỉ đột xuất", "Unscheduled day off", "123/QĐ-UBND")
    assert calendar.is_working_day(date(2026, 3, 7))
    assert not calendar.day(date(2026, 3, 7)).provisional
    # 3, 5, 6, 7 (Sat), 9 instead of 3, 4, 5, 6, 9.
    assert calendar.add_working_days(local(2026, 3, 2, 9), 4) == end_of(2026, 3, 7)
    assert WorkingCalendar().add_working_days(local(2026, 3, 2, 9), 4) == end_of(2026, 3, 6)
    # The bundled calendar is untouched.
    assert cal.default().is_working_day(date(2026, 3, 4)) and not cal.default().is_working_day(date(2026, 3, 7))


def test_an_override_wins_over_an_announcement_and_settles_a_provisional_day():
    calendar = WorkingCalendar(overrides=[
        DayRule(date(2026, 2, 16), True, "Đi làm", "Working", "1/QĐ"),
        DayRule(date(2027, 2, 5), False, "Nghỉ Tết Âm lịch", "Lunar New Year holiday", "99/TB-BNV"),
    ])
    assert calendar.is_working_day(date(2026, 2, 16))
    settled = calendar.day(date(2027, 2, 5))
    assert not settled.working and not settled.provisional and settled.document == "99/TB-BNV"
    assert calendar.day(date(2027, 2, 4)).provisional
    # A day off under a pause stays off, and says it is paused.
    paused = WorkingCalendar(overrides=[DayRule(date(2026, 3, 7), True, "Làm bù", "Make-up", "1/QĐ")],
                             pauses=[Pause("p", local(2026, 3, 7).astimezone(UTC), local(2026, 3, 8).astimezone(UTC))])
    assert not paused.is_working_day(date(2026, 3, 7)) and paused.day(date(2026, 3, 7)).paused
