"""What the chaos scenarios share: the cluster with a supervisor's hands, a burst of submissions
with a history of every call, the checks against each service's schema, and the figures.

A scenario runs a burst of SubmitCase calls (each logical submission has its request id; a call
that ends UNAVAILABLE or DEADLINE_EXCEEDED is retried with the same request, as a channel would),
injects one fault mid-burst, recovers, and then waits until every stored case's `case.received`
has been handled (inbox) or parked (failed_events) by every subscriber: that wait is the drain.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import grpc
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2, intake_pb2_grpc
from tests.e2e.cluster import Cluster
from tests.helpers import now_ts, place

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "chaos-results.json"

# Every subscriber of case.received, and the handler its inbox and failed_events name.
SUBSCRIBERS = ("routing", "publication", "notification", "reporting")
HANDLER = "on_case_received"
# What a call may end with while something is down: answered, or refused as retryable.
RETRYABLE = {"UNAVAILABLE", "DEADLINE_EXCEEDED"}
ACCEPTABLE = {"OK", *RETRYABLE}


# -- the cluster, with a supervisor's hands --------------------------------------------------------

class ChaosCluster(Cluster):
    """tests/e2e/cluster.py's Cluster, plus what a supervisor does: kill, terminate, restart.

    `workers_amqp_uri` lets the workers reach the broker another way (through a fault proxy)
    than the API processes. Logs are appended across restarts (`<name>.log`).
    """

    MAX_RESTARTS = 3  # per process and scenario, as a supervisor's back-off would give up
    # Plaintext on loopback: the scenarios break the broker and the database, not the handshakes.
    tls = False

    def __init__(self, folder: Path, postgres_url: str, amqp_uri: str, seaweedfs, smtp_server,
                 workers_amqp_uri: str | None = None, **settings: object):
        super().__init__(folder, postgres_url, amqp_uri, seaweedfs, smtp_server)
        self.settings.update(settings)
        from tests.infra import env_settings

        self.env = {**os.environ, **env_settings(self.settings)}
        self.workers_env = {**self.env, **env_settings({"events.amqp_uri": workers_amqp_uri or amqp_uri})}
        self.args: dict[str, tuple[str, ...]] = {}
        self.extra_env: dict[str, dict[str, str]] = {}  # a process's own settings (the issuer's data folder)
        self.metrics_ports: dict[str, int] = {}
        self.exits: list[dict] = []  # unexpected exits seen by supervise()
        self.restarts: list[dict] = []

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.args[name] = args
        if env is not None:
            self.extra_env[name] = env
        for arg in args:
            if arg.startswith("--metrics-port="):
                self.metrics_ports[name] = int(arg.split("=", 1)[1])
        log = open(self.folder / f"{name}.log", "ab")
        base = self.workers_env if name == "workers" else self.env
        self.processes[name] = subprocess.Popen([sys.executable, "-m", "runtime.cli", *args],
                                                env={**base, **self.extra_env.get(name, {})},
                                                stdout=log, stderr=subprocess.STDOUT)

    def kill(self, name: str) -> int:
        proc = self.processes[name]
        proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=30)

    def terminate(self, name: str, timeout: float = 60.0) -> tuple[int | None, float]:
        """SIGTERM; returns (exit code or None if still running after `timeout`, seconds to exit)."""
        proc = self.processes[name]
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None, time.monotonic() - started
        return code, time.monotonic() - started

    def restart(self, name: str, reason: str) -> None:
        proc = self.processes[name]
        if proc.poll() is None:
            raise RuntimeError(f"{name} is still running")
        self.restarts.append({"process": name, "reason": reason, "at": _now()})
        self._spawn(name, *self.args[name])

    def supervise(self) -> list[str]:
        """Restart every process that exited unexpectedly (recorded), as a supervisor would."""
        restarted = []
        for name, proc in list(self.processes.items()):
            if proc.poll() is not None:
                if sum(e["process"] == name for e in self.exits) >= self.MAX_RESTARTS:
                    continue  # crash-looping: left down (the scenario fails on what it did not deliver)
                tail = (self.folder / f"{name}.log").read_text(errors="replace")[-1500:]
                self.exits.append({"process": name, "code": proc.returncode, "at": _now(), "log_tail": tail})
                self.restart(name, f"exited with {proc.returncode}")
                restarted.append(name)
        return restarted

    def metric(self, name: str, metric: str, **labels: str) -> float:
        """Sum of a metric's samples in one process matching `labels` (0 when absent)."""
        port = self.metrics_ports[name]
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        except OSError:
            return float("nan")
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(metric + "{") and not line.startswith(metric + " "):
                continue
            head, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                total += float(value)
        return total

    def logs(self) -> dict[str, str]:
        return {p.stem: p.read_text(errors="replace") for p in self.folder.glob("*.log")}


