"""A service's copy of the run-time calendar: recorded day rules and force-majeure pauses.

Routing hosts the calendar's administration (`pakn.routing.v1.CalendarService`) and announces each
change (`calendar.day_recorded`, `calendar.pause_declared`); every service that runs clocks keeps the
rows in its own `calendar_days` and `calendar_pauses` tables (added like the messaging tables) and
builds its `regulation.calendar.WorkingCalendar` from the bundled schedules plus those rows.

- `record_day` / `record_pause` (and `apply_*` for event payloads) are idempotent upserts: a day
  keeps the rule of its newest announcement (`recorded_at`), a pause (by its id) its newest
  announcement (`declared_at`): a pause ended early or withdrawn is announced again with the same
  id, and a late, older announcement changes nothing.
- `CalendarStore.calendar()` is cached; the cache is keyed by a fingerprint of both tables (row
  counts and the newest local write, `changed_at`, which every write moves forward), so a change
  made by another process (an API and its worker share a database) is seen at the next use.
- On PostgreSQL, writers take a transaction-scoped advisory lock and readers that compute
  deadlines inside a write transaction take it shared: a deadline computed from the old calendar
  cannot commit after the recomputation of open deadlines has run. Take the calendar *before*
  locking rows (it is the first thing a use case asks for), so both sides lock in the same order.
"""

from __future__ import annotations

import threading
import zlib
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pakn.events.v1 import events_pb2
from regulation.calendar import DayRule, Pause, Schedules, WorkingCalendar
from runtime.db import Database
from runtime.messaging import as_utc, from_ts, ts, utcnow


