"""Every RPC of every service, fed generated requests over real gRPC, on PostgreSQL.

Only OK or a client error comes back — never INTERNAL or UNKNOWN — and a refused call stores
nothing: every table of every service's schema, outboxes included, has the same rows with the same
contents before and after. PostgreSQL, because column sizes are enforced there and not by SQLite
(runtime/limits.py, docs/limits.md).

Requests are generated from the protobuf descriptors: strings with unicode, NUL and other control
characters, very long strings, timestamps out of any range and with negative nanos, large repeated
fields, enum values out of range — and, so that the calls reach past the first lookup, the ids of
a small world made first (a case, its assignment, units, a delivery) and valid requests with one
field spoilt. Mutating RPCs get more examples than reads.
"""

from __future__ import annotations

import importlib
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.notification.v1 import notification_pb2
from pakn.processing.v1 import processing_pb2
from pakn.routing.v1 import routing_pb2
from runtime.modules import SERVICES
from tests.actors import Actor, PolicyActor
from tests.infra import fernet_keys

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
# Every call carries a valid token of a role the policy allows for the method (tests/actors.py), so
# UNAUTHENTICATED is never an answer; PERMISSION_DENIED is, for an object outside the caller's scope.
ALLOWED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
           grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.PERMISSION_DENIED,
           grpc.StatusCode.RESOURCE_EXHAUSTED}
# Reads by their verb; every other RPC is treated as one that changes something (VerifyCase does).
READ_VERBS = ("Get", "List", "Download", "Search", "Export", "Compute")
MUTATING_EXAMPLES, READ_EXAMPLES = 15, 4


def _ts(dt: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(dt)
    return out


NOW = datetime.now(timezone.utc)
EMAIL_205 = "a" * 64 + "@" + "b" * 137 + ".vn"
ODD_TEXT = st.one_of(
    st.text(max_size=12), st.just(""), st.just("\x00"), st.just("a\x00b"), st.just("dòng 1\ndòng 2\t."),
    st.just("x" * 5000), st.just("y" * 300), st.just("z" * 121), st.just("đ" * 10_001), st.just("w" * 70_000),
    st.just("0912345678"), st.just("a@b.vn"), st.just(EMAIL_205), st.just("a" * 65 + "@example.vn"),
    st.just("26-0000000"), st.just("2026-02-30"), st.just("2026-05-01"), st.just("\u202e\ufeff"),
    st.just("' OR 1=1 --"), st.just("\ud7ff\U0010ffff"), st.text(alphabet=st.characters(codec="utf-8"), min_size=100,
                                                                   max_size=400),
)
ODD_TIME = st.one_of(
    st.builds(lambda s, n: timestamp_pb2.Timestamp(seconds=s, nanos=n),
              st.one_of(st.integers(-2**40, 2**40), st.just(253_402_300_800), st.just(253_402_300_799),
                        st.just(-62_135_596_800), st.just(0), st.just(4_102_444_800)),
              st.one_of(st.just(0), st.integers(-5, 2_000_000_000))),
    st.sampled_from([_ts(NOW - timedelta(hours=2)), _ts(NOW + timedelta(days=3)), _ts(NOW + timedelta(hours=20))]),
)
def _scalar(field: FieldDescriptor, known: dict[str, list]):
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        values = known.get(field.name)
        return st.one_of(st.sampled_from(values), ODD_TEXT) if values else ODD_TEXT
    if t == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t == FieldDescriptor.TYPE_ENUM:
        return st.one_of(st.sampled_from(list(field.enum_type.values_by_number)), st.integers(-3, 40),
                         st.just(2**31 - 1))
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(11.3), st.just(106.1))
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return st.integers(-2**63, 2**63 - 1)
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    return st.one_of(st.integers(-2**31, 2**31 - 1), st.integers(-2, 30))


def _value(field: FieldDescriptor, depth: int, known: dict[str, list]):
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            return ODD_TIME
        if depth > 2 or field.message_type.GetOptions().map_entry:
            return st.none()
        return message(field.message_type, known, depth + 1)
    return _scalar(field, known)


