"""Events: the envelope, the transactional outbox, the relay, and idempotent consumers.

A state change and the event that announces it are written in one transaction (the outbox). The
relay publishes outbox rows in order, in process (monolithic mode) or to RabbitMQ with publisher
confirms (microservices mode), and marks them published only once the bus has taken them. A
consumer records each event id it has handled (the inbox) in the same transaction as its own state
change, so redelivery is harmless. A consumer that keeps failing parks the event in the service's
`failed_events` table instead of dropping it; the `ParkedEventRetrier` handles parked events again
with a growing back-off, and after a bounded number of retries leaves them for an operator
(`pakn admin replay-failed`).
"""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Protocol

import sqlalchemy as sa
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from opentelemetry import trace
from sqlalchemy.engine import Connection

from pakn.events.v1 import events_pb2
from runtime import audit
from runtime.db import Database
from runtime.faults import Redeliver, is_unavailable
from runtime.identity.context import Caller, acting, bound, on_behalf, origin, system
from runtime.identity.principal import Principal
from runtime.identity.roles import Role
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
        # Automatic retries so far, and when the next is due (NULL: none; only an operator's replay).
        sa.Column("retries", sa.Integer, nullable=False, default=0, server_default="0"),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True, index=True),
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


def actor_of(caller: Caller) -> events_pb2.Actor:
    """The envelope's actor for the bound caller: whom a consumer acts for, else the caller itself."""
    p = origin(caller)
    return events_pb2.Actor(subject=p.subject, roles=sorted(str(r) for r in p.roles), unit_id=p.unit_id or "",
                            issuer=p.issuer, auth_method=p.method, request_id=caller.request_id,
                            channel=p.channel or "", client_id=p.client_id or "")


_ROLE_NAMES = frozenset(r.value for r in Role)


def principal_of(actor: events_pb2.Actor) -> Principal:
    """The principal an envelope's actor names (an envelope without one: "unknown")."""
    roles = frozenset(Role(r) for r in actor.roles if r in _ROLE_NAMES)
    if not actor.auth_method:
        return Principal(subject="unknown", issuer="", roles=frozenset(), method="unknown")
    return Principal(subject=actor.subject, issuer=actor.issuer, roles=roles, unit_id=actor.unit_id or None,
                     client_id=actor.client_id or None, channel=actor.channel or None, method=actor.auth_method)


def consumer_caller(service: str, envelope: events_pb2.EventEnvelope) -> Caller:
    """Who a consumer runs as: `system:<service>` on behalf of the envelope's actor."""
    return on_behalf(service, principal_of(envelope.actor), envelope.actor.request_id, envelope.event_type)


def make_envelope(source: str, event_type: str, case_id: str, payload: Message,
                  occurred_at: datetime | None = None) -> events_pb2.EventEnvelope:
    """An event's envelope; its actor is the caller bound now (runtime/identity/context.py), or the
    emitting service itself when nothing is bound (a loop, a timer) — never a request's field."""
    env = events_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()), event_type=event_type, source=source, case_id=case_id,
        actor=actor_of(bound() or system(source, event_type)),
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
        state = audit.transaction_state(conn)
        if state is not None:  # the case a mutating call's audit record names
            state["case_ids"].append(case_id)
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


# A parked event's automatic retries back off from events.parked_retry_base_seconds up to this.
PARKED_RETRY_CAP = timedelta(hours=6)


def parked_retry_delay(retries: int, base_seconds: float, cap: timedelta = PARKED_RETRY_CAP) -> timedelta:
    """How long a parked event waits for its next automatic retry after `retries` failed ones.

    base, 2·base, 4·base, … never more than `cap`: the first retry is due `base` after parking.
    """
    return min(timedelta(seconds=base_seconds * 2 ** min(max(retries, 0), 32)), cap)


