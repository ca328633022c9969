"""pakn.audit.v1.AuditService: auditors read a case's trail (docs/audit.md).

Every process's gRPC server hosts it once and answers for the chains of the services it runs: in
monolithic mode all six, in microservices mode its own (`Clients.audit(service)` addresses each).
Records carry ids only, as stored; the role is `auditor` (runtime/identity/policy.py).
"""

from __future__ import annotations

from typing import Callable

import grpc

from pakn.audit.v1 import audit_pb2, audit_pb2_grpc
from runtime import limits, paging
from runtime.audit import AuditTrail, as_utc
from runtime.errors import Validator

FULL_NAME = "pakn.audit.v1.AuditService"


class AuditApi(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self) -> None:
        self.trails: dict[str, AuditTrail] = {}

    def ListCaseTrail(self, request: audit_pb2.ListCaseTrailRequest, context):
        v = Validator()
        if not request.case_id.strip():
            v.add("case_id", "Thiếu mã phản ánh", "case_id is required")
        elif len(request.case_id) > limits.UUID:
            v.add("case_id", "Mã phản ánh quá dài", "case_id is too long")
        if request.service and request.service not in self.trails:
            v.add("service", "Máy chủ này không giữ nhật ký của dịch vụ này",
                  "this server keeps no trail of that service; one of: " + ", ".join(sorted(self.trails)))
        v.raise_if_any()
        page = paging.window(request.page.page_size, request.page.page_token)
        names = [request.service] if request.service else sorted(self.trails)
        rows = []
        for name in names:  # each chain's first offset+size+1 rows are enough for the merged page
            rows += [(name, r) for r in self.trails[name].case_trail(request.case_id, 0, page.offset + page.size + 1)]
        rows.sort(key=lambda nr: (as_utc(nr[1].at), nr[0], nr[1].seq))
        chosen = rows[page.offset: page.offset + page.size + 1]
        out = audit_pb2.ListCaseTrailResponse(next_page_token=page.next_token(len(chosen)))
        for name, r in chosen[: page.size]:
            rec = out.records.add(
                service=name, seq=r.seq, actor_id=r.actor_id, via=r.via, roles=[x for x in r.roles.split(",") if x],
                unit_id=r.unit_id, action=r.action, object_type=r.object_type, object_id=r.object_id,
                case_id=r.case_id, outcome=r.outcome, detail=r.detail, source_address=r.source_address,
                request_id=r.request_id, hash=r.hash)
            rec.at.FromDatetime(as_utc(r.at))
        return out


def host(server, service: str, trail: AuditTrail, ready: Callable[[], bool]) -> None:
    """Add `service`'s trail to the process's AuditService, registering it on the first call."""
    api: AuditApi | None = getattr(server, "audit_api", None)
    if api is None:
        api = server.audit_api = AuditApi()

        def register(grpc_server: grpc.Server) -> None:
            audit_pb2_grpc.add_AuditServiceServicer_to_server(api, grpc_server)
        server.add(FULL_NAME, register, ready)
    api.trails[service] = trail