def _set(msg, field: FieldDescriptor, value) -> None:
    if field.is_repeated:
        getattr(msg, field.name).extend(v for v in value if v is not None)
    elif value is None:
        return
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(msg, field.name).CopyFrom(value)
    else:
        setattr(msg, field.name, value)


def message(descriptor, known: dict[str, list], depth: int = 0):
    """Any message of this type, fields set or not at random, each from the odd values."""
    cls = descriptor._concrete_class

    @st.composite
    def build(draw):
        msg = cls()
        for field in descriptor.fields:
            if not draw(st.booleans()):
                continue
            strategy = _value(field, depth, known)
            if field.is_repeated:
                _set(msg, field, draw(st.one_of(st.lists(strategy, max_size=3),
                                                st.lists(strategy, min_size=150, max_size=150))))
            else:
                _set(msg, field, draw(strategy))
        return msg

    return build()


def spoilt(seed, known: dict[str, list]):
    """A valid request with one or two of its fields (or nested fields) replaced by odd values."""
    @st.composite
    def build(draw):
        msg = type(seed)()
        msg.CopyFrom(seed)
        for _ in range(draw(st.integers(0, 2))):
            holder = msg
            fields = list(holder.DESCRIPTOR.fields)
            field = draw(st.sampled_from(fields))
            while (field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated
                   and field.message_type.full_name != "google.protobuf.Timestamp" and draw(st.booleans())):
                holder = getattr(holder, field.name)
                field = draw(st.sampled_from(list(holder.DESCRIPTOR.fields)))
            holder.ClearField(field.name)
            strategy = _value(field, 1, known)
            _set(holder, field, draw(st.lists(strategy, max_size=150) if field.is_repeated else strategy))
        return msg

    return build()


def methods():
    for service in SERVICES:
        for path in sorted((ROOT / "gen" / "pakn" / service / "v1").glob("*_pb2.py")):
            module = importlib.import_module(f"pakn.{service}.v1.{path.stem}")
            for svc in module.DESCRIPTOR.services_by_name.values():
                for method in svc.methods:
                    if not method.client_streaming:  # uploads: the media tests' own business
                        yield service, svc, method


def digest_sql(tables: list[tuple[str, str]]) -> str:
    """One row per table: its row count and a hash of all its rows, whatever their order."""
    return " UNION ALL ".join(
        f"SELECT '{s}.{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
        f"FROM \"{s}\".\"{t}\" x" for s, t in tables)


class World:
    """The platform on PostgreSQL, a channel to it, and the ids of what was made first."""

    def __init__(self, platform, engine, tables):
        self.platform, self.engine, self.tables = platform, engine, tables
        self.channel = grpc.insecure_channel(f"127.0.0.1:{platform.port}")
        self.sql = digest_sql(tables)
        self.known: dict[str, list] = {}
        self.seeds: dict[str, object] = {}
        self.busy = False  # a call succeeded: its events may still be travelling
        # Who calls: for each method a role the policy allows, for a unit's role the unit of the
        # world's assignment (or a unit of no one's for an id the world does not know).
        self.units: dict[str, str] = {}
        self.tokens = PolicyActor(Actor(platform.get("identity").issuer), self.units.get)

    def snapshot(self) -> dict[str, tuple[int, str]]:
        with self.engine.connect() as conn:
            return {name: (n, h) for name, n, h in conn.exec_driver_sql(self.sql).all()}

    def settled(self, timeout: float = 20.0) -> dict[str, tuple[int, str]]:
        """The state once every outbox is relayed and nothing changes for a moment."""
        deadline = time.monotonic() + timeout
        last = self.snapshot()
        while time.monotonic() < deadline:
            time.sleep(0.15)
            now = self.snapshot()
            relayed = all(self.platform.service(s).relay.backlog() == 0 for s in SERVICES)
            if now == last and relayed:
                self.busy = False
                return now
            last = now
        raise AssertionError("the platform did not settle")

    def call(self, svc, method, request):
        path = f"/{svc.full_name}/{method.name}"
        factory = self.channel.unary_stream if method.server_streaming else self.channel.unary_unary
        stub = factory(path, request_serializer=type(request).SerializeToString,
                       response_deserializer=method.output_type._concrete_class.FromString)
        token = self.tokens(path, request)
        metadata = [("authorization", f"Bearer {token}")] if token else None
        result = stub(request, timeout=20, metadata=metadata)
        return list(result) if method.server_streaming else result


