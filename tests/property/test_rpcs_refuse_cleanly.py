"""Every mutating RPC of every service, fed generated requests over real gRPC, on PostgreSQL.

Only OK or a client error comes back — never INTERNAL or UNKNOWN — and a refused call stores
nothing (every table of every service's schema, outboxes included, counts the same rows before and
after). PostgreSQL, because column sizes are enforced there and not by SQLite
(runtime/limits.py, docs/limits.md).
"""

from __future__ import annotations

import importlib

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.modules import SERVICES
from tests.infra import fernet_keys

pytestmark = [pytest.mark.postgres]

ALLOWED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
           grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.PERMISSION_DENIED,
           grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.RESOURCE_EXHAUSTED}
READS = ("Get", "List", "Download", "Search", "Check", "Export", "Verify", "Compute", "Preview")

ODD_TEXT = st.one_of(
    st.text(max_size=12), st.just(""), st.just("\x00"), st.just("a\x00b"), st.just("x" * 5000),
    st.just("đ" * 400), st.just("0912345678"), st.just("a@b.vn"), st.just("a" * 205 + "@example.vn"),
    st.just("26-0000000"), st.just("2026-02-30"), st.just("\u202e\ufeff"), st.just("' OR 1=1 --"),
)


def _value(field: FieldDescriptor, depth: int):
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return ODD_TEXT
    if t == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t == FieldDescriptor.TYPE_ENUM:
        return st.integers(min_value=-3, max_value=40)
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(10.9), st.just(106.6))
    if t == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            return st.builds(lambda s, n: field.message_type._concrete_class(seconds=s, nanos=n),
                             st.one_of(st.integers(-2**40, 2**40), st.just(253_402_300_800), st.just(1_780_000_000)),
                             st.one_of(st.just(0), st.integers(-5, 2_000_000_000)))
        if depth > 2 or field.message_type.GetOptions().map_entry:
            return st.none()
        return message(field.message_type, depth + 1)
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return st.integers(-2**63, 2**63 - 1)
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    return st.integers(-2**31, 2**31 - 1)


def message(descriptor, depth: int = 0):
    cls = descriptor._concrete_class

    @st.composite
    def build(draw):
        msg = cls()
        for field in descriptor.fields:
            if not draw(st.booleans()):
                continue
            strategy = _value(field, depth)
            if field.is_repeated:
                values = draw(st.one_of(st.lists(strategy, max_size=3), st.lists(strategy, min_size=150,
                                                                                 max_size=150)))
                values = [v for v in values if v is not None]
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    getattr(msg, field.name).extend(values)
                else:
                    getattr(msg, field.name).extend(values)
                continue
            value = draw(strategy)
            if value is None:
                continue
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                getattr(msg, field.name).CopyFrom(value)
            else:
                setattr(msg, field.name, value)
        return msg

    return build()


def mutating_methods(service: str):
    module = importlib.import_module(f"pakn.{service}.v1.{service}_pb2")
    for svc in module.DESCRIPTOR.services_by_name.values():
        for method in svc.methods:
            if method.client_streaming or method.name.startswith(READS):
                continue
            yield svc, method


def counts(engine, tables: list[tuple[str, str]]) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT '{s}.{t}', count(*) FROM \"{s}\".\"{t}\"" for s, t in tables)
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql(sql).all())


@pytest.fixture(scope="module")
def platform_on_postgres(tmp_path_factory):
    from runtime.config import load
    from runtime.platform import Platform
    from tests.infra import create_database

    url, drop = create_database()
    config = load(environ={}, overrides={
        "data_dir": str(tmp_path_factory.mktemp("prop")), "server.port": 0, "metrics.enabled": False,
        "database.url": url, "log_level": "CRITICAL", **fernet_keys()})
    platform = Platform(config, "all").start()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = [(s, t) for s, t in conn.exec_driver_sql(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY(%(s)s) "
            "AND table_name <> 'alembic_version'", {"s": list(SERVICES)}).all()]
    channel = grpc.insecure_channel(f"127.0.0.1:{platform.port}")
    yield channel, engine, tables
    channel.close()
    engine.dispose()
    platform.stop()
    drop()


def exercise(channel, engine, tables, svc, method, seen: dict[str, set[str]]) -> None:
    path = f"/{svc.full_name}/{method.name}"
    request_cls, response_cls = method.input_type._concrete_class, method.output_type._concrete_class
    factory = channel.unary_stream if method.server_streaming else channel.unary_unary
    call = factory(path, request_serializer=request_cls.SerializeToString,
                   response_deserializer=response_cls.FromString)

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=message(method.input_type))
    def check(request):
        before = counts(engine, tables)
        try:
            result = call(request, timeout=20)
            if method.server_streaming:
                list(result)
            code = grpc.StatusCode.OK
        except grpc.RpcError as err:
            code = err.code()
        seen.setdefault(method.name, set()).add(code.name)
        assert code in ALLOWED, f"{method.name} answered {code.name}"
        if code != grpc.StatusCode.OK:
            assert counts(engine, tables) == before, f"{method.name} refused with {code.name} but stored"

    check()


# Reporting only reads (its figures come from events).
WRITERS = [s for s in SERVICES if any(mutating_methods(s))]


def test_reporting_is_the_only_service_without_mutating_rpcs():
    assert set(SERVICES) - set(WRITERS) == {"reporting"}


@pytest.mark.parametrize("service", WRITERS)
def test_mutating_rpcs_answer_only_client_errors_and_a_refused_call_stores_nothing(platform_on_postgres, service):
    channel, engine, tables = platform_on_postgres
    seen: dict[str, set[str]] = {}
    methods = list(mutating_methods(service))
    for svc, method in methods:
        exercise(channel, engine, tables, svc, method, seen)
    assert set(seen) == {m.name for _, m in methods}
