"""Working days, deadlines and clocks of the regulation, in Asia/Ho_Chi_Minh; instants are UTC.

A working day is Monday to Friday, minus public holidays and the days off the government
announces for civil servants, plus the Saturdays it announces as make-up working days (làm bù).

- Years in `data/vn-civil-service.json` (2024–2026) follow the announcements day by day, each day
  with the document that set it. Other years fall back to Vietnam's Labour Code holidays from the
  `holidays` package and are *provisional* until their announcement is recorded.
- Administrators add or correct days at run time (`DayRule` overrides, newest wins), and declare
  force-majeure windows (`Pause`) for the whole province or one unit.
- Deadlines (Đ8.2a, Đ9, Đ10.4: working days; Đ7, Đ8.2b, Đ10.2: calendar hours) honour pauses: a
  working day that a pause touches does not count (Đ8.2a: force majeure is excluded), and an
  hour clock stands still while a pause lasts. Pauses only ever delay a deadline (ending one early
  gives back what it took).

Everything here is pure: the data comes in through the constructor.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from importlib import resources
from typing import Iterable
from zoneinfo import ZoneInfo

import holidays

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
END_OF_DAY = time(23, 59, 59)
# Working-day arithmetic never looks further than this (a guard against an all-paused calendar).
MAX_SCAN_DAYS = 3660


@dataclass(frozen=True)
class DayRule:
    """One day set by an announcement or an administrator: a day off, or a working day."""

    day: date
    working: bool
    name_vi: str
    name_en: str
    document: str


@dataclass(frozen=True)
class Pause:
    """A force-majeure window [start, end) (UTC); `unit_id` empty means the whole province.

    A pause can be ended early (a new, earlier `end`, with `end_reason`); one whose end is its
    start is withdrawn and delays nothing."""

    pause_id: str
    start: datetime
    end: datetime
    unit_id: str = ""
    reason: str = ""
    end_reason: str = ""

    @property
    def withdrawn(self) -> bool:
        return self.end <= self.start

    def applies_to(self, unit_id: str | None) -> bool:
        return not self.unit_id or self.unit_id == (unit_id or "")


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    # Why, in Vietnamese and English: "Thứ Bảy" / "Saturday", a holiday's name, a make-up day.
    reason_vi: str
    reason_en: str
    document: str = ""
    provisional: bool = False
    paused: bool = False


@dataclass(frozen=True)
class Schedules:
    """The announced schedules: complete years and their day rules."""

    years: frozenset[int]
    days: dict[date, DayRule]
    documents: dict[str, str] = field(default_factory=dict)

    @staticmethod
    @functools.cache
    def bundled() -> "Schedules":
        raw = json.loads(resources.files("regulation").joinpath("data/vn-civil-service.json").read_text("utf-8"))
        return Schedules.from_json(raw)

    @staticmethod
    def from_json(raw: dict) -> "Schedules":
        days = {}
        for e in raw["days"]:
            d = date.fromisoformat(e["date"])
            days[d] = DayRule(d, e["kind"] == "working_day", e["name_vi"], e["name_en"], e["document"])
        return Schedules(frozenset(raw["years"]), days, dict(raw.get("documents", {})))


_WEEKDAY_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@functools.lru_cache(maxsize=64)
def _labour_code_holidays(year: int) -> dict[date, tuple[str, str]]:
    vi = holidays.country_holidays("VN", years=year, language="vi")
    en = holidays.country_holidays("VN", years=year, language="en_US")
    return {d: (vi[d], en.get(d, vi[d])) for d in vi}


class ClockState(str, Enum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Clock:
    state: ClockState
    deadline: datetime
    # How late, when overdue: working days after the deadline's day, and hours past it.
    late_working_days: int = 0
    late_hours: float = 0.0


class WorkingCalendar:
    def __init__(self, schedules: Schedules | None = None, overrides: Iterable[DayRule] = (),
                 pauses: Iterable[Pause] = ()):
        self.schedules = schedules or Schedules.bundled()
        self.overrides = {rule.day: rule for rule in overrides}
        # Withdrawn pauses (empty windows) delay nothing.
        self.pauses = sorted((p for p in pauses if not p.withdrawn), key=lambda p: p.start)

    # -- days --------------------------------------------------------------------------------
    def day(self, day: date, unit_id: str | None = None) -> DayInfo:
        info = self._base_day(day)
        if any(p.applies_to(unit_id) and self._overlaps_day(p, day) for p in self.pauses):
            return DayInfo(day, False, "Sự cố bất khả kháng", "Force majeure", info.document, info.provisional,
                           paused=True)
        return info

    def _base_day(self, day: date) -> DayInfo:
        rule = self.overrides.get(day)
        announced = day.year in self.schedules.years
        if rule is None and announced:
            rule = self.schedules.days.get(day)
        if rule is not None:
            return DayInfo(day, rule.working, rule.name_vi, rule.name_en, rule.document, provisional=False)
        provisional = not announced
        if not announced:
            names = _labour_code_holidays(day.year).get(day)
            if names is not None:
                return DayInfo(day, False, names[0], names[1], "Bộ luật Lao động 2019, Điều 112 (chưa có thông báo)",
                               provisional=True)
        weekend = day.weekday() >= 5
        return DayInfo(day, not weekend, _WEEKDAY_VI[day.weekday()], _WEEKDAY_EN[day.weekday()],
                       provisional=provisional)

    def is_working_day(self, day: date, unit_id: str | None = None) -> bool:
        return self.day(day, unit_id).working

    @staticmethod
    def _overlaps_day(pause: Pause, day: date) -> bool:
        start = datetime.combine(day, time(0), VN).astimezone(UTC)
        return pause.start < start + timedelta(days=1) and pause.end > start

    # -- deadlines ---------------------------------------------------------------------------
    def add_working_days(self, start: datetime, days: int, unit_id: str | None = None) -> datetime:
        """The end (23:59:59 local) of the `days`-th working day after `start`'s local day, in UTC.

        The day of the event does not count; days off and days touched by a pause do not count.
        """
        _aware(start)
        if days < 0:
            raise ValueError("days must not be negative")
        day = start.astimezone(VN).date()
        counted = 0
        for _ in range(MAX_SCAN_DAYS):
            if counted == days:
                return datetime.combine(day, END_OF_DAY, VN).astimezone(UTC)
            day += timedelta(days=1)
            if self.is_working_day(day, unit_id):
                counted += 1
        raise ValueError("no deadline within ten years: check the calendar's pauses")

    def add_hours(self, start: datetime, hours: float, unit_id: str | None = None) -> datetime:
        """Calendar hours (Đ7, Đ8.2b, Đ10.2); the clock stands still while a pause lasts."""
        _aware(start)
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)
        for lo, hi in self._merged_pauses(unit_id):
            if hi <= cursor:
                continue
            if cursor + remaining <= lo:
                break
            if lo > cursor:
                remaining -= lo - cursor
            cursor = max(cursor, hi)
        return cursor + remaining

    def _merged_pauses(self, unit_id: str | None) -> list[tuple[datetime, datetime]]:
        merged: list[list[datetime]] = []
        for p in self.pauses:
            if not p.applies_to(unit_id):
                continue
            if merged and p.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], p.end)
            else:
                merged.append([p.start, p.end])
        return [(a, b) for a, b in merged]

    # -- clocks ------------------------------------------------------------------------------
    def working_days_between(self, after: date, until: date, unit_id: str | None = None) -> int:
        """Working days d with after < d <= until."""
        count, day = 0, after
        while day < until:
            day += timedelta(days=1)
            if self.is_working_day(day, unit_id):
                count += 1
        return count

    def clock(self, deadline: datetime, now: datetime, due_soon: timedelta = timedelta(hours=24),
              unit_id: str | None = None, stopped_at: datetime | None = None) -> Clock:
        """The state of a running clock (or of one stopped at `stopped_at`), and how late it is."""
        _aware(deadline), _aware(now)
        at = stopped_at or now
        if at > deadline:
            late_days = self.working_days_between(deadline.astimezone(VN).date(), at.astimezone(VN).date(), unit_id)
            paused = sum(((min(b, at) - max(a, deadline)).total_seconds()
                          for a, b in self._merged_pauses(unit_id) if b > deadline and a < at), 0.0)
            late_hours = max((at - deadline).total_seconds() - paused, 0.0) / 3600
            return Clock(ClockState.OVERDUE, deadline, late_days, round(late_hours, 2))
        if stopped_at is None and deadline - now <= due_soon:
            return Clock(ClockState.DUE_SOON, deadline)
        return Clock(ClockState.ON_TIME, deadline)


def _aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("instants must be timezone-aware")


@functools.cache
def default() -> WorkingCalendar:
    """The bundled schedules with no run-time overrides or pauses."""
    return WorkingCalendar()


def is_working_day(day: date) -> bool:
    return default().is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    return default().add_working_days(start, days)


def add_hours(start: datetime, hours: int) -> datetime:
    return default().add_hours(start, hours)