@dataclass
class EventConsumer:
    """Runs one service's handlers for delivered events, idempotently, with bounded retries.

    A delivery is tried `attempts` times; then the event is parked in failed_events with its first
    automatic retry due `parked_retry_base_seconds` later (the `ParkedEventRetrier` runs it). After
    `parked_max_retries` failed retries the row stays parked for an operator's `replay_failed()`.
    """

    service: str
    db: Database
    subscriptions: list[Subscription]
    handlers: object
    telemetry: Telemetry
    attempts: int = 5
    retry_base_seconds: float = 0.05
    parked_retry_base_seconds: float = 60.0
    parked_max_retries: int = 8
    tables: dict = field(init=False)

    def __post_init__(self) -> None:
        self.tables = self.db.metadata.tables
        for sub in self.subscriptions:
            if not callable(getattr(self.handlers, sub.method, None)):
                raise TypeError(f"{self.service}: no handler {sub.method} for {sub.source}/{sub.event_type}")

    def matching(self, envelope: events_pb2.EventEnvelope) -> Iterable[Subscription]:
        return [s for s in self.subscriptions if s.source == envelope.source and s.event_type == envelope.event_type]

    def subscription(self, handler_name: str) -> Subscription | None:
        return next((s for s in self.subscriptions if s.handler_name == handler_name), None)

    @contextmanager
    def _span(self, operation: str, envelope: events_pb2.EventEnvelope) -> Iterator[trace.Span]:
        with self.telemetry.span(
            f"{operation} {envelope.event_type}", kind=trace.SpanKind.CONSUMER, parent_carrier=dict(envelope.headers),
            attributes={"pakn.service": self.service, "pakn.event_id": envelope.event_id,
                        "pakn.case_id": envelope.case_id, "messaging.operation": "process"},
        ) as span:
            yield span

    def handle(self, sub: Subscription, envelope: events_pb2.EventEnvelope) -> bool:
        """Handle one delivery; True when handled (now or before), False when parked.

        Raises `Redeliver` when the event was neither handled nor parked: its database is
        unreachable (the event is not at fault, and parking needs that database), or parking
        itself failed. The caller must then give the event back (RabbitMQ: requeue; in process:
        the relay leaves it unpublished and publishes it again), never drop it.
        """
        try:
            payload = unpack(envelope)
        except ValueError as exc:  # an unknown payload type: poison, parked for an operator
            return self._give_up(sub, envelope, exc)
        lag = (utcnow() - from_ts(envelope.occurred_at)).total_seconds()
        self.telemetry.consumer_lag.labels(self.service, envelope.event_type).observe(max(lag, 0.0))
        with self._span("consume", envelope) as span:
            error = self._attempts(sub, envelope, payload, self.attempts)
            if error is None:
                return True
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
            return self._give_up(sub, envelope, error)

    def _give_up(self, sub: Subscription, envelope: events_pb2.EventEnvelope, error: Exception) -> bool:
        """Park the event after its attempts failed, or raise Redeliver when it cannot be parked."""
        if is_unavailable(error) and not self.db.ping():
            self.telemetry.events_consumed.labels(self.service, envelope.event_type, "redelivered").inc()
            log.warning("%s.%s could not handle event %s: database unavailable (%s); back to the broker",
                        self.service, sub.method, envelope.event_id, type(error).__name__)
            raise Redeliver(self.service, envelope.event_id, type(error).__name__) from None
        try:
            self._park(sub, envelope, error)
        except Exception as park_error:  # noqa: BLE001 - the event goes back, never to the floor
            self.telemetry.events_consumed.labels(self.service, envelope.event_type, "redelivered").inc()
            log.error("%s.%s failed on event %s (%s) and could not park it (%s); back to the broker",
                      self.service, sub.method, envelope.event_id, type(error).__name__,
                      type(park_error).__name__)
            raise Redeliver(self.service, envelope.event_id, type(park_error).__name__) from None
        log.error("%s.%s failed on event %s (%s) after %d attempts; parked",
                  self.service, sub.method, envelope.event_id, type(error).__name__, self.attempts)
        self.telemetry.events_consumed.labels(self.service, envelope.event_type, "parked").inc()
        return False

    def _attempts(self, sub: Subscription, envelope: events_pb2.EventEnvelope, payload: Message, attempts: int,
                  parked_id: int | None = None) -> Exception | None:
        """Try up to `attempts` times; None when handled, else the last exception."""
        error: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.retry_base_seconds * (2 ** (attempt - 1)))
            try:
                self._handle_once(sub, envelope, payload, parked_id)
                return None
            except Exception as exc:  # noqa: BLE001 - retried, then parked
                error = exc
                if is_unavailable(exc) and not self.db.ping():
                    break  # the database is down: more attempts now only delay the redelivery
        return error

    def _handle_once(self, sub: Subscription, envelope: events_pb2.EventEnvelope, payload: Message,
                     parked_id: int | None) -> None:
        """One try in one transaction, which also resolves the parked row `parked_id`; raises on failure."""
        inbox, handler = self.tables["inbox"], getattr(self.handlers, sub.method)
        seen = sa.select(inbox.c.event_id).where(inbox.c.event_id == envelope.event_id,
                                                 inbox.c.handler == sub.handler_name)
        # The handler runs as this service acting for whoever the event says acted; what it emits
        # carries the same actor, and its audit record names them.
        caller = consumer_caller(self.service, envelope)
        trail = self.db.audit
        try:
            with acting(caller), self.db.transaction() as conn:
                duplicate = conn.execute(seen).first() is not None
                if not duplicate:
                    conn.execute(inbox.insert().values(
                        event_id=envelope.event_id, handler=sub.handler_name, processed_at=utcnow()))
                    handler(conn, payload, envelope)
                    if trail is not None:
                        trail.append(conn, audit.entry(caller, envelope.event_type, object_type="event",
                                                       object_id=envelope.event_id, case_id=envelope.case_id,
                                                       detail=sub.handler_name))
                self._resolve(conn, parked_id)
        except sa.exc.IntegrityError:
            # A concurrent delivery of the same event may have won the inbox row.
            with self.db.engine.connect() as conn:
                if conn.execute(seen).first() is None:
                    raise
            duplicate = True
            if parked_id is not None:
                with self.db.transaction() as conn:
                    self._resolve(conn, parked_id)
        self.telemetry.events_consumed.labels(
            self.service, envelope.event_type, "duplicate" if duplicate else "ok").inc()

    def _resolve(self, conn: Connection, parked_id: int | None) -> None:
        if parked_id is not None:
            failed = self.tables["failed_events"]
            conn.execute(failed.update().where(failed.c.id == parked_id)
                         .values(resolved_at=utcnow(), next_retry_at=None))

    def _park(self, sub: Subscription, envelope: events_pb2.EventEnvelope, error: Exception) -> None:
        """One unresolved row per event and handler, its first automatic retry due after the base delay."""
        failed = self.tables["failed_events"]
        now = utcnow()
        due = now + parked_retry_delay(0, self.parked_retry_base_seconds) if self.parked_max_retries > 0 else None
        with self.db.transaction() as conn:
            parked = conn.execute(sa.select(failed.c.id).where(
                failed.c.event_id == envelope.event_id, failed.c.handler == sub.handler_name,
                failed.c.resolved_at.is_(None))).first()
            if parked:  # a redelivery of an event already parked: its schedule stands
                conn.execute(failed.update().where(failed.c.id == parked.id).values(error_type=type(error).__name__))
            else:
                conn.execute(failed.insert().values(
                    event_id=envelope.event_id, handler=sub.handler_name, envelope=envelope.SerializeToString(),
                    error_type=type(error).__name__, failed_at=now, retries=0, next_retry_at=due))
        self.report_parked()

    def park_malformed(self, sub: Subscription, raw: bytes) -> None:
        """Keep a delivery that is not an envelope at all, for an operator only (no automatic retry)."""
        failed = self.tables["failed_events"]
        with self.db.transaction() as conn:
            conn.execute(failed.insert().values(
                event_id=str(uuid.uuid4()), handler=sub.handler_name, envelope=raw, error_type="MalformedMessage",
                failed_at=utcnow(), retries=0, next_retry_at=None))
        log.error("%s.%s received a message that is not an event envelope; parked for an operator",
                  self.service, sub.method)
        self.telemetry.events_consumed.labels(self.service, sub.event_type, "parked").inc()
        self.report_parked()

    def retry_parked(self, row: sa.Row) -> bool:
        """One automatic retry of a parked row (leased by the retrier); True when now handled.

        On failure the row itself is rescheduled (retries + 1, the next retry after a longer
        delay) or, after `parked_max_retries`, left for an operator with next_retry_at NULL.
        """
        failed = self.tables["failed_events"]
        sub = self.subscription(row.handler)
        retries = row.retries + 1
        envelope = events_pb2.EventEnvelope.FromString(row.envelope)
        if sub is None:
            error_type = "NoHandler"
        else:
            with self._span("retry", envelope) as span:
                try:
                    error = self._attempts(sub, envelope, unpack(envelope), 1, parked_id=row.id)
                except ValueError as exc:  # an unknown payload
                    error = exc
                if error is None:
                    log.info("%s.%s handled parked event %s on automatic retry %d",
                             self.service, row.handler, row.event_id, retries)
                    return True
                error_type = type(error).__name__
                span.set_status(trace.Status(trace.StatusCode.ERROR, error_type))
                if is_unavailable(error) and not self.db.ping():
                    # An outage is not the event's failure: the lease runs out and the row is due again.
                    raise Redeliver(self.service, row.event_id, error_type) from None
        if sub is None or retries >= self.parked_max_retries:
            next_retry_at = None
            log.error("%s.%s failed on parked event %s (%s) after %d automatic retries; "
                      "left for an operator (pakn admin replay-failed)",
                      self.service, row.handler, row.event_id, error_type, retries)
        else:
            delay = parked_retry_delay(retries, self.parked_retry_base_seconds)
            next_retry_at = utcnow() + delay
            log.warning("%s.%s failed on parked event %s (%s), automatic retry %d of %d; next in %.0f s",
                        self.service, row.handler, row.event_id, error_type, retries, self.parked_max_retries,
                        delay.total_seconds())
        with self.db.transaction() as conn:
            conn.execute(failed.update().where(failed.c.id == row.id, failed.c.resolved_at.is_(None)).values(
                retries=retries, next_retry_at=next_retry_at, error_type=error_type))
        return False

    def parked(self) -> int:
        """How many events wait in failed_events (for an automatic retry or an operator's replay)."""
        failed = self.tables["failed_events"]
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(failed)
                                .where(failed.c.resolved_at.is_(None))).scalar_one()

    def report_parked(self) -> int:
        """Set the pakn_parked_events gauge; returns the count."""
        count = self.parked()
        self.telemetry.parked_events.labels(self.service).set(count)
        return count

    def replay_failed(self) -> int:
        """An operator's replay of every parked event (after a fix); returns how many now succeeded.

        A success resolves the row (and clears its next retry); a failure leaves it parked, its
        automatic schedule as it was.
        """
        failed = self.tables["failed_events"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(failed).where(failed.c.resolved_at.is_(None)).order_by(failed.c.id)).all()
        ok = 0
        for row in rows:
            sub = self.subscription(row.handler)
            if sub is None or row.error_type == "MalformedMessage":
                continue  # no handler for it here, or not an envelope: an operator reads it
            envelope = events_pb2.EventEnvelope.FromString(row.envelope)
            with self._span("replay", envelope) as span:
                error = self._attempts(sub, envelope, unpack(envelope), self.attempts, parked_id=row.id)
                if error is None:
                    ok += 1
                    continue
                span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
            log.error("%s.%s failed again on parked event %s (%s) when replayed; still parked",
                      self.service, row.handler, row.event_id, type(error).__name__)
            with self.db.transaction() as conn:
                conn.execute(failed.update().where(failed.c.id == row.id, failed.c.resolved_at.is_(None))
                             .values(error_type=type(error).__name__))
        self.report_parked()
        return ok