def _now() -> float:
    return time.time()


# -- the burst ---------------------------------------------------------------------------------

OCCURRED = now_ts(3)


def submission(n: int, tag: str) -> intake_pb2.SubmitCaseRequest:
    """A valid submission (web portal: no office hours); retries send exactly this request."""
    return intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_WEB_PORTAL, request_id=f"{tag}-{n:04d}-{uuid.uuid4().hex[:8]}",
        content=f"Đèn chiếu sáng trên đường Trần Hưng Đạo bị hỏng, đoạn trước nhà số {n + 1} (phản ánh {tag})",
        occurred_at=OCCURRED, location=place(),
        submitter=intake_pb2.Submitter(full_name="Nguyễn Văn An", phone="0912345678",
                                       email=f"{tag}.{n:04d}@example.vn"))


@dataclass
class Call:
    request_id: str
    attempt: int
    at: float          # seconds since the scenario's start
    seconds: float
    code: str
    case_id: str = ""
    tracking_code: str = ""
    duplicate: bool = False


class Burst:
    """`count` submissions at `rate` per second from `threads` client threads, each call with a
    deadline, retried with the same request while the answer is UNAVAILABLE or DEADLINE_EXCEEDED
    (for at most `give_up` seconds per submission)."""

    def __init__(self, address: str, count: int, tag: str, rate: float = 25.0, threads: int = 6,
                 deadline: float = 5.0, give_up: float = 60.0, token: str = ""):
        self.address, self.count, self.tag, self.rate, self.threads = address, count, tag, rate, threads
        # The web portal's service account: every submission carries its token.
        self.metadata = (("authorization", f"Bearer {token}"),) if token else None
        self.deadline, self.give_up = deadline, give_up
        self.requests = [submission(n, tag) for n in range(count)]
        self.calls: list[Call] = []
        self.acknowledged: dict[str, tuple[str, str]] = {}  # request id -> (case id, tracking code)
        self.t0 = 0.0
        self._lock = threading.Lock()
        self._next = 0
        self._workers: list[threading.Thread] = []

    def start(self, t0: float) -> "Burst":
        self.t0 = t0
        for i in range(self.threads):
            t = threading.Thread(target=self._run, name=f"burst-{i}", daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def join(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        for t in self._workers:
            t.join(max(0.0, deadline - time.monotonic()))

    @property
    def done(self) -> bool:
        return all(not t.is_alive() for t in self._workers)

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self.count:
                return None
            n, self._next = self._next, self._next + 1
        due = self.t0 + n / self.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return n

    def _run(self) -> None:
        with grpc.insecure_channel(self.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            while (n := self._take()) is not None:
                self._submit(stub, self.requests[n])

    def _submit(self, stub, request: intake_pb2.SubmitCaseRequest) -> None:
        first = time.monotonic()
        attempt, pause = 0, 0.25
        while True:
            attempt += 1
            started = time.monotonic()
            call = Call(request.request_id, attempt, round(started - self.t0, 3), 0.0, "OK")
            try:
                r = stub.SubmitCase(request, timeout=self.deadline, metadata=self.metadata)
                call.case_id, call.tracking_code, call.duplicate = r.case_id, r.tracking_code, r.duplicate
            except grpc.RpcError as err:
                call.code = err.code().name
            call.seconds = round(time.monotonic() - started, 3)
            with self._lock:
                self.calls.append(call)
                if call.code == "OK":
                    self.acknowledged[request.request_id] = (call.case_id, call.tracking_code)
            if call.code not in RETRYABLE or time.monotonic() - first > self.give_up:
                return
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def statuses(self, start: float | None = None, end: float | None = None) -> dict[str, int]:
        """Status codes of the calls that started in [start, end) seconds (all when None)."""
        with self._lock:
            calls = list(self.calls)
        return dict(Counter(c.code for c in calls
                            if (start is None or c.at >= start) and (end is None or c.at < end)))


# -- the checks --------------------------------------------------------------------------------

@dataclass
class Delivery:
    """Where every stored case's case.received stands now."""

    stored: dict[str, str]                      # case id -> request id (intake.cases of this burst)
    tracking: dict[str, str]                    # case id -> tracking code
    events: dict[str, str]                      # case id -> event id (intake.outbox)
    unpublished: int                            # of those events, still in intake's outbox
    delivered: dict[str, set[str]]              # subscriber -> event ids in its inbox
    parked: dict[str, dict[str, str]]           # subscriber -> event id -> error type (unresolved)
    duplicates: dict[str, int]                  # effect -> cases with it more than once

    def missing(self, events: set[str] | None = None) -> dict[str, int]:
        wanted = set(self.events.values()) if events is None else events
        return {s: len(wanted - self.delivered[s] - set(self.parked[s])) for s in SUBSCRIBERS}

    def drained(self, expected: int) -> bool:
        return (len(self.events) >= expected and self.unpublished == 0
                and not any(self.missing().values()))


class Checker:
    """Reads each service's own schema (a schema per service on PostgreSQL)."""

    def __init__(self, url: str):
        self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 3})

    def close(self) -> None:
        self.engine.dispose()

    def delivery(self, request_ids: list[str]) -> Delivery:
        keys = [f"req:{r}" for r in request_ids]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT case_id, tracking_code, idempotency_key FROM intake.cases WHERE idempotency_key = ANY(:k)"),
                {"k": keys}).all()
            stored = {r.case_id: r.idempotency_key[4:] for r in rows}
            tracking = {r.case_id: r.tracking_code for r in rows}
            ids = list(stored)
            events_rows = conn.execute(sa.text(
                "SELECT case_id, event_id, published_at FROM intake.outbox "
                "WHERE event_type = 'case.received' AND case_id = ANY(:c)"), {"c": ids}).all()
            events = {r.case_id: r.event_id for r in events_rows}
            unpublished = sum(r.published_at is None for r in events_rows)
            eids = list(events.values())
            delivered, parked = {}, {}
            for s in SUBSCRIBERS:
                delivered[s] = set(conn.execute(sa.text(
                    f"SELECT event_id FROM {s}.inbox WHERE handler = :h AND event_id = ANY(:e)"),
                    {"h": HANDLER, "e": eids}).scalars())
                parked[s] = {r.event_id: r.error_type for r in conn.execute(sa.text(
                    f"SELECT event_id, error_type FROM {s}.failed_events "
                    "WHERE handler = :h AND resolved_at IS NULL AND event_id = ANY(:e)"),
                    {"h": HANDLER, "e": eids})}
            duplicates = {
                "intake.cases per request id": conn.execute(sa.text(
                    "SELECT count(*) FROM (SELECT idempotency_key FROM intake.cases WHERE idempotency_key = ANY(:k) "
                    "GROUP BY idempotency_key HAVING count(*) > 1) d"), {"k": keys}).scalar_one(),
                "intake.outbox case.received per case": len(events_rows) - len(events),
                "routing.cases per case": self._dupes(conn, "routing.cases", ids),
                "publication.timeline case.received per case": self._dupes(
                    conn, "publication.timeline", ids, "event_type = 'case.received'"),
                "notification.recipients per case": self._dupes(conn, "notification.recipients", ids),
                "notification.deliveries received per case": self._dupes(
                    conn, "notification.deliveries", ids, "template = 'received'"),
                "reporting.cases per case": self._dupes(conn, "reporting.cases", ids),
            }
        return Delivery(stored, tracking, events, unpublished, delivered, parked, duplicates)

    @staticmethod
    def _dupes(conn, table: str, ids: list[str], where: str = "true") -> int:
        return conn.execute(sa.text(
            f"SELECT count(*) FROM (SELECT case_id FROM {table} WHERE case_id = ANY(:c) AND {where} "
            "GROUP BY case_id HAVING count(*) > 1) d"), {"c": ids}).scalar_one()

    def handled_or_parked(self, event_id: str) -> dict[str, str]:
        """subscriber -> "handled", "parked:<error type>" or "missing" for one event."""
        out = {}
        with self.engine.connect() as conn:
            for s in SUBSCRIBERS:
                if conn.execute(sa.text(f"SELECT 1 FROM {s}.inbox WHERE event_id = :e"), {"e": event_id}).first():
                    out[s] = "handled"
                    continue
                row = conn.execute(sa.text(f"SELECT error_type FROM {s}.failed_events WHERE event_id = :e "
                                           "AND resolved_at IS NULL"), {"e": event_id}).first()
                out[s] = f"parked:{row.error_type}" if row else "missing"
        return out


