"""Every subscription names a real event of the right source, and docs/events.md is current."""

import subprocess
import sys
from pathlib import Path

from runtime.modules import SERVICES, spec_of
from services.catalogue import EVENTS

ROOT = Path(__file__).resolve().parents[2]


def test_every_subscription_is_to_a_catalogued_event_of_its_source():
    for service in SERVICES:
        for sub in spec_of(service).subscriptions:
            assert sub.event_type in EVENTS, f"{service} subscribes to unknown {sub.event_type}"
            assert EVENTS[sub.event_type][0] == sub.source, f"{service}: {sub.event_type} comes from " \
                                                            f"{EVENTS[sub.event_type][0]}, not {sub.source}"


def test_every_event_that_concerns_a_case_reaches_reporting():
    consumed = {s.event_type for s in spec_of("reporting").subscriptions}
    for name in ("case.received", "case.cancelled", "assignment.created", "assignment.accepted",
                 "result.approved", "case.published", "result.delivered", "case.rated"):
        assert name in consumed


def test_events_doc_is_current():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "events_doc.py"), "--check"], capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
