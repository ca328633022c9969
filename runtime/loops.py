"""A background worker that runs batches until idle, then sleeps until woken or its interval passes.

The outbox relay and the notification dispatcher are both this: `run_once()` returns how much it
did (a truthy value runs it again at once); an exception is logged by class (never its text,
which may carry personal data) and retried after a growing back-off; `wake()` cuts the sleep short
(called after a commit that added work); `stop()` ends the thread within `timeout`.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class PollingLoop:
    name = "loop"
    interval = 0.5
    max_backoff = 10.0

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        backoff = self.interval
        while not self._stop.is_set():
            try:
                if self.run_once():
                    backoff = self.interval
                    continue
                backoff = self.interval
            except Exception as exc:  # noqa: BLE001 - the loop must survive outages
                log.warning("%s: %s; retrying", self.name, type(exc).__name__)
                backoff = min(backoff * 2, self.max_backoff)
            self._wake.wait(backoff)
            self._wake.clear()
