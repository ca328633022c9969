"""Events over RabbitMQ through nameko (microservices mode).

Publishing happens in API processes (no eventlet there): nameko's `Publisher` with publisher
confirms, to the `<source>.events` topic exchange that nameko's `@event_handler` listens on.
Consuming happens in worker processes (`pakn serve --target=<service>-worker`) that run a nameko
service built from the service's declared subscriptions; a grpcio server never runs there.

nameko drops an event whose subscriber queue does not exist yet, so the publisher declares every
subscriber's queue (same name and arguments as nameko's own) before it publishes anything.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Iterable

from kombu import Connection as KombuConnection
from kombu import Queue

from pakn.events.v1 import events_pb2
from runtime.faults import Redeliver
from runtime.loops import PollingLoop
from runtime.messaging import EventConsumer, Subscription

log = logging.getLogger(__name__)


def queue_name(consumer_service: str, sub: Subscription) -> str:
    return f"evt-{sub.source}-{sub.event_type}--{consumer_service}.{sub.method}"


def encode(envelope: events_pb2.EventEnvelope) -> dict:
    return {"envelope": base64.b64encode(envelope.SerializeToString()).decode("ascii")}


def decode(payload: dict) -> events_pb2.EventEnvelope:
    return events_pb2.EventEnvelope.FromString(base64.b64decode(payload["envelope"]))


def declare_queues(amqp_uri: str, subscriptions: dict[str, Iterable[Subscription]],
                   arguments: dict | None = None) -> int:
    from nameko.standalone.events import get_event_exchange

    count = 0
    with KombuConnection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        for service, subs in subscriptions.items():
            for sub in subs:
                exchange = get_event_exchange(sub.source, {})
                queue = Queue(queue_name(service, sub), exchange=exchange, routing_key=sub.event_type,
                              durable=True, auto_delete=False, exclusive=False, queue_arguments=arguments or {})
                queue(channel).declare()
                count += 1
        channel.close()
    return count


class RabbitPublisher:
    """Publishes envelopes with publisher confirms; raises when the broker did not take them."""

    def __init__(self, amqp_uri: str, subscriptions: dict[str, Iterable[Subscription]], queue_type: str = "classic"):
        from nameko.amqp.publish import Publisher

        self.amqp_uri = amqp_uri
        self.subscriptions = subscriptions
        self.arguments = queue_arguments(queue_type)
        self._declared = False
        # retry=False: the outbox relay owns retries, so a broker outage never blocks a caller.
        self._publisher = Publisher(amqp_uri, use_confirms=True, serializer="json", retry=False)

    def publish(self, envelope: events_pb2.EventEnvelope) -> None:
        from nameko.standalone.events import get_event_exchange

        if not self._declared:
            declare_queues(self.amqp_uri, self.subscriptions, self.arguments)
            self._declared = True
        headers = {f"nameko.{k}": v for k, v in envelope.headers.items()}
        exchange = get_event_exchange(envelope.source, {})
        try:
            # Declared on the way (kombu caches it): an exchange nobody subscribes to yet must still exist.
            self._publisher.publish(
                encode(envelope), exchange=exchange, routing_key=envelope.event_type, headers=headers,
                declare=[exchange],
            )
        except Exception:
            # The broker may come back without our queues (a new node): declare them again first.
            self._declared = False
            raise

    def ping(self) -> bool:
        try:
            with KombuConnection(self.amqp_uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
            return True
        except Exception:  # noqa: BLE001 - readiness only reports
            return False


# -- consuming (worker processes) -------------------------------------------------------------

def queue_arguments(queue_type: str) -> dict:
    """Arguments of every subscriber queue: the same for the publisher's and the worker's declaration.

    "classic": durable classic queues (development, tests). "quorum": replicated quorum queues
    (RabbitMQ ≥ 3.8, production); their delivery limit and dead-letter exchange come from a policy
    (docs/reliability.md), since a policy can change them later and a queue argument cannot.
    """
    if queue_type == "classic":
        return {}
    if queue_type == "quorum":
        return {"x-queue-type": "quorum"}
    raise ValueError(f"unknown events.queue_type {queue_type!r} (classic or quorum)")


class RedeliveryBackoff:
    """How long a worker waits before giving an event back to the broker, growing while it must.

    A requeued message comes straight back; without a pause a database outage becomes a hot loop.
    The delay doubles with each consecutive redelivery of this process and resets on a success.
    """

    def __init__(self, base: float, cap: float):
        self.base, self.cap = base, cap
        self.consecutive = 0

    def next_delay(self) -> float:
        delay = min(self.base * 2 ** min(self.consecutive, 16), self.cap)
        self.consecutive += 1
        return delay

    def reset(self) -> None:
        self.consecutive = 0


def _reliable_event_handler():
    """nameko's EventHandler, made safe for the platform (what we rely on is in docs/reliability.md).

    - `requeue_on_error=True`: in nameko 2.14 a handler that raises is acked and its message
      dropped unless the entrypoint requeues on error (`Consumer.handle_message_processed`).
      Our handler raises only `Redeliver`: every other failure is retried and then parked.
    - An ack or requeue on a connection that has just died raises in the worker thread, and an
      uncaught error in a managed thread kills the whole container (`spawn_managed_thread`). The
      broker gives an unacknowledged message to another consumer once the channel is gone, so the
      failure is logged and swallowed.
    - The queue is declared with the platform's queue arguments (classic or quorum).
    """
    from kombu import Queue as KombuQueue
    from nameko.events import EventHandler
    from nameko.messaging import QueueConsumer

    class WatchedQueueConsumer(QueueConsumer):
        """nameko's queue consumer (kombu reconnects it), telling the supervisor when it is connected."""

        def _tell(self, connected: bool) -> None:
            callback = self.container.config.get("PAKN_ON_CONNECTION")
            if callback is not None:
                callback(connected)

        def on_consume_ready(self, connection, channel, consumers, **kwargs):
            self._tell(True)
            super().on_consume_ready(connection, channel, consumers, **kwargs)

        def on_connection_error(self, exc, interval):
            self._tell(False)
            log.warning("%s worker: broker unreachable (%s); retrying in %s s",
                        self.container.service_name, type(exc).__name__, interval)

        def consume(self, *args, **kwargs):
            try:
                yield from super().consume(*args, **kwargs)
            except Exception as exc:
                # kombu's run loop reconnects after a connection error; until then we do not consume.
                self._tell(False)
                log.warning("%s worker: broker connection lost (%s); reconnecting",
                            self.container.service_name, type(exc).__name__)
                raise

    class ReliableEventHandler(EventHandler):
        queue_consumer = WatchedQueueConsumer()

        def setup(self):
            super().setup()
            args = self.container.config.get("PAKN_QUEUE_ARGUMENTS") or {}
            if args:
                q = self.queue
                self.queue = KombuQueue(q.name, exchange=q.exchange, routing_key=q.routing_key, durable=True,
                                        auto_delete=False, exclusive=False, queue_arguments=args)

        def handle_message_processed(self, message, result=None, exc_info=None):
            try:
                super().handle_message_processed(message, result, exc_info)
            except Exception as exc:  # noqa: BLE001 - the broker redelivers an unacked message
                log.warning("%s: could not %s a message (%s); the broker will deliver it again",
                            self.container.service_name, "requeue" if exc_info else "ack", type(exc).__name__)

    return ReliableEventHandler