def build_world(world: World) -> None:
    """Units, a case distributed to one of them and accepted, its delivery: ids to aim at."""
    routing = routing_pb2.DESCRIPTOR.services_by_name["RoutingService"]
    intake = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"]
    processing = processing_pb2.DESCRIPTOR.services_by_name["ProcessingService"]
    notification = notification_pb2.DESCRIPTOR.services_by_name["NotificationService"]

    def call(svc, name, request):
        return world.call(svc, svc.methods_by_name[name], request)

    for unit in ("so-gtvt", "ubnd-tp"):
        call(routing, "RegisterUnit", routing_pb2.RegisterUnitRequest(unit=common_pb2.Unit(
            unit_id=unit, name=f"Đơn vị {unit}", leader_title="Giám đốc", contact_title="Văn thư", on_system=True)))
    submit = intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id="seed-1",
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay", occurred_at=_ts(NOW - timedelta(hours=2)),
        location=common_pb2.Location(address="Đường Trần Hưng Đạo, phường Tân Ninh"),
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"))
    cases = [call(intake, "SubmitCase", submit)]
    second = intake_pb2.SubmitCaseRequest()
    second.CopyFrom(submit)
    second.request_id = "seed-2"
    cases.append(call(intake, "SubmitCase", second))
    world.settled()
    category = call(routing, "ListCategories", routing_pb2.ListCategoriesRequest()).categories[0].code
    first = cases[0].case_id
    call(routing, "VerifyCase", routing_pb2.VerifyCaseRequest(case_id=first))
    call(routing, "ClassifyCase", routing_pb2.ClassifyCaseRequest(case_id=first, category_code=category))
    [assignment] = call(routing, "DistributeCase", routing_pb2.DistributeCaseRequest(
        case_id=first, unit_ids=["so-gtvt"])).assignments
    world.units[assignment.assignment_id] = "so-gtvt"
    call(routing, "AcceptAssignment", routing_pb2.AcceptAssignmentRequest(
        assignment_id=assignment.assignment_id, handling_working_days=3))
    world.settled()
    call(processing, "AssignHandler", processing_pb2.AssignHandlerRequest(
        assignment_id=assignment.assignment_id, handler_id="can-bo-1"))
    world.settled()
    deliveries = call(notification, "ListDeliveries", notification_pb2.ListDeliveriesRequest(case_id=first))
    world.known = {
        "case_id": [c.case_id for c in cases], "tracking_code": [c.tracking_code for c in cases],
        "assignment_id": [assignment.assignment_id], "unit_id": ["so-gtvt", "ubnd-tp"],
        "unit_ids": ["so-gtvt", "ubnd-tp"], "category_code": [category], "reason_code": ["advertising"],
        "contact": ["0912345678", "binh@example.vn"], "handler_id": ["can-bo-1"],
        "delivery_id": [d.delivery_id for d in deliveries.deliveries], "addressee_kind": ["cá nhân"],
        "date": ["2026-05-01"], "email": ["binh@example.vn", EMAIL_205], "phone": ["0912345678"],
        "requesting_body": ["Công an tỉnh"], "reason": ["Bão lớn"], "note": ["Ghi chú"],
    }
    world.seeds = {
        "pakn.intake.v1.IntakeService/SubmitCase": submit,
        "pakn.routing.v1.RoutingService/RegisterUnit": routing_pb2.RegisterUnitRequest(unit=common_pb2.Unit(
            unit_id="so-tnmt", name="Sở Tài nguyên", leader_title="Giám đốc", contact_title="Văn thư",
            on_system=True)),
        # Đ16.1: a unit's leader and contact person, spoilt one field at a time.
        "pakn.routing.v1.RoutingService/UpdateUnitContacts": routing_pb2.UpdateUnitContactsRequest(
            unit_id="so-gtvt", leader=common_pb2.UnitPerson(name="Nguyễn Văn Hùng", position="Phó Giám đốc",
                                                            phone="0912345678", email="hung@sogtvt.vn"),
            contact=common_pb2.UnitPerson(name="Lê Thị Mai", phone="0276 3822 456")),
        "pakn.processing.v1.ProcessingService/SubmitResult": processing_pb2.SubmitResultRequest(
            assignment_id=assignment.assignment_id, result=processing_pb2.Result(
                answer="Đã sửa đèn", document_number="12/UBND", addressee_kind="cá nhân")),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from runtime.config import load
    from runtime.platform import Platform
    from tests.infra import create_database

    url, drop = create_database()
    config = load(environ={}, overrides={
        "data_dir": str(tmp_path_factory.mktemp("prop")), "server.port": 0, "metrics.enabled": False,
        "database.url": url, "log_level": "CRITICAL", "events.relay_interval_seconds": 0.05, **fernet_keys()})
    platform = Platform(config, "all").start()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = [(s, t) for s, t in conn.exec_driver_sql(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY(%(s)s) "
            "AND table_name <> 'alembic_version' ORDER BY 1, 2", {"s": list(SERVICES)}).all()]
    # The audit trail is no state of the case: a refused look-up still records the decryption its
    # ownership check made (docs/audit.md). Its own tests are tests/integration/test_audit.py.
    # Nor are the look-up counters: a failed citizen look-up is refused AND counted on purpose
    # (runtime/lookup_limits.py, tests/integration/test_lookup_limits.py).
    tables = [(s, t) for s, t in tables if t not in ("audit_log", "audit_head", "lookup_failures", "lookup_trusted")]
    # A delivery that fails (an address the mailer cannot encode) is retried seconds later, which
    # would change rows between a call's snapshots: here its retry waits an hour.
    dispatchers = [d for d in platform.service("notification").parts.background if hasattr(d, "backoff_seconds")]
    assert dispatchers
    for dispatcher in dispatchers:
        dispatcher.backoff_seconds = 3600.0
    w = World(platform, engine, tables)
    try:
        build_world(w)
        yield w
    finally:
        w.channel.close()
        engine.dispose()
        platform.stop()
        drop()


def exercise(world: World, svc, method, seen: dict[str, set[str]]) -> None:
    mutating = not method.name.startswith(READ_VERBS)
    generated = message(method.input_type, world.known)
    seed = world.seeds.get(f"{svc.full_name}/{method.name}")
    requests = st.one_of(generated, spoilt(seed, world.known)) if seed is not None else generated

    # No shrinking: each step would wait for the platform to settle; the failing example is shown as found.
    @settings(max_examples=MUTATING_EXAMPLES if mutating else READ_EXAMPLES, deadline=None, database=None,
              phases=(Phase.explicit, Phase.reuse, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=requests)
    def check(request):
        before = world.settled() if world.busy else world.snapshot()
        try:
            world.call(svc, method, request)
            code = grpc.StatusCode.OK
        except grpc.RpcError as err:
            code = err.code()
        seen.setdefault(method.name, set()).add(code.name)
        assert code in ALLOWED, f"{method.name} answered {code.name}"
        if code == grpc.StatusCode.OK:
            world.busy = True
        else:
            after = world.snapshot()
            changed = sorted(t for t in after if after[t] != before.get(t))
            assert changed == [], f"{method.name} refused with {code.name} but changed {changed}"

    check()


ALL = list(methods())


def test_every_service_is_exercised_and_mutating_rpcs_are_told_from_reads():
    assert {s for s, _, _ in ALL} == set(SERVICES)
    mutating = {m.name for _, _, m in ALL if not m.name.startswith(READ_VERBS)}
    assert {"SubmitCase", "VerifyCase", "DeclarePause", "EndPause", "RecordDay", "ResendDelivery",
            "RateCase", "SubmitResult"} <= mutating
    assert {"ComputeDeadline", "GetSummary", "ListInbox"}.isdisjoint(mutating)


@pytest.mark.parametrize("service", SERVICES)
def test_rpcs_answer_only_client_errors_and_a_refused_call_changes_nothing(world, service):
    seen: dict[str, set[str]] = {}
    mine = [(svc, m) for s, svc, m in ALL if s == service]
    for svc, method in mine:
        exercise(world, svc, method, seen)
    assert set(seen) == {m.name for _, m in mine}