def calendar_tables(metadata: sa.MetaData) -> None:
    """Add the calendar_days and calendar_pauses tables to a service's metadata."""
    sa.Table(
        "calendar_days", metadata,
        # The local date (Asia/Ho_Chi_Minh) the rule sets.
        sa.Column("day", sa.Date, primary_key=True),
        # No server default on booleans (PostgreSQL and SQLite render them differently).
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("document", sa.String(300), nullable=False),
        # When the administrator recorded it (the event's time): the newest announcement wins.
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        # When this service wrote the row (its cache fingerprint).
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "calendar_pauses", metadata,
        sa.Column("pause_id", sa.String(36), primary_key=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        # Empty: the whole province.
        sa.Column("unit_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        # Why it was ended early or withdrawn (end == start); empty while it runs as declared.
        sa.Column("end_reason", sa.Text, nullable=False, server_default=""),
        # When its newest announcement was made (the event's time): the newest announcement wins.
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


# -- event payloads ---------------------------------------------------------------------------------

def day_rule_of(payload: events_pb2.CalendarDayRecorded) -> DayRule:
    return DayRule(date.fromisoformat(payload.date), payload.working, payload.name_vi, payload.name_en,
                   payload.document)


def pause_of(payload: events_pb2.CalendarPauseDeclared) -> Pause:
    return Pause(payload.pause_id, from_ts(payload.start), from_ts(payload.end), payload.unit_id, payload.reason,
                 payload.end_reason)


def day_recorded(rule: DayRule) -> events_pb2.CalendarDayRecorded:
    return events_pb2.CalendarDayRecorded(date=rule.day.isoformat(), working=rule.working, name_vi=rule.name_vi,
                                          name_en=rule.name_en, document=rule.document)


def pause_declared(pause: Pause) -> events_pb2.CalendarPauseDeclared:
    return events_pb2.CalendarPauseDeclared(pause_id=pause.pause_id, start=ts(pause.start), end=ts(pause.end),
                                            unit_id=pause.unit_id, reason=pause.reason, end_reason=pause.end_reason)


# -- writing (idempotent) ---------------------------------------------------------------------------

def _stamp(conn: Connection, table: sa.Table) -> datetime:
    """A write time after every row's `changed_at`: each write (an update too) moves the table's
    newest one forward, so the cache fingerprint notices it even across processes whose clocks
    differ slightly."""
    now = utcnow()
    newest = conn.execute(sa.select(sa.func.max(table.c.changed_at))).scalar()
    if newest is not None and as_utc(newest) >= now:
        return as_utc(newest) + timedelta(microseconds=1)
    return now


def record_day(conn: Connection, metadata: sa.MetaData, rule: DayRule, recorded_at: datetime) -> bool:
    """Store a day rule unless a newer one for that date is stored; True when the table changed."""
    t = metadata.tables["calendar_days"]
    recorded_at = as_utc(recorded_at)
    row = conn.execute(sa.select(t).where(t.c.day == rule.day)).first()
    values = dict(working=rule.working, name_vi=rule.name_vi, name_en=rule.name_en, document=rule.document,
                  recorded_at=recorded_at, changed_at=_stamp(conn, t))
    if row is None:
        conn.execute(t.insert().values(day=rule.day, **values))
        return True
    if as_utc(row.recorded_at) > recorded_at:
        return False  # an older announcement arriving late
    same = (bool(row.working), row.name_vi, row.name_en, row.document) == (
        rule.working, rule.name_vi, rule.name_en, rule.document)
    if same and as_utc(row.recorded_at) == recorded_at:
        return False  # the same announcement again
    conn.execute(t.update().where(t.c.day == rule.day).values(**values))
    return not same


def record_pause(conn: Connection, metadata: sa.MetaData, pause: Pause, declared_at: datetime) -> bool:
    """Store a pause's announcement by its id unless a newer one is stored (`declared_at`, the
    event's time); True when the pause changed. The same announcement again, or an older one
    arriving late, changes nothing; of two made at the same instant the earlier end wins (a pause is
    only ever shortened)."""
    t = metadata.tables["calendar_pauses"]
    declared_at = as_utc(declared_at)
    row = conn.execute(sa.select(t).where(t.c.pause_id == pause.pause_id)).first()
    fields = (as_utc(pause.start), as_utc(pause.end), pause.unit_id, pause.reason, pause.end_reason)
    values = dict(start_at=fields[0], end_at=fields[1], unit_id=pause.unit_id, reason=pause.reason,
                  end_reason=pause.end_reason, declared_at=declared_at, changed_at=_stamp(conn, t))
    if row is None:
        conn.execute(t.insert().values(pause_id=pause.pause_id, **values))
        return True
    stored = as_utc(row.declared_at)
    if stored > declared_at:
        return False  # an older announcement arriving late
    same = (as_utc(row.start_at), as_utc(row.end_at), row.unit_id, row.reason, row.end_reason) == fields
    if stored == declared_at and (same or fields[1] >= as_utc(row.end_at)):
        return False  # the same announcement again (or a tie the stored one wins)
    conn.execute(t.update().where(t.c.pause_id == pause.pause_id).values(**values))
    return not same


def apply_day_recorded(conn: Connection, metadata: sa.MetaData, payload: events_pb2.CalendarDayRecorded,
                       recorded_at: datetime) -> bool:
    return record_day(conn, metadata, day_rule_of(payload), recorded_at)


def apply_pause_declared(conn: Connection, metadata: sa.MetaData, payload: events_pb2.CalendarPauseDeclared,
                         declared_at: datetime) -> bool:
    return record_pause(conn, metadata, pause_of(payload), declared_at)


# -- reading ----------------------------------------------------------------------------------------

def read_rules(conn: Connection, metadata: sa.MetaData) -> list[DayRule]:
    t = metadata.tables["calendar_days"]
    return [DayRule(_as_date(r.day), bool(r.working), r.name_vi, r.name_en, r.document)
            for r in conn.execute(sa.select(t).order_by(t.c.day))]


def read_pauses(conn: Connection, metadata: sa.MetaData) -> list[Pause]:
    t = metadata.tables["calendar_pauses"]
    return [_pause(r) for r in conn.execute(sa.select(t).order_by(t.c.start_at, t.c.pause_id))]


def read_pause(conn: Connection, metadata: sa.MetaData, pause_id: str) -> Pause | None:
    t = metadata.tables["calendar_pauses"]
    row = conn.execute(sa.select(t).where(t.c.pause_id == pause_id)).first()
    return _pause(row) if row is not None else None


def _pause(r) -> Pause:
    return Pause(r.pause_id, as_utc(r.start_at), as_utc(r.end_at), r.unit_id, r.reason, r.end_reason)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class CalendarStore:
    """The calendar of one service's database: bundled schedules + its recorded rows, cached."""

    def __init__(self, db: Database, schedules: Schedules | None = None):
        self.db = db
        self.metadata = db.metadata
        self.schedules = schedules or Schedules.bundled()
        self._lock = threading.Lock()
        self._cached: tuple[tuple, WorkingCalendar] | None = None
        # One advisory lock per service schema (PostgreSQL): writers exclusive, readers shared.
        self._lock_key = zlib.crc32(f"pakn-calendar:{db.service}".encode())

    # -- reading --------------------------------------------------------------------------------
    def calendar(self, conn: Connection | None = None) -> WorkingCalendar:
        """The calendar in force. Inside a write transaction pass its connection (before locking
        any row): the rows it has written are seen, and on PostgreSQL a concurrent change waits."""
        if conn is None:
            with self.db.engine.connect() as own:
                return self._calendar(own)
        if self.db.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": self._lock_key})
        return self._calendar(conn)

    def _calendar(self, conn: Connection) -> WorkingCalendar:
        mark = self._fingerprint(conn)
        with self._lock:
            if self._cached is not None and self._cached[0] == mark:
                return self._cached[1]
        cal = WorkingCalendar(self.schedules, read_rules(conn, self.metadata), read_pauses(conn, self.metadata))
        with self._lock:
            self._cached = (mark, cal)
        return cal

    def _fingerprint(self, conn: Connection) -> tuple:
        days, pauses = self.metadata.tables["calendar_days"], self.metadata.tables["calendar_pauses"]
        row = conn.execute(sa.select(
            sa.select(sa.func.count()).select_from(days).scalar_subquery(),
            sa.select(sa.func.max(days.c.changed_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(pauses).scalar_subquery(),
            sa.select(sa.func.max(pauses.c.changed_at)).scalar_subquery(),
        )).one()
        return tuple(str(v) for v in row)

    def rules(self) -> list[DayRule]:
        with self.db.engine.connect() as conn:
            return read_rules(conn, self.metadata)

    def pauses(self) -> list[Pause]:
        """Every declared pause, withdrawn ones (end == start) included, by start."""
        with self.db.engine.connect() as conn:
            return read_pauses(conn, self.metadata)

    def changed_since(self, conn: Connection, at: datetime) -> bool:
        """Whether a day rule or a pause was announced (or a pause announced again: ended early,
        withdrawn) after `at`, the announcement's own time."""
        days, pauses = self.metadata.tables["calendar_days"], self.metadata.tables["calendar_pauses"]
        at = as_utc(at)
        day = conn.execute(sa.select(days.c.day).where(days.c.recorded_at > at).limit(1)).first()
        pause = conn.execute(sa.select(pauses.c.pause_id).where(pauses.c.declared_at > at).limit(1)).first()
        return day is not None or pause is not None

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None

    # -- writing --------------------------------------------------------------------------------
    def _write_lock(self, conn: Connection) -> None:
        if self.db.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock_key})

    def record_day(self, conn: Connection, rule: DayRule, recorded_at: datetime) -> bool:
        self._write_lock(conn)
        changed = record_day(conn, self.metadata, rule, recorded_at)
        self.invalidate()
        return changed

    def pause_for_update(self, conn: Connection, pause_id: str) -> Pause | None:
        """A stored pause, read under the writers' lock: a change based on it cannot race another."""
        self._write_lock(conn)
        return read_pause(conn, self.metadata, pause_id)

    def record_pause(self, conn: Connection, pause: Pause, declared_at: datetime) -> bool:
        self._write_lock(conn)
        changed = record_pause(conn, self.metadata, pause, declared_at)
        self.invalidate()
        return changed

    def apply_day_recorded(self, conn: Connection, payload: events_pb2.CalendarDayRecorded,
                           recorded_at: datetime) -> bool:
        return self.record_day(conn, day_rule_of(payload), recorded_at)

    def apply_pause_declared(self, conn: Connection, payload: events_pb2.CalendarPauseDeclared,
                             declared_at: datetime) -> bool:
        return self.record_pause(conn, pause_of(payload), declared_at)