def worker_class(consumer: EventConsumer, backoff: RedeliveryBackoff | None = None,
                 on_message=lambda: None) -> type:
    """A nameko service class whose entrypoints hand deliveries to `consumer`.

    A delivery that the consumer can neither handle nor park (`Redeliver`) waits for the back-off
    and goes back to the broker; a message that is not an envelope at all is parked as it came.
    """
    from nameko.events import SERVICE_POOL

    handler = _reliable_event_handler()
    backoff = backoff or RedeliveryBackoff(0.5, 30.0)
    attrs: dict[str, object] = {"name": consumer.service}
    for sub in consumer.subscriptions:
        def entrypoint(self, payload, _sub=sub):
            on_message()
            try:
                try:
                    envelope = decode(payload)
                except Exception:  # noqa: BLE001 - not an envelope: kept for an operator, never dropped
                    try:
                        consumer.park_malformed(_sub, repr(payload).encode("utf-8", "replace"))
                    except Exception as exc:  # noqa: BLE001
                        raise Redeliver(consumer.service, "-", type(exc).__name__) from None
                    return
                consumer.handle(_sub, envelope)
            except Exception as exc:  # noqa: BLE001 - back to the broker, after the back-off
                time.sleep(backoff.next_delay())
                if isinstance(exc, Redeliver):
                    raise
                # Never nameko's log of the exception's text, which may carry personal data.
                raise Redeliver(consumer.service, "-", type(exc).__name__) from None
            backoff.reset()

        entrypoint.__name__ = sub.method
        attrs[sub.method] = handler.decorator(
            sub.source, sub.event_type, handler_type=SERVICE_POOL, reliable_delivery=True,
            requeue_on_error=True, expected_exceptions=(Redeliver,),
        )(entrypoint)
    return type(f"{consumer.service.title()}EventWorker", (), attrs)


