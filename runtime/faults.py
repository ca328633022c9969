"""Which failures are outages of a dependency (retry later) and which are bugs.

One classifier for the whole runtime:

- the gRPC interceptor answers UNAVAILABLE (with `google.rpc.RetryInfo`) for an outage and
  INTERNAL (with an error id in the log) for anything else;
- an event consumer sends an event back to the broker when its database is unreachable, instead
  of spending its attempts and parking it: the event is not at fault, and parking needs the same
  database.

An outage is a database connection that could not be made or was lost, a broker or S3 endpoint
that does not answer, or a socket error on the way to one of them. A constraint violation, a value
too long for its column or a programming error is not an outage: retrying it later gives the same
answer, so it is a bug (INTERNAL) or a poison event (parked).
"""

from __future__ import annotations

import socket
import sqlite3

import sqlalchemy as sa

_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error", "database is full")

# What a caller is told to wait before trying again (google.rpc.RetryInfo).
RETRY_AFTER_SECONDS = 1.0


class Redeliver(Exception):
    """An event could be neither handled nor parked: it must go back to the broker.

    Carries no text of its own cause (which may hold personal data), only the cause's class.
    """

    def __init__(self, service: str, event_id: str, cause: str):
        super().__init__(f"{service}: event {event_id} goes back to the broker ({cause})")
        self.service, self.event_id, self.cause = service, event_id, cause


def _broker_errors() -> tuple[type[BaseException], ...]:
    try:
        import amqp.exceptions
        import kombu.exceptions
    except ImportError:  # pragma: no cover - both ship with nameko
        return ()
    return (kombu.exceptions.OperationalError, amqp.exceptions.RecoverableConnectionError,
            amqp.exceptions.ConnectionForced)


def _s3_errors() -> tuple[type[BaseException], ...]:
    try:
        import urllib3.exceptions
    except ImportError:  # pragma: no cover - minio depends on it
        return ()
    return (urllib3.exceptions.MaxRetryError, urllib3.exceptions.ProtocolError,
            urllib3.exceptions.NewConnectionError, urllib3.exceptions.TimeoutError)


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is an outage of a database, broker or object store."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _outage(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _outage(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc.orig, sqlite3.Error):
            # SQLite says OperationalError for a missing table too: only these are outages.
            text = str(exc.orig).lower()
            return any(words in text for words in _SQLITE_OUTAGES)
        # psycopg's OperationalError: cannot connect, server closed the connection, admin shutdown.
        return isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError))
    if isinstance(exc, sqlite3.Error):
        return any(words in str(exc).lower() for words in _SQLITE_OUTAGES)
    if isinstance(exc, (sa.exc.DisconnectionError, sa.exc.TimeoutError)):
        return True  # includes the pool's "QueuePool limit ... timed out"
    if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError, socket.gaierror)):
        return True
    if isinstance(exc, _broker_errors() + _s3_errors()):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with the platform
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def _packed(*details):
    from google.protobuf import any_pb2

    out = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        out.append(holder)
    return out


def unavailable_status(retry_after: float = RETRY_AFTER_SECONDS):
    """UNAVAILABLE with RetryInfo and the words for a person: retryable, nothing was changed."""
    from google.protobuf import duration_pb2
    from google.rpc import code_pb2, error_details_pb2, status_pb2

    vi = "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút"
    en = "The service is temporarily unavailable, please try again shortly"
    delay = duration_pb2.Duration()
    delay.FromMilliseconds(int(retry_after * 1000))
    return status_pb2.Status(code=code_pb2.UNAVAILABLE, message=f"{vi} / {en}", details=_packed(
        error_details_pb2.RetryInfo(retry_delay=delay),
        error_details_pb2.LocalizedMessage(locale="vi-VN", message=vi),
        error_details_pb2.LocalizedMessage(locale="en-US", message=en),
        error_details_pb2.ErrorInfo(reason="DEPENDENCY_UNAVAILABLE", domain="pakn"),
    ))


def internal_status(error_id: str):
    """INTERNAL with the error id that the log line carries too, so support can find it."""
    from google.rpc import code_pb2, error_details_pb2, status_pb2

    vi = f"Lỗi hệ thống (mã lỗi {error_id}), vui lòng thử lại sau"
    en = f"Internal error (error id {error_id}), please try again later"
    return status_pb2.Status(code=code_pb2.INTERNAL, message=f"{vi} / {en}", details=_packed(
        error_details_pb2.LocalizedMessage(locale="vi-VN", message=vi),
        error_details_pb2.LocalizedMessage(locale="en-US", message=en),
        error_details_pb2.ErrorInfo(reason="INTERNAL", domain="pakn", metadata={"error_id": error_id}),
    ))
