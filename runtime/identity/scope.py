"""Object scope: the part of the access policy only a use case can check, on the object it loaded.

The gRPC server's gate (runtime/identity/authn.py) checks the caller's role against the method's
rule (runtime/identity/policy.py) before the request is read. Which unit an assignment belongs to,
or which channel a submission names, is known only once the use case has the request and the
object; the use case then calls one of these, right after it loads the object and before any rule
about the object's state, so that the answer does not depend on the state:

- `require_unit(unit_id)`: `own_unit` (Đ2.5–2.6, Đ8, Đ9, Đ16.5). A unit officer, leader or unit
  system acts only on its own unit's assignments and work items; a leader approves only their
  unit's results (Đ9). A caller acting as the coordinator (or a report reader, where the rule lists
  them) is not bound to a unit.
- `unit_filter()` and `list_unit(requested)`: lists under `own_unit` are filtered to the caller's
  unit, never refused for being lists. Asking for the own unit or for no unit gives the own unit's;
  naming another unit is refused (`OUT_OF_SCOPE`), not silently answered with the own unit's, so a
  front-end never shows one unit's items under another's name.
- `require_channel(channel)`: `own_channel` (Đ5). A channel's service account submits only as the
  channel its token names (`identity.channel_claim`); the hotline's account is the one that enters
  the hotline operator's calls (Đ5.1g, Đ5.2).

A refusal is PERMISSION_DENIED with ErrorInfo reason `OUT_OF_SCOPE` (metadata `scope`), in
Vietnamese and English. Not NOT_FOUND: assignment and work item ids are random UUIDs that only
staff see, and the unit directory is known to every staff account (`ListUnits`), so answering
"not yours" reveals nothing a caller of that role could not learn, while it tells a misconfigured
unit system (Đ16.5) what is wrong and makes the refusal auditable as one. Own-case calls are the
exception, decided in the use cases themselves: a citizen's proof (the tracking code and the contact given, Đ6.3)
that does not match answers NOT_FOUND, the same as an unknown code, so codes cannot be
probed.

Work no RPC caller started (an event consumer, a loop, an admin command in process, a test calling
a use case directly) is not scoped: `runtime.identity.context.bound()` is None, or the caller is
`system(...)`.
"""

from __future__ import annotations

from pakn.common.v1 import common_pb2
from runtime.errors import PermissionDenied
from runtime.identity.context import Caller, bound
from runtime.identity.policy import Scope, rule_for
from runtime.identity.roles import UNIT_BOUND, Role

# pakn.common.v1.Channel numbers -> the names a channel account's token carries (runtime/identity/principal.py).
CHANNELS = {number: name.removeprefix("CHANNEL_").lower() for name, number in common_pb2.Channel.items() if number}


class OutOfScope(PermissionDenied):
    """A caller whose role may make the call, acting on an object outside its scope."""

    def __init__(self, scope: Scope, vi: str, en: str):
        super().__init__(vi, en, reason="OUT_OF_SCOPE", metadata={"scope": str(scope)})
        self.scope = scope


def _acting(caller: Caller | None) -> frozenset[Role] | None:
    """The roles the caller acts in for this call (held and allowed by the method's rule); None when
    the work is not scoped (no RPC caller, or the platform itself)."""
    if caller is None or caller.principal.method == "system":
        return None
    rule = rule_for(caller.action)
    held = caller.principal.roles
    return held & rule.roles if rule is not None else held


def unit_filter() -> str | None:
    """The unit a list is limited to: None when the caller sees every unit's (the coordinating unit,
    a report reader where listed, unscoped work), else the caller's own unit."""
    caller = bound()
    roles = _acting(caller)
    if roles is None or not roles <= UNIT_BOUND:
        return None
    if not roles:
        # Defence in depth: the gate admits no caller without an allowed role.
        raise OutOfScope(Scope.OWN_UNIT, "Vai trò của bạn không được phép thực hiện thao tác này",
                         "Your role may not make this call")
    return caller.principal.unit_id or ""


def require_unit(unit_id: str) -> None:
    """Own unit: refuse a unit-bound caller acting on an object of another unit (Đ8, Đ9, Đ16.5)."""
    own = unit_filter()
    if own is not None and own != unit_id:
        raise OutOfScope(Scope.OWN_UNIT, "Hồ sơ này thuộc đơn vị khác; bạn chỉ xem và xử lý hồ sơ của đơn vị mình",
                         "This belongs to another unit; you see and act only on your own unit's")


def list_unit(requested: str) -> str:
    """The unit a list is filtered on ("" = every unit): the caller's own unit when it is bound to one
    and asked for it or for none; the request's as given otherwise. Another unit's is refused."""
    own = unit_filter()
    requested = (requested or "").strip()
    if own is None:
        return requested
    if requested and requested != own:
        raise OutOfScope(Scope.OWN_UNIT, "Bạn chỉ xem được danh sách của đơn vị mình",
                         "You may list only your own unit's")
    return own


def require_channel(channel: int) -> None:
    """Own channel (Đ5): a channel account submits only as the channel its token names. A number that
    is no channel is left to the request's validation (INVALID_ARGUMENT)."""
    caller = bound()
    roles = _acting(caller)
    if roles is None or roles - {Role.CHANNEL} or channel not in CHANNELS:
        return
    if caller.principal.channel != CHANNELS[channel]:
        raise OutOfScope(Scope.OWN_CHANNEL, "Tài khoản của kênh chỉ gửi phản ánh qua chính kênh đó",
                         "A channel's account submits only as its own channel")
