"""The module graph, table-style: what each target runs, and what it must not."""

import pytest

from runtime.config import ConfigError
from runtime.modules import SERVICES, TARGETS, resolve


@pytest.mark.parametrize("target, includes, excludes", [
    ("all", {*SERVICES, "server", "in-process-consumers", "media-store", "mailer"}, {"intake-worker", "email-gateway"}),
    ("intake", {"intake", "server", "event-bus", "media-store"}, {"routing", "mailer", "in-process-consumers"}),
    ("notification", {"notification", "mailer", "sms"}, {"media-store", "intake"}),
    ("routing-worker", {"routing-worker", "event-bus"}, {"server", "routing", "in-process-consumers"}),
    ("workers", {f"{s}-worker" for s in SERVICES}, {"server"}),
    ("email-gateway", {"email-gateway", "telemetry", "mailer"}, {"server", "event-bus", "intake", "media-store"}),
])
def test_targets(target, includes, excludes):
    modules = set(resolve(target))
    assert includes <= modules
    assert not (excludes & modules)


def test_dependencies_come_first():
    for target in TARGETS:
        order = resolve(target)
        if "event-bus" in order:  # a channel front-end has no event bus
            assert order.index("telemetry") < order.index("event-bus")
        if "server" in order:
            assert order.index("server") < min(order.index(s) for s in SERVICES if s in order)


def test_unknown_target_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown target"):
        resolve("everything")
