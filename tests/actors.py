"""Who a test's calls are made as: real tokens of the platform's embedded issuer, by role.

`PolicyActor` picks, for each call, a role the policy (runtime/identity/policy.py) lists for the
method, and for a unit's role the unit the call's assignment belongs to (looked up over gRPC as the
coordinator, like any client would). Tests that are about who may do what name the role and the
unit themselves (`Actor.token(role, unit=...)`) — tests/integration/test_authorisation_matrix.py.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from runtime.identity.policy import POLICY
from runtime.identity.roles import UNIT_BOUND, Role
from runtime.identity.scope import CHANNELS as CHANNEL_NAMES

# The role a test acts as when the policy allows several: the coordinating unit first (it sees all).
PREFERENCE = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.DISCLOSURE_OFFICER, Role.REPORT_READER, Role.CHANNEL,
              Role.UNIT_LEADER, Role.UNIT_OFFICER, Role.UNIT_SYSTEM, Role.AUDITOR, Role.CITIZEN)



class Actor:
    """Tokens of one issuer for any role, cached per (role, unit, channel)."""

    def __init__(self, issuer):
        self.issuer = issuer
        self._cache: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def token(self, role: Role | str, unit: str | None = None, channel: str | None = None,
              subject: str | None = None) -> str:
        role = Role(role)
        if role == Role.CHANNEL and channel is None:
            channel = "web_portal"
        key = (role, unit, channel, subject)
        with self._lock:
            if key not in self._cache:
                who = subject or (f"test-{role}" + (f"@{unit}" if unit else "") + (f"#{channel}" if channel else ""))
                self._cache[key] = self.issuer.issue(
                    who, [role], unit_id=unit, channel=channel,
                    client_id=f"pakn-{channel}" if channel else None, lifetime=3000)
            return self._cache[key]

    def metadata(self, role: Role | str, unit: str | None = None, channel: str | None = None) -> tuple:
        return (("authorization", f"Bearer {self.token(role, unit, channel)}"),)


class PolicyActor:
    """A TokenSource (runtime/clients.py) acting, for each method, as a role the policy allows it."""

    def __init__(self, actor: Actor, unit_of_assignment: Callable[[str], str | None] | None = None):
        self.actor = actor
        self.unit_of_assignment = unit_of_assignment

    def __call__(self, method: str, request: Any) -> str | None:
        rule = POLICY.get(method)
        if rule is None:
            return None
        role = next(r for r in PREFERENCE if r in rule.roles)
        if role == Role.CITIZEN:
            return None
        unit = channel = None
        if role == Role.CHANNEL:
            channel = CHANNEL_NAMES.get(getattr(request, "channel", 0), "web_portal")
        if role in UNIT_BOUND:
            # An assignment no one knows: a unit of no one's (the call is refused as not found).
            unit = self._unit(request) or "test-unit"
        return self.actor.token(role, unit, channel)

    def _unit(self, request: Any) -> str | None:
        if request is None:
            return None
        if getattr(request, "unit_id", ""):
            return request.unit_id
        assignment = getattr(request, "assignment_id", "")
        header = getattr(request, "header", None)
        if not assignment and getattr(header, "owner_id", ""):
            assignment = header.owner_id  # an upload's header names its assignment
        if assignment and self.unit_of_assignment is not None:
            return self.unit_of_assignment(assignment)
        return None


def assignment_units(clients_factory: Callable[[], Any]) -> Callable[[str], str | None]:
    """assignment id -> its unit, asked as the coordinator: processing's work item if processing
    serves it, else routing's assignments (cached; a lookup that finds nothing gives None)."""
    import grpc

    from pakn.processing.v1 import processing_pb2
    from pakn.routing.v1 import routing_pb2

    known: dict[str, str] = {}

    def unit_of(assignment_id: str) -> str | None:
        if assignment_id in known:
            return known[assignment_id]
        clients = clients_factory()
        try:
            item = clients.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(assignment_id=assignment_id))
            known[assignment_id] = item.work_item.unit_id
            return known[assignment_id]
        except grpc.RpcError:
            pass
        token = ""
        try:
            while True:
                page = clients.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(
                    page={"page_size": 200, "page_token": token}))
                for a in page.assignments:
                    known[a.assignment_id] = a.unit_id
                token = page.next_page_token
                if not token or assignment_id in known:
                    break
        except grpc.RpcError:
            pass
        return known.get(assignment_id)

    return unit_of
