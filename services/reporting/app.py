"""Reporting's queries (Đ13.7 summary and periods, overdue list, Đ14 scorecards, CSV export) and the event
handlers that build its read model, whatever order the events arrive in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulation import calendar, periods
from runtime import limits
from runtime.errors import Validator
from runtime.messaging import as_utc, from_ts, utcnow
from runtime.service import ServiceContext
from services.reporting import domain
from services.reporting.store import assignments, cases


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def case_facts(row) -> domain.CaseFacts:
    return domain.CaseFacts(row.case_id, row.channel, _opt(row.received_at), _opt(row.cancelled_at),
                            _opt(row.published_at), _opt(row.delivered_at), row.rating, _opt(row.restricted_at))


def assignment_facts(row) -> domain.AssignmentFacts:
    return domain.AssignmentFacts(row.assignment_id, row.case_id, row.unit_id, row.unit_name, _opt(row.created_at),
                                  _opt(row.accepted_at), _opt(row.deadline), _opt(row.returned_at),
                                  _opt(row.approved_at), row.on_time)


@dataclass(frozen=True)
class Overdue:
    """An overdue assignment and how late it is (Đ16.4): working days after the deadline's day, and hours."""

    facts: domain.AssignmentFacts
    late_working_days: int
    late_hours: float


# Report years a request may ask for (the calendar's years; a guard against typos such as 26 for 2026).
MIN_REPORT_YEAR, MAX_REPORT_YEAR = limits.FIRST_YEAR, limits.LAST_YEAR


class ReportingApp:
    def __init__(self, ctx: ServiceContext):
        self.db = ctx.db

    def _scope(self, conn: Connection, start: datetime | None, end: datetime | None):
        """The cases received in [start, end) (all cases when both are empty) and their assignments."""
        query = sa.select(cases)
        if start is not None:
            query = query.where(cases.c.received_at >= as_utc(start))
        if end is not None:
            query = query.where(cases.c.received_at < as_utc(end))
        chosen = [case_facts(r) for r in conn.execute(
            query.order_by(cases.c.received_at.asc().nulls_last(), cases.c.case_id))]
        if start is None and end is None:
            rows = conn.execute(sa.select(assignments))
        else:
            rows = conn.execute(sa.select(assignments).join(cases, cases.c.case_id == assignments.c.case_id)
                                .where(*([cases.c.received_at >= as_utc(start)] if start else []),
                                       *([cases.c.received_at < as_utc(end)] if end else [])))
        return chosen, [assignment_facts(r) for r in rows]

    def summary(self, start: datetime | None, end: datetime | None) -> domain.Summary:
        domain.validate_period(start, end)
        with self.db.engine.connect() as conn:
            chosen, kept = self._scope(conn, start, end)
        return domain.summarise(chosen, kept)

    def overdue(self, as_of: datetime | None) -> list[Overdue]:
        """Đ13.5, Đ16.4: the assignments overdue at `as_of` (now by default), and how late each is then.

        Lateness is counted on the bundled calendar (`regulation.calendar.default()`: the announced
        schedules, no run-time day rules or force-majeure pauses): reporting keeps no copy of the
        run-time calendar (it consumes no calendar events), so a recorded day or a pause is not
        reflected here. The deadlines themselves already follow them (`deadline.changed`)."""
        as_of = as_utc(as_of) if as_of is not None else utcnow()
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(assignments).where(
                assignments.c.accepted_at.is_not(None), assignments.c.approved_at.is_(None),
                assignments.c.returned_at.is_(None), assignments.c.deadline < as_of)).all()
            closed = {r.case_id for r in conn.execute(sa.select(cases.c.case_id).where(
                cases.c.case_id.in_(sorted({r.case_id for r in rows})),
                cases.c.cancelled_at.is_not(None)))} if rows else set()
        cal = calendar.default()
        found = []
        for a in domain.overdue([assignment_facts(r) for r in rows], closed, as_of):
            late = cal.clock(a.deadline, as_of, unit_id=a.unit_id or None)
            found.append(Overdue(a, late.late_working_days, late.late_hours))
        return found

    def scorecards(self, start: datetime | None, end: datetime | None) -> list[domain.Scorecard]:
        domain.validate_period(start, end)
        with self.db.engine.connect() as conn:
            _, kept = self._scope(conn, start, end)
        return domain.scorecards(kept)

    def export(self, start: datetime | None, end: datetime | None) -> Iterator[bytes]:
        """The period's cases as CSV chunks; the period is checked before the first chunk."""
        domain.validate_period(start, end)
        with self.db.engine.connect() as conn:
            chosen, kept = self._scope(conn, start, end)
        per_case = domain.by_case(kept)
        return domain.csv_chunks(domain.csv_row(c, per_case.get(c.case_id, [])) for c in chosen)

    @staticmethod
    def report_period(kind: str, year: int, number: int) -> periods.ReportPeriod:
        """Đ13.7: the period of `kind` (one of regulation.periods.KINDS) for `year`; `number` is the
        month (1–12) of a monthly report, the quarter (1–4) of a quarterly one, unused otherwise."""
        v = Validator()
        if not kind:
            v.add("kind", "Thiếu loại kỳ báo cáo (tháng, quý, 6 tháng đầu năm, 6 tháng cuối năm, 9 tháng, năm)",
                  "kind is required: monthly, quarterly, first half, second half, nine months or annual")
        elif kind not in periods.KINDS:
            v.add("kind", "Loại kỳ báo cáo không hợp lệ", f"unknown report period kind {kind!r}")
        if not MIN_REPORT_YEAR <= year <= MAX_REPORT_YEAR:
            v.add("year", f"Năm phải từ {MIN_REPORT_YEAR} đến {MAX_REPORT_YEAR}",
                  f"year must be between {MIN_REPORT_YEAR} and {MAX_REPORT_YEAR}")
        if kind == "monthly" and not 1 <= number <= 12:
            v.add("number", "Tháng của kỳ báo cáo tháng phải từ 1 đến 12", "number (the month) must be 1-12")
        if kind == "quarterly" and not 1 <= number <= 4:
            v.add("number", "Quý của kỳ báo cáo quý phải từ 1 đến 4", "number (the quarter) must be 1-4")
        v.raise_if_any()
        return periods.period(kind, year, number if kind in ("monthly", "quarterly") else 0)


