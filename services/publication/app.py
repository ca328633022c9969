"""Publication's use cases (review, publish, deliver, restrict, rework, public reads, reply, rate)
and its event handlers (the case's progress from intake, routing and processing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from regulation.calendar import WorkingCalendar
from regulation.profile import RegulationProfile
from runtime import limits, paging
from runtime.calendar_store import CalendarStore
from runtime.clocks import clock_pb
from runtime.crypto import verifiers
from runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Validator, Violation
from runtime.lookup_limits import CALLER, LookupLimiter, ProofFailed
from runtime.messaging import Outbox, as_utc, from_ts, ts, utcnow
from runtime.service import ServiceContext
from services.publication import domain
from services.publication.store import answers, cases, metadata, replies, reworks, timeline

S = common_pb2.CaseStatus
R = common_pb2.Rating

MAX_TEXT = limits.CITIZEN_TEXT


def _case_not_found() -> NotFound:
    return NotFound("Không tìm thấy phản ánh", "case not found")


def _public_not_found() -> NotFound:
    return NotFound("Không tìm thấy kết quả công khai với mã theo dõi này",
                    "no public result with this tracking code")


def media_dicts(refs) -> list[dict]:
    return [{"media_id": m.media_id, "content_type": m.content_type, "size_bytes": m.size_bytes,
             "sha256": m.sha256, "filename": m.filename} for m in refs]


def media_refs(items) -> list[common_pb2.MediaRef]:
    return [common_pb2.MediaRef(**item) for item in (items or [])]


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def page_of(page: common_pb2.PageRequest) -> paging.Window:
    return paging.window(page.page_size, page.page_token)


@dataclass
class CaseView:
    """A case with its answers (and, for staff, its review clock), as read by the API layer."""

    row: object
    answers: list
    review_clock: common_pb2.Clock | None = None

    @property
    def domain_answers(self) -> list[domain.Answer]:
        return [_domain_answer(a) for a in self.answers]

    @property
    def ready(self) -> bool:
        return domain.ready(self.domain_answers)


def _domain_answer(row) -> domain.Answer:
    return domain.Answer(row.assignment_id, row.unit_id, bool(row.returned), bool(row.approved),
                         _opt(row.approved_at), row.reworks_after_rating)


# Đ10.2: when the review clock stopped, by the status that stopped it.
_REVIEW_STOPPED_BY = {S.CASE_STATUS_PUBLISHED: "published_at", S.CASE_STATUS_DELIVERED_PRIVATELY: "delivered_at",
                      S.CASE_STATUS_RESTRICTED: "restricted_at"}


def review_clock(row, cal: WorkingCalendar, now: datetime, due_soon_hours: float) -> common_pb2.Clock | None:
    """The case's "review" clock (Đ10.2, 24 h from the last approval, the province's pauses only):
    running while the case is under review; stopped when it was published, delivered privately or
    restricted (the stored time of that outcome). None without a review deadline (not under review
    yet, or back in handling for a rework) and in any other status."""
    if row.status == S.CASE_STATUS_UNDER_REVIEW:
        stopped = None
    elif row.status in _REVIEW_STOPPED_BY and getattr(row, _REVIEW_STOPPED_BY[row.status]) is not None:
        stopped = getattr(row, _REVIEW_STOPPED_BY[row.status])
    else:
        return None
    return clock_pb("review", cal, row.review_deadline, now, due_soon_hours, None, stopped)


class PublicationApp:
    def __init__(self, ctx: ServiceContext, profile: RegulationProfile, calendar: CalendarStore):
        self.db, self.outbox, self.telemetry, self.config = ctx.db, ctx.outbox, ctx.telemetry, ctx.config
        self.profile = profile
        self.calendar = calendar
        self.verifier_key = ctx.config.security.verifier_key
        # The submitter's look-ups: failed proofs counted per code and per address (Đ6.3, Đ16.6).
        self.lookups = LookupLimiter(self.db, metadata, ctx.config.lookup_limits, self.verifier_key)

    # -- reads for staff ---------------------------------------------------------------------
    def _load(self, conn: Connection, case_id: str, lock: bool = False) -> CaseView:
        query = sa.select(cases).where(cases.c.case_id == case_id)
        if lock and self.db.is_postgres:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise _case_not_found()
        rows = conn.execute(sa.select(answers).where(answers.c.case_id == case_id)
                            .order_by(answers.c.created_at, answers.c.assignment_id)).all()
        return CaseView(row, rows)

    def _review(self, conn: Connection, case_id: str, cal: WorkingCalendar, now: datetime | None = None) -> CaseView:
        """The case for staff, with its review clock. Inside a write transaction, `cal` is taken
        before any row lock (runtime/calendar_store.py)."""
        view = self._load(conn, case_id)
        view.review_clock = review_clock(view.row, cal, now or utcnow(), self.config.regulation.due_soon_hours)
        return view

    def review(self, case_id: str) -> CaseView:
        _require_id(case_id, "case_id")
        with self.db.engine.connect() as conn:
            return self._review(conn, case_id, self.calendar.calendar(conn))

    def review_queue(self, page: common_pb2.PageRequest) -> tuple[list[CaseView], str]:
        p = page_of(page)
        with self.db.engine.connect() as conn:
            cal, now = self.calendar.calendar(conn), utcnow()
            ids = conn.execute(
                sa.select(cases.c.case_id).where(cases.c.status == S.CASE_STATUS_UNDER_REVIEW)
                .order_by(cases.c.review_deadline, cases.c.case_id).offset(p.offset).limit(p.size + 1)
            ).scalars().all()
            views = [self._review(conn, i, cal, now) for i in ids[:p.size]]
        return views, p.next_token(len(ids))

    # -- Đ10.3 outcomes ----------------------------------------------------------------------
    def _under_review(self, view: CaseView, action_vi: str, action_en: str) -> None:
        if view.row.status != S.CASE_STATUS_UNDER_REVIEW or not view.ready:
            raise FailedPrecondition(
                f"Chỉ có thể {action_vi} khi mọi đơn vị đã được phê duyệt kết quả và phản ánh đang chờ công khai",
                f"the case can be {action_en} only when every unit's result is approved and it is under review")

    def publish(self, case_id: str) -> CaseView:
        _require_id(case_id, "case_id")
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the review clock reads it
            view = self._load(conn, case_id, lock=True)
            self._under_review(view, "công khai", "published")
            if view.row.keep_identity_secret:
                # Đ10.3b: the submitter asked for confidentiality.
                raise FailedPrecondition(
                    "Người gửi yêu cầu bảo mật: kết quả chỉ được gửi riêng cho người gửi, không công khai (Điều 10.3b)",
                    "the submitter asked for confidentiality: deliver the result privately instead (Art. 10.3b)")
            now = utcnow()
            expected = [a for a in view.answers if not a.returned]
            for a in expected:
                conn.execute(answers.update().where(answers.c.assignment_id == a.assignment_id)
                             .values(published_answer=a.answer, published_evidence=a.evidence))
            search = domain.fold(" ".join([view.row.content, *[a.answer for a in expected],
                                           *[a.unit_name for a in expected]]))
            deadline = _opt(view.row.review_deadline)
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=S.CASE_STATUS_PUBLISHED, published_at=now, search_text=search, updated_at=now))
            self._entry(conn, case_id, now, "case.published", domain.entry_published())
            self.outbox.emit(conn, "case.published", case_id, ev.CasePublished(
                case_id=case_id, tracking_code=view.row.tracking_code, published_at=ts(now),
                review_deadline=ts(deadline), on_time=domain.on_time(now, deadline)))
            return self._review(conn, case_id, cal)

    def deliver_privately(self, case_id: str) -> CaseView:
        _require_id(case_id, "case_id")
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the review clock reads it
            view = self._load(conn, case_id, lock=True)
            self._under_review(view, "gửi riêng kết quả", "delivered privately")
            now = utcnow()
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=S.CASE_STATUS_DELIVERED_PRIVATELY, delivered_at=now, updated_at=now))
            self._entry(conn, case_id, now, "result.delivered", domain.entry_delivered())
            self.outbox.emit(conn, "result.delivered", case_id, ev.ResultDelivered(
                case_id=case_id, tracking_code=view.row.tracking_code, delivered_at=ts(now)))
            return self._review(conn, case_id, cal)

    def restrict(self, case_id: str, reason: str) -> CaseView:
        v = Validator()
        v.require(case_id, "case_id", "mã phản ánh", "case_id")
        v.require(reason, "reason", "lý do hạn chế công khai", "reason")
        if len(reason or "") > MAX_TEXT:
            v.add("reason", "Lý do quá dài", "reason is too long")
        v.raise_if_any()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the review clock reads it
            view = self._load(conn, case_id, lock=True)
            self._under_review(view, "hạn chế công khai", "restricted")
            now = utcnow()
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=S.CASE_STATUS_RESTRICTED, restricted_at=now, restriction_reason=reason.strip(),
                updated_at=now))
            # Đ10.3c: the reason stays with staff; the event says it to the services that need it.
            self.outbox.emit(conn, "case.restricted", case_id, ev.CaseRestricted(case_id=case_id,
                                                                                 reason=reason.strip()))
            return self._review(conn, case_id, cal)

    def request_rework(self, case_id: str, assignment_id: str, kind: int, note: str) -> CaseView:
        v = Validator()
        v.require(case_id, "case_id", "mã phản ánh", "case_id")
        v.require(assignment_id, "assignment_id", "mã phân công", "assignment_id")
        if kind not in domain.REWORK_KINDS:
            v.add("kind", "Cần chọn loại yêu cầu xử lý lại: sai thể thức (Điều 10.4a) hoặc chưa chính xác "
                          "(Điều 10.4b)", "kind must be FORMAT (Art. 10.4a) or INACCURATE (Art. 10.4b)")
        v.require(note, "note", "nội dung cần điều chỉnh", "note")
        if len(note or "") > MAX_TEXT:
            v.add("note", "Nội dung quá dài", "note is too long")
        v.raise_if_any()
        with self.db.transaction() as conn:
            cal = self.calendar.calendar(conn)  # before any row lock: the review clock reads it
            view = self._load(conn, case_id, lock=True)
            target = next((a for a in view.answers if a.assignment_id == assignment_id), None)
            if target is None:
                raise NotFound("Phản ánh không có phân công này", "this case has no such assignment")
            self._under_review(view, "yêu cầu xử lý lại", "sent back for rework")
            if target.returned:
                raise FailedPrecondition("Đơn vị này đã trả lại phản ánh", "this unit returned the case")
            now = utcnow()
            kind_name = domain.REWORK_KINDS[kind]
            self._rework(conn, view.row, target, kind_name, note.strip(), now)
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=S.CASE_STATUS_IN_HANDLING, review_deadline=None, updated_at=now))
            self._entry(conn, case_id, now, "rework.requested", domain.entry_rework(), target.unit_id)
            return self._review(conn, case_id, cal)

    def _rework(self, conn: Connection, case_row, target, kind: str, note: str, now: datetime,
                after_rating: bool = False) -> None:
        values = {"approved": False}
        if after_rating:
            values["reworks_after_rating"] = target.reworks_after_rating + 1
        conn.execute(answers.update().where(answers.c.assignment_id == target.assignment_id).values(**values))
        conn.execute(reworks.insert().values(
            rework_id=str(uuid.uuid4()), case_id=case_row.case_id, assignment_id=target.assignment_id,
            unit_id=target.unit_id, kind=kind, note=note, requested_at=now))
        self.outbox.emit(conn, "rework.requested", case_row.case_id, ev.ReworkRequested(
            case_id=case_row.case_id, assignment_id=target.assignment_id, unit_id=target.unit_id,
            kind=kind, note=note))

    # -- public reads (Đ3.2, Đ12.2) ----------------------------------------------------------
    def published_answer(self, tracking_code: str) -> CaseView:
        code = _tracking_code(tracking_code)
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.tracking_code == code)).first()
            if row is None or not domain.is_public(row.status, row.published_at):
                raise _public_not_found()
            return self._load(conn, row.case_id)

    def public_timeline(self, tracking_code: str):
        code = _tracking_code(tracking_code)
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.tracking_code == code)).first()
            if row is None or not domain.timeline_visible(row.status):
                raise NotFound("Không tìm thấy phản ánh với mã theo dõi này", "no case with this tracking code")
            entries = conn.execute(sa.select(timeline).where(timeline.c.case_id == row.case_id)
                                   .order_by(timeline.c.occurred_at, timeline.c.id)).all()
        return row, entries

    def search(self, query: str, page: common_pb2.PageRequest) -> tuple[list[CaseView], str]:
        if len(query or "") > limits.QUERY:
            raise InvalidArgument([Violation("query", "Từ khóa quá dài", "query is too long")])
        p = page_of(page)
        public = sa.or_(
            cases.c.status == S.CASE_STATUS_PUBLISHED,
            sa.and_(cases.c.published_at.is_not(None),
                    cases.c.status.in_([S.CASE_STATUS_IN_HANDLING, S.CASE_STATUS_UNDER_REVIEW])),
        )
        q = sa.select(cases.c.case_id).where(public)
        for term in domain.search_terms(query):
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(cases.c.search_text.like(f"%{escaped}%", escape="\\"))
        q = q.order_by(cases.c.published_at.desc(), cases.c.case_id).offset(p.offset).limit(p.size + 1)
        with self.db.engine.connect() as conn:
            ids = conn.execute(q).scalars().all()
            views = [self._load(conn, i) for i in ids[:p.size]]
        return views, p.next_token(len(ids))

    # -- Đ11: the citizen ---------------------------------------------------------------------
    def _citizen_case(self, conn: Connection, tracking_code: str, contact: str):
        code = domain.normalise_tracking_code(tracking_code)
        query = sa.select(cases).where(cases.c.tracking_code == code)
        if self.db.is_postgres:
            query = query.with_for_update()  # one rating per case, even under concurrent calls
        row = conn.execute(query).first()
        # The same answer for an unknown code and a wrong contact: codes cannot be probed.
        if row is None or not any(
                domain.owns(list(row.contact_verifiers or []), v) for v in verifiers(self.verifier_key, contact)):
            raise ProofFailed()  # counted by the guard around the transaction (self.lookups)
        if row.status not in domain.ANSWERED:
            raise FailedPrecondition("Phản ánh chưa có kết quả xử lý được gửi đến người gửi",
                                     "the case has no result delivered to the submitter yet")
        return row

    def submitter_answer(self, tracking_code: str, contact: str, source: str | None = CALLER) -> CaseView:
        """Đ10.3b: the submitter reads their result, a private one included."""
        _citizen_validator(tracking_code, contact).raise_if_any()
        with self.lookups.guard(domain.normalise_tracking_code(tracking_code), source), self.db.transaction() as conn:
            row = self._citizen_case(conn, tracking_code, contact)
            return self._load(conn, row.case_id)

    def reply(self, tracking_code: str, contact: str, message: str, source: str | None = CALLER) -> datetime:
        v = _citizen_validator(tracking_code, contact)
        v.require(message, "message", "nội dung phản hồi", "message")
        if len(message or "") > MAX_TEXT:
            v.add("message", "Nội dung quá dài", "message is too long")
        v.raise_if_any()
        with self.lookups.guard(domain.normalise_tracking_code(tracking_code), source), self.db.transaction() as conn:
            row = self._citizen_case(conn, tracking_code, contact)
            now = utcnow()
            conn.execute(replies.insert().values(reply_id=str(uuid.uuid4()), case_id=row.case_id,
                                                 message=message.strip(), replied_at=now))
            self.outbox.emit(conn, "citizen.replied", row.case_id,
                             ev.CitizenReplied(case_id=row.case_id, message=message.strip()))
        return now

    def rate(self, tracking_code: str, contact: str, rating: int, comment: str,
             source: str | None = CALLER) -> datetime:
        v = _citizen_validator(tracking_code, contact)
        if rating not in (R.RATING_SATISFIED, R.RATING_ACCEPTED, R.RATING_NOT_SATISFIED):
            v.add("rating", "Cần chọn mức đánh giá: hài lòng, chấp nhận hoặc không hài lòng (Điều 11.3)",
                  "rating must be SATISFIED, ACCEPTED or NOT_SATISFIED (Art. 11.3)")
        if len(comment or "") > MAX_TEXT:
            v.add("comment", "Ý kiến quá dài", "comment is too long")
        v.raise_if_any()
        with self.lookups.guard(domain.normalise_tracking_code(tracking_code), source), self.db.transaction() as conn:
            row = self._citizen_case(conn, tracking_code, contact)
            if row.rating:
                raise FailedPrecondition("Phản ánh này đã được đánh giá", "this case has already been rated")
            now = utcnow()
            values = {"rating": rating, "rating_comment": (comment or "").strip() or None, "rated_at": now,
                      "updated_at": now}
            self.outbox.emit(conn, "case.rated", row.case_id, ev.CaseRated(
                case_id=row.case_id, tracking_code=row.tracking_code, rating=rating, rated_at=ts(now)))
            if rating == R.RATING_NOT_SATISFIED:
                # Đ10.4c: each unit re-handles once; after that the result is final.
                view = self._load(conn, row.case_id)
                targets = {a.assignment_id for a in domain.units_to_rework_after_rating(view.domain_answers,
                                                                                       self.profile)}
                for a in view.answers:
                    if a.assignment_id in targets:
                        self._rework(conn, row, a, domain.NOT_SATISFIED, (comment or "").strip(), now,
                                     after_rating=True)
                if targets:
                    values.update(status=S.CASE_STATUS_IN_HANDLING, review_deadline=None)
                    self._entry(conn, row.case_id, now, "rework.requested", domain.entry_rework())
            conn.execute(cases.update().where(cases.c.case_id == row.case_id).values(**values))
        return now

    # -- shared ------------------------------------------------------------------------------
    @staticmethod
    def _entry(conn: Connection, case_id: str, at: datetime, event_type: str, text: tuple[str, str],
               unit_id: str = "") -> None:
        conn.execute(timeline.insert().values(case_id=case_id, occurred_at=at, event_type=event_type,
                                              description_vi=text[0], description_en=text[1], unit_id=unit_id))


def _require_id(value: str, field: str) -> None:
    if not (value or "").strip():
        raise InvalidArgument([Violation(field, f"Thiếu {field}", f"{field} is required")])


def _tracking_code(code: str) -> str:
    if not (code or "").strip():
        raise InvalidArgument([Violation("tracking_code", "Thiếu mã theo dõi", "tracking_code is required")])
    return domain.normalise_tracking_code(code)


def _citizen_validator(tracking_code: str, contact: str) -> Validator:
    v = Validator()
    v.require(tracking_code, "tracking_code", "mã theo dõi", "tracking_code")
    if not (contact or "").strip():
        v.add("contact", "Cần số điện thoại hoặc thư điện tử đã dùng khi gửi",
              "the phone number or e-mail given at submission is required")
    return v


class PublicationHandlers:
    """Follows each case through the other services' events, in any order, idempotently; review
    deadlines follow routing's calendar changes. A handler that may set a review deadline takes the
    calendar first (see runtime/calendar_store.py)."""

    def __init__(self, outbox: Outbox, calendar: CalendarStore, profile: RegulationProfile):
        self.outbox = outbox
        self.calendar = calendar
        self.profile = profile

    # -- upserts -------------------------------------------------------------------------------
    @staticmethod
    def _case(conn: Connection, case_id: str, at: datetime):
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
        if row is None:
            conn.execute(cases.insert().values(case_id=case_id, contact_verifiers=[], status=S.CASE_STATUS_UNSPECIFIED,
                                               keep_identity_secret=False, updated_at=at))
            row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
        return row

    @staticmethod
    def _answer(conn: Connection, case_id: str, assignment_id: str, unit_id: str, unit_name: str, at: datetime):
        row = conn.execute(sa.select(answers).where(answers.c.assignment_id == assignment_id)).first()
        if row is None:
            conn.execute(answers.insert().values(
                assignment_id=assignment_id, case_id=case_id, unit_id=unit_id, unit_name=unit_name, evidence=[],
                returned=False, approved=False, created_at=at))
        else:
            values = {}
            if unit_id and not row.unit_id:
                values["unit_id"] = unit_id
            if unit_name and not row.unit_name:
                values["unit_name"] = unit_name
            if values:
                conn.execute(answers.update().where(answers.c.assignment_id == assignment_id).values(**values))
        return conn.execute(sa.select(answers).where(answers.c.assignment_id == assignment_id)).first()

    @staticmethod
    def _advance(conn: Connection, row, target: int, at: datetime) -> None:
        status = domain.advance(row.status, target)
        if status != row.status:
            conn.execute(cases.update().where(cases.c.case_id == row.case_id).values(status=status, updated_at=at))

    def _recompute(self, conn: Connection, cal: WorkingCalendar, case_id: str, at: datetime) -> None:
        """Đ10.2: under review once every expected assignment is approved; back when one reopens."""
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
        rows = conn.execute(sa.select(answers).where(answers.c.case_id == case_id)).all()
        found = [_domain_answer(a) for a in rows]
        status = domain.next_review_status(row.status, row.tracking_code is not None, found)
        if status == row.status:
            return
        if status == S.CASE_STATUS_UNDER_REVIEW:
            deadline = domain.review_deadline(found, self.profile, cal)
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=status, review_deadline=deadline, updated_at=at))
            self.outbox.emit(conn, "case.under_review", case_id,
                             ev.CaseUnderReview(case_id=case_id, review_deadline=ts(deadline)))
        else:
            conn.execute(cases.update().where(cases.c.case_id == case_id).values(
                status=status, review_deadline=None, updated_at=at))

    # -- handlers ------------------------------------------------------------------------------
    def on_case_received(self, conn, payload: ev.CaseReceived, envelope):
        cal = self.calendar.calendar(conn)
        at = from_ts(payload.received_at) if payload.HasField("received_at") else from_ts(envelope.occurred_at)
        row = self._case(conn, payload.case_id, at)
        # Only the keyed hashes are kept; the sealed contact is notification's, not ours.
        conn.execute(cases.update().where(cases.c.case_id == payload.case_id).values(
            tracking_code=payload.tracking_code, channel=payload.channel, content=payload.content,
            keep_identity_secret=payload.keep_identity_secret, contact_verifiers=list(payload.contact_verifiers),
            received_at=at, updated_at=at))
        self._advance(conn, row, S.CASE_STATUS_RECEIVED, at)
        PublicationApp._entry(conn, payload.case_id, at, "case.received", domain.entry_received())
        self._recompute(conn, cal, payload.case_id, at)

    def on_case_classified(self, conn, payload: ev.CaseClassified, envelope):
        at = from_ts(envelope.occurred_at)
        row = self._case(conn, payload.case_id, at)
        conn.execute(cases.update().where(cases.c.case_id == payload.case_id)
                     .values(category_code=payload.category_code))
        self._advance(conn, row, S.CASE_STATUS_CLASSIFIED, at)
        PublicationApp._entry(conn, payload.case_id, at, "case.classified",
                              domain.entry_classified(payload.category_code))

    def on_case_cancelled(self, conn, payload: ev.CaseCancelled, envelope):
        at = from_ts(envelope.occurred_at)
        row = self._case(conn, payload.case_id, at)
        self._advance(conn, row, S.CASE_STATUS_CANCELLED, at)
        PublicationApp._entry(conn, payload.case_id, at, "case.cancelled", domain.entry_cancelled())

    def on_assignment_created(self, conn, payload: ev.AssignmentCreated, envelope):
        cal = self.calendar.calendar(conn)
        at = from_ts(envelope.occurred_at)
        row = self._case(conn, payload.case_id, at)
        a = self._answer(conn, payload.case_id, payload.assignment_id, payload.unit_id, payload.unit_name, at)
        self._advance(conn, row, S.CASE_STATUS_IN_HANDLING, at)
        PublicationApp._entry(conn, payload.case_id, at, "assignment.created",
                              domain.entry_distributed(domain.unit_label(a.unit_name, a.unit_id)), a.unit_id)
        self._recompute(conn, cal, payload.case_id, at)

    def on_assignment_accepted(self, conn, payload: ev.AssignmentAccepted, envelope):
        at = from_ts(payload.accepted_at) if payload.HasField("accepted_at") else from_ts(envelope.occurred_at)
        row = self._case(conn, payload.case_id, at)
        a = self._answer(conn, payload.case_id, payload.assignment_id, payload.unit_id, payload.unit_name, at)
        conn.execute(answers.update().where(answers.c.assignment_id == payload.assignment_id).values(accepted_at=at))
        self._advance(conn, row, S.CASE_STATUS_IN_HANDLING, at)
        PublicationApp._entry(conn, payload.case_id, at, "assignment.accepted",
                              domain.entry_accepted(domain.unit_label(a.unit_name, a.unit_id)), a.unit_id)

    def on_assignment_returned(self, conn, payload: ev.AssignmentReturned, envelope):
        cal = self.calendar.calendar(conn)
        at = from_ts(envelope.occurred_at)
        self._case(conn, payload.case_id, at)
        a = self._answer(conn, payload.case_id, payload.assignment_id, payload.unit_id, "", at)
        conn.execute(answers.update().where(answers.c.assignment_id == payload.assignment_id)
                     .values(returned=True, approved=False))
        # The reason stays out of the public timeline.
        PublicationApp._entry(conn, payload.case_id, at, "assignment.returned",
                              domain.entry_returned(domain.unit_label(a.unit_name, a.unit_id)), a.unit_id)
        self._recompute(conn, cal, payload.case_id, at)

    def on_result_approved(self, conn, payload: ev.ResultApproved, envelope):
        cal = self.calendar.calendar(conn)
        at = from_ts(payload.approved_at) if payload.HasField("approved_at") else from_ts(envelope.occurred_at)
        self._case(conn, payload.case_id, at)
        a = self._answer(conn, payload.case_id, payload.assignment_id, payload.unit_id, payload.unit_name, at)
        if a.returned:
            return  # a returned assignment's answer is no longer expected
        conn.execute(answers.update().where(answers.c.assignment_id == payload.assignment_id).values(
            answer=payload.answer, evidence=media_dicts(payload.evidence), approved=True, approved_at=at))
        PublicationApp._entry(conn, payload.case_id, at, "result.approved",
                              domain.entry_approved(domain.unit_label(a.unit_name, a.unit_id)), a.unit_id)
        self._recompute(conn, cal, payload.case_id, at)

    # -- the calendar (announced by routing) ---------------------------------------------------
    def on_calendar_day_recorded(self, conn, payload: ev.CalendarDayRecorded, envelope):
        if self.calendar.apply_day_recorded(conn, payload, from_ts(envelope.occurred_at)):
            self.recompute_review_deadlines(conn)

    def on_calendar_pause_declared(self, conn, payload: ev.CalendarPauseDeclared, envelope):
        if self.calendar.apply_pause_declared(conn, payload, from_ts(envelope.occurred_at)):
            self.recompute_review_deadlines(conn)

    def recompute_review_deadlines(self, conn: Connection) -> int:
        """Đ10.2: the review deadline of every case under review, from its last approval; returns how
        many moved. Published, delivered and restricted cases keep theirs."""
        cal = self.calendar.calendar(conn)
        moved = 0
        for row in conn.execute(sa.select(cases.c.case_id, cases.c.review_deadline)
                                .where(cases.c.status == S.CASE_STATUS_UNDER_REVIEW)).all():
            found = [_domain_answer(a) for a in conn.execute(
                sa.select(answers).where(answers.c.case_id == row.case_id))]
            if not domain.ready(found):
                continue
            deadline = domain.review_deadline(found, self.profile, cal)
            if deadline != _opt(row.review_deadline):
                conn.execute(cases.update().where(cases.c.case_id == row.case_id).values(review_deadline=deadline))
                moved += 1
        return moved
