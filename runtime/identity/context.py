"""Who is acting now: the verified caller of the RPC being handled, for use cases, events and audit.

The gRPC server's identity interceptor (runtime/grpc_server.py) authenticates every call and binds
a `Caller` for the handler's thread; use cases read it with `current()` to apply object scope
(runtime/identity/scope.py) and the outbox copies it into every event's envelope (who acted). Work
that no RPC started (an event consumer, a loop) runs as `system(service)`.

A caller's identity is never taken from a request field or a header the caller writes: only from a
verified token (or, for citizens, from nothing: anonymous).
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, field
from typing import Iterator

from runtime.identity.principal import ANONYMOUS, Principal


@dataclass(frozen=True)
class Caller:
    principal: Principal
    # The source address of the call ("127.0.0.1", "::1"); "" outside an RPC.
    source: str = ""
    # The caller's x-request-id when it sent one (fit for the audit trail), else one made here.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The full gRPC method ("/pakn.routing.v1.RoutingService/VerifyCase"), or what started the work.
    action: str = ""
    # For the platform acting on someone's behalf (a consumer handling their event): who originally
    # acted, as the event's envelope says (runtime/messaging.py). None otherwise.
    on_behalf_of: Principal | None = None

    @property
    def actor_id(self) -> str:
        """The id recorded as who acted: the token's subject, "anonymous", or "system:<service>"."""
        if self.principal.anonymous:
            return "anonymous"
        return self.principal.subject


def system(service: str, action: str = "") -> Caller:
    """The platform itself acting (a consumer handling an event, a loop, an admin command)."""
    return Caller(Principal(subject=f"system:{service}", issuer="", roles=frozenset(), method="system"),
                  action=action)


def on_behalf(service: str, principal: Principal, request_id: str = "", action: str = "") -> Caller:
    """`system:<service>` acting for `principal`, who started the work (an event's actor)."""
    me = system(service, action)
    return Caller(me.principal, "", request_id or me.request_id, action, on_behalf_of=principal)


def origin(caller: Caller) -> Principal:
    """Who the work is ultimately for: the principal acted for, else the caller's own."""
    return caller.on_behalf_of if caller.on_behalf_of is not None else caller.principal


_current: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("pakn_caller", default=None)


def current() -> Caller:
    """The caller bound for this thread; outside any RPC, an anonymous caller with no source."""
    caller = _current.get()
    return caller if caller is not None else Caller(ANONYMOUS)


def bound() -> Caller | None:
    """The bound caller, or None when no RPC or consumer bound one."""
    return _current.get()


@contextlib.contextmanager
def acting(caller: Caller) -> Iterator[Caller]:
    token = _current.set(caller)
    try:
        yield caller
    finally:
        _current.reset(token)


def peer_address(peer: str) -> str:
    """gRPC's peer ("ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "unix:/path") as an address alone."""
    if peer.startswith("ipv4:"):
        return peer[5:].rsplit(":", 1)[0]
    if peer.startswith("ipv6:"):
        host = peer[5:].rsplit(":", 1)[0]
        return host.strip("[]")
    if peer.startswith("unix:"):
        return "unix"
    return peer[:64]