class ParkedEventRetrier(PollingLoop):
    """Retries a service's parked events when due; safe with several replicas (rows are leased).

    Leasing moves a row's next_retry_at past the lease, so no other retrier takes it meanwhile (on
    PostgreSQL the rows are also locked with SKIP LOCKED while being leased); the consumer then
    resolves or reschedules it. A process that dies mid-retry leaves the row due again once the
    lease ends, and the inbox keeps a second handling harmless.
    """

    LEASE = timedelta(minutes=5)

    def __init__(self, consumer: EventConsumer, interval: float = 5.0, batch: int = 20):
        self.consumer, self.db = consumer, consumer.db
        self.interval, self.batch = interval, batch
        self.name = f"parked-retrier-{consumer.service}"
        self.table = consumer.tables["failed_events"]
        super().__init__()

    def lease_due(self) -> list[sa.Row]:
        """Lease the parked rows whose next retry is due, oldest due first."""
        t = self.table
        now = utcnow()
        with self.db.transaction() as conn:
            query = (
                sa.select(t.c.id, t.c.event_id, t.c.handler, t.c.envelope, t.c.retries)
                .where(t.c.resolved_at.is_(None), t.c.next_retry_at.is_not(None), t.c.next_retry_at <= now)
                .order_by(t.c.next_retry_at, t.c.id).limit(self.batch)
            )
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if rows:
                conn.execute(t.update().where(t.c.id.in_([r.id for r in rows])).values(next_retry_at=now + self.LEASE))
        return rows

    def run_once(self) -> int:
        """Retry one batch of due rows; returns how many were retried."""
        rows = self.lease_due()
        try:
            for row in rows:
                self.consumer.retry_parked(row)
        finally:
            self.consumer.report_parked()
        return len(rows)


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
