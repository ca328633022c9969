"""Virus scanning of uploads by ClamAV's daemon, clamd, over its socket (the INSTREAM protocol).

`ClamdScanner(address)` talks to clamd at "unix:/run/clamav/clamd.ctl" or "tcp:HOST:PORT": the
spooled upload is sent in length-prefixed chunks (never read whole), clamd answers "stream: OK" or
"stream: <signature> FOUND". One scan, connecting included, has one deadline (`timeout`); a file
larger than `max_stream_bytes` is not sent (clamd's own StreamMaxLength must be at least as large).

`scanner_from_config()` builds the scanner of `scan.clamd`, or returns None and logs a warning
when it is not set (the embedded default): uploads are then NOT scanned.

`runtime.media.receive(scanner=...)` calls `scan()` on every upload: a finding refuses the file
(INVALID_ARGUMENT), a clamd that cannot be reached or fails refuses it too (UNAVAILABLE): a
configured scan never fails open.

A small client rather than a library: the PyPI clients are either unmaintained (`clamd`,
`pyclamd`) or scan files by path (`clamav-client`), while the spool here may live in memory.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from runtime.config import Config

log = logging.getLogger("pakn.scan")
_CHUNK = 256 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached, did not answer in time, or answered with an error."""


class FileTooLargeToScan(Exception):
    """The file is larger than what is streamed to clamd."""


class Scanner(Protocol):
    def scan(self, source: BinaryIO, size: int) -> str | None:
        """The name of what was found in `source` (seekable, read from its start), or None when clean."""
        ...


class ClamdScanner:
    def __init__(self, address: str, timeout: float = 60.0, max_stream_bytes: int = 250 * 1024 * 1024):
        if address.startswith("unix:"):
            self.family, self.target = socket.AF_UNIX, address[len("unix:"):]
        elif address.startswith("tcp:"):
            host, _, port = address[len("tcp:"):].rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"clamd address {address!r}: expected tcp:HOST:PORT")
            self.family, self.target = socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"),
                                                                                           int(port))
        else:
            raise ValueError(f"clamd address {address!r}: expected unix:/path or tcp:HOST:PORT")
        self.address = address
        self.timeout = timeout
        self.max_stream_bytes = max_stream_bytes

    # -- protocol ------------------------------------------------------------------------------

    def _connect(self, deadline: float) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(self.target)
        except OSError as exc:
            sock.close()
            raise ScannerUnavailable(f"cannot connect to clamd at {self.address}: {exc}") from None
        return sock

    def _command(self, command: bytes) -> str:
        deadline = time.monotonic() + self.timeout
        with self._connect(deadline) as sock:
            try:
                sock.sendall(b"z" + command + b"\0")
                return _reply(sock, deadline)
            except OSError as exc:
                raise ScannerUnavailable(f"clamd at {self.address} failed: {exc}") from None

    def ping(self) -> bool:
        try:
            return self._command(b"PING") == "PONG"
        except ScannerUnavailable:
            return False

    def version(self) -> str:
        return self._command(b"VERSION")

    def scan(self, source: BinaryIO, size: int) -> str | None:
        if size > self.max_stream_bytes:
            raise FileTooLargeToScan(f"{size} bytes, {self.max_stream_bytes} at most")
        deadline = time.monotonic() + self.timeout
        source.seek(0)
        with self._connect(deadline) as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while block := source.read(_CHUNK):
                    sock.settimeout(_remaining(deadline))
                    sock.sendall(struct.pack(">I", len(block)) + block)
                sock.settimeout(_remaining(deadline))
                sock.sendall(b"\0\0\0\0")
                answer = _reply(sock, deadline)
            except OSError as exc:
                # clamd closes the stream when it is over its StreamMaxLength: its reply says so.
                answer = _late_reply(sock)
                if answer is None:
                    raise ScannerUnavailable(f"clamd at {self.address} failed: {exc}") from None
            finally:
                source.seek(0)
        return _verdict(answer, self.address)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ScannerUnavailable("clamd did not answer in time")
    return left


def _reply(sock: socket.socket, deadline: float) -> str:
    data = b""
    while not data.endswith(b"\0"):
        sock.settimeout(_remaining(deadline))
        part = sock.recv(_MAX_REPLY)
        if not part:
            break
        data += part
        if len(data) > _MAX_REPLY:
            raise ScannerUnavailable("clamd's reply is too long")
    if not data:
        raise ScannerUnavailable("clamd closed the connection without an answer")
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def _late_reply(sock: socket.socket) -> str | None:
    try:
        sock.settimeout(1.0)
        data = sock.recv(_MAX_REPLY)
    except OSError:
        return None
    return data.rstrip(b"\0").decode("utf-8", "replace").strip() or None


def _verdict(answer: str, address: str) -> str | None:
    """'stream: OK' -> None; 'stream: Eicar-Signature FOUND' -> 'Eicar-Signature'; errors raise."""
    _, _, result = answer.partition(": ")
    if result == "OK":
        return None
    if result.endswith(" FOUND"):
        return result[: -len(" FOUND")].strip() or "unknown"
    raise ScannerUnavailable(f"clamd at {address} answered {answer[:200]!r}")


def scanner_from_config(config: Config, service: str) -> ClamdScanner | None:
    """The scanner of `scan.clamd`; None, with a warning, when scanning is not configured."""
    cfg = config.scan
    if not cfg.clamd:
        log.warning("%s: uploaded media are NOT scanned for viruses (scan.clamd is not set); "
                    "set it to clamd's socket in production", service)
        return None
    scanner = ClamdScanner(cfg.clamd, cfg.timeout_seconds, cfg.max_stream_mb * 1024 * 1024)
    if scanner.ping():
        log.info("%s: uploaded media are scanned by clamd at %s", service, cfg.clamd)
    else:
        log.warning("%s: clamd at %s does not answer; uploads are refused (UNAVAILABLE) until it does",
                    service, cfg.clamd)
    return scanner
