"""The authorisation matrix, generated from the policy (runtime/identity/policy.py): every RPC of every
registered gRPC service, called over a real socket by every kind of caller, gives exactly the
outcome the method's rule says (docs/security.md).

One platform (target "all", PostgreSQL) with a small world: a case distributed to two units, both
assignments accepted, handled, approved, and the answer published (the walkthrough), so own and
other unit, owner and non-owner can be told apart. Unit A is the first unit; the unit-bound callers
of unit B act on unit A's objects.

Outcomes per cell:
- a bad token (expired, from an issuer not trusted, signed with keys the issuer does not have):
  UNAUTHENTICATED, whatever the method;
- a role the rule does not list: PERMISSION_DENIED (UNAUTHENTICATED for a caller without a token);
- a listed role out of the rule's scope: the scope's refusal (own unit and own channel:
  PERMISSION_DENIED with reason OUT_OF_SCOPE; own case: NOT_FOUND, as for an unknown code);
- a listed role in scope: past the gate (neither UNAUTHENTICATED nor PERMISSION_DENIED; the request
  may still be refused as INVALID_ARGUMENT or FAILED_PRECONDITION). Cells whose scope is decided on
  an object use the world's real ids, so they must not be NOT_FOUND either: the scope check, not a
  missing object, is what decides.

Cells that change state only ever move the world's objects on (a result approved stays approved,
a rated case stays rated); no outcome above depends on an object's state, so their order does not
matter.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf import descriptor_pool, symbol_database, timestamp_pb2
from google.rpc import error_details_pb2

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.processing.v1 import processing_pb2
from pakn.publication.v1 import publication_pb2
from pakn.routing.v1 import routing_pb2
from runtime import walkthrough
from runtime.clients import Clients
from runtime.config import load
from runtime.identity.issuer import EmbeddedIssuer, SigningKeys
from runtime.identity.policy import POLICY, Scope, is_open
from runtime.identity.roles import UNIT_BOUND, Role
from runtime.identity.scope import CHANNELS
from runtime.platform import Platform
from tests.actors import Actor, PolicyActor, assignment_units

pytestmark = pytest.mark.postgres

Code = grpc.StatusCode
EMAIL = "chu.ho.so@example.vn"
OTHER_CONTACT = "nguoi.khac@example.vn"
GATE = frozenset({Code.UNAUTHENTICATED, Code.PERMISSION_DENIED})
# Some DownloadMedia scope (Đ13.8) is intake's media access, tested with it; here: its roles only.
ROLE_ONLY = {"/pakn.intake.v1.IntakeService/DownloadMedia"}


@dataclass(frozen=True)
class Who:
    name: str
    role: Role | None = None  # None: no role of its own (a bad token)
    unit: str | None = None
    channel: str | None = None
    bad_token: str = ""  # "expired", "foreign", "impostor"
    owner: bool = True  # a citizen's proof matches the case


@dataclass(frozen=True)
class Expect:
    code: Code | None = None  # exactly this
    not_codes: frozenset[Code] = frozenset()  # anything but these

    def holds(self, got: Code) -> bool:
        return got == self.code if self.code is not None else got not in self.not_codes

    def __str__(self) -> str:
        return self.code.name if self.code is not None else "not " + "/".join(sorted(c.name for c in self.not_codes))


PAST = Expect(not_codes=GATE)
IN_SCOPE = Expect(not_codes=GATE | {Code.NOT_FOUND})


@dataclass
class World:
    case_id: str
    tracking_code: str
    unit_a: str
    unit_b: str
    assignment_a: str


def principals(unit_a: str, unit_b: str) -> list[Who]:
    found = [Who("no credentials", Role.CITIZEN), Who("expired token", bad_token="expired"),
             Who("token of an untrusted issuer", bad_token="foreign"),
             Who("token signed with keys the issuer lacks", bad_token="impostor"),
             Who("citizen owner", Role.CITIZEN), Who("citizen non-owner", Role.CITIZEN, owner=False)]
    found += [Who(f"channel {name}", Role.CHANNEL, channel=name) for name in CHANNELS.values()]
    found.append(Who("coordinator", Role.COORDINATOR))
    for role in (Role.UNIT_OFFICER, Role.UNIT_LEADER, Role.UNIT_SYSTEM):
        found += [Who(f"{role} own unit", role, unit=unit_a), Who(f"{role} other unit", role, unit=unit_b)]
    # Every other role (the administrator, the report reader, the disclosure officer, the auditor, …).
    named = {w.role for w in found}
    found += [Who(str(r), r) for r in Role if r not in named]
    return found


def _ts(days: float) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(datetime.now(timezone.utc) + timedelta(days=days))
    return out


def _channel_number(who: Who) -> int:
    return next((n for n, name in CHANNELS.items() if name == who.channel), common_pb2.CHANNEL_WEB_PORTAL)


def submission(channel: int) -> intake_pb2.SubmitCaseRequest:
    return intake_pb2.SubmitCaseRequest(
        channel=channel, request_id=str(uuid.uuid4()), occurred_at=_ts(-0.1),
        content="Cống thoát nước trên đường Cách Mạng Tháng Tám bị tắc, nước tràn vào nhà dân khi mưa.",
        location=common_pb2.Location(address="Đường Cách Mạng Tháng Tám, phường Tân Ninh"),
        submitter=intake_pb2.Submitter(full_name="Trần Văn Bình", phone="0987654321", email="binh@example.vn"),
        operator_id="tong-dai-vien-1" if channel == common_pb2.CHANNEL_HOTLINE else "")


def scoped_requests(w: World):
    """For each RPC whose scope is decided on an object: the request a caller makes (real ids)."""
    a = w.assignment_a

    def contact(who: Who) -> str:
        return EMAIL if who.owner else OTHER_CONTACT

    return {
        "/pakn.intake.v1.IntakeService/SubmitCase": lambda who: submission(_channel_number(who)),
        "/pakn.intake.v1.IntakeService/UploadMedia": lambda who: [intake_pb2.UploadMediaRequest(
            header=common_pb2.MediaUploadHeader(filename="anh.jpg"))],
        "/pakn.intake.v1.IntakeService/GetCaseStatus": lambda who: intake_pb2.GetCaseStatusRequest(
            tracking_code=w.tracking_code, contact=contact(who)),
        "/pakn.routing.v1.RoutingService/AcceptAssignment": lambda who: routing_pb2.AcceptAssignmentRequest(
            assignment_id=a, handling_working_days=5),
        "/pakn.routing.v1.RoutingService/ReturnAssignment": lambda who: routing_pb2.ReturnAssignmentRequest(
            assignment_id=a, reason="Không thuộc thẩm quyền của đơn vị"),
        "/pakn.routing.v1.RoutingService/ListAssignments": lambda who: routing_pb2.ListAssignmentsRequest(
            unit_id=w.unit_a),
        # Đ16.1: a unit's leader reports its own unit's contact person, the administrator any unit's.
        "/pakn.routing.v1.RoutingService/UpdateUnitContacts": lambda who: routing_pb2.UpdateUnitContactsRequest(
            unit_id=w.unit_a, contact=common_pb2.UnitPerson(name="Lê Thị Mai", position="Chánh Văn phòng",
                                                            phone="0912 345 678")),
        "/pakn.processing.v1.ProcessingService/ListWorkItems": lambda who: processing_pb2.ListWorkItemsRequest(
            unit_id=w.unit_a),
        "/pakn.processing.v1.ProcessingService/GetWorkItem": lambda who: processing_pb2.GetWorkItemRequest(
            assignment_id=a),
        "/pakn.processing.v1.ProcessingService/AssignHandler": lambda who: processing_pb2.AssignHandlerRequest(
            assignment_id=a, handler_id=f"{w.unit_a}/can-bo-2"),
        "/pakn.processing.v1.ProcessingService/UploadEvidence": lambda who: [processing_pb2.UploadEvidenceRequest(
            header=common_pb2.MediaUploadHeader(filename="bien-ban.jpg", owner_id=a)),
            processing_pb2.UploadEvidenceRequest(chunk=walkthrough.PHOTO)],
        "/pakn.processing.v1.ProcessingService/SubmitResult": lambda who: processing_pb2.SubmitResultRequest(
            assignment_id=a, result=processing_pb2.Result(answer="Đã nạo vét cống", document_number="7/TB",
                                                          addressee_kind="cá nhân")),
        "/pakn.processing.v1.ProcessingService/RequestExtension": lambda who: processing_pb2.RequestExtensionRequest(
            assignment_id=a, reason="Cần phối hợp với đơn vị thi công", expected_completion=_ts(20)),
        "/pakn.processing.v1.ProcessingService/ApproveResult": lambda who: processing_pb2.ApproveResultRequest(
            assignment_id=a),
        "/pakn.processing.v1.ProcessingService/ReturnToHandler": lambda who: processing_pb2.ReturnToHandlerRequest(
            assignment_id=a, reason="Cần bổ sung biên bản"),
        "/pakn.processing.v1.ProcessingService/EditAndApproveResult": lambda who: (
            processing_pb2.EditAndApproveResultRequest(assignment_id=a, answer="Đơn vị đã nạo vét toàn tuyến cống")),
        "/pakn.publication.v1.PublicationService/GetSubmitterAnswer": lambda who: (
            publication_pb2.GetSubmitterAnswerRequest(tracking_code=w.tracking_code, contact=contact(who))),
        "/pakn.publication.v1.PublicationService/ReplyToAnswer": lambda who: publication_pb2.ReplyToAnswerRequest(
            tracking_code=w.tracking_code, contact=contact(who), message="Xin cảm ơn đơn vị"),
        "/pakn.publication.v1.PublicationService/RateCase": lambda who: publication_pb2.RateCaseRequest(
            tracking_code=w.tracking_code, contact=contact(who), rating=common_pb2.RATING_SATISFIED),
    }


def expected(method: str, who: Who, w: World, scoped: bool) -> Expect:
    rule = POLICY[method]
    if who.bad_token:
        return Expect(Code.UNAUTHENTICATED)
    if who.role not in rule.roles:
        return Expect(Code.UNAUTHENTICATED if who.role == Role.CITIZEN else Code.PERMISSION_DENIED)
    if not scoped or who.name == "no credentials":
        return PAST  # no object named (a caller without a token proves nothing: the request is empty)
    if rule.scope == Scope.OWN_UNIT:
        if who.role in UNIT_BOUND and who.unit != w.unit_a:
            return Expect(Code.PERMISSION_DENIED)
        return IN_SCOPE
    if rule.scope == Scope.OWN_CASE:
        return IN_SCOPE if who.owner else Expect(Code.NOT_FOUND)
    return IN_SCOPE  # own channel: each channel's account submits as itself


# -- the platform and its world (one for the module) ---------------------------------------------

@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    from tests.infra import create_database, fernet_keys, free_port

    url, drop = create_database()
    folder = tmp_path_factory.mktemp("matrix")
    issuer_port = free_port()  # the embedded issuer's HTTP endpoints, as tests/conftest.py starts them
    config = load(environ={}, overrides={
        "data_dir": str(folder / "var"), "server.port": 0, "metrics.enabled": False, "metrics.port": 0,
        "events.relay_interval_seconds": 0.05, "database.url": url, **fernet_keys(),
        "identity.http_port": issuer_port, "identity.embedded_issuer": f"http://127.0.0.1:{issuer_port}"})
    platform = Platform(config, "all").start()
    config.server.port = platform.port or 0
    actor = Actor(platform.get("identity").issuer)
    holder: list[Clients] = []
    clients = Clients(config, token=PolicyActor(actor, assignment_units(lambda: holder[0])))
    holder.append(clients)
    try:
        out = walkthrough.run(clients, email=EMAIL)
        unit_a, unit_b = (u.unit_id for u in walkthrough.UNITS)
        units = {a.assignment_id: a.unit_id for a in clients.routing.ListAssignments(
            routing_pb2.ListAssignmentsRequest()).assignments}
        world = World(out.case_id, out.tracking_code, unit_a, unit_b,
                      next(a for a in out.assignment_ids if units[a] == unit_a))
        yield platform, actor, world, folder
    finally:
        platform.stop()
        drop()


def metadata_of(who: Who, actor: Actor, folder) -> tuple:
    issuer = actor.issuer
    roles = [Role.COORDINATOR, Role.ADMINISTRATOR]
    if who.bad_token == "expired":
        token = issuer.issue("expired-staff", roles, lifetime=300, now=time.time() - 3600)
    elif who.bad_token == "foreign":
        foreign = EmbeddedIssuer("https://idp.other.example/realms/pakn", issuer.audience,
                                 SigningKeys(folder / "foreign-keys.json"))
        token = foreign.issue("foreign-staff", roles)
    elif who.bad_token == "impostor":
        # The platform's issuer name and audience, but keys the platform never published.
        impostor = EmbeddedIssuer(issuer.issuer, issuer.audience, SigningKeys(folder / "impostor-keys.json"))
        token = impostor.issue("impostor-staff", roles)
    elif who.role in (None, Role.CITIZEN):
        return ()
    else:
        token = actor.token(who.role, unit=who.unit, channel=who.channel)
    return (("authorization", f"Bearer {token}"),)


def served_methods(platform) -> list[str]:
    """Every RPC of every gRPC service the platform registered (health and reflection are open)."""
    pool = descriptor_pool.Default()
    found = []
    for name in platform.get("server").service_names:
        if is_open(f"/{name}/"):
            continue
        found += [f"/{name}/{m.name}" for m in pool.FindServiceByName(name).methods]
    return found


def invoke(channel: grpc.Channel, method: str, request, metadata) -> tuple[Code, str]:
    """Call any method by name; returns its status code and ErrorInfo reason."""
    service, name = method[1:].rsplit("/", 1)
    desc = descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]
    db = symbol_database.Default()
    cls_in, cls_out = db.GetSymbol(desc.input_type.full_name), db.GetSymbol(desc.output_type.full_name)
    kinds = {(False, False): channel.unary_unary, (True, False): channel.stream_unary,
             (False, True): channel.unary_stream, (True, True): channel.stream_stream}
    stub = kinds[(desc.client_streaming, desc.server_streaming)](
        method, request_serializer=cls_in.SerializeToString, response_deserializer=cls_out.FromString)
    if request is None:
        request = [cls_in()] if desc.client_streaming else cls_in()
    if desc.client_streaming:
        request = iter(request)
    try:
        result = stub(request, metadata=metadata, timeout=20)
        if desc.server_streaming:
            list(result)
        return Code.OK, ""
    except grpc.RpcError as err:
        return err.code(), reason_of(err)


def reason_of(err: grpc.RpcError) -> str:
    from grpc_status import rpc_status

    status = rpc_status.from_call(err)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


# -- the tests ----------------------------------------------------------------------------------

def test_every_served_rpc_has_a_rule_and_every_rule_a_served_rpc(matrix):
    platform, _, _, _ = matrix
    served = set(served_methods(platform))
    assert served - set(POLICY) == set(), "RPCs without a rule in runtime/identity/policy.py"
    assert set(POLICY) - served == set(), "rules of RPCs no service serves"


def test_every_scoped_rpc_is_called_on_a_real_object(matrix):
    _, _, world, _ = matrix
    scoped = {m for m, r in POLICY.items() if r.scope in (Scope.OWN_UNIT, Scope.OWN_CASE, Scope.OWN_CHANNEL)}
    assert scoped - set(scoped_requests(world)) - ROLE_ONLY == set()


def test_the_matrix_every_rpc_by_every_caller(matrix):
    platform, actor, world, folder = matrix
    requests = scoped_requests(world)
    channel = grpc.insecure_channel(f"127.0.0.1:{platform.port}")
    who_all = principals(world.unit_a, world.unit_b)
    metadata = {who.name: metadata_of(who, actor, folder) for who in who_all}
    cells, wrong = 0, []
    tally: Counter[str] = Counter()

    def check(method: str, who: Who, request, want: Expect, note: str = "") -> None:
        nonlocal cells
        got, reason = invoke(channel, method, request, metadata[who.name])
        cells += 1
        tally[str(want)] += 1
        if not want.holds(got):
            wrong.append(f"{method.rsplit('/', 2)[-2]}.{method.rsplit('/', 1)[1]} as {who.name}{note}: "
                         f"expected {want}, got {got.name} {reason}".rstrip())
        elif want.code == Code.PERMISSION_DENIED and who.role in POLICY[method].roles:
            # Out of scope, not out of role: the use case's refusal, with its reason.
            if reason != "OUT_OF_SCOPE":
                wrong.append(f"{method} as {who.name}{note}: PERMISSION_DENIED without reason OUT_OF_SCOPE ({reason})")

    for method in sorted(served_methods(platform)):
        build = requests.get(method)
        for who in who_all:
            scoped = build is not None and who.name != "no credentials"
            request = build(who) if scoped else None
            check(method, who, request, expected(method, who, world, scoped and method not in ROLE_ONLY))

    # Own channel (Đ5): each channel's account submitting as another channel is refused.
    submit = "/pakn.intake.v1.IntakeService/SubmitCase"
    for who in (w for w in who_all if w.role == Role.CHANNEL):
        other = _channel_number(who) % len(CHANNELS) + 1
        check(submit, who, submission(other), Expect(Code.PERMISSION_DENIED), f" as channel {CHANNELS[other]}")

    channel.close()
    share = 100 * (cells - len(wrong)) / cells
    print(f"\nauthorisation matrix: {cells - len(wrong)}/{cells} cells as the policy says ({share:.0f} %); "
          f"{dict(tally)}")
    assert not wrong, f"{len(wrong)} of {cells} cells differ from the policy:\n" + "\n".join(wrong)
    assert cells >= len(POLICY) * len(who_all)


# -- lists are filtered by scope, not only refused ----------------------------------------------

def _stubs(platform, actor, role, unit) -> Clients:
    return Clients(platform.config, token=lambda _m, _r: actor.token(role, unit=unit))


def test_a_units_lists_hold_its_own_unit_only_dieu_8(matrix):
    platform, actor, world, _ = matrix
    coordinator = _stubs(platform, actor, Role.COORDINATOR, None)
    everything = coordinator.routing.ListAssignments(routing_pb2.ListAssignmentsRequest()).assignments
    assert {a.unit_id for a in everything} == {world.unit_a, world.unit_b}
    for unit in (world.unit_a, world.unit_b):
        for role in (Role.UNIT_OFFICER, Role.UNIT_LEADER, Role.UNIT_SYSTEM):
            c = _stubs(platform, actor, role, unit)
            # No unit named: the caller's own unit's, nothing of the other's.
            mine = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest()).assignments
            assert [a.assignment_id for a in mine] == [a.assignment_id for a in everything if a.unit_id == unit]
            items = c.processing.ListWorkItems(processing_pb2.ListWorkItemsRequest()).work_items
            assert {i.unit_id for i in items} == {unit} and len(items) == 1
            named = c.processing.ListWorkItems(processing_pb2.ListWorkItemsRequest(unit_id=unit)).work_items
            assert [i.assignment_id for i in named] == [i.assignment_id for i in items]
    # The report readers and the coordinator see every unit's assignments (Đ13.7).
    reader = _stubs(platform, actor, Role.REPORT_READER, None)
    assert len(reader.routing.ListAssignments(routing_pb2.ListAssignmentsRequest()).assignments) == len(everything)


def test_another_units_object_is_refused_bilingually_without_its_content(matrix):
    platform, actor, world, _ = matrix
    c = _stubs(platform, actor, Role.UNIT_LEADER, world.unit_b)
    try:
        c.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(assignment_id=world.assignment_a))
    except grpc.RpcError as err:
        assert err.code() == Code.PERMISSION_DENIED and reason_of(err) == "OUT_OF_SCOPE"
        from grpc_status import rpc_status

        messages = {}
        for detail in rpc_status.from_call(err).details:
            if detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
                m = error_details_pb2.LocalizedMessage()
                detail.Unpack(m)
                messages[m.locale] = m.message
        assert set(messages) == {"vi-VN", "en-US"} and "đơn vị" in messages["vi-VN"]
        assert "nạo vét" not in err.details() and world.unit_a not in err.details()
    else:
        raise AssertionError("another unit's leader read unit A's work item")


def test_a_wrong_contact_reveals_nothing_about_the_case_dieu_12_1(matrix):
    """Own case: a wrong contact is answered exactly as an unknown tracking code is, so codes cannot
    be probed; the right contact reaches the case."""
    from services.intake.domain import new_tracking_code

    platform, _, world, _ = matrix
    channel = grpc.insecure_channel(f"127.0.0.1:{platform.port}")
    unknown = new_tracking_code(datetime.now(timezone.utc).year)
    for method, make in (("/pakn.intake.v1.IntakeService/GetCaseStatus", intake_pb2.GetCaseStatusRequest),
                         ("/pakn.publication.v1.PublicationService/GetSubmitterAnswer",
                          publication_pb2.GetSubmitterAnswerRequest)):
        answers = []
        for code, contact in ((world.tracking_code, OTHER_CONTACT), (unknown, OTHER_CONTACT), (unknown, EMAIL)):
            try:
                invoke_raw(channel, method, make(tracking_code=code, contact=contact))
            except grpc.RpcError as err:
                answers.append((err.code(), err.details(), reason_of(err)))
        assert len(answers) == 3 and len(set(answers)) == 1 and answers[0][0] == Code.NOT_FOUND
        assert invoke(channel, method, make(tracking_code=world.tracking_code, contact=EMAIL), ())[0] == Code.OK
    channel.close()


def invoke_raw(channel: grpc.Channel, method: str, request):
    service, name = method[1:].rsplit("/", 1)
    desc = descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]
    out = symbol_database.Default().GetSymbol(desc.output_type.full_name)
    return channel.unary_unary(method, request_serializer=type(request).SerializeToString,
                               response_deserializer=out.FromString)(request, timeout=20)


def test_a_scope_refusal_is_recorded_as_a_denial_on_the_services_chain(matrix):
    """Like the gate's refusals, a use case's OUT_OF_SCOPE reaches the audit trail (docs/audit.md), with
    who asked and from where, and nothing of the object."""
    import sqlalchemy as sa

    platform, actor, world, _ = matrix
    c = Clients(platform.config)
    metadata = (*actor.metadata(Role.UNIT_LEADER, unit=world.unit_b), ("x-request-id", "req-out-of-scope-1"))
    try:
        c.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=world.assignment_a),
                                   metadata=metadata)
    except grpc.RpcError as err:
        assert err.code() == Code.PERMISSION_DENIED
    else:
        raise AssertionError("another unit's leader approved unit A's result")
    finally:
        c.close()
    service = platform.service("processing")
    table = service.audit.log
    with service.db.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(table).where(table.c.request_id == "req-out-of-scope-1"))]
    assert [(r["action"], r["outcome"], r["roles"], r["unit_id"]) for r in rows] == [
        ("/pakn.processing.v1.ProcessingService/ApproveResult", "denied:out_of_scope", "unit_leader", world.unit_b)]