class WorkerSupervisor:
    """Runs one service's nameko container and never leaves a dead one running.

    nameko kills a container when one of its threads fails; kombu reconnects a live one by itself.
    The supervisor watches both: a dead container, or one whose queues have had no consumer for a
    while (the queue monitor sees it), is stopped and started anew with a growing back-off. The
    `pakn_consumer_up` gauge says whether the container consumes; readiness follows it.
    """

    def __init__(self, consumer: EventConsumer, config, telemetry, monitor: "QueueMonitor | None" = None):
        self.consumer, self.config, self.telemetry, self.monitor = consumer, config, telemetry, monitor
        ev = config.events
        self.backoff = RedeliveryBackoff(ev.redelivery_backoff_seconds, ev.redelivery_backoff_max_seconds)
        self.restart_delay = ev.worker_restart_seconds
        self.stalled_after = ev.worker_stalled_seconds
        self.service = consumer.service
        self._container = None
        self._consuming = False
        self.restarts = 0

    @property
    def up(self) -> bool:
        """Consuming: the container is alive and connected to the broker."""
        return self._consuming and self._container is not None and not self._container._died.ready()

    def _nameko_config(self) -> dict:
        ev = self.config.events
        return {"AMQP_URI": ev.amqp_uri, "max_workers": ev.worker_concurrency, "serializer": "json",
                "HEARTBEAT": ev.heartbeat_seconds, "PAKN_QUEUE_ARGUMENTS": queue_arguments(ev.queue_type),
                "PAKN_ON_CONNECTION": self._set_up}

    def _on_message(self) -> None:
        self.telemetry.consumer_last_message.labels(self.service).set(time.time())

    def _set_up(self, up: bool) -> None:
        self._consuming = up
        self.telemetry.consumer_up.labels(self.service).set(1 if up else 0)

    def run(self, stop_event) -> None:
        """Until `stop_event` is set (the process is monkey-patched by eventlet by then)."""
        from nameko.containers import ServiceContainer

        cls = worker_class(self.consumer, self.backoff, self._on_message)
        delay = self.restart_delay
        self._set_up(False)
        while not stop_event.is_set():
            container = self._container = ServiceContainer(cls, self._nameko_config())
            try:
                container.start()  # returns once consuming; kombu retries the broker meanwhile
            except Exception as exc:  # noqa: BLE001 - retried after the back-off
                log.error("%s worker could not start its consumers (%s)", self.service, type(exc).__name__)
            else:
                if not container._died.ready():
                    if stop_event.is_set():
                        break
                    self._set_up(True)
                    log.info("%s worker consuming %d subscriptions", self.service, len(self.consumer.subscriptions))
                    reason = self._watch(container, stop_event)
                    if reason is None:
                        break
                    self._set_up(False)
                    log.error("%s worker's consumers %s; starting them again in %.0f s",
                              self.service, reason, delay)
            self._set_up(False)
            self._discard(container)
            self.restarts += 1
            self.telemetry.consumer_restarts.labels(self.service).inc()
            if stop_event.wait(delay):
                break
            delay = min(delay * 2, 30.0)
        self._set_up(False)
        self._stop_container()

    def _watch(self, container, stop_event) -> str | None:
        """Wait until asked to stop (None) or the consumers fail (the reason)."""
        stalled_since: float | None = None
        while not stop_event.wait(0.5):
            if container._died.ready():
                return "died"
            without = self.monitor.queues_without_consumers(self.service) if self.monitor else []
            if without:
                stalled_since = stalled_since or time.monotonic()
                if time.monotonic() - stalled_since >= self.stalled_after:
                    return f"had no consumer on {len(without)} queue(s) for {self.stalled_after:.0f} s"
            else:
                stalled_since = None
        return None

    def _discard(self, container) -> None:
        try:
            container.kill()
        except Exception as exc:  # noqa: BLE001 - it is being replaced anyway
            log.warning("%s worker: killing a failed container raised %s", self.service, type(exc).__name__)

    def _stop_container(self) -> None:
        container, self._container = self._container, None
        if container is None or container._died.ready():
            return
        try:
            # Graceful: consumers cancelled, the messages in hand finish and are acked.
            container.stop()
        except Exception as exc:  # noqa: BLE001
            log.warning("%s worker: stopping raised %s", self.service, type(exc).__name__)

    def interrupt(self) -> None:
        """Unblock a container that is still waiting for the broker (at shutdown)."""
        container = self._container
        if container is not None and not self._consuming and not container._died.ready():
            try:
                container.kill()
            except Exception:  # noqa: BLE001
                pass