# -- the figures -------------------------------------------------------------------------------

@dataclass
class Figures:
    scenario: str
    submissions: int = 0
    calls: int = 0
    acknowledged: int = 0
    stored: int = 0
    acknowledged_not_stored: int = 0
    stored_not_acknowledged: int = 0
    acknowledged_mismatched: int = 0
    delivered: dict[str, int] = field(default_factory=dict)
    parked: dict[str, int] = field(default_factory=dict)
    parked_errors: dict[str, dict[str, int]] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    unpublished: int = 0
    drained: bool = False
    drain_seconds: float | None = None
    fault_at: float | None = None
    recovered_at: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    statuses_during_outage: dict[str, int] = field(default_factory=dict)
    unexpected_exits: list[dict] = field(default_factory=list)
    restarts: list[dict] = field(default_factory=list)
    e_mails: int = 0
    e_mail_duplicates: int = 0
    extra: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Every call (in figures.json only): request id, attempt, start, seconds, code, case, tracking code.
    history: list[dict] = field(default_factory=list)
    # WARNING and ERROR log lines per process, ids and numbers stripped (in figures.json only).
    log_lines: dict[str, dict[str, int]] = field(default_factory=dict)

    def fill(self, burst: Burst, d: Delivery, cluster: ChaosCluster) -> None:
        self.submissions = burst.count
        self.calls = len(burst.calls)
        acked = dict(burst.acknowledged)
        self.acknowledged = len(acked)
        self.stored = len(d.stored)
        by_request = {r: c for c, r in d.stored.items()}
        self.acknowledged_not_stored = sum(r not in by_request for r in acked)
        self.acknowledged_mismatched = sum(
            r in by_request and (by_request[r] != c or d.tracking[by_request[r]] != t) for r, (c, t) in acked.items())
        self.stored_not_acknowledged = sum(r not in acked for r in by_request)
        self.delivered = {s: len(d.delivered[s]) for s in SUBSCRIBERS}
        self.parked = {s: len(d.parked[s]) for s in SUBSCRIBERS}
        self.parked_errors = {s: dict(Counter(d.parked[s].values())) for s in SUBSCRIBERS if d.parked[s]}
        self.missing = d.missing()
        self.duplicates = dict(d.duplicates)
        self.unpublished = d.unpublished
        self.statuses = burst.statuses()
        if self.fault_at is not None:
            self.statuses_during_outage = burst.statuses(self.fault_at, self.recovered_at)
        self.unexpected_exits = [{k: v for k, v in e.items() if k != "log_tail"} for e in cluster.exits]
        self.restarts = list(cluster.restarts)
        self.history = [asdict(c) for c in burst.calls]
        self.log_lines = log_summary(cluster.logs())

    def mails(self, smtp_server, burst: Burst, d: Delivery) -> None:
        counts = Counter()
        for n, request in enumerate(burst.requests):
            case = next((c for c, r in d.stored.items() if r == request.request_id), None)
            if case is None:
                continue
            code = d.tracking[case]
            counts[n] = sum(code in m.get_content() for m in smtp_server.to(request.submitter.email))
        self.e_mails = sum(counts.values())
        self.e_mail_duplicates = sum(1 for v in counts.values() if v > 1)

    def write(self, folder: Path) -> None:
        data = asdict(self)
        (folder / "figures.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        try:
            runs = json.loads(RESULTS.read_text())
            if not isinstance(runs, list):
                runs = []
        except (OSError, ValueError):
            runs = []
        summary = {k: v for k, v in data.items() if k not in ("extra", "history", "log_lines")}
        summary["extra"] = {k: v for k, v in self.extra.items() if k != "logs"}
        summary["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        runs.append(summary)
        tmp = RESULTS.with_suffix(".tmp")
        tmp.write_text(json.dumps(runs[-200:], indent=2, ensure_ascii=False))
        tmp.replace(RESULTS)


def log_summary(logs: dict[str, str]) -> dict[str, dict[str, int]]:
    """WARNING and ERROR lines of each process's log, counted once ids and numbers are masked."""
    out: dict[str, dict[str, int]] = {}
    for name, text in logs.items():
        counts: Counter = Counter()
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if line.startswith("Traceback"):
                    counts["Traceback (not JSON)"] += 1
                continue
            if not isinstance(entry, dict) or entry.get("level") not in ("WARNING", "ERROR", "CRITICAL"):
                continue
            msg = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", str(entry.get("msg", "")).split("\n")[0])
            msg = re.sub(r"0x[0-9a-f]+|\d+(\.\d+)?", "<n>", msg)[:200]
            counts[f"{entry['level']} {entry.get('logger', '')}: {msg}"] += 1
        if counts:
            out[name] = dict(counts.most_common())
    return out


# -- one scenario from start to verdict ----------------------------------------------------------

class Scenario:
    """Runs the steps every scenario shares and collects the verdicts (checked at the end)."""

    def __init__(self, name: str, cluster: ChaosCluster, checker: Checker, folder: Path):
        self.name, self.cluster, self.checker, self.folder = name, cluster, checker, folder
        self.figures = Figures(name)
        self.t0 = time.monotonic()
        self.burst: Burst | None = None

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 3)

    def burst_start(self, count: int, rate: float = 25.0, **kw) -> Burst:
        address = f"127.0.0.1:{self.cluster.ports['intake']}"
        kw.setdefault("token", self.cluster.token("channel", channel="web_portal"))
        self.burst = Burst(address, count, self.name, rate, **kw).start(time.monotonic())
        self.t0 = self.burst.t0
        return self.burst

    def fault(self) -> None:
        self.figures.fault_at = self.now()

    def recovered(self) -> None:
        self.figures.recovered_at = self.now()

    def wait_for(self, check, timeout: float, interval: float = 0.2) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            time.sleep(interval)
        return False

    def delivered_count(self, service: str = "routing") -> int:
        with self.checker.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {service}.inbox WHERE handler = :h"),
                                {"h": HANDLER}).scalar_one()

    def drain(self, timeout: float = 90.0, supervise: bool = True) -> Delivery:
        """Wait until every stored case's event is handled or parked by every subscriber.

        Meanwhile dead processes are restarted, as a supervisor would (and recorded)."""
        assert self.burst is not None
        self.burst.join()
        start = self.figures.recovered_at if self.figures.recovered_at is not None else self.now()
        deadline = time.monotonic() + timeout
        d = None
        while True:
            if supervise:
                self.cluster.supervise()
            try:
                d = self.checker.delivery([r.request_id for r in self.burst.requests])
            except sa.exc.OperationalError:
                d = None
            if d is not None and d.drained(len(self.burst.acknowledged)) and len(d.events) == len(d.stored):
                self.figures.drained = True
                self.figures.drain_seconds = round(max(0.0, self.now() - start), 2)
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if d is None:
            d = self.checker.delivery([r.request_id for r in self.burst.requests])
        return d

    def verdicts(self, d: Delivery, smtp_server=None) -> list[str]:
        """The checks every scenario makes; returns what failed (empty when all hold)."""
        f = self.figures
        f.fill(self.burst, d, self.cluster)
        if smtp_server is not None:
            f.mails(smtp_server, self.burst, d)
        failures = []
        if f.acknowledged != f.submissions:
            failures.append(f"{f.submissions - f.acknowledged} of {f.submissions} submissions never acknowledged "
                            f"(statuses {f.statuses})")
        if f.acknowledged_not_stored:
            failures.append(f"{f.acknowledged_not_stored} acknowledged submissions are not in intake.cases")
        if f.acknowledged_mismatched:
            failures.append(f"{f.acknowledged_mismatched} acknowledged case ids or tracking codes differ from stored")
        bad = {code: n for code, n in f.statuses.items() if code not in ACCEPTABLE}
        if bad:
            failures.append(f"statuses other than OK/UNAVAILABLE/DEADLINE_EXCEEDED: {bad}")
        if len(d.events) != len(d.stored):
            failures.append(f"{len(d.stored) - len(d.events)} stored cases have no case.received in the outbox")
        if not f.drained:
            failures.append(f"not drained within the timeout: missing per subscriber {f.missing}, "
                            f"unpublished {f.unpublished}")
        dupes = {k: v for k, v in f.duplicates.items() if v}
        if dupes:
            failures.append(f"duplicated effects: {dupes}")
        for e in f.unexpected_exits:
            if e["code"] == 0:
                failures.append(f"{e['process']} exited 0 without being asked to (a supervisor would not restart "
                                "a clean exit)")
        return failures

    def finish(self, failures: list[str]) -> None:
        self.figures.failures = failures
        self.figures.seconds = self.now()
        self.figures.write(self.folder)
