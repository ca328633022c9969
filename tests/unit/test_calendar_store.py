"""runtime/calendar_store.py: recorded rows → the calendar in force; idempotent, ordered upserts."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from regulation.calendar import VN, DayRule, Pause
from runtime import calendar_store as cs
from runtime.db import Database, sqlite_url

T0 = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
# Monday 2025-03-10, a working day of the bundled 2025 schedule.
MONDAY = date(2025, 3, 10)
DAY_OFF = DayRule(MONDAY, False, "Nghỉ bù (thử)", "Day off in lieu (test)", "Thông báo 1/TB-TEST")
# Friday 2025-03-07, 10:00 local.
FRIDAY = datetime(2025, 3, 7, 10, 0, tzinfo=VN).astimezone(UTC)


def make_db(path: Path, name: str = "svc") -> Database:
    metadata = sa.MetaData()
    cs.calendar_tables(metadata)
    db = Database(name, sqlite_url(path, name), metadata, path / "no-migrations")
    metadata.create_all(db.engine)
    return db


@pytest.fixture
def store(tmp_path):
    db = make_db(tmp_path)
    yield cs.CalendarStore(db)
    db.dispose()


def count(store, table) -> int:
    with store.db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(store.metadata.tables[table])).scalar_one()


def local_day(instant: datetime) -> date:
    return instant.astimezone(VN).date()


def test_no_rows_is_the_bundled_calendar_and_is_cached(store):
    cal = store.calendar()
    assert cal.is_working_day(MONDAY)
    assert local_day(cal.add_working_days(FRIDAY, 1)) == MONDAY
    assert store.calendar() is cal  # nothing changed: the cached calendar


def test_a_recorded_day_off_is_skipped_by_working_day_clocks(store):
    before = store.calendar()
    with store.db.transaction() as conn:
        assert store.record_day(conn, DAY_OFF, T0)
        # Inside the transaction the new row is already seen.
        assert not store.calendar(conn).is_working_day(MONDAY)
    cal = store.calendar()
    assert cal is not before
    info = cal.day(MONDAY)
    assert not info.working and info.reason_en == "Day off in lieu (test)" and info.document == "Thông báo 1/TB-TEST"
    assert local_day(cal.add_working_days(FRIDAY, 1)) == date(2025, 3, 11)
    assert store.rules() == [DAY_OFF]


def test_applying_the_same_announcement_twice_changes_nothing(store):
    payload = cs.day_recorded(DAY_OFF)
    with store.db.transaction() as conn:
        assert store.apply_day_recorded(conn, payload, T0)
    with store.db.transaction() as conn:
        assert not store.apply_day_recorded(conn, payload, T0)
    assert count(store, "calendar_days") == 1 and store.rules() == [DAY_OFF]


def test_the_newest_announcement_of_a_day_wins_whatever_the_order(store):
    correction = DayRule(MONDAY, True, "Ngày làm việc", "Working day", "Thông báo 2/TB-TEST")
    with store.db.transaction() as conn:
        assert store.record_day(conn, correction, T0 + timedelta(hours=2))
        # The older announcement arrives late: kept out.
        assert not store.apply_day_recorded(conn, cs.day_recorded(DAY_OFF), T0)
    assert store.rules() == [correction] and store.calendar().is_working_day(MONDAY)
    with store.db.transaction() as conn:
        assert store.record_day(conn, DAY_OFF, T0 + timedelta(hours=3))
    assert store.rules() == [DAY_OFF] and not store.calendar().is_working_day(MONDAY)


def test_pauses_are_stored_once_and_stop_the_clocks_they_apply_to(store):
    start = FRIDAY + timedelta(hours=1)
    province = Pause("p-1", start, start + timedelta(hours=3), "", "Bão số 3")
    unit = Pause("p-2", datetime(2025, 3, 10, 1, 0, tzinfo=UTC), datetime(2025, 3, 10, 2, 0, tzinfo=UTC),
                 "so-gtvt", "Mất điện trụ sở")
    with store.db.transaction() as conn:
        assert store.apply_pause_declared(conn, cs.pause_declared(province), T0)
        assert store.record_pause(conn, unit, T0)
    with store.db.transaction() as conn:
        assert not store.apply_pause_declared(conn, cs.pause_declared(province), T0)
    assert count(store, "calendar_pauses") == 2
    assert store.pauses() == [province, unit]
    cal = store.calendar()
    # Calendar hours stand still for the whole 3-hour window, for everyone.
    assert cal.add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=27)
    assert cal.add_hours(FRIDAY, 24, "so-gtvt") == FRIDAY + timedelta(hours=27)
    # The unit's pause touches Monday: that unit's working-day clock skips it, the others' do not.
    assert local_day(cal.add_working_days(FRIDAY, 1, "so-gtvt")) == date(2025, 3, 11)
    assert local_day(cal.add_working_days(FRIDAY, 1, "so-xd")) == MONDAY


def test_the_newest_announcement_of_a_pause_wins_whatever_the_order(store):
    """EndPause announces the pause again (same id, earlier end): newer wins, older arriving late is ignored."""
    start = FRIDAY + timedelta(hours=1)
    declared = Pause("p-1", start, start + timedelta(hours=3), "", "Bão số 3")
    ended = Pause("p-1", start, start + timedelta(hours=1), "", "Bão số 3", "Bão tan sớm")
    with store.db.transaction() as conn:
        assert store.apply_pause_declared(conn, cs.pause_declared(declared), T0)
    assert store.calendar().add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=27)
    with store.db.transaction() as conn:
        assert store.apply_pause_declared(conn, cs.pause_declared(ended), T0 + timedelta(hours=1))
    assert store.pauses() == [ended] and count(store, "calendar_pauses") == 1
    assert store.calendar().add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=25)
    with store.db.transaction() as conn:
        # The declaration redelivered late, and the same announcement again: nothing changes.
        assert not store.apply_pause_declared(conn, cs.pause_declared(declared), T0)
        assert not store.apply_pause_declared(conn, cs.pause_declared(ended), T0 + timedelta(hours=1))
        # Of two announcements of the same instant, the earlier end wins.
        assert not store.record_pause(conn, declared, T0 + timedelta(hours=1))
        assert store.changed_since(conn, T0 + timedelta(minutes=30))
    assert store.pauses() == [ended]
    assert store.calendar().add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=25)


def test_a_withdrawn_pause_no_longer_delays_but_is_still_listed(store):
    # The unit's pause touches Monday, 08:00–09:00 local.
    start = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    unit = Pause("p-2", start, start + timedelta(hours=1), "so-gtvt", "Mất điện trụ sở")
    with store.db.transaction() as conn:
        store.record_pause(conn, unit, T0)
    cal = store.calendar()
    assert cal.day(MONDAY, "so-gtvt").paused
    assert local_day(cal.add_working_days(FRIDAY, 1, "so-gtvt")) == date(2025, 3, 11)
    withdrawn = Pause("p-2", start, start, "so-gtvt", "Mất điện trụ sở", "Khai báo nhầm")
    with store.db.transaction() as conn:
        assert store.apply_pause_declared(conn, cs.pause_declared(withdrawn), T0 + timedelta(hours=2))
    cal = store.calendar()
    assert not cal.day(MONDAY, "so-gtvt").paused and cal.is_working_day(MONDAY, "so-gtvt")
    assert local_day(cal.add_working_days(FRIDAY, 1, "so-gtvt")) == MONDAY
    assert cal.add_hours(start - timedelta(hours=1), 2, "so-gtvt") == start + timedelta(hours=1)
    assert cal.pauses == [] and store.pauses() == [withdrawn] and store.pauses()[0].withdrawn


def test_an_updated_pause_written_by_another_process_is_seen(tmp_path):
    """The fingerprint notices an updated row, even when the other writer's clock is behind."""
    db = make_db(tmp_path)
    mine, theirs = cs.CalendarStore(db), cs.CalendarStore(Database("svc", str(db.url), db.metadata, db.migrations))
    start = FRIDAY + timedelta(hours=1)
    with theirs.db.transaction() as conn:
        theirs.record_pause(conn, Pause("p-1", start, start + timedelta(hours=3)), T0)
        theirs.record_pause(conn, Pause("p-0", T0, T0 + timedelta(hours=1)), T0)
        # p-0 was written by a process whose clock runs an hour ahead: its row is the newest write.
        t = theirs.metadata.tables["calendar_pauses"]
        conn.execute(t.update().where(t.c.pause_id == "p-0").values(changed_at=cs.utcnow() + timedelta(hours=1)))
    assert mine.calendar().add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=27)
    with theirs.db.transaction() as conn:
        assert theirs.record_pause(conn, Pause("p-1", start, start + timedelta(hours=2)), T0 + timedelta(hours=1))
    assert mine.calendar().add_hours(FRIDAY, 24) == FRIDAY + timedelta(hours=26)
    theirs.db.dispose()
    db.dispose()


