"""Events: the envelope, the transactional outbox, the relay, and idempotent consumers.

A state change and the event that announces it are written in one transaction (the outbox). The
relay publishes outbox rows in order, in process (monolithic mode) or to RabbitMQ with publisher
confirms (microservices mode), and marks them published only once the bus has taken them. A
consumer records each event id it has handled (the inbox) in the same transaction as its own state
change, so redelivery is harmless. A consumer that keeps failing parks the event in the service's
`failed_events` table instead of dropping it.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Protocol

import sqlalchemy as sa
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from opentelemetry import trace
from sqlalchemy.engine import Connection

from pakn.events.v1 import events_pb2
from runtime.db import Database
from runtime.loops import PollingLoop
from runtime.telemetry import Telemetry

log = logging.getLogger(__name__)


def messaging_tables(metadata: sa.MetaData) -> None:
    """Add the outbox, inbox and failed_events tables to a service's metadata."""
    sa.Table(
        "outbox", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False, server_default=""),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    sa.Table(
        "inbox", metadata,
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("handler", sa.String(96), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "failed_events", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("handler", sa.String(96), nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        # The exception's class only: its text may hold personal data.
        sa.Column("error_type", sa.String(128), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def ts(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(as_utc(value))
    return out


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored instant is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def from_ts(value: timestamp_pb2.Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=timezone.utc)


def make_envelope(source: str, event_type: str, case_id: str, payload: Message,
                  occurred_at: datetime | None = None) -> events_pb2.EventEnvelope:
    env = events_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()), event_type=event_type, source=source, case_id=case_id,
    )
    env.occurred_at.FromDatetime(occurred_at or utcnow())
    Telemetry.inject(env.headers)
    holder = any_pb2.Any()
    holder.Pack(payload)
    env.payload.CopyFrom(holder)
    return env


def unpack(envelope: events_pb2.EventEnvelope) -> Message:
    name = envelope.payload.TypeName().rsplit(".", 1)[-1]
    cls = getattr(events_pb2, name, None)
    if cls is None:
        raise ValueError(f"unknown event payload {envelope.payload.TypeName()}")
    msg = cls()
    envelope.payload.Unpack(msg)
    return msg


class Outbox:
    """Writes a service's events in the caller's transaction."""

    def __init__(self, service: str, metadata: sa.MetaData):
        self.service = service
        self.table = metadata.tables["outbox"]
        self.listeners: list[Callable[[], None]] = []

    def emit(self, conn: Connection, event_type: str, case_id: str, payload: Message) -> events_pb2.EventEnvelope:
        env = make_envelope(self.service, event_type, case_id, payload)
        conn.execute(self.table.insert().values(
            event_id=env.event_id, event_type=event_type, case_id=case_id,
            envelope=env.SerializeToString(), created_at=utcnow(),
        ))
        # Wake the relay once the transaction commits.
        sa.event.listen(conn, "commit", lambda _c: self._wake(), once=True)
        return env

    def _wake(self) -> None:
        for listener in self.listeners:
            listener()


class Publisher(Protocol):
    def publish(self, envelope: events_pb2.EventEnvelope) -> None: ...


class OutboxRelay(PollingLoop):
    """Publishes a service's outbox in order; safe with several replicas (rows are leased)."""

    LEASE = timedelta(seconds=30)

    def __init__(self, db: Database, outbox: Outbox, publisher: Publisher, telemetry: Telemetry,
                 interval: float = 0.5, batch: int = 100):
        self.db, self.outbox, self.publisher, self.telemetry = db, outbox, publisher, telemetry
        self.interval, self.batch = interval, batch
        self.name = f"outbox-relay-{db.service}"
        self.table = outbox.table
        super().__init__()
        outbox.listeners.append(self.wake)

    def backlog(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
            ).scalar_one()

    def run_once(self) -> int:
        """Publish one batch; returns how many events were published."""
        t = self.table
        now = utcnow()
        with self.db.transaction() as conn:
            query = (
                sa.select(t.c.id, t.c.event_type, t.c.envelope)
                .where(t.c.published_at.is_(None))
                .where(sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now))
                .order_by(t.c.id).limit(self.batch)
            )
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if rows:
                conn.execute(t.update().where(t.c.id.in_([r.id for r in rows])).values(
                    lease_until=now + self.LEASE, attempts=t.c.attempts + 1))
        done: list[int] = []
        try:
            for row in rows:
                envelope = events_pb2.EventEnvelope.FromString(row.envelope)
                self.publisher.publish(envelope)
                done.append(row.id)
                self.telemetry.events_published.labels(self.db.service, row.event_type).inc()
        finally:
            with self.db.transaction() as conn:
                if done:
                    conn.execute(t.update().where(t.c.id.in_(done)).values(published_at=utcnow(), lease_until=None))
                rest = [r.id for r in rows if r.id not in set(done)]
                if rest:
                    conn.execute(t.update().where(t.c.id.in_(rest)).values(lease_until=None))
            self.telemetry.outbox_backlog.labels(self.db.service).set(self.backlog())
        return len(done)


@dataclass(frozen=True)
class Subscription:
    """A service's interest in one event type of one source; `method` names its handler."""

    source: str
    event_type: str
    method: str

    @property
    def handler_name(self) -> str:
        return f"{self.method}"


Handler = Callable[[Connection, Message, events_pb2.EventEnvelope], None]


@dataclass
class EventConsumer:
    """Runs one service's handlers for delivered events, idempotently, with bounded retries."""

    service: str
    db: Database
    subscriptions: list[Subscription]
    handlers: object
    telemetry: Telemetry
    attempts: int = 5
    retry_base_seconds: float = 0.05
    tables: dict = field(init=False)

    def __post_init__(self) -> None:
        self.tables = self.db.metadata.tables
        for sub in self.subscriptions:
            if not callable(getattr(self.handlers, sub.method, None)):
                raise TypeError(f"{self.service}: no handler {sub.method} for {sub.source}/{sub.event_type}")

    def matching(self, envelope: events_pb2.EventEnvelope) -> Iterable[Subscription]:
        return [s for s in self.subscriptions if s.source == envelope.source and s.event_type == envelope.event_type]

    def handle(self, sub: Subscription, envelope: events_pb2.EventEnvelope) -> bool:
        """Handle one delivery; True when handled (now or before), False when parked."""
        inbox, handler = self.tables["inbox"], getattr(self.handlers, sub.method)
        payload = unpack(envelope)
        lag = (utcnow() - from_ts(envelope.occurred_at)).total_seconds()
        self.telemetry.consumer_lag.labels(self.service, envelope.event_type).observe(max(lag, 0.0))
        with self.telemetry.span(
            f"consume {envelope.event_type}", kind=trace.SpanKind.CONSUMER, parent_carrier=dict(envelope.headers),
            attributes={"pakn.service": self.service, "pakn.event_id": envelope.event_id,
                        "pakn.case_id": envelope.case_id, "messaging.operation": "process"},
        ) as span:
            error: Exception | None = None
            for attempt in range(self.attempts):
                try:
                    with self.db.transaction() as conn:
                        seen = conn.execute(sa.select(inbox.c.event_id).where(
                            inbox.c.event_id == envelope.event_id, inbox.c.handler == sub.handler_name)).first()
                        if seen:
                            self.telemetry.events_consumed.labels(self.service, envelope.event_type, "duplicate").inc()
                            return True
                        conn.execute(inbox.insert().values(
                            event_id=envelope.event_id, handler=sub.handler_name, processed_at=utcnow()))
                        handler(conn, payload, envelope)
                    self.telemetry.events_consumed.labels(self.service, envelope.event_type, "ok").inc()
                    return True
                except sa.exc.IntegrityError as exc:
                    # A concurrent delivery of the same event won the inbox row.
                    error = exc
                    with self.db.engine.connect() as conn:
                        if conn.execute(sa.select(inbox.c.event_id).where(
                                inbox.c.event_id == envelope.event_id, inbox.c.handler == sub.handler_name)).first():
                            return True
                except Exception as exc:  # noqa: BLE001 - retried, then parked
                    error = exc
                time.sleep(self.retry_base_seconds * (2 ** attempt))
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
            log.error("%s.%s failed on event %s (%s) after %d attempts; parked",
                      self.service, sub.method, envelope.event_id, type(error).__name__, self.attempts)
            with self.db.transaction() as conn:
                conn.execute(self.tables["failed_events"].insert().values(
                    event_id=envelope.event_id, handler=sub.handler_name, envelope=envelope.SerializeToString(),
                    error_type=type(error).__name__, failed_at=utcnow()))
            self.telemetry.events_consumed.labels(self.service, envelope.event_type, "parked").inc()
            return False

    def parked(self) -> int:
        """How many events wait in failed_events for a replay."""
        failed = self.tables["failed_events"]
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(failed)
                                .where(failed.c.resolved_at.is_(None))).scalar_one()

    def replay_failed(self) -> int:
        """Handle parked events again (after a fix); returns how many now succeeded."""
        failed = self.tables["failed_events"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(failed).where(failed.c.resolved_at.is_(None)).order_by(failed.c.id)).all()
        ok = 0
        for row in rows:
            envelope = events_pb2.EventEnvelope.FromString(row.envelope)
            sub = next((s for s in self.subscriptions if s.handler_name == row.handler), None)
            if sub is None:
                continue
            with self.db.transaction() as conn:
                conn.execute(failed.update().where(failed.c.id == row.id).values(resolved_at=utcnow()))
            if self.handle(sub, envelope):
                ok += 1
        return ok


class InProcessBus:
    """Monolithic mode: the relay hands each event to every subscribed consumer in this process."""

    def __init__(self) -> None:
        self.consumers: list[EventConsumer] = []

    def attach(self, consumer: EventConsumer) -> None:
        self.consumers.append(consumer)

    def publish(self, envelope: events_pb2.EventEnvelope) -> None:
        for consumer in self.consumers:
            for sub in consumer.matching(envelope):
                consumer.handle(sub, envelope)
