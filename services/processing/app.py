"""Processing's use cases (Đ8 handling, Đ9 approval) and its event handlers (Đ8.2a, Đ10.4)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from google.protobuf import json_format
from sqlalchemy.engine import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from regulation.calendar import WorkingCalendar
from regulation.profile import RegulationProfile
from runtime import paging
from runtime.calendar_store import CalendarStore
from runtime.clocks import clock_pb
from runtime.errors import InvalidArgument, NotFound, Violation
from runtime.identity import scope
from runtime.media import ImageRules, MediaStore, receive
from runtime.messaging import Outbox, as_utc, from_ts, ts, utcnow
from runtime.scan import Scanner
from runtime.service import ServiceContext
from services.processing import domain
from services.processing.store import evidence, history, work_items

log = logging.getLogger(__name__)

_NOT_FOUND = ("Không tìm thấy hồ sơ xử lý", "work item not found")


@dataclass
class Item:
    """A work item as read: its row, the MediaRefs of its result's evidence and its clocks."""

    row: object
    evidence: list[common_pb2.MediaRef] = field(default_factory=list)
    clocks: list[common_pb2.Clock] = field(default_factory=list)


def media_ref(row) -> common_pb2.MediaRef:
    return common_pb2.MediaRef(media_id=row.media_id, content_type=row.content_type, size_bytes=row.size_bytes,
                               sha256=row.sha256, filename=row.filename)


def media_refs(stored: list[dict]) -> list[common_pb2.MediaRef]:
    return [json_format.ParseDict(m, common_pb2.MediaRef(), ignore_unknown_fields=True) for m in stored or []]


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def deadline_of(row) -> datetime:
    return domain.effective_deadline(as_utc(row.deadline), _opt(row.rework_deadline))


def clocks_of(row, cal: WorkingCalendar, now: datetime, due_soon_hours: float) -> list[common_pb2.Clock]:
    """The work item's clocks at `now`, with the unit's pauses.

    - "handling" (Đ8.2a), or "rework" (Đ10.4) while a rework deadline applies: running while the
      item is accepted, in progress or awaiting approval; stopped at `approved_at` once approved.
    - "approval" (Đ9): running while the result awaits the leader; once approved, stopped at
      `approved_at` (a result returned to the handler has no approval clock until submitted again).
    """
    approved = row.status == domain.APPROVED
    stopped = _opt(row.approved_at) if approved else None
    name = domain.REWORK if row.rework_deadline is not None else domain.HANDLING
    found = [clock_pb(name, cal, deadline_of(row), now, due_soon_hours, row.unit_id, stopped)]
    if row.approval_deadline is not None and (row.status == domain.AWAITING_APPROVAL or approved):
        found.append(clock_pb(domain.APPROVAL, cal, _opt(row.approval_deadline), now, due_soon_hours, row.unit_id,
                              stopped))
    return [c for c in found if c is not None]


def _record(conn: Connection, assignment_id: str, action: str, actor: str = "", note: str = "",
            at: datetime | None = None) -> None:
    conn.execute(history.insert().values(assignment_id=assignment_id, action=action, actor=actor[:200],
                                         note=note, at=at or utcnow()))


