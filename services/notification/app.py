"""Notification's use cases (list and resend deliveries, list templates), its event handlers
(which record deliveries) and the dispatcher (which sends them)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from runtime import audit
from runtime.crypto import Box
from runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Violation
from runtime.loops import PollingLoop
from runtime.messaging import Outbox, utcnow
from runtime.service import ServiceContext
from runtime.telemetry import Telemetry
from services.notification import domain, templates
from services.notification.store import deliveries, recipients

log = logging.getLogger(__name__)

Wake = Callable[[], None]


def _after_commit(conn: Connection, wake: Wake) -> None:
    sa.event.listen(conn, "commit", lambda _c: wake(), once=True)


def _outcome(delivery_id: str, case_id: str, channel: int, template: str, error: str = "") -> ev.NotificationOutcome:
    # No address in events: ids, channel and template only.
    return ev.NotificationOutcome(case_id=case_id, delivery_id=delivery_id,
                                  channel=domain.CHANNEL_NAMES.get(channel, "none"), template=template,
                                  error_code=error)


class NotificationApp:
    def __init__(self, ctx: ServiceContext, wake: Wake, max_attempts: int = domain.MAX_ATTEMPTS):
        self.db, self.outbox, self.telemetry = ctx.db, ctx.outbox, ctx.telemetry
        self.wake = wake
        self.max_attempts = max_attempts

    def list_deliveries(self, case_id: str):
        if not (case_id or "").strip():
            raise InvalidArgument([Violation("case_id", "Thiếu mã phản ánh", "case_id is required")])
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(deliveries).where(deliveries.c.case_id == case_id)
                                .order_by(deliveries.c.created_at, deliveries.c.delivery_id)).all()
            known = rows or conn.execute(sa.select(recipients.c.case_id)
                                         .where(recipients.c.case_id == case_id)).first()
        if not known:
            raise NotFound("Không có thông báo nào cho phản ánh này", "no notifications for this case")
        return rows

    def resend(self, delivery_id: str):
        if not (delivery_id or "").strip():
            raise InvalidArgument([Violation("delivery_id", "Thiếu mã thông báo", "delivery_id is required")])
        with self.db.transaction() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.delivery_id == delivery_id)).first()
            if row is None:
                raise NotFound("Không tìm thấy thông báo", "delivery not found")
            if row.status == domain.PENDING:
                raise FailedPrecondition("Thông báo đang chờ gửi", "the delivery is already waiting to be sent")
            if row.channel == 0:
                raise FailedPrecondition("Người gửi không có địa chỉ liên hệ để gửi thông báo",
                                         "the submitter has no address to notify")
            now = utcnow()
            conn.execute(deliveries.update().where(deliveries.c.delivery_id == delivery_id).values(
                status=domain.PENDING, attempt_limit=row.attempts + self.max_attempts, next_attempt_at=now,
                lease_until=None, last_error=None, updated_at=now))
            _after_commit(conn, self.wake)
            return conn.execute(sa.select(deliveries).where(deliveries.c.delivery_id == delivery_id)).first()

    @staticmethod
    def templates() -> list[templates.Template]:
        return list(templates.TEMPLATES.values())


class NotificationHandlers:
    """Records what to send; the dispatcher sends it after the transaction commits."""

    def __init__(self, outbox: Outbox, telemetry: Telemetry, box: Box, wake: Wake,
                 max_attempts: int = domain.MAX_ATTEMPTS):
        self.outbox, self.telemetry, self.box, self.wake = outbox, telemetry, box, wake
        self.max_attempts = max_attempts

    def _fail_unreachable(self, conn: Connection, delivery_id: str, case_id: str, template: str) -> None:
        self.outbox.emit(conn, "notification.failed", case_id,
                         _outcome(delivery_id, case_id, 0, template, "no_contact"))
        self.telemetry.notifications.labels("none", "failed").inc()

    def _queue(self, conn: Connection, case_id: str, template: str, params: dict) -> None:
        exists = conn.execute(sa.select(deliveries.c.delivery_id).where(
            deliveries.c.case_id == case_id, deliveries.c.template == template)).first()
        if exists:
            return  # de-duplicated: one message per case and template (and channel)
        recipient = conn.execute(sa.select(recipients).where(recipients.c.case_id == case_id)).first()
        # Without a recipient yet (events out of order) the delivery waits for case.received.
        channel = recipient.channel if recipient is not None else 0
        unreachable = recipient is not None and channel == 0
        now = utcnow()
        delivery_id = str(uuid.uuid4())
        conn.execute(deliveries.insert().values(
            delivery_id=delivery_id, case_id=case_id, template=template, channel=channel,
            status=domain.FAILED if unreachable else domain.PENDING, params=params,
            recipient_masked=recipient.recipient_masked if recipient is not None else "",
            attempts=0, attempt_limit=self.max_attempts, last_error="no_contact" if unreachable else None,
            next_attempt_at=now, created_at=now, updated_at=now))
        if unreachable:
            self._fail_unreachable(conn, delivery_id, case_id, template)
        else:
            _after_commit(conn, self.wake)

    def on_case_received(self, conn, payload: ev.CaseReceived, envelope):
        if conn.execute(sa.select(recipients.c.case_id).where(recipients.c.case_id == payload.case_id)).first():
            return
        try:
            channel, address = domain.choose_channel(self.box.open(payload.sealed_contact))
            # Opened to choose the channel and keep a masked copy; recorded in this transaction.
            audit.decrypted(conn, object_type="contact", object_id=payload.case_id, case_id=payload.case_id,
                            why="choose_channel")
        except ValueError:
            channel, address = 0, ""
        masked = domain.mask(address)
        now = utcnow()
        # Stored exactly as received: still sealed.
        conn.execute(recipients.insert().values(
            case_id=payload.case_id, tracking_code=payload.tracking_code, sealed_contact=payload.sealed_contact,
            channel=channel, recipient_masked=masked, received_at=now))
        waiting = conn.execute(sa.select(deliveries).where(deliveries.c.case_id == payload.case_id,
                                                           deliveries.c.channel == 0,
                                                           deliveries.c.status == domain.PENDING)).all()
        for row in waiting:
            if channel == 0:
                conn.execute(deliveries.update().where(deliveries.c.delivery_id == row.delivery_id).values(
                    status=domain.FAILED, last_error="no_contact", updated_at=now))
                self._fail_unreachable(conn, row.delivery_id, payload.case_id, row.template)
            else:
                conn.execute(deliveries.update().where(deliveries.c.delivery_id == row.delivery_id).values(
                    channel=channel, recipient_masked=masked, updated_at=now))
        # A case that came in by e-mail was already answered with its tracking code by the e-mail
        # gateway (gateways/email): one acknowledgement, not two.
        if payload.channel != common_pb2.CHANNEL_EMAIL:
            self._queue(conn, payload.case_id, "received", {"tracking_code": payload.tracking_code})
        if waiting:
            _after_commit(conn, self.wake)

    def on_case_cancelled(self, conn, payload: ev.CaseCancelled, envelope):
        # Đ7.3a: the submitter is told, with the Đ6.5 ground in words (the note stays with staff).
        self._queue(conn, payload.case_id, "cancelled", {"reason_code": payload.reason_code})

    def on_case_published(self, conn, payload: ev.CasePublished, envelope):
        self._queue(conn, payload.case_id, "published", {"tracking_code": payload.tracking_code})

    def on_result_delivered(self, conn, payload: ev.ResultDelivered, envelope):
        self._queue(conn, payload.case_id, "delivered", {"tracking_code": payload.tracking_code})


class Dispatcher(PollingLoop):
    """Sends pending deliveries, retrying with backoff; safe with several replicas (rows are leased).

    Contacts are opened only here, only to send, and never logged or stored in clear.
    """

    LEASE = timedelta(seconds=120)

    def __init__(self, db, outbox: Outbox, telemetry: Telemetry, box: Box, mailer, sms,
                 interval: float = 0.5, batch: int = 20, backoff_seconds: float = domain.BACKOFF_SECONDS):
        self.db, self.outbox, self.telemetry, self.box = db, outbox, telemetry, box
        self.mailer, self.sms = mailer, sms
        self.interval, self.batch, self.backoff_seconds = interval, batch, backoff_seconds
        self.name = f"notification-dispatcher-{db.service}"
        super().__init__()

    def _lease(self) -> list:
        d, r = deliveries, recipients
        now = utcnow()
        with self.db.transaction() as conn:
            query = (
                sa.select(d.c.delivery_id, d.c.case_id, d.c.template, d.c.channel, d.c.params, d.c.attempts,
                          d.c.attempt_limit, r.c.tracking_code, r.c.sealed_contact)
                .join(r, r.c.case_id == d.c.case_id)
                .where(d.c.status == domain.PENDING, d.c.channel != 0)
                .where(sa.or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now))
                .where(sa.or_(d.c.lease_until.is_(None), d.c.lease_until < now))
                .order_by(d.c.created_at).limit(self.batch)
            )
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True, of=d)
            rows = conn.execute(query).all()
            if rows:
                conn.execute(d.update().where(d.c.delivery_id.in_([x.delivery_id for x in rows]))
                             .values(lease_until=now + self.LEASE))
        return rows

    def run_once(self) -> int:
        """Try every due delivery once; returns how many were tried."""
        rows = self._lease()
        for row in rows:
            self._attempt(row)
        return len(rows)

    def _attempt(self, row) -> None:
        error, provider_id, permanent = "", None, False
        try:
            contact = self.box.open(row.sealed_contact)
        except ValueError:
            contact, error, permanent = {}, "sealed_contact_unreadable", True
        if not error:
            channel, address = domain.choose_channel(contact)
            if channel != row.channel:
                # The channel was chosen from this same contact; only a missing address lands here.
                error, permanent = "no_address", True
            else:
                params = {"tracking_code": row.tracking_code, **dict(row.params or {})}
                subject, body, text = templates.render(row.template, params)
                try:
                    if row.channel == domain.EMAIL:
                        provider_id = self.mailer.send(address, subject, body)
                    else:
                        provider_id = self.sms.send(address, text)
                except Exception as exc:  # noqa: BLE001 - any provider failure is retried
                    error = type(exc).__name__
        self._record(row, error, permanent, provider_id)

    def _record(self, row, error: str, permanent: bool, provider_id) -> None:
        d = deliveries
        now = utcnow()
        attempts = row.attempts + 1
        channel_name = domain.CHANNEL_NAMES.get(row.channel, "none")
        with self.db.transaction() as conn:
            if error != "sealed_contact_unreadable":
                # The contact was opened to send: recorded with the attempt's outcome (a process that
                # dies before this leaves the delivery leased; its next attempt opens and records it).
                audit.decrypted(conn, object_type="contact", object_id=row.case_id, case_id=row.case_id,
                                why=f"send:{row.delivery_id}")
            if not error:
                conn.execute(d.update().where(d.c.delivery_id == row.delivery_id).values(
                    status=domain.SENT, attempts=attempts, sent_at=now, lease_until=None, next_attempt_at=None,
                    last_error=None, provider_id=str(provider_id or "")[:200], updated_at=now))
                self.outbox.emit(conn, "notification.sent", row.case_id,
                                 _outcome(row.delivery_id, row.case_id, row.channel, row.template))
                outcome = "sent"
            else:
                limit = attempts if permanent else row.attempt_limit
                status, next_at = domain.after_failure(attempts, limit, now, self.backoff_seconds)
                conn.execute(d.update().where(d.c.delivery_id == row.delivery_id).values(
                    status=status, attempts=attempts, next_attempt_at=next_at, lease_until=None, last_error=error,
                    updated_at=now))
                if status == domain.FAILED:
                    self.outbox.emit(conn, "notification.failed", row.case_id,
                                     _outcome(row.delivery_id, row.case_id, row.channel, row.template, error))
                    outcome = "failed"
                else:
                    outcome = "retry"
                log.warning("delivery %s (%s) attempt %d failed: %s", row.delivery_id, channel_name, attempts, error)
        self.telemetry.notifications.labels(channel_name, outcome).inc()
