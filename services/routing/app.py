"""Routing's use cases (Đ7 reception, classification and distribution; Đ8.2 acceptance and return)
and its event handlers. Every state change and the event announcing it share one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from regulation.calendar import DayInfo, DayRule, Pause, WorkingCalendar
from regulation.profile import RegulationProfile
from runtime import audit
from runtime.calendar_store import CalendarStore, day_recorded, pause_declared
from runtime.clocks import clock_pb
from runtime.crypto import Box
from runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Validator, Violation
from runtime.identity import scope
from runtime.identity.context import current
from runtime.messaging import as_utc, from_ts, ts, utcnow
from runtime.service import ServiceContext
from services.routing import domain
from services.routing.domain import AssignmentStatus as A
from services.routing.domain import CaseStatus as C
from services.routing.store import assignments, case_history, cases, categories, unit_history, units

CASE_STATUSES = {s.value for s in C}
ASSIGNMENT_STATUSES = {s.value for s in A}


@dataclass
class AssignmentView:
    """An assignment (with its case's content and tracking code) and its clock."""

    row: sa.Row
    clock: common_pb2.Clock | None = None


@dataclass
class CaseView:
    case: sa.Row
    assignments: list[AssignmentView] = field(default_factory=list)
    reception_clock: common_pb2.Clock | None = None


# The unit's own fields that RegisterUnit sets (the people are in `contacts_enc`).
UNIT_FIELDS = ("name", "leader_title", "contact_title", "on_system")


@dataclass(frozen=True)
class UnitView:
    """A unit of the directory as one caller may see it (Đ16.1)."""

    row: sa.Row
    leader: domain.Person | None
    contact: domain.Person | None
    withheld: bool


@dataclass(frozen=True)
class UnitChange:
    action: str
    actor: str
    at: datetime
    fields: list[str]
    # The previous values of the changed fields: unit fields by name, "leader"/"contact" as dicts.
    previous: dict


@dataclass(frozen=True)
class Clocks:
    """What a clock needs besides its record: the calendar in force, the instant, the threshold."""

    cal: WorkingCalendar
    now: datetime
    due_soon_hours: float

    def assignment(self, row) -> common_pb2.Clock | None:
        """The assignment's clock: "return" (Đ8.2b, hours) while the unit has not answered, stopped
        at its return when it returned the case; "handling" (Đ8.2a, working days) once accepted.
        Routing does not see the approvals (processing does), so an accepted assignment's handling
        clock is shown running."""
        if row.status == int(A.PENDING):
            return clock_pb("return", self.cal, row.return_deadline, self.now, self.due_soon_hours, row.unit_id)
        if row.status == int(A.RETURNED):
            return clock_pb("return", self.cal, row.return_deadline, self.now, self.due_soon_hours, row.unit_id,
                            row.returned_at)
        return clock_pb("handling", self.cal, row.deadline, self.now, self.due_soon_hours, row.unit_id)

    def reception(self, case, assignment_rows) -> common_pb2.Clock | None:
        """The case's "reception" clock (Đ7, hours, the province's pauses only), decided from the
        data routing keeps:

        - stopped at the first distribution (the earliest assignment's creation, returned ones
          included: a case all units returned goes back to CLASSIFIED, but its reception was done);
        - else stopped at the cancellation (`status_changed_at` of a CANCELLED case: a cancelled
          case never changes status again);
        - else running while the case is RECEIVED, VERIFYING, CLASSIFIED or AWAITING_UNIT;
        - else (a later status reached without a distribution routing knows of) stopped at the
          last status change."""
        created = [as_utc(a.created_at) for a in assignment_rows]
        if created:
            stopped = min(created)
        elif case.status not in domain.RECEPTION_OPEN:  # CANCELLED, or later
            stopped = as_utc(case.status_changed_at)
        else:
            stopped = None
        return clock_pb("reception", self.cal, case.reception_deadline, self.now, self.due_soon_hours, None,
                        stopped)


def media_refs(stored: list[dict]) -> list[common_pb2.MediaRef]:
    return [common_pb2.MediaRef(**m) for m in stored or []]


def _media_json(refs) -> list[dict]:
    return [{"media_id": m.media_id, "content_type": m.content_type, "size_bytes": m.size_bytes,
             "sha256": m.sha256, "filename": m.filename} for m in refs]


def _case_not_found() -> NotFound:
    return NotFound("Không tìm thấy phản ánh", "case not found")


def _after(query, after, time_col, id_col):
    """Keyset paging: the rows after the last one of the previous page (time, then id)."""
    if after is None:
        return query
    at = as_utc(datetime.fromisoformat(after[0]))
    return query.where(sa.or_(time_col > at, sa.and_(time_col == at, id_col > after[1])))


def _assignment_query():
    return (sa.select(assignments, cases.c.content, cases.c.tracking_code)
            .join(cases, cases.c.case_id == assignments.c.case_id))


class RoutingApp:
    def __init__(self, ctx: ServiceContext, calendar: CalendarStore, profile: RegulationProfile):
        self.db, self.outbox, self.telemetry = ctx.db, ctx.outbox, ctx.telemetry
        self.calendar = calendar
        self.profile = profile
        self.due_soon_hours = ctx.config.regulation.due_soon_hours
        # Đ16.1: the units' leaders and contact persons, encrypted at rest.
        self.directory_box = Box.of(ctx.config, "directory_key")

    def _clocks(self, cal: WorkingCalendar) -> Clocks:
        """The clocks as of now. Inside a write transaction, `cal` is taken before any row lock."""
        return Clocks(cal, utcnow(), self.due_soon_hours)

    def _case_view(self, clocks: Clocks, case: sa.Row, assignment_rows: list[sa.Row]) -> CaseView:
        return CaseView(case, [AssignmentView(a, clocks.assignment(a)) for a in assignment_rows],
                        clocks.reception(case, assignment_rows))

    # -- reading -----------------------------------------------------------------------------
    def list_inbox(self, statuses: list[int], page_size: int, page_token: str) -> tuple[list[CaseView], str]:
        pg = domain.page(page_size, page_token, statuses, CASE_STATUSES)
        wanted = set(statuses) or {s.value for s in domain.OPEN}
        q = sa.select(cases).where(cases.c.status.in_(sorted(wanted)))
        q = _after(q, pg.after, cases.c.received_at, cases.c.case_id)
        q = q.order_by(cases.c.received_at, cases.c.case_id).limit(pg.size + 1)
        with self.db.engine.connect() as conn:
            clocks = self._clocks(self.calendar.calendar(conn))
            rows = conn.execute(q).all()
            more = len(rows) > pg.size
            rows = rows[: pg.size]
            by_case: dict[str, list] = {r.case_id: [] for r in rows}
            if rows:
                for a in conn.execute(_assignment_query().where(assignments.c.case_id.in_(list(by_case)))
                                      .order_by(assignments.c.created_at, assignments.c.assignment_id)):
                    by_case[a.case_id].append(a)
        token = domain.page_token(as_utc(rows[-1].received_at), rows[-1].case_id) if more else ""
        return [self._case_view(clocks, r, by_case[r.case_id]) for r in rows], token

    def get_case(self, case_id: str) -> CaseView:
        domain.validate_case_id(case_id)
        with self.db.engine.connect() as conn:
            return self._view(conn, case_id, self.calendar.calendar(conn))

    def _view(self, conn: Connection, case_id: str, cal: WorkingCalendar) -> CaseView:
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
        if row is None:
            raise _case_not_found()
        found = conn.execute(_assignment_query().where(assignments.c.case_id == case_id)
                             .order_by(assignments.c.created_at, assignments.c.assignment_id)).all()
        return self._case_view(self._clocks(cal), row, list(found))

    def list_assignments(self, unit_id: str, statuses: list[int], page_size: int,
                         page_token: str) -> tuple[list[AssignmentView], str]:
        pg = domain.page(page_size, page_token, statuses, ASSIGNMENT_STATUSES)
        # Đ8: a unit's accounts list their own unit's assignments only (runtime/identity/scope.py).
        unit_id = scope.list_unit(unit_id)
        q = _assignment_query()
        if unit_id:
            q = q.where(assignments.c.unit_id == unit_id)
        if statuses:
            q = q.where(assignments.c.status.in_(sorted(set(statuses))))
        q = _after(q, pg.after, assignments.c.created_at, assignments.c.assignment_id)
        q = q.order_by(assignments.c.created_at, assignments.c.assignment_id).limit(pg.size + 1)
        with self.db.engine.connect() as conn:
            clocks = self._clocks(self.calendar.calendar(conn))
            rows = conn.execute(q).all()
        more = len(rows) > pg.size
        rows = rows[: pg.size]
        token = domain.page_token(as_utc(rows[-1].created_at), rows[-1].assignment_id) if more else ""
        return [AssignmentView(r, clocks.assignment(r)) for r in rows], token

    def list_categories(self) -> list[sa.Row]:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(categories).order_by(categories.c.sort_order, categories.c.code)).all()

    def list_units(self) -> list[UnitView]:
        """Đ13.3: the directory; the designated people in full only for those who need them (Đ16.1)."""
        caller = current().principal
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(units).order_by(units.c.unit_id)).all()
        views = [self._unit_view(r, caller) for r in rows]
        shown = sum(1 for v in views if not v.withheld and (v.leader or v.contact))
        if shown:
            # Personal data shown in clear: one record per call (docs/audit.md), ids and counts only.
            audit.decrypted(self.db, object_type="unit", object_id="", why=f"list_units:{shown}")
        return views

    # -- the unit directory (Đ13.3, Đ16.1) ------------------------------------------------------
    def _contacts(self, row) -> dict[str, domain.Person | None]:
        stored = self.directory_box.open(row.contacts_enc) if row is not None and row.contacts_enc else {}
        return {who: domain.Person.from_dict(stored.get(who)) for who in domain.ROLES_OF_UNIT}

    def _unit_view(self, row, caller) -> UnitView:
        contacts = self._contacts(row)
        if domain.sees_contacts(caller.roles, caller.unit_id, row.unit_id):
            return UnitView(row, contacts["leader"], contacts["contact"], False)
        # Positions are posts, not personal data; names, phones and e-mails are withheld.
        shown = {who: domain.Person(position=p.position) if p else None for who, p in contacts.items()}
        return UnitView(row, shown["leader"], shown["contact"], any(contacts.values()))

    def _write_unit(self, conn: Connection, unit_id: str, existing, values: dict,
                    contacts: dict[str, domain.Person | None], action: str, now: datetime) -> None:
        """The unit's row and, when anything changed, a history row: who (the verified caller),
        when, which fields, and what they held before (encrypted)."""
        plain = {who: p.as_dict() for who, p in contacts.items() if p is not None}
        sealed = self.directory_box.seal(plain) if plain else None
        if existing is None:
            conn.execute(units.insert().values(unit_id=unit_id, created_at=now, updated_at=now,
                                               contacts_enc=sealed, **values))
            changed = [k for k in UNIT_FIELDS if values[k] not in ("", None)]
            changed += domain.contact_changes({}, contacts)
            previous: dict | None = None
        else:
            before = self._contacts(existing)
            changed = [k for k in UNIT_FIELDS if values[k] != getattr(existing, k)]
            changed += domain.contact_changes(before, contacts)
            if not changed:
                return
            previous = {k: getattr(existing, k) for k in UNIT_FIELDS if k in changed}
            for who in domain.ROLES_OF_UNIT:
                if any(f.startswith(who + ".") for f in changed) and before[who] is not None:
                    previous[who] = before[who].as_dict()
            conn.execute(units.update().where(units.c.unit_id == unit_id)
                         .values(updated_at=now, contacts_enc=sealed, **values))
        caller = current()
        conn.execute(unit_history.insert().values(
            unit_id=unit_id, action=action, actor=caller.actor_id, request_id=caller.request_id[:120],
            fields=changed, at=now,
            previous_enc=self.directory_box.seal(previous) if previous else None))

    def register_unit(self, draft: domain.UnitDraft) -> UnitView:
        u = domain.validate_unit(draft)
        now = utcnow()
        values = dict(name=u.name, leader_title=u.leader_title, contact_title=u.contact_title,
                      on_system=u.on_system)
        with self.db.transaction() as conn:
            existing = conn.execute(sa.select(units).where(units.c.unit_id == u.unit_id).with_for_update()).first()
            contacts = self._contacts(existing)
            for who, given in (("leader", u.leader), ("contact", u.contact)):
                if given is not None:
                    contacts[who] = given
            self._write_unit(conn, u.unit_id, existing, values, contacts,
                             "registered" if existing is None else "updated", now)
            row = conn.execute(sa.select(units).where(units.c.unit_id == u.unit_id)).one()
        return self._unit_view(row, current().principal)

    def update_unit_contacts(self, unit_id: str, leader: domain.Person | None,
                             contact: domain.Person | None) -> UnitView:
        """Đ16.1: the unit reports a change of its leader or contact person for PAKN; its own
        leader may, or the administrator for any unit (Đ13.3)."""
        unit_id, leader, contact = domain.validate_contacts_update(unit_id, leader, contact)
        # Đ16.1: a unit's leader reports its own unit's people only (runtime/identity/scope.py).
        scope.require_unit(unit_id)
        caller = current().principal
        now = utcnow()
        with self.db.transaction() as conn:
            existing = conn.execute(sa.select(units).where(units.c.unit_id == unit_id).with_for_update()).first()
            if existing is None:
                raise NotFound("Không tìm thấy đơn vị", "unit not found")
            contacts = self._contacts(existing)
            for who, given in (("leader", leader), ("contact", contact)):
                if given is not None:
                    contacts[who] = given
            values = {k: getattr(existing, k) for k in UNIT_FIELDS}
            self._write_unit(conn, unit_id, existing, values, contacts, "contacts_updated", now)
            row = conn.execute(sa.select(units).where(units.c.unit_id == unit_id)).one()
        return self._unit_view(row, caller)

    def unit_history(self, unit_id: str, page_size: int, page_token: str) -> tuple[list[UnitChange], str]:
        """Đ13.3, Đ16.1: a unit's changes, newest first, with what the changed fields held before."""
        v = Validator()
        unit_id = domain.validate_unit_id(v, "unit_id", unit_id)
        v.raise_if_any()
        pg = domain.page(page_size, page_token)
        if pg.after is not None and not pg.after[1].isdigit():
            raise InvalidArgument([Violation("page.page_token", "Mã trang không hợp lệ", "malformed page_token")])
        with self.db.engine.connect() as conn:
            if conn.execute(sa.select(units.c.unit_id).where(units.c.unit_id == unit_id)).first() is None:
                raise NotFound("Không tìm thấy đơn vị", "unit not found")
            q = sa.select(unit_history).where(unit_history.c.unit_id == unit_id)
            if pg.after is not None:
                q = q.where(unit_history.c.id < int(pg.after[1]))
            rows = conn.execute(q.order_by(unit_history.c.id.desc()).limit(pg.size + 1)).all()
        more, rows = len(rows) > pg.size, rows[:pg.size]
        out = []
        for r in rows:
            previous = self.directory_box.open(r.previous_enc) if r.previous_enc else {}
            out.append(UnitChange(r.action, r.actor, as_utc(r.at), list(r.fields or []), previous))
        if any(r.previous_enc for r in rows):
            audit.decrypted(self.db, object_type="unit", object_id=unit_id, why="unit_history")
        token = domain.page_token(as_utc(rows[-1].at), str(rows[-1].id)) if more else ""
        return out, token

    # -- the coordinator's steps (Đ7.3) ----------------------------------------------------------
    def _lock_case(self, conn: Connection, case_id: str) -> sa.Row:
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id).with_for_update()).first()
        if row is None:
            raise _case_not_found()
        return row

    @staticmethod
    def _log(conn: Connection, case_id: str, action: str, actor: str, detail: str, at: datetime) -> None:
        conn.execute(case_history.insert().values(case_id=case_id, action=action, actor=actor[:120],
                                                  detail=detail, at=at))

    def _set_status(self, conn: Connection, case_id: str, status: C, at: datetime, **values) -> None:
        conn.execute(cases.update().where(cases.c.case_id == case_id)
                     .values(status=int(status), status_changed_at=at, **values))

    def verify(self, case_id: str, actor: str = "") -> CaseView:
        """Đ7.3a: the case meets Đ6 (ends a verification, or confirms a received case)."""
        domain.validate_case_id(case_id)
        now = utcnow()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            row = self._lock_case(conn, case_id)
            target = domain.check_case_action(domain.VERIFY, row.status)
            if target != row.status:
                self._set_status(conn, case_id, target, now, verified_at=now)
                self.outbox.emit(conn, "case.verified", case_id, ev.CaseVerified(case_id=case_id))
            else:
                conn.execute(cases.update().where(cases.c.case_id == case_id).values(verified_at=now))
            self._log(conn, case_id, "verified", actor, "", now)
            return self._view(conn, case_id, cal)

    def _transition(self, case_id: str, action, log_kind: str, log_note: str, actor: str, event_type: str,
                    payload, precheck=None, **fields) -> CaseView:
        """One step of the case's lifecycle: check it is allowed, change the status and its fields,
        log who did it, and announce it, in one transaction."""
        now = utcnow()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            if precheck is not None:
                precheck(conn)
            row = self._lock_case(conn, case_id)
            target = domain.check_case_action(action, row.status)
            self._set_status(conn, case_id, target, now, **fields)
            self._log(conn, case_id, log_kind, actor, log_note, now)
            self.outbox.emit(conn, event_type, case_id, payload)
            return self._view(conn, case_id, cal)

    def cancel(self, case_id: str, reason_code: str, note: str, actor: str = "") -> CaseView:
        """Đ7.3a: the case falls under Đ6.5; intake and notification tell the submitter."""
        note = domain.nfc(note)
        domain.validate_cancel(case_id, reason_code, note)
        return self._transition(case_id, domain.CANCEL, "cancelled", reason_code, actor, "case.cancelled",
                                ev.CaseCancelled(case_id=case_id, reason_code=reason_code, note=note),
                                cancel_reason_code=reason_code)

    def send_back(self, case_id: str, note: str, actor: str = "") -> CaseView:
        """Đ7.3c: the information looks inaccurate: back to step 1 for verification."""
        note = domain.nfc(note)
        domain.validate_send_back(case_id, note)
        return self._transition(case_id, domain.SEND_BACK, "sent_back_for_verification", note, actor,
                                "case.verifying", ev.CaseSentBackForVerification(case_id=case_id, note=note))

    def classify(self, case_id: str, category_code: str, actor: str = "") -> CaseView:
        """Đ7.3b: put the case in one category (again, if it was classified already)."""
        category_code = category_code.strip()
        domain.validate_classify(case_id, category_code, None)

        def known_category(conn: Connection) -> None:
            known = {r.code for r in conn.execute(sa.select(categories.c.code))}
            domain.validate_classify(case_id, category_code, known)

        return self._transition(case_id, domain.CLASSIFY, "classified", category_code, actor, "case.classified",
                                ev.CaseClassified(case_id=case_id, category_code=category_code),
                                precheck=known_category, category_code=category_code)

    def mark_awaiting_unit(self, case_id: str, proposed_unit_name: str, actor: str = "") -> CaseView:
        """Đ7.3c: no competent unit is on the system yet; it is invited to join."""
        proposed_unit_name = domain.nfc(proposed_unit_name)
        domain.validate_awaiting_unit(case_id, proposed_unit_name)
        return self._transition(case_id, domain.AWAIT_UNIT, "awaiting_unit", proposed_unit_name, actor,
                                "case.awaiting_unit",
                                ev.CaseAwaitingUnit(case_id=case_id, proposed_unit_name=proposed_unit_name),
                                proposed_unit_name=proposed_unit_name)

    def distribute(self, case_id: str, unit_ids: list[str], note: str,
                   actor: str = "") -> tuple[CaseView, list[AssignmentView]]:
        """Đ7.3c: to one or more units at once; also redistribution to further units."""
        unit_ids = [u.strip() for u in unit_ids]
        note = domain.nfc(note)
        domain.validate_case_id(case_id)
        now = utcnow()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)
            row = self._lock_case(conn, case_id)
            directory = {r.unit_id: r for r in conn.execute(sa.select(units).where(units.c.unit_id.in_(unit_ids)))}
            facts = {uid: domain.UnitFacts(True, bool(r.on_system)) for uid, r in directory.items()}
            busy = {r.unit_id for r in conn.execute(
                sa.select(assignments.c.unit_id, assignments.c.status).where(assignments.c.case_id == case_id))
                if domain.is_active(r.status)}
            domain.validate_distribution(case_id, unit_ids, facts, busy, note)
            target = domain.check_case_action(domain.DISTRIBUTE, row.status)
            created: list[str] = []
            for unit_id in unit_ids:
                assignment_id = str(uuid.uuid4())
                deadline = domain.return_deadline(now, self.profile, cal, unit_id)
                conn.execute(assignments.insert().values(
                    assignment_id=assignment_id, case_id=case_id, unit_id=unit_id, status=int(A.PENDING),
                    created_at=now, return_deadline=deadline, note=note))
                created.append(assignment_id)
                self.outbox.emit(conn, "assignment.created", case_id, ev.AssignmentCreated(
                    case_id=case_id, assignment_id=assignment_id, unit_id=unit_id,
                    unit_name=directory[unit_id].name, category_code=row.category_code or "",
                    content=row.content, media=media_refs(row.media), return_deadline=ts(deadline)))
            self._set_status(conn, case_id, target, now)
            self._log(conn, case_id, "distributed", actor, ",".join(unit_ids), now)
            view = self._view(conn, case_id, cal)
        return view, [a for a in view.assignments if a.row.assignment_id in set(created)]

    # -- the units' answer (Đ8.2) -----------------------------------------------------------------
    def _lock_assignment(self, conn: Connection, assignment_id: str) -> tuple[sa.Row, sa.Row]:
        """The case, then the assignment, both locked (always in this order)."""
        found = conn.execute(sa.select(assignments.c.case_id)
                             .where(assignments.c.assignment_id == assignment_id)).first()
        if found is None:
            raise NotFound("Không tìm thấy phân công", "assignment not found")
        case = self._lock_case(conn, found.case_id)
        row = conn.execute(sa.select(assignments).where(assignments.c.assignment_id == assignment_id)
                           .with_for_update()).one()
        return case, row

    def _assignment(self, conn: Connection, assignment_id: str, cal: WorkingCalendar) -> AssignmentView:
        row = conn.execute(_assignment_query().where(assignments.c.assignment_id == assignment_id)).one()
        return AssignmentView(row, self._clocks(cal).assignment(row))

    def _unit_name(self, conn: Connection, unit_id: str) -> str:
        return conn.execute(sa.select(units.c.name).where(units.c.unit_id == unit_id)).scalar_one_or_none() or ""

    def accept(self, assignment_id: str, handling_working_days: int, actor: str = "") -> AssignmentView:
        """Đ8.2a: the unit accepts and sets its own limit, ≤ 6 working days from now."""
        days = domain.validate_accept(assignment_id, handling_working_days, self.profile)
        now = utcnow()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)
            case, row = self._lock_assignment(conn, assignment_id)
            scope.require_unit(row.unit_id)  # Đ8.2a: the unit's own assignment, whatever its state
            domain.check_assignment_pending(row.status, "accept", "tiếp nhận")
            deadline = domain.handling_deadline(now, days, cal, row.unit_id)
            conn.execute(assignments.update().where(assignments.c.assignment_id == assignment_id).values(
                status=int(A.ACCEPTED), accepted_at=now, handling_working_days=days, deadline=deadline))
            self._log(conn, case.case_id, "assignment_accepted", actor, row.unit_id, now)
            self.outbox.emit(conn, "assignment.accepted", case.case_id, ev.AssignmentAccepted(
                case_id=case.case_id, assignment_id=assignment_id, unit_id=row.unit_id,
                unit_name=self._unit_name(conn, row.unit_id), handling_working_days=days,
                accepted_at=ts(now), deadline=ts(deadline), content=case.content, media=media_refs(case.media)))
            return self._assignment(conn, assignment_id, cal)

    def return_assignment(self, assignment_id: str, reason: str, actor: str = "") -> AssignmentView:
        """Đ8.2b: outside the unit's competence; on time when within 24 h of distribution."""
        reason = domain.nfc(reason)
        domain.validate_return(assignment_id, reason)
        now = utcnow()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            case, row = self._lock_assignment(conn, assignment_id)
            scope.require_unit(row.unit_id)  # Đ8.2b: the unit's own assignment, whatever its state
            domain.check_assignment_pending(row.status, "return", "trả lại")
            within = domain.returned_within_limit(now, as_utc(row.return_deadline))
            conn.execute(assignments.update().where(assignments.c.assignment_id == assignment_id).values(
                status=int(A.RETURNED), returned_at=now, return_reason=reason, returned_within_limit=within))
            active_left = sum(1 for r in conn.execute(
                sa.select(assignments.c.status).where(assignments.c.case_id == case.case_id))
                if domain.is_active(r.status))
            after = domain.status_after_return(case.status, active_left)
            if after != case.status:
                self._set_status(conn, case.case_id, after, now)
            self._log(conn, case.case_id, "assignment_returned", actor, row.unit_id, now)
            self.outbox.emit(conn, "assignment.returned", case.case_id, ev.AssignmentReturned(
                case_id=case.case_id, assignment_id=assignment_id, unit_id=row.unit_id, reason=reason,
                within_limit=within))
            return self._assignment(conn, assignment_id, cal)