def _upsert(conn: Connection, table: sa.Table, key: str, key_value: str, defaults: dict, **values) -> None:
    """Update the row's given columns, or create it (with `defaults` for required columns)."""
    values["updated_at"] = utcnow()
    done = conn.execute(table.update().where(table.c[key] == key_value).values(**values))
    if done.rowcount == 0:
        conn.execute(table.insert().values(**{key: key_value, **defaults, **values}))


def _when(ts_field, envelope) -> datetime:
    """An instant from the payload, or when the event occurred."""
    return from_ts(ts_field) if ts_field.seconds or ts_field.nanos else from_ts(envelope.occurred_at)


class ReportingHandlers:
    """One fact per event; a later event for an unknown case or assignment creates its row."""

    @staticmethod
    def _case(conn: Connection, case_id: str, **values) -> None:
        _upsert(conn, cases, "case_id", case_id, {}, **values)

    @staticmethod
    def _assignment(conn: Connection, payload, **values) -> None:
        ReportingHandlers._case(conn, payload.case_id)
        unit = {k: v for k, v in (("unit_id", payload.unit_id),
                                   ("unit_name", getattr(payload, "unit_name", ""))) if v}
        _upsert(conn, assignments, "assignment_id", payload.assignment_id, {"case_id": payload.case_id},
                **unit, **values)

    def on_case_received(self, conn, payload, envelope):
        self._case(conn, payload.case_id, channel=payload.channel, received_at=_when(payload.received_at, envelope))

    def on_case_cancelled(self, conn, payload, envelope):
        self._case(conn, payload.case_id, cancelled_at=from_ts(envelope.occurred_at))

    def on_assignment_created(self, conn, payload, envelope):
        self._assignment(conn, payload, created_at=from_ts(envelope.occurred_at))

    def on_assignment_accepted(self, conn, payload, envelope):
        values = {"accepted_at": _when(payload.accepted_at, envelope)}
        row = conn.execute(sa.select(assignments.c.deadline_changed_at).where(
            assignments.c.assignment_id == payload.assignment_id)).first()
        if payload.HasField("deadline") and (row is None or row.deadline_changed_at is None):
            values["deadline"] = from_ts(payload.deadline)
        self._assignment(conn, payload, **values)

    def on_deadline_changed(self, conn, payload, envelope):
        """A calendar change moved the unit's running deadline (Đ8.2a handling, Đ10.4 rework), so the
        overdue list follows it; the newest change wins whatever order the events arrive in."""
        if payload.clock not in ("handling", "rework") or not payload.HasField("deadline"):
            return
        at = from_ts(envelope.occurred_at)
        row = conn.execute(sa.select(assignments.c.deadline_changed_at).where(
            assignments.c.assignment_id == payload.assignment_id)).first()
        if row is not None and row.deadline_changed_at is not None and as_utc(row.deadline_changed_at) > at:
            return
        self._assignment(conn, payload, deadline=from_ts(payload.deadline), deadline_changed_at=at)

    def on_assignment_returned(self, conn, payload, envelope):
        self._assignment(conn, payload, returned_at=from_ts(envelope.occurred_at))

    def on_result_approved(self, conn, payload, envelope):
        """The latest approval wins (a rework approves again, Đ10.4); an older one arriving late does not."""
        approved_at = _when(payload.approved_at, envelope)
        row = conn.execute(sa.select(assignments.c.approved_at).where(
            assignments.c.assignment_id == payload.assignment_id)).first()
        if row is not None and row.approved_at is not None and as_utc(row.approved_at) > approved_at:
            return
        self._assignment(conn, payload, approved_at=approved_at, on_time=payload.on_time)

    def on_case_published(self, conn, payload, envelope):
        self._case(conn, payload.case_id, published_at=_when(payload.published_at, envelope))

    def on_result_delivered(self, conn, payload, envelope):
        self._case(conn, payload.case_id, delivered_at=_when(payload.delivered_at, envelope))

    def on_case_restricted(self, conn, payload, envelope):
        self._case(conn, payload.case_id, restricted_at=from_ts(envelope.occurred_at))

    def on_case_rated(self, conn, payload, envelope):
        """Đ11.3: the latest rating counts (a case re-handled under Đ10.4c is rated again)."""
        rated_at = _when(payload.rated_at, envelope)
        row = conn.execute(sa.select(cases.c.rated_at).where(cases.c.case_id == payload.case_id)).first()
        if row is not None and row.rated_at is not None and as_utc(row.rated_at) > rated_at:
            return
        self._case(conn, payload.case_id, rating=payload.rating, rated_at=rated_at)
