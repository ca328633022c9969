"""Intake's use cases: submit, upload media, look up status, disclose; and its event handlers."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from pakn.intake.v1 import intake_pb2
from regulation.calendar import VN
from runtime import audit, paging
from runtime.calendar_store import CalendarStore
from runtime.crypto import Box, normalise_contact, verifier
from runtime.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Violation
from runtime.identity import scope
from runtime.identity.policy import Scope
from runtime.lookup_limits import CALLER, LookupLimiter, ProofFailed
from runtime.media import ImageRules, MediaStore, receive
from runtime.messaging import Outbox, as_utc, from_ts, ts, utcnow
from runtime.scan import Scanner
from runtime.service import ServiceContext
from services.intake import domain, encoding, places, screening
from services.intake.store import case_units, cases, disclosures, media, metadata

S = common_pb2.CaseStatus
MB = 1024 * 1024


@dataclass
class Submitted:
    case_id: str
    tracking_code: str
    received_at: datetime
    findings: list[dict]
    duplicate: bool
    emergency_number: str = ""
    text_repaired_from: str = ""
    location: common_pb2.Location | None = None

    @property
    def flags(self) -> list[str]:
        return [f["flag"] for f in self.findings]


class IntakeApp:
    def __init__(self, ctx: ServiceContext, store: MediaStore, calendar: CalendarStore,
                 scanner: Scanner | None = None):
        self.db, self.outbox, self.telemetry, self.config = ctx.db, ctx.outbox, ctx.telemetry, ctx.config
        self.media_store = store
        self.scanner = scanner
        self.calendar = calendar
        sec = ctx.config.security
        self.contact_box = Box.of(ctx.config, "contact_key")
        self.notification_box = Box.of(ctx.config, "notification_key")
        self.verifier_key = sec.verifier_key
        self.lookups = LookupLimiter(self.db, metadata, ctx.config.lookup_limits, sec.verifier_key)

    # -- submit ------------------------------------------------------------------------------
    def submit(self, req: intake_pb2.SubmitCaseRequest, operator_id: str = "") -> Submitted:
        """A case stored once per retry key, however its attempts overlap.

        A client whose deadline passed sends the same request again while its first attempt may
        still be committing: both miss each other's row, and the later insert meets the retry key's
        unique index. That attempt is then made again from the start and finds the stored case
        (a duplicate, with its tracking code), instead of failing.
        """
        try:
            return self._submit(req, operator_id)
        except sa.exc.IntegrityError:
            if not (req.external_id or req.request_id):
                raise
            return self._submit(req, operator_id)

    def _submit(self, req: intake_pb2.SubmitCaseRequest, operator_id: str = "") -> Submitted:
        # Đ5: a channel's account submits as its own channel only (the hotline's enters the operator's
        # calls), before anything else: a retry key is per channel, so another's must not be read.
        scope.require_channel(req.channel)
        now = utcnow()
        cfg = self.config.intake
        if req.channel == domain.HOTLINE:
            self._check_hotline_open(now)
        sub = req.submitter
        repaired: dict[str, str] = {}

        def text(field: str, value: str) -> str:
            """Đ6.1: NFC, and legacy encodings or their mojibake repaired (recorded per field)."""
            fixed = encoding.repair(value or "")
            if fixed.changed and fixed.source not in ("unicode", "unicode-nfd"):
                repaired[field] = fixed.source
            return domain.nfc(fixed.text)

        loc = req.location
        latitude, longitude = (loc.latitude, loc.longitude) if (loc.latitude or loc.longitude) else (None, None)
        draft = domain.Draft(
            channel=req.channel, content=text("content", req.content),
            full_name=text("submitter.full_name", sub.full_name), phone=domain.nfc(sub.phone),
            email=domain.nfc(sub.email).lower(), address=text("submitter.address", sub.address),
            location_address=text("location.address", loc.address),
            occurred_at=from_ts(req.occurred_at) if req.HasField("occurred_at") else None,
            has_place=bool(loc.ward_code.strip() or loc.address.strip() or latitude is not None),
            operator_id=(req.operator_id or operator_id).strip(),
        )
        place_problems = places.validate_place(loc.ward_code, draft.location_address, latitude, longitude,
                                               province_code=cfg.province_code)
        channel_valid = req.channel in common_pb2.Channel.values() and req.channel != 0
        domain.validate(draft, channel_valid, now, place_problems)
        place = places.resolve(loc.ward_code, draft.location_address, latitude, longitude,
                               province_code=cfg.province_code)
        location = common_pb2.Location(address=draft.location_address, ward_code=place.ward_code,
                                       ward_name=place.ward_name, mapped_from=place.mapped_from,
                                       latitude=latitude or 0.0, longitude=longitude or 0.0)
        key = None
        if req.external_id:
            key = f"{req.channel}:{req.external_id}"
        elif req.request_id:
            key = f"req:{req.request_id}"
        request_hash = hashlib.sha256(req.SerializeToString(deterministic=True)).hexdigest()
        screened = screening.screen(draft.content, has_contact=bool(draft.phone or draft.email))
        findings = [{"flag": f.flag, "reason_vi": f.reason_vi, "reason_en": f.reason_en} for f in screened.findings]
        repaired_from = ",".join(sorted(set(repaired.values())))
        with self.db.transaction() as conn:
            if key is not None:
                existing = conn.execute(sa.select(cases).where(cases.c.idempotency_key == key)).first()
                if existing is not None:
                    if existing.request_hash != request_hash:
                        raise AlreadyExists(
                            "Mã gửi này đã được dùng cho một phản ánh khác",
                            "this idempotency key was already used for a different submission")
                    return Submitted(existing.case_id, existing.tracking_code, as_utc(existing.received_at),
                                     list(existing.findings or []), True, screened.emergency_number,
                                     existing.text_repaired_from, location)
            attached = self._attach_media(conn, list(req.media_ids))
            case_id = str(uuid.uuid4())
            code = self._unique_code(conn, now.year)
            contact = {"full_name": draft.full_name, "phone": draft.phone, "email": draft.email,
                       "address": draft.address}
            conn.execute(cases.insert().values(
                case_id=case_id, tracking_code=code, channel=req.channel, idempotency_key=key,
                request_hash=request_hash, content=draft.content, occurred_at=draft.occurred_at,
                location_address=draft.location_address, ward_code=place.ward_code, ward_name=place.ward_name,
                mapped_from=place.mapped_from, latitude=latitude, longitude=longitude,
                keep_identity_secret=req.keep_identity_secret, contact_enc=self.contact_box.seal(contact),
                screening_flags=[f["flag"] for f in findings], findings=findings,
                text_repaired_from=repaired_from, operator_id=draft.operator_id,
                status=S.CASE_STATUS_RECEIVED, received_at=now, updated_at=now,
            ))
            if attached:
                conn.execute(media.update().where(media.c.media_id.in_([m.media_id for m in attached]))
                             .values(case_id=case_id))
            event = ev.CaseReceived(
                case_id=case_id, tracking_code=code, channel=req.channel, content=draft.content,
                occurred_at=ts(draft.occurred_at), location=location, media=attached,
                keep_identity_secret=req.keep_identity_secret, received_at=ts(now),
                screening_flags=[f["flag"] for f in findings],
                findings=[common_pb2.ScreeningFinding(**f) for f in findings],
                contact_verifiers=[verifier(self.verifier_key, c) for c in (draft.phone, draft.email) if c],
                sealed_contact=self.notification_box.seal(contact),
                text_repaired_from=repaired_from, operator_id=draft.operator_id,
            )
            self.outbox.emit(conn, "case.received", case_id, event)
        self.telemetry.cases_received.labels(common_pb2.Channel.Name(req.channel)).inc()
        return Submitted(case_id, code, now, findings, False, screened.emergency_number, repaired_from, location)

    def _check_hotline_open(self, now: datetime) -> None:
        """Đ5.2: the hotline only in office hours; say when it opens again."""
        cfg = self.config.intake
        opens_at = domain.hotline_next_opening(now, self.calendar.calendar(), cfg.hotline_opens, cfg.hotline_closes)
        if opens_at is None:
            return
        local = opens_at.astimezone(VN)
        raise FailedPrecondition(
            f"Tổng đài 1022 chỉ tiếp nhận trong giờ hành chính; mở lại lúc {local:%H:%M} ngày {local:%d/%m/%Y}",
            f"the 1022 hotline takes calls in office hours only; it opens again at {local.isoformat()}",
            reason="HOTLINE_CLOSED", metadata={"opens_at": local.isoformat()})

    def _unique_code(self, conn: Connection, year: int) -> str:
        while True:
            code = domain.new_tracking_code(year)
            if conn.execute(sa.select(cases.c.case_id).where(cases.c.tracking_code == code)).first() is None:
                return code

    def _attach_media(self, conn: Connection, media_ids: list[str]) -> list[common_pb2.MediaRef]:
        if not media_ids:
            return []
        cfg = self.config.intake
        rows = {r.media_id: r for r in conn.execute(sa.select(media).where(media.c.media_id.in_(media_ids)))}
        problems = [
            Violation(f"media_ids[{i}]", "Tệp đính kèm không tồn tại hoặc đã được dùng",
                      "unknown media id, or already attached to a case")
            for i, mid in enumerate(media_ids) if mid not in rows or rows[mid].case_id is not None
        ]
        if len(set(media_ids)) != len(media_ids):
            problems.append(Violation("media_ids", "Một tệp được đính kèm hai lần", "a file is attached twice"))
        if len(media_ids) > cfg.case_max_files:
            problems.append(Violation("media_ids", f"Tối đa {cfg.case_max_files} tệp cho một phản ánh",
                                      f"at most {cfg.case_max_files} files per case"))
        total = sum(rows[m].size_bytes for m in set(media_ids) if m in rows)
        if total > cfg.case_max_mb * MB:
            problems.append(Violation("media_ids", f"Tổng dung lượng tệp vượt quá {cfg.case_max_mb} MB",
                                      f"the files exceed {cfg.case_max_mb} MB in total"))
        if problems:
            raise InvalidArgument(problems)
        return [media_ref(rows[mid]) for mid in media_ids]

    # -- media -------------------------------------------------------------------------------
    def upload_media(self, header: common_pb2.MediaUploadHeader, chunks: Iterable[bytes]) -> common_pb2.MediaRef:
        # Scanned, images re-encoded (only pixels kept) with a public copy, the only one ever shown
        # publicly; video and PDF stored as received and quarantined (staff only, never published).
        stored = receive(self.media_store, "intake", header.filename, chunks, self.config.media.max_bytes,
                         limits=self.config.media.limits(), public_copy_key="intake/public/{media_id}",
                         images=ImageRules.from_config(self.config.media), scanner=self.scanner)
        with self.db.transaction() as conn:
            conn.execute(media.insert().values(
                media_id=stored.media_id, content_type=stored.content_type, size_bytes=stored.size_bytes,
                sha256=stored.sha256, filename=stored.filename, storage_key=f"intake/{stored.media_id}",
                public_key=stored.public_key or "", quarantined=stored.quarantined, created_at=utcnow()))
        return common_pb2.MediaRef(media_id=stored.media_id, content_type=stored.content_type,
                                   size_bytes=stored.size_bytes, sha256=stored.sha256, filename=stored.filename)

    def download_media(self, media_id: str) -> Iterator[bytes]:
        """An original, to staff whose scope holds its case (Đ13.8, Đ16.6): a coordinator any case's;
        a unit's officer, leader or system only a case assigned to that unit (and not returned). A
        file not yet attached to a case is the coordinating unit's alone. Others are refused by the
        policy, or here with PERMISSION_DENIED (OUT_OF_SCOPE, runtime/identity/scope.py): media ids
        are random UUIDs only staff see. Quarantined originals (video, PDF) follow the same rule."""
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(media).where(media.c.media_id == media_id)).first()
            if row is None:
                raise NotFound("Không tìm thấy tệp", "media not found")
            unit = scope.unit_filter()  # None: the coordinating unit (or unscoped work) sees every case's
            allowed = unit is None or (bool(unit) and row.case_id is not None and conn.execute(
                sa.select(case_units.c.assignment_id).where(
                    case_units.c.case_id == row.case_id, case_units.c.unit_id == unit,
                    case_units.c.returned.is_(False)).limit(1)).first() is not None)
        if not allowed:
            raise scope.OutOfScope(Scope.OWN_UNIT, "Tệp này thuộc phản ánh không được giao cho đơn vị của bạn",
                                   "This file belongs to a case not assigned to your unit")
        return self.media_store.open_chunks(row.storage_key, self.config.media.chunk_bytes)

    # -- citizen look-up ---------------------------------------------------------------------
    def status(self, tracking_code: str, contact: str, source: str | None = CALLER):
        v = []
        if not domain.valid_tracking_code(tracking_code):
            v.append(Violation("tracking_code", "Mã theo dõi không hợp lệ", "the tracking code is malformed"))
        if not (contact or "").strip():
            v.append(Violation("contact", "Cần số điện thoại hoặc thư điện tử đã dùng khi gửi",
                               "the phone number or e-mail given at submission is required"))
        if v:
            raise InvalidArgument(v)
        code = domain.normalise_tracking_code(tracking_code)
        # Failed proofs are counted per code and per source address (runtime/lookup_limits.py).
        with self.lookups.guard(code, source):
            with self.db.engine.connect() as conn:
                row = conn.execute(sa.select(cases).where(cases.c.tracking_code == code)).first()
            # The same answer for an unknown code and a wrong contact: codes cannot be probed.
            if row is None or not self._owns(row, contact):
                raise ProofFailed()
        return row

    def _owns(self, row, contact: str) -> bool:
        stored = self.contact_box.open(row.contact_enc)
        audit.decrypted(self.db, object_type="contact", object_id=row.case_id, case_id=row.case_id,
                        why="ownership_check")
        given = normalise_contact(contact)
        return given in {normalise_contact(stored.get("phone", "")), normalise_contact(stored.get("email", ""))} - {""}

    # -- Đ13.8, Đ16.6 disclosure -------------------------------------------------------------
    def disclose(self, case_id: str, requesting_body: str, reason: str, actor: str = "") -> tuple[dict | None, dict]:
        """Hand the contact to a competent body at once, or, for a case whose submitter asked to
        stay confidential (Đ6.4), record a request a second officer must decide. Returns the
        contact (None while pending) and the record."""
        v = []
        if not requesting_body.strip():
            v.append(Violation("requesting_body", "Thiếu cơ quan đề nghị", "requesting_body is required"))
        if not reason.strip():
            v.append(Violation("reason", "Thiếu lý do", "reason is required"))
        if v:
            raise InvalidArgument(v)
        now = utcnow()
        with self.db.transaction() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
            if row is None:
                raise NotFound("Không tìm thấy phản ánh", "case not found")
            confidential = bool(row.keep_identity_secret)
            record = dict(
                disclosure_id=str(uuid.uuid4()), case_id=case_id, requesting_body=requesting_body.strip(),
                reason=reason.strip(), requested_by=actor, requested_at=now, confidential=confidential,
                status=domain.disclosure_status(confidential), decided_by="", decided_at=None, refusal_reason="",
                disclosed_at=None if confidential else now)
            conn.execute(disclosures.insert().values(**record))
            if confidential:
                return None, record
            # Opened before the commit, recorded with it: who, which case's contact, which disclosure.
            contact = self.contact_box.open(row.contact_enc)
            audit.decrypted(conn, object_type="contact", object_id=case_id, case_id=case_id,
                            why=f"disclosure:{record['disclosure_id']}")
        return contact, record

    def _pending(self, conn: Connection, disclosure_id: str, actor: str):
        if not disclosure_id.strip():
            raise InvalidArgument([Violation("disclosure_id", "Thiếu mã đề nghị cung cấp thông tin",
                                             "disclosure_id is required")])
        query = sa.select(disclosures).where(disclosures.c.disclosure_id == disclosure_id)
        if self.db.is_postgres:
            query = query.with_for_update()  # one decision per request, even under concurrent calls
        row = conn.execute(query).first()
        if row is None:
            raise NotFound("Không tìm thấy đề nghị cung cấp thông tin", "disclosure request not found")
        problem = domain.disclosure_decision_problem(row.status, row.requested_by, actor)
        if problem == domain.SAME_OFFICER:
            raise PermissionDenied(
                "Người đề nghị không thể tự phê duyệt; cần một cán bộ khác (Điều 6.4, 13.8)",
                "the officer who recorded the request cannot decide it; a second officer must (Art. 6.4, 13.8)",
                reason="SAME_OFFICER")
        if problem == domain.ALREADY_DECIDED:
            raise FailedPrecondition("Đề nghị này đã được xử lý", "this request has already been decided",
                                     reason="ALREADY_DECIDED", metadata={"status": row.status})
        return row

    def approve_disclosure(self, disclosure_id: str, actor: str) -> tuple[dict, dict]:
        """The second officer approves a confidential case's request and receives the contact."""
        now = utcnow()
        with self.db.transaction() as conn:
            row = self._pending(conn, disclosure_id, actor)
            done = conn.execute(disclosures.update().where(
                disclosures.c.disclosure_id == row.disclosure_id, disclosures.c.status == domain.PENDING)
                .values(status=domain.DISCLOSED, decided_by=actor, decided_at=now, disclosed_at=now))
            if done.rowcount != 1:
                raise FailedPrecondition("Đề nghị này đã được xử lý", "this request has already been decided",
                                         reason="ALREADY_DECIDED")
            contact_enc = conn.execute(sa.select(cases.c.contact_enc)
                                       .where(cases.c.case_id == row.case_id)).scalar_one()
            record = conn.execute(sa.select(disclosures).where(
                disclosures.c.disclosure_id == row.disclosure_id)).first()._asdict()
            contact = self.contact_box.open(contact_enc)
            audit.decrypted(conn, object_type="contact", object_id=row.case_id, case_id=row.case_id,
                            why=f"disclosure:{row.disclosure_id}")
        return contact, record

    def refuse_disclosure(self, disclosure_id: str, reason: str, actor: str) -> dict:
        if not disclosure_id.strip() or not reason.strip():
            v = [Violation("disclosure_id", "Thiếu mã đề nghị cung cấp thông tin", "disclosure_id is required")
                 ] if not disclosure_id.strip() else []
            if not reason.strip():
                v.append(Violation("reason", "Thiếu lý do từ chối", "reason is required"))
            raise InvalidArgument(v)
        now = utcnow()
        with self.db.transaction() as conn:
            row = self._pending(conn, disclosure_id, actor)
            done = conn.execute(disclosures.update().where(
                disclosures.c.disclosure_id == row.disclosure_id, disclosures.c.status == domain.PENDING)
                .values(status=domain.REFUSED, decided_by=actor, decided_at=now, refusal_reason=reason.strip()))
            if done.rowcount != 1:
                raise FailedPrecondition("Đề nghị này đã được xử lý", "this request has already been decided",
                                         reason="ALREADY_DECIDED")
            return conn.execute(sa.select(disclosures).where(
                disclosures.c.disclosure_id == row.disclosure_id)).first()._asdict()

    def list_disclosures(self, case_id: str, page: common_pb2.PageRequest) -> tuple[list[dict], str]:
        """Every disclosure and request, newest first; never the contact."""
        p = paging.window(page.page_size, page.page_token)
        query = sa.select(disclosures)
        if case_id:
            query = query.where(disclosures.c.case_id == case_id)
        query = query.order_by(disclosures.c.requested_at.desc(), disclosures.c.disclosure_id)
        with self.db.engine.connect() as conn:
            rows = [r._asdict() for r in conn.execute(query.offset(p.offset).limit(p.size + 1))]
        return rows[:p.size], p.next_token(len(rows))