def test_a_change_written_by_another_process_is_seen(tmp_path):
    db = make_db(tmp_path)
    mine, theirs = cs.CalendarStore(db), cs.CalendarStore(Database("svc", str(db.url), db.metadata, db.migrations))
    assert mine.calendar().is_working_day(MONDAY)
    with theirs.db.transaction() as conn:
        theirs.record_day(conn, DAY_OFF, T0)
    assert not mine.calendar().is_working_day(MONDAY)
    theirs.db.dispose()
    db.dispose()


def test_a_rolled_back_change_is_forgotten(store):
    with pytest.raises(RuntimeError):
        with store.db.transaction() as conn:
            store.record_day(conn, DAY_OFF, T0)
            assert not store.calendar(conn).is_working_day(MONDAY)
            raise RuntimeError("the use case failed")
    assert store.calendar().is_working_day(MONDAY) and store.rules() == []


def test_changed_since_tells_whether_an_announcement_came_later(store):
    with store.db.transaction() as conn:
        assert not store.changed_since(conn, T0)
        store.record_pause(conn, Pause("p-1", T0, T0 + timedelta(hours=1)), T0 + timedelta(hours=5))
        assert store.changed_since(conn, T0 + timedelta(hours=4))
        assert not store.changed_since(conn, T0 + timedelta(hours=5))


def test_payloads_round_trip():
    assert cs.day_rule_of(cs.day_recorded(DAY_OFF)) == DAY_OFF
    pause = Pause("p-9", T0, T0 + timedelta(minutes=90), "ubnd-hoa-thanh", "Ngập lụt")
    assert cs.pause_of(cs.pause_declared(pause)) == pause
    ended = Pause("p-9", T0, T0, "ubnd-hoa-thanh", "Ngập lụt", "Khai báo nhầm")
    assert cs.pause_of(cs.pause_declared(ended)) == ended and ended.withdrawn