def recompute_open_deadlines(conn: Connection, cal: WorkingCalendar, profile: RegulationProfile) -> int:
    """After a calendar change: the reception deadline of every case not distributed yet (Đ7), the
    return deadline of every pending assignment (Đ8.2b) and the handling deadline of every accepted
    assignment still in handling (Đ8.2a), from their start instants; returns how many moved."""
    moved = 0
    for c in conn.execute(sa.select(cases.c.case_id, cases.c.received_at, cases.c.reception_deadline)
                          .where(cases.c.status.in_(sorted(int(s) for s in domain.RECEPTION_OPEN)))).all():
        due = domain.reception_deadline(as_utc(c.received_at), profile, cal)
        if due != as_utc(c.reception_deadline):
            conn.execute(cases.update().where(cases.c.case_id == c.case_id).values(reception_deadline=due))
            moved += 1
    for a in conn.execute(sa.select(assignments).where(assignments.c.status == int(A.PENDING))).all():
        due = domain.return_deadline(as_utc(a.created_at), profile, cal, a.unit_id)
        if due != as_utc(a.return_deadline):
            conn.execute(assignments.update().where(assignments.c.assignment_id == a.assignment_id)
                         .values(return_deadline=due))
            moved += 1
    handling = (sa.select(assignments).join(cases, cases.c.case_id == assignments.c.case_id)
                .where(assignments.c.status == int(A.ACCEPTED), assignments.c.accepted_at.is_not(None),
                       assignments.c.handling_working_days.is_not(None),
                       cases.c.status.in_(sorted(int(s) for s in domain.HANDLING_OPEN))))
    for a in conn.execute(handling).all():
        due = domain.handling_deadline(as_utc(a.accepted_at), a.handling_working_days, cal, a.unit_id)
        if a.deadline is None or due != as_utc(a.deadline):
            conn.execute(assignments.update().where(assignments.c.assignment_id == a.assignment_id)
                         .values(deadline=due))
            moved += 1
    return moved


