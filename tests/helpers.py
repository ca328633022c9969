"""Helpers shared by the tests: waiting without sleeping blindly, delivering events by hand."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

import grpc

from runtime.errors import field_violations

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call `check` until it returns a truthy value without raising AssertionError; return it."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except AssertionError as exc:
            last = exc
        time.sleep(interval)
    if last is not None:
        raise last
    raise AssertionError(f"condition not met within {timeout}s")


def deliver(platform, service: str, envelope) -> int:
    """Hand an event to a service's consumer in this process, as the bus would; returns matches."""
    consumer = platform.service(service).consumer
    subs = consumer.matching(envelope)
    for sub in subs:
        assert consumer.handle(sub, envelope)
    return len(subs)


def rpc_error(call: Callable[[], object]) -> grpc.RpcError:
    """Run a call that must fail; return its error."""
    try:
        call()
    except grpc.RpcError as err:
        return err
    raise AssertionError("the call succeeded; an error was expected")


def violations(err: grpc.RpcError) -> dict[str, str]:
    return {v.field: v.description for v in field_violations(err)}


def now_ts(hours_ago: float = 1.0):
    """A protobuf Timestamp `hours_ago` hours before now (a time of the issue, Đ6.2)."""
    from datetime import datetime, timedelta, timezone

    from google.protobuf import timestamp_pb2

    out = timestamp_pb2.Timestamp()
    out.FromDatetime(datetime.now(timezone.utc) - timedelta(hours=hours_ago))
    return out


def place(address: str = "Đường Trần Hưng Đạo, phường Tân Ninh"):
    from pakn.common.v1 import common_pb2

    return common_pb2.Location(address=address)