class ProcessingApp:
    def __init__(self, ctx: ServiceContext, store: MediaStore, calendar: CalendarStore, profile: RegulationProfile,
                 scanner: Scanner | None = None):
        self.db, self.outbox, self.config = ctx.db, ctx.outbox, ctx.config
        self.media_store = store
        self.scanner = scanner
        self.calendar = calendar
        self.profile = profile

    # -- reading -----------------------------------------------------------------------------
    def _load(self, conn: Connection, assignment_id: str, lock: bool = True):
        """The work item, in the caller's scope: a unit's accounts reach only their own unit's
        (Đ8; a leader approves only their unit's results, Đ9), before any rule about its state."""
        query = sa.select(work_items).where(work_items.c.assignment_id == assignment_id)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(*_NOT_FOUND)
        scope.require_unit(row.unit_id)
        return row

    def _item(self, conn: Connection, assignment_id: str, cal: WorkingCalendar) -> Item:
        """The item as read now. `cal` is taken at the start of the transaction (before any row lock)."""
        row = self._load(conn, assignment_id, lock=False)
        return self._view(conn, row, cal, utcnow())

    def _view(self, conn: Connection, row, cal: WorkingCalendar, now: datetime) -> Item:
        return Item(row, self._evidence(conn, row.evidence_media_ids),
                    clocks_of(row, cal, now, self.config.regulation.due_soon_hours))

    @staticmethod
    def _evidence(conn: Connection, media_ids: Iterable[str]) -> list[common_pb2.MediaRef]:
        ids = list(media_ids or [])
        if not ids:
            return []
        rows = {r.media_id: r for r in conn.execute(sa.select(evidence).where(evidence.c.media_id.in_(ids)))}
        return [media_ref(rows[m]) for m in ids if m in rows]

    def public_evidence(self, media_id: str) -> Iterator[bytes]:
        """The public copy of a published evidence image; the same NOT_FOUND for everything else."""
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(evidence.c.public_key, evidence.c.published_at)
                               .where(evidence.c.media_id == media_id)).first()
        if row is None or row.published_at is None or not row.public_key:
            raise NotFound("Không có ảnh minh chứng công khai với mã này",
                           "no public evidence image with this id")
        return self.media_store.open_chunks(row.public_key, self.config.media.chunk_bytes)

    def get(self, assignment_id: str) -> Item:
        with self.db.engine.connect() as conn:
            return self._item(conn, assignment_id, self.calendar.calendar(conn))

    def list(self, unit_id: str, statuses: list[int], page_size: int, page_token: str) -> tuple[list[Item], str]:
        v = []
        # Đ8: a unit's accounts list their own unit's items (asking for none gives them too); the
        # coordinator names the unit (runtime/identity/scope.py).
        unit_id = scope.list_unit(unit_id)
        if not unit_id:
            v.append(Violation("unit_id", "Thiếu đơn vị xử lý", "unit_id is required"))
        bad = [i for i, s in enumerate(statuses) if s not in common_pb2.AssignmentStatus.values() or s == 0]
        v += [Violation(f"statuses[{i}]", "Trạng thái không hợp lệ", "unknown status") for i in bad]
        if v:
            raise InvalidArgument(v)
        page = paging.window(page_size, page_token)
        query = sa.select(work_items).where(work_items.c.unit_id == unit_id)
        if statuses:
            query = query.where(work_items.c.status.in_(statuses))
        query = (query.order_by(work_items.c.accepted_at, work_items.c.assignment_id)
                 .offset(page.offset).limit(page.size + 1))
        with self.db.engine.connect() as conn:
            cal = self.calendar.calendar(conn)
            rows = conn.execute(query).all()
            now = utcnow()
            items = [self._view(conn, r, cal, now) for r in rows[:page.size]]
        return items, page.next_token(len(rows))

    # -- handling (Đ8) -----------------------------------------------------------------------
    def assign_handler(self, assignment_id: str, handler_id: str, actor: str = "") -> Item:
        handler_id = domain.validate_handler(handler_id)
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            row = self._load(conn, assignment_id)
            status = domain.transition("assign_handler", row.status)
            now = utcnow()
            conn.execute(work_items.update().where(work_items.c.assignment_id == assignment_id)
                         .values(status=status, handler_id=handler_id, updated_at=now))
            _record(conn, assignment_id, "handler.assigned", actor, handler_id, now)
            self.outbox.emit(conn, "handler.assigned", row.case_id, ev.HandlerAssigned(
                case_id=row.case_id, assignment_id=assignment_id, unit_id=row.unit_id, handler_id=handler_id))
            return self._item(conn, assignment_id, cal)

    def upload_evidence(self, header: common_pb2.MediaUploadHeader, chunks: Iterable[bytes]) -> common_pb2.MediaRef:
        owner = header.owner_id.strip() or None
        if owner is not None:
            with self.db.engine.connect() as conn:
                self._load(conn, owner, lock=False)
        # Evidence is published with the answer (Đ10): scanned, images re-encoded with a public copy;
        # video and PDF stored as received and quarantined (never published).
        stored = receive(self.media_store, "processing", header.filename, chunks, self.config.media.max_bytes,
                         limits=self.config.media.limits(), public_copy_key="processing/public/{media_id}",
                         images=ImageRules.from_config(self.config.media), scanner=self.scanner)
        with self.db.transaction() as conn:
            conn.execute(evidence.insert().values(
                media_id=stored.media_id, owner_id=owner, content_type=stored.content_type,
                size_bytes=stored.size_bytes, sha256=stored.sha256, filename=stored.filename,
                storage_key=f"processing/{stored.media_id}", public_key=stored.public_key or "",
                quarantined=stored.quarantined, created_at=utcnow()))
        return common_pb2.MediaRef(media_id=stored.media_id, content_type=stored.content_type,
                                   size_bytes=stored.size_bytes, sha256=stored.sha256, filename=stored.filename)

    def submit_result(self, assignment_id: str, answer: str, document_number: str, addressee_kind: str,
                      evidence_media_ids: list[str], actor: str = "") -> Item:
        """Đ8.3: the result (Appendix I) goes to the leader, who has 1 working day (Đ9)."""
        draft = domain.validate_result(answer, document_number, addressee_kind, evidence_media_ids)
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)
            row = self._load(conn, assignment_id)
            status = domain.transition("submit_result", row.status)
            self._claim_evidence(conn, assignment_id, list(draft.evidence_media_ids))
            now = utcnow()
            due = domain.approval_deadline(now, self.profile, cal, row.unit_id)
            conn.execute(work_items.update().where(work_items.c.assignment_id == assignment_id).values(
                status=status, answer=draft.answer, document_number=draft.document_number,
                addressee_kind=draft.addressee_kind, evidence_media_ids=list(draft.evidence_media_ids),
                submitted_at=now, approval_deadline=due, return_reason="", edited_by_leader=False,
                updated_at=now))
            _record(conn, assignment_id, "result.submitted", actor, "", now)
            self.outbox.emit(conn, "result.submitted", row.case_id, ev.ResultSubmitted(
                case_id=row.case_id, assignment_id=assignment_id, unit_id=row.unit_id, approval_deadline=ts(due)))
            return self._item(conn, assignment_id, cal)

    @staticmethod
    def _claim_evidence(conn: Connection, assignment_id: str, media_ids: list[str]) -> None:
        """Evidence must exist, be uploaded for this assignment or for none, and be unused elsewhere."""
        if not media_ids:
            return
        rows = {r.media_id: r for r in conn.execute(sa.select(evidence).where(evidence.c.media_id.in_(media_ids)))}
        problems = [
            Violation(f"result.evidence_media_ids[{i}]", "Tệp minh chứng không tồn tại hoặc đã được dùng",
                      "unknown evidence media id, or already used by another assignment")
            for i, mid in enumerate(media_ids)
            if mid not in rows or rows[mid].assignment_id not in (None, assignment_id)
            or rows[mid].owner_id not in (None, assignment_id)
        ]
        if problems:
            raise InvalidArgument(problems)
        conn.execute(evidence.update().where(evidence.c.media_id.in_(media_ids)).values(assignment_id=assignment_id))

    def request_extension(self, assignment_id: str, reason: str, expected_completion: datetime | None,
                          actor: str = "") -> Item:
        """Đ8.2a: reason and expected date, recorded before the deadline passes.

        The extension is recorded (`extended_to`); it does not move the deadline that lateness
        is measured against.
        """
        reason = domain.validate_extension_request(reason, expected_completion)
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            row = self._load(conn, assignment_id)
            domain.transition("request_extension", row.status)
            now = utcnow()
            current = deadline_of(row)
            domain.check_extension(now, current, as_utc(expected_completion))
            conn.execute(work_items.update().where(work_items.c.assignment_id == assignment_id).values(
                extended_to=as_utc(expected_completion), extension_reason=reason, updated_at=now))
            _record(conn, assignment_id, "extension.requested", actor, reason, now)
            self.outbox.emit(conn, "extension.requested", row.case_id, ev.ExtensionRequested(
                case_id=row.case_id, assignment_id=assignment_id, unit_id=row.unit_id, reason=reason,
                expected_completion=ts(expected_completion)))
            return self._item(conn, assignment_id, cal)

    # -- approval (Đ9) -----------------------------------------------------------------------
    def approve(self, assignment_id: str, actor: str = "") -> Item:
        """Đ9.3b: the leader approves; the unit's handling is complete."""
        return self._approve(assignment_id, "approve", None, actor)

    def edit_and_approve(self, assignment_id: str, answer: str, actor: str = "") -> Item:
        """Đ9.3a: the leader edits the answer and approves without returning it."""
        draft = domain.validate_result(answer, "", "", [])
        return self._approve(assignment_id, "edit_and_approve", draft.answer, actor)

    def _approve(self, assignment_id: str, action: str, leader_answer: str | None, actor: str) -> Item:
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            row = self._load(conn, assignment_id)
            status = domain.transition(action, row.status)
            now = utcnow()
            due = deadline_of(row)
            punctual = domain.on_time(now, due)
            answer = leader_answer if leader_answer is not None else row.answer
            edited = leader_answer is not None
            conn.execute(work_items.update().where(work_items.c.assignment_id == assignment_id).values(
                status=status, answer=answer, approved_at=now, on_time=punctual, edited_by_leader=edited,
                updated_at=now))
            _record(conn, assignment_id, "result.approved", actor, "edited" if edited else "", now)
            self.outbox.emit(conn, "result.approved", row.case_id, ev.ResultApproved(
                case_id=row.case_id, assignment_id=assignment_id, unit_id=row.unit_id, unit_name=row.unit_name,
                answer=answer, evidence=self._evidence(conn, row.evidence_media_ids), approved_at=ts(now),
                deadline=ts(due), on_time=punctual, edited_by_leader=edited))
            return self._item(conn, assignment_id, cal)

    def return_to_handler(self, assignment_id: str, reason: str, actor: str = "") -> Item:
        """Đ9.3a: the result is not adequate; back to the handler with the reason."""
        reason = domain.validate_reason(reason)
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the clocks read it
            row = self._load(conn, assignment_id)
            status = domain.transition("return_to_handler", row.status)
            now = utcnow()
            conn.execute(work_items.update().where(work_items.c.assignment_id == assignment_id).values(
                status=status, return_reason=reason, approval_deadline=None, updated_at=now))
            _record(conn, assignment_id, "result.returned_to_handler", actor, reason, now)
            self.outbox.emit(conn, "result.returned_to_handler", row.case_id, ev.ResultReturnedToHandler(
                case_id=row.case_id, assignment_id=assignment_id, unit_id=row.unit_id, reason=reason))
            return self._item(conn, assignment_id, cal)


