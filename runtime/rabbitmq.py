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
from typing import Iterable

from kombu import Connection as KombuConnection
from kombu import Queue

from pakn.events.v1 import events_pb2
from runtime.messaging import EventConsumer, Subscription

log = logging.getLogger(__name__)


def queue_name(consumer_service: str, sub: Subscription) -> str:
    return f"evt-{sub.source}-{sub.event_type}--{consumer_service}.{sub.method}"


def encode(envelope: events_pb2.EventEnvelope) -> dict:
    return {"envelope": base64.b64encode(envelope.SerializeToString()).decode("ascii")}


def decode(payload: dict) -> events_pb2.EventEnvelope:
    return events_pb2.EventEnvelope.FromString(base64.b64decode(payload["envelope"]))


def declare_queues(amqp_uri: str, subscriptions: dict[str, Iterable[Subscription]]) -> int:
    from nameko.standalone.events import get_event_exchange

    count = 0
    with KombuConnection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        for service, subs in subscriptions.items():
            for sub in subs:
                exchange = get_event_exchange(sub.source, {})
                queue = Queue(queue_name(service, sub), exchange=exchange, routing_key=sub.event_type,
                              durable=True, auto_delete=False, exclusive=False)
                queue(channel).declare()
                count += 1
        channel.close()
    return count


class RabbitPublisher:
    """Publishes envelopes with publisher confirms; raises when the broker did not take them."""

    def __init__(self, amqp_uri: str, subscriptions: dict[str, Iterable[Subscription]]):
        from nameko.amqp.publish import Publisher

        self.amqp_uri = amqp_uri
        self.subscriptions = subscriptions
        self._declared = False
        # retry=False: the outbox relay owns retries, so a broker outage never blocks a caller.
        self._publisher = Publisher(amqp_uri, use_confirms=True, serializer="json", retry=False)

    def publish(self, envelope: events_pb2.EventEnvelope) -> None:
        from nameko.standalone.events import get_event_exchange

        if not self._declared:
            declare_queues(self.amqp_uri, self.subscriptions)
            self._declared = True
        headers = {f"nameko.{k}": v for k, v in envelope.headers.items()}
        exchange = get_event_exchange(envelope.source, {})
        # Declared on the way (kombu caches it): an exchange nobody subscribes to yet must still exist.
        self._publisher.publish(
            encode(envelope), exchange=exchange, routing_key=envelope.event_type, headers=headers,
            declare=[exchange],
        )

    def ping(self) -> bool:
        try:
            with KombuConnection(self.amqp_uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
            return True
        except Exception:  # noqa: BLE001 - readiness only reports
            return False


def worker_class(consumer: EventConsumer) -> type:
    """A nameko service class whose entrypoints hand deliveries to `consumer`."""
    from nameko.events import SERVICE_POOL, event_handler

    attrs: dict[str, object] = {"name": consumer.service}
    for sub in consumer.subscriptions:
        def entrypoint(self, payload, _sub=sub):
            consumer.handle(_sub, decode(payload))

        entrypoint.__name__ = sub.method
        attrs[sub.method] = event_handler(
            sub.source, sub.event_type, handler_type=SERVICE_POOL, reliable_delivery=True
        )(entrypoint)
    return type(f"{consumer.service.title()}EventWorker", (), attrs)


def run_worker(consumer: EventConsumer, amqp_uri: str, stop_event) -> None:
    """Run the nameko worker until `stop_event` is set (the process is monkey-patched by then)."""
    from nameko.runners import ServiceRunner

    runner = ServiceRunner(config={"AMQP_URI": amqp_uri, "max_workers": 4, "serializer": "json"})
    runner.add_service(worker_class(consumer))
    runner.start()
    log.info("%s worker consuming %d subscriptions", consumer.service, len(consumer.subscriptions))
    try:
        stop_event.wait()
    finally:
        runner.stop()