def media_ref(row) -> common_pb2.MediaRef:
    return common_pb2.MediaRef(media_id=row.media_id, content_type=row.content_type, size_bytes=row.size_bytes,
                               sha256=row.sha256, filename=row.filename)


class IntakeHandlers:
    """Keeps the citizen-facing status of each case from the other services' events, and the
    calendar the hotline's office hours follow (Đ5.2)."""

    def __init__(self, outbox: Outbox, calendar: CalendarStore):
        self.outbox = outbox
        self.calendar = calendar

    def on_calendar_day_recorded(self, conn, payload, envelope):
        self.calendar.apply_day_recorded(conn, payload, from_ts(envelope.occurred_at))

    def on_calendar_pause_declared(self, conn, payload, envelope):
        self.calendar.apply_pause_declared(conn, payload, from_ts(envelope.occurred_at))

    @staticmethod
    def _set(conn: Connection, case_id: str, status: int, envelope) -> None:
        """Apply a status in the order things happened: a late, older event changes nothing."""
        at = from_ts(envelope.occurred_at)
        conn.execute(cases.update().where(cases.c.case_id == case_id, cases.c.updated_at <= at)
                     .values(status=status, updated_at=at))

    def on_case_cancelled(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_CANCELLED, envelope)

    def on_case_verifying(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_VERIFYING, envelope)

    def on_case_verified(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_RECEIVED, envelope)

    def on_case_classified(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_CLASSIFIED, envelope)

    def on_case_awaiting_unit(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_AWAITING_UNIT, envelope)

    def on_assignment_created(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_IN_HANDLING, envelope)
        # The unit's staff may now download the case's originals (Đ13.8, Đ16.6).
        known = conn.execute(sa.select(case_units.c.assignment_id).where(
            case_units.c.assignment_id == payload.assignment_id)).first()
        if known is None:
            conn.execute(case_units.insert().values(assignment_id=payload.assignment_id, case_id=payload.case_id,
                                                    unit_id=payload.unit_id, returned=False))

    def on_assignment_returned(self, conn, payload, envelope):
        """A unit that returned a case (not its remit, Đ8.1) no longer sees its originals; in any
        order with the creation (a late creation does not give the access back)."""
        updated = conn.execute(case_units.update().where(case_units.c.assignment_id == payload.assignment_id)
                               .values(returned=True))
        if updated.rowcount == 0:
            conn.execute(case_units.insert().values(assignment_id=payload.assignment_id, case_id=payload.case_id,
                                                    unit_id=payload.unit_id, returned=True))

    def on_case_under_review(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_UNDER_REVIEW, envelope)

    def on_case_published(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_PUBLISHED, envelope)

    def on_result_delivered(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_DELIVERED_PRIVATELY, envelope)

    def on_case_restricted(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_RESTRICTED, envelope)

    def on_rework_requested(self, conn, payload, envelope):
        self._set(conn, payload.case_id, S.CASE_STATUS_IN_HANDLING, envelope)