class ProcessingHandlers:
    """Work items from routing's acceptances; rework from publication's review (Đ10.4); the unit's
    open deadlines follow routing's calendar changes."""

    def __init__(self, outbox: Outbox, calendar: CalendarStore, profile: RegulationProfile):
        self.outbox = outbox
        self.calendar = calendar
        self.profile = profile

    def on_case_published(self, conn: Connection, payload: ev.CasePublished, envelope) -> None:
        """Đ10: the case's approved results are public now, and so are their evidence images'
        public copies (never the originals)."""
        ids = [m for row in conn.execute(sa.select(work_items.c.evidence_media_ids).where(
            work_items.c.case_id == payload.case_id, work_items.c.status == domain.APPROVED)).scalars()
            for m in (row or [])]
        if ids:
            conn.execute(evidence.update().where(evidence.c.media_id.in_(ids), evidence.c.published_at.is_(None))
                         .values(published_at=from_ts(envelope.occurred_at)))

    def on_assignment_accepted(self, conn: Connection, payload: ev.AssignmentAccepted, envelope) -> None:
        """Đ8.2a: the unit's clock starts at acceptance. Idempotent: a repeat refreshes an untouched item.

        Routing's deadline is kept, unless this service knows of a calendar change announced after
        the acceptance (events of different types may arrive in any order): then it is recomputed."""
        cal = self.calendar.calendar(conn)
        media = [json_format.MessageToDict(m, preserving_proto_field_name=True) for m in payload.media]
        accepted_at = from_ts(payload.accepted_at) if payload.HasField("accepted_at") else from_ts(envelope.occurred_at)
        days = domain.handling_days(payload.handling_working_days, self.profile)
        if payload.HasField("deadline") and not self.calendar.changed_since(conn, accepted_at):
            deadline = from_ts(payload.deadline)
        else:
            deadline = domain.handling_deadline(accepted_at, days, cal, payload.unit_id)
        values = {"case_id": payload.case_id, "unit_id": payload.unit_id, "unit_name": payload.unit_name,
                  "content": payload.content, "media": media, "accepted_at": accepted_at,
                  "handling_working_days": days, "deadline": deadline}
        now = utcnow()
        row = conn.execute(sa.select(work_items.c.status).where(
            work_items.c.assignment_id == payload.assignment_id)).first()
        if row is None:
            conn.execute(work_items.insert().values(
                assignment_id=payload.assignment_id, status=domain.ACCEPTED, evidence_media_ids=[],
                edited_by_leader=False, created_at=now, updated_at=now, **values))
        elif row.status == domain.ACCEPTED:
            conn.execute(work_items.update().where(work_items.c.assignment_id == payload.assignment_id)
                         .values(updated_at=now, **values))
        else:
            return
        _record(conn, payload.assignment_id, "assignment.accepted", "", "", accepted_at)

    def on_rework_requested(self, conn: Connection, payload: ev.ReworkRequested, envelope) -> None:
        """Đ10.4a–c: the approved result goes back to the unit with 2 working days."""
        cal = self.calendar.calendar(conn)
        row = conn.execute(sa.select(work_items).where(
            work_items.c.assignment_id == payload.assignment_id).with_for_update()).first()
        if row is None:
            log.warning("rework.requested for unknown assignment %s ignored", payload.assignment_id)
            return
        refusal = domain.rework_refusal(payload.kind, row.status, row.rating_rework_count, self.profile)
        if refusal is not None:
            log.warning("rework.requested for assignment %s ignored (%s)", payload.assignment_id, refusal)
            return
        requested_at = from_ts(envelope.occurred_at)
        due = domain.rework_deadline(requested_at, self.profile, cal, row.unit_id)
        conn.execute(work_items.update().where(work_items.c.assignment_id == payload.assignment_id).values(
            status=domain.IN_PROGRESS, rework_kind=payload.kind, rework_requested_at=requested_at, rework_deadline=due,
            rework_count=row.rework_count + 1,
            rating_rework_count=row.rating_rework_count + (1 if payload.kind == "not_satisfied" else 0),
            return_reason=domain.nfc(payload.note), approval_deadline=None, approved_at=None, on_time=None,
            updated_at=utcnow()))
        _record(conn, payload.assignment_id, "rework.requested", "", payload.kind, requested_at)

    # -- the calendar (announced by routing) ---------------------------------------------------
    def on_calendar_day_recorded(self, conn: Connection, payload: ev.CalendarDayRecorded, envelope) -> None:
        if self.calendar.apply_day_recorded(conn, payload, from_ts(envelope.occurred_at)):
            self.recompute_open_deadlines(conn)

    def on_calendar_pause_declared(self, conn: Connection, payload: ev.CalendarPauseDeclared, envelope) -> None:
        if self.calendar.apply_pause_declared(conn, payload, from_ts(envelope.occurred_at)):
            self.recompute_open_deadlines(conn)

    def recompute_open_deadlines(self, conn: Connection) -> int:
        """Every running clock of every open work item, from its start instant and amount; each
        deadline that moved is announced (`deadline.changed`). Returns how many moved."""
        cal = self.calendar.calendar(conn)
        moved = 0
        now = utcnow()
        for row in conn.execute(sa.select(work_items).where(work_items.c.status != domain.APPROVED)
                                .order_by(work_items.c.accepted_at, work_items.c.assignment_id)).all():
            clocks = domain.running_clocks(row.status, row.rework_deadline is not None,
                                           row.approval_deadline is not None)
            due: dict[str, tuple[str, datetime]] = {}
            if domain.HANDLING in clocks and row.handling_working_days is not None:
                due[domain.HANDLING] = ("deadline", domain.handling_deadline(
                    as_utc(row.accepted_at), row.handling_working_days, cal, row.unit_id))
            if domain.REWORK in clocks and row.rework_requested_at is not None:
                due[domain.REWORK] = ("rework_deadline", domain.rework_deadline(
                    as_utc(row.rework_requested_at), self.profile, cal, row.unit_id))
            if domain.APPROVAL in clocks and row.submitted_at is not None:
                due[domain.APPROVAL] = ("approval_deadline", domain.approval_deadline(
                    as_utc(row.submitted_at), self.profile, cal, row.unit_id))
            changed = {clock: (column, at) for clock, (column, at) in due.items()
                       if _opt(getattr(row, column)) != at}
            if not changed:
                continue
            conn.execute(work_items.update().where(work_items.c.assignment_id == row.assignment_id).values(
                updated_at=now, **{column: at for column, at in changed.values()}))
            _record(conn, row.assignment_id, "deadline.changed", "", ",".join(sorted(changed)), now)
            for clock, (_, at) in sorted(changed.items()):
                self.outbox.emit(conn, "deadline.changed", row.case_id, ev.DeadlineChanged(
                    case_id=row.case_id, assignment_id=row.assignment_id, unit_id=row.unit_id, clock=clock,
                    deadline=ts(at)))
                moved += 1
        return moved