class CalendarApp:
    """The calendar's administration (CalendarService): announced days and force-majeure pauses are
    stored, announced to the services that run clocks, and routing's open deadlines follow."""

    def __init__(self, ctx: ServiceContext, calendar: CalendarStore, profile: RegulationProfile):
        self.db, self.outbox = ctx.db, ctx.outbox
        self.calendar = calendar
        self.profile = profile

    def record_day(self, day: str, working: bool, name_vi: str, name_en: str, document: str) -> DayRule:
        """An announced day off or make-up working day, or a correction (the newest per date wins)."""
        rule = domain.validate_day_rule(day, working, name_vi, name_en, document)
        now = utcnow()
        with self.db.transaction() as conn:
            self.calendar.record_day(conn, rule, now)
            self.outbox.emit(conn, "calendar.day_recorded", "", day_recorded(rule))
            recompute_open_deadlines(conn, self.calendar.calendar(conn), self.profile)
        return rule

    def declare_pause(self, start: datetime | None, end: datetime | None, unit_id: str, reason: str) -> Pause:
        """Force majeure (Đ8.2a) for the province, or for one registered unit when unit_id is given."""
        unit_id, reason = (unit_id or "").strip(), domain.nfc(reason)
        now = utcnow()
        with self.db.transaction() as conn:
            exists = bool(unit_id) and conn.execute(
                sa.select(units.c.unit_id).where(units.c.unit_id == unit_id)).first() is not None
            domain.validate_pause(start, end, unit_id, exists, reason)
            pause = Pause(str(uuid.uuid4()), as_utc(start), as_utc(end), unit_id, reason)
            self.calendar.record_pause(conn, pause, now)
            self.outbox.emit(conn, "calendar.pause_declared", "", pause_declared(pause))
            recompute_open_deadlines(conn, self.calendar.calendar(conn), self.profile)
        return pause

    def end_pause(self, pause_id: str, end: datetime | None, reason: str) -> Pause:
        """A declared pause ends sooner (or is withdrawn: `end` at its start). The pause is
        announced again with the same id and its new end; open deadlines follow."""
        pause_id, reason = (pause_id or "").strip(), domain.nfc(reason)
        domain.validate_end_pause_request(pause_id, end, reason)
        end = as_utc(end)
        now = utcnow()
        with self.db.transaction() as conn:
            current = self.calendar.pause_for_update(conn, pause_id)
            if current is None:
                raise NotFound("Không có đợt bất khả kháng này", f"no pause {pause_id}")
            domain.validate_end_pause(current, end)
            pause = replace(current, end=end, end_reason=reason)
            self.calendar.record_pause(conn, pause, now)
            self.outbox.emit(conn, "calendar.pause_declared", "", pause_declared(pause))
            recompute_open_deadlines(conn, self.calendar.calendar(conn), self.profile)
        return pause

    def list_day_rules(self, year: int) -> list[DayRule]:
        domain.validate_year(year)
        return domain.day_rules(self.calendar.calendar(), year)

    def list_pauses(self) -> list[Pause]:
        return domain.pauses_of(self.calendar.pauses())

    def get_day(self, day: str, unit_id: str) -> DayInfo:
        return self.calendar.calendar().day(domain.validate_day(day), unit_id.strip() or None)

    def compute_deadline(self, start: datetime | None, kind: str | None, amount: int, unit_id: str) -> datetime:
        domain.validate_deadline_request(start, kind, amount)
        cal, unit = self.calendar.calendar(), unit_id.strip() or None
        try:
            if kind == "working_days":
                return cal.add_working_days(start, amount, unit)
            return cal.add_hours(start, amount, unit)
        except ValueError:
            raise FailedPrecondition("Không có hạn xử lý trong vòng mười năm: hãy kiểm tra các đợt bất khả kháng",
                                     "no deadline within ten years: check the calendar's pauses") from None