class QueueMonitor(PollingLoop):
    """Reads each subscriber queue's depth and consumers from the broker, for metrics and health.

    `pakn_queue_messages_ready` (consumer lag in messages), `pakn_queue_consumers`, and
    `pakn_queue_stalled` = 1 when a queue has messages but no consumer: the alert that says a
    worker is gone. `pakn_broker_up` says whether the broker answered at all.
    """

    def __init__(self, amqp_uri: str, subscriptions: dict[str, Iterable[Subscription]], telemetry,
                 interval: float = 5.0):
        self.amqp_uri, self.telemetry, self.interval = amqp_uri, telemetry, interval
        self.queues = {service: [queue_name(service, s) for s in subs] for service, subs in subscriptions.items()}
        self.name = "queue-monitor"
        self.last: dict[str, tuple[int, int]] = {}
        super().__init__()

    def run_once(self) -> int:
        try:
            with KombuConnection(self.amqp_uri, connect_timeout=3) as conn:
                channel = conn.channel()
                seen = {}
                for names in self.queues.values():
                    for name in names:
                        try:
                            _, ready, consumers = channel.queue_declare(queue=name, passive=True)
                        except Exception as exc:  # noqa: BLE001 - a queue not declared yet
                            if not _is_not_found(exc):
                                raise
                            channel = conn.channel()
                            ready, consumers = 0, 0
                        seen[name] = (ready, consumers)
                        self.telemetry.queue_ready.labels(name).set(ready)
                        self.telemetry.queue_consumers.labels(name).set(consumers)
                        self.telemetry.queue_stalled.labels(name).set(1 if ready and not consumers else 0)
                channel.close()
            self.last = seen
            self.telemetry.broker_up.set(1)
        except Exception:
            self.last = {}
            self.telemetry.broker_up.set(0)
            raise
        return 0

    def queues_without_consumers(self, service: str) -> list[str]:
        return [q for q in self.queues.get(service, ()) if q in self.last and self.last[q][1] == 0]


def _is_not_found(exc: Exception) -> bool:
    return getattr(exc, "reply_code", None) == 404 or type(exc).__name__ == "NotFound"
