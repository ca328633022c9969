"""Disposable servers for the chaos tests: a RabbitMQ node and a PostgreSQL cluster of their own.

Both run on free loopback ports with every file in a temporary folder, so they can be killed,
stopped and restarted without touching the machine's shared servers: the RabbitMQ node has its
own node name, Erlang cookie (HOME), data, logs, configuration and pid file; the PostgreSQL
cluster its own data directory and socket directory. Only processes these objects started are
ever signalled, found by their own pid file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from tests.infra import free_port, port_open, unavailable

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
PG_BIN = Path(os.environ.get("TEST_PAKN_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _environ(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "environ").read_bytes().replace(b"\0", b"\n").decode(errors="replace")
    except OSError:
        return ""


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# -- RabbitMQ -----------------------------------------------------------------------------------

class RabbitNode:
    """A RabbitMQ node of our own: `pakn-chaos-<n>@localhost` on a free port, data in `folder`.

    kill() is a SIGKILL of this node's Erlang VM (and its port programs) only; restart() brings it
    back on the same port with the same data, so durable queues and persistent messages survive.
    """

    def __init__(self, folder: Path):
        if not (RABBIT_BIN / "rabbitmq-server").exists():
            unavailable(f"rabbitmq-server is not installed ({RABBIT_BIN})")
        self.folder = folder
        self.nodename = f"pakn-chaos-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.vm_pid: int | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "mnesia").mkdir(exist_ok=True)
        (folder / "log").mkdir(exist_ok=True)
        (folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            "log.console = false\n"
            "log.file.level = info\n"
            "disk_free_limit.absolute = 50MB\n")
        (folder / "enabled_plugins").write_text("[].\n")
        # Our own (empty) env file: the system's names the shared node.
        (folder / "rabbitmq-env.conf").write_text("")
        self.pid_file = folder / "node.pid"

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def vhost_uri(self, vhost: str) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{vhost}"

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        return {
            **base,
            # Our own Erlang cookie: rabbitmqctl run with this HOME cannot reach the shared node.
            "HOME": str(self.folder),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def ctl(self, *args: str, timeout: float = 60.0, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.nodename, *args], env=self.env(),
                              capture_output=True, text=True, timeout=timeout, check=check, cwd=self.folder)

    def start(self, timeout: float = 90.0) -> "RabbitNode":
        if port_open("127.0.0.1", self.port, timeout=0.2):
            raise RuntimeError(f"port {self.port} is taken; not starting a second node on it")
        self.starts += 1
        log = open(self.folder / f"server-{self.starts}.out", "wb")
        self.process = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=self.env(), cwd=self.folder,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.nodename} exited with {self.process.returncode}; see {self.folder}")
            result = self.ctl("await_startup", "--timeout", "5", timeout=30, check=False)
            if result.returncode == 0 and port_open("127.0.0.1", self.port):
                status = self.ctl("status").stdout
                # Make sure the node that answered is this one.
                assert self.nodename in status and str(self.port) in status, status[-2000:]
                self.vm_pid = int(self.ctl("eval", "os:getpid().").stdout.strip().strip('"'))
                return self
            time.sleep(0.5)
        self.kill()
        raise TimeoutError(f"{self.nodename} did not start within {timeout} s; see {self.folder}")

    def beam_pid(self) -> int | None:
        """This node's Erlang VM: from its pid file, checked to be this node's (by its environment)."""
        candidates = []
        try:
            candidates.append(int(self.pid_file.read_text().strip()))
        except (OSError, ValueError):
            pass
        if self.vm_pid is not None:
            candidates.append(self.vm_pid)
        for pid in candidates:
            if _alive(pid) and f"RABBITMQ_NODENAME={self.nodename}" in _environ(pid):
                return pid
        return None

    def kill(self) -> None:
        """SIGKILL this node's VM and its port programs: a crash, no clean shutdown."""
        pid = self.beam_pid()
        if pid is not None:
            children = _children(pid)
            os.kill(pid, signal.SIGKILL)
            for child in children:
                # erl_child_setup, inet_gethost: ours, started by this VM (never epmd, which daemonises).
                if "epmd" not in _cmdline(child):
                    try:
                        os.kill(child, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 15
        while port_open("127.0.0.1", self.port, timeout=0.2) and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self, timeout: float = 90.0) -> "RabbitNode":
        """Start again on the same port and data (after kill() or stop())."""
        if self.beam_pid() is not None:
            raise RuntimeError(f"{self.nodename} is still running")
        # epmd may still hold the old registration for a moment after a kill.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            names = subprocess.run(["epmd", "-names"], capture_output=True, text=True).stdout \
                if shutil.which("epmd") else ""
            if f"name {self.nodename.split('@')[0]} " not in names:
                break
            time.sleep(0.2)
        return self.start(timeout)

    def stop(self) -> None:
        """A clean shutdown (or a kill when it does not answer)."""
        if self.beam_pid() is None:
            return
        result = self.ctl("stop", timeout=60, check=False)
        if result.returncode != 0 or (self.process and self._wait(30) is None):
            self.kill()

    def _wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def add_vhost(self, name: str) -> str:
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return self.vhost_uri(name)

    def queues(self, vhost: str) -> dict[str, tuple[int, int]]:
        """name -> (messages, consumers) in a vhost."""
        out = self.ctl("list_queues", "-p", vhost, "name", "messages", "consumers", "--quiet",
                       "--no-table-headers", check=False).stdout
        result = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                result[parts[0]] = (int(parts[1]), int(parts[2]))
        return result


# -- PostgreSQL ---------------------------------------------------------------------------------

class PgCluster:
    """A PostgreSQL cluster of our own, run as the `postgres` OS user (initdb refuses root).

    Trust authentication on 127.0.0.1:<port>, its socket in its own folder. stop_immediate() is
    `pg_ctl stop -m immediate` (no checkpoint: the next start recovers from the WAL, as after a
    crash); start() again uses the same port and data.
    """

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            unavailable(f"PostgreSQL server binaries are not installed ({PG_BIN})")
        # Under /tmp, not pytest's tmp dir: that one is private to root and postgres must enter it.
        self.folder = Path(tempfile.mkdtemp(prefix="pakn-chaos-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "socket"
        self.logfile = self.folder / "postgres.log"
        self.port = free_port()
        self.initialised = False
        self.socket_dir.mkdir()
        shutil.chown(self.folder, "postgres", "postgres")
        shutil.chown(self.socket_dir, "postgres", "postgres")
        os.chmod(self.folder, 0o755)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self, *args: str | Path, timeout: float = 120.0, check: bool = True):
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check, cwd="/")

    def init(self) -> None:
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--no-sync", "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "max_connections = 300\nshared_buffers = 32MB\nfsync = on\n"
                "logging_collector = off\n")
        self.initialised = True

    def start(self, timeout: float = 60.0) -> "PgCluster":
        if not self.initialised:
            self.init()
        if port_open("127.0.0.1", self.port, timeout=0.2):
            raise RuntimeError(f"port {self.port} is taken; not starting a second cluster on it")
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "-t", str(int(timeout)),
                          "start", timeout=timeout + 10)
        return self

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        pid = self.pid()
        return pid is not None and _alive(pid)

    def stop_immediate(self) -> None:
        """Every backend gone at once, no checkpoint: recovery from the WAL on the next start."""
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)

    def stop(self) -> None:
        if self.running():
            self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def create_database(self, name: str) -> str:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def destroy(self) -> None:
        if self.running():
            self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