class RoutingHandlers:
    """Fills the inbox from intake and follows the publication outcome of each case."""

    def __init__(self, calendar: CalendarStore, profile: RegulationProfile):
        self.calendar = calendar
        self.profile = profile

    def on_case_received(self, conn: Connection, payload: ev.CaseReceived, envelope) -> None:
        """Đ7: a new case for the coordinator, due within 24 h. The sealed contact and contact
        verifiers are deliberately not kept: personal data is not routing's."""
        cal = self.calendar.calendar(conn)
        if conn.execute(sa.select(cases.c.case_id).where(cases.c.case_id == payload.case_id)).first():
            return
        received_at = from_ts(payload.received_at) if payload.HasField("received_at") else from_ts(envelope.occurred_at)
        loc = payload.location
        conn.execute(cases.insert().values(
            case_id=payload.case_id, tracking_code=payload.tracking_code, channel=payload.channel,
            content=payload.content,
            occurred_at=from_ts(payload.occurred_at) if payload.HasField("occurred_at") else None,
            location_address=loc.address, ward_code=loc.ward_code, ward_name=loc.ward_name,
            mapped_from=loc.mapped_from, latitude=loc.latitude or None, longitude=loc.longitude or None,
            media=_media_json(payload.media), screening_flags=list(payload.screening_flags),
            findings=[{"flag": f.flag, "reason_vi": f.reason_vi, "reason_en": f.reason_en} for f in payload.findings],
            text_repaired_from=payload.text_repaired_from,
            keep_identity_secret=payload.keep_identity_secret, status=int(C.RECEIVED),
            received_at=received_at, reception_deadline=domain.reception_deadline(received_at, self.profile, cal),
            status_changed_at=received_at,
        ))

    @staticmethod
    def _outcome(conn: Connection, case_id: str, status: C, envelope) -> None:
        row = conn.execute(sa.select(cases.c.status, cases.c.status_changed_at)
                           .where(cases.c.case_id == case_id).with_for_update()).first()
        if row is None:
            return  # not a case of this inbox (or not received yet): nothing to follow
        at = from_ts(envelope.occurred_at)
        changed = as_utc(row.status_changed_at) if row.status_changed_at else None
        if domain.apply_outcome(row.status, changed, status, at):
            conn.execute(cases.update().where(cases.c.case_id == case_id)
                         .values(status=int(status), status_changed_at=at))

    def on_case_under_review(self, conn, payload, envelope):
        self._outcome(conn, payload.case_id, C.UNDER_REVIEW, envelope)

    def on_case_published(self, conn, payload, envelope):
        self._outcome(conn, payload.case_id, C.PUBLISHED, envelope)

    def on_result_delivered(self, conn, payload, envelope):
        self._outcome(conn, payload.case_id, C.DELIVERED_PRIVATELY, envelope)

    def on_case_restricted(self, conn, payload, envelope):
        self._outcome(conn, payload.case_id, C.RESTRICTED, envelope)

    def on_rework_requested(self, conn, payload, envelope):
        """Đ10.4: a unit re-handles; the case is in handling again."""
        self._outcome(conn, payload.case_id, C.IN_HANDLING, envelope)
