"""Working days and deadlines in Asia/Ho_Chi_Minh; instants in and out are UTC.

A working day is Monday to Friday and not a public holiday. This first version takes Vietnam's
Labour Code holidays (lunar ones included) from the `holidays` package; the government's announced
schedules for civil servants (days swapped, make-up Saturdays) and force majeure come with the
calendar issue, behind the same functions.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the `days`-th working day after `start`'s local day, in UTC.

    The day of the event itself does not count.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    day = start.astimezone(VN).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, time(23, 59, 59), VN).astimezone(timezone.utc)


def add_hours(start: datetime, hours: int) -> datetime:
    """Calendar hours (Đ7, Đ8.2b, Đ10.2)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    return (start + timedelta(hours=hours)).astimezone(timezone.utc)
