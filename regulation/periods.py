"""Report periods of Đ13.7, with their inclusive local dates and exact UTC boundaries.

- monthly: the 15th of the previous month to the 14th of the report month;
- quarterly: the 15th of the month before the quarter to the 14th of the quarter's last month;
- first half: 15 December of the previous year to 14 June;
- second half: 15 June to 14 December;
- nine months: 15 December of the previous year to 14 September;
- annual: 15 December of the previous year to 14 December.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from regulation.calendar import VN

KINDS = ("monthly", "quarterly", "first-half", "second-half", "nine-month", "annual")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day, in UTC."""
        return datetime.combine(self.first_day, time(0), VN).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day, in UTC (exclusive)."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), VN).astimezone(timezone.utc)


def _fifteenth_before(year: int, month: int) -> date:
    """The 15th of the month before (year, month)."""
    return date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)


def period(kind: str, year: int, number: int = 0) -> ReportPeriod:
    """`number` is the month (1–12) for monthly, the quarter (1–4) for quarterly."""
    if kind == "monthly":
        if not 1 <= number <= 12:
            raise ValueError("month must be 1-12")
        return ReportPeriod(kind, _fifteenth_before(year, number), date(year, number, 14))
    if kind == "quarterly":
        if not 1 <= number <= 4:
            raise ValueError("quarter must be 1-4")
        first_month = 3 * number - 2
        return ReportPeriod(kind, _fifteenth_before(year, first_month), date(year, first_month + 2, 14))
    if kind == "first-half":
        return ReportPeriod(kind, date(year - 1, 12, 15), date(year, 6, 14))
    if kind == "second-half":
        return ReportPeriod(kind, date(year, 6, 15), date(year, 12, 14))
    if kind == "nine-month":
        return ReportPeriod(kind, date(year - 1, 12, 15), date(year, 9, 14))
    if kind == "annual":
        return ReportPeriod(kind, date(year - 1, 12, 15), date(year, 12, 14))
    raise ValueError(f"unknown report period {kind!r}; one of {', '.join(KINDS)}")
