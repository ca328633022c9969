"""Request limits as a client sees them over real gRPC (runtime/limits.py, docs/limits.md): refusals
that fit in a trailer and never quote the value, e-mail addresses of RFC 5321's sizes notified on
PostgreSQL, and intake's memory flat over a long stream of bad requests."""

from __future__ import annotations

import gc
import random
import tracemalloc
import uuid

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.notification.v1 import notification_pb2
from runtime.clients import Clients
from runtime.errors import field_violations
from tests.helpers import eventually, now_ts, place, rpc_error, violations
from tests.infra import fernet_keys

OCCURRED = now_ts(2)


def submit_request(**kw):
    base = dict(channel=common_pb2.CHANNEL_MOBILE_APP, content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay",
                occurred_at=OCCURRED, location=place(),
                submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"))
    base.update(kw)
    return intake_pb2.SubmitCaseRequest(**base)


def count(platform, service: str, table: str) -> int:
    with platform.service(service).db.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def status_details(err: grpc.RpcError) -> bytes:
    return dict(err.trailing_metadata() or ()).get("grpc-status-details-bin", b"")


def test_a_thousand_unknown_media_ids_and_a_megabyte_ward_code_are_refused_readably(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    request = submit_request(media_ids=[str(uuid.uuid4()) for _ in range(1000)],
                             location=common_pb2.Location(address="Phường Tân Ninh", ward_code="x" * 1_000_000))
    err = rpc_error(lambda: c.intake.SubmitCase(request))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT  # not RESOURCE_EXHAUSTED: the status fits
    found = violations(err)
    assert set(found) == {"media_ids", "location.ward_code"}
    assert found["media_ids"] == "Quá nhiều mục (tối đa 10) / too many items (10 at most)"
    assert "too long (16 characters at most)" in found["location.ward_code"]
    details = status_details(err)
    assert 0 < len(details) < 4096 and b"xxxx" not in details and "xxxx" not in (err.details() or "")
    assert count(p, "intake", "cases") == 0 and count(p, "intake", "outbox") == 0


def test_unknown_media_ids_within_the_limit_are_named_one_by_one(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    err = rpc_error(lambda: c.intake.SubmitCase(submit_request(media_ids=[str(uuid.uuid4()) for _ in range(10)])))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(err)) == {f"media_ids[{i}]" for i in range(10)}
    assert count(p, "intake", "cases") == 0


@pytest.mark.parametrize("field,value", [
    ("request_id", "r" * 300), ("external_id", "e" * 300), ("operator_id", "o" * 121), ("content", "a\x00b"),
    ("request_id", "id\x00"), ("submitter.full_name", "Bình\x07")])
def test_overlong_ids_and_control_characters_are_invalid_not_internal(start_platform, clients_for, field, value):
    p = start_platform("intake")
    c = clients_for(p)
    request = submit_request()
    holder, _, name = field.rpartition(".")
    setattr(getattr(request, holder) if holder else request, name, value)
    err = rpc_error(lambda: c.intake.SubmitCase(request))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and list(violations(err)) == [field]
    assert value not in (err.details() or "") and value.encode() not in status_details(err)
    assert count(p, "intake", "cases") == 0


@pytest.mark.parametrize("seconds,nanos", [(253_402_300_800, 0), (1_700_000_000, -1), (-62_135_596_801, 0),
                                           (946_684_799, 0)])
def test_timestamps_outside_the_range_are_invalid_not_internal(start_platform, clients_for, seconds, nanos):
    from google.protobuf import timestamp_pb2

    p = start_platform("intake")
    c = clients_for(p)
    stamp = timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)
    err = rpc_error(lambda: c.intake.SubmitCase(submit_request(occurred_at=stamp)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and list(violations(err)) == ["occurred_at"]


def test_who_acted_comes_from_the_token_and_a_subject_too_long_for_the_record_is_refused(start_platform, actor):
    """The actor recorded with a disclosure is the token's subject (a header the caller writes is
    ignored); a subject that would not fit the record's column is refused before anything is done."""
    from runtime.identity.roles import Role

    p = start_platform("intake")
    channel = Clients(p.config, token=lambda _m, _r: actor(p).token(Role.CHANNEL, channel="mobile_app"))
    case = channel.intake.SubmitCase(submit_request())
    officer = Clients(p.config, token=lambda _m, _r: actor(p).token(Role.DISCLOSURE_OFFICER, subject="a" * 121))
    err = rpc_error(lambda: officer.intake.DiscloseSubmitter(
        intake_pb2.DiscloseSubmitterRequest(case_id=case.case_id, requesting_body="Công an tỉnh", reason="Điều tra"),
        metadata=[("x-pakn-actor", "can-bo-khac")]))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert count(p, "intake", "disclosures") == 0
    channel.close()
    officer.close()


def address(length: int, local: int = 20) -> str:
    domain = "b" * (length - local - 1 - 3) + ".vn"
    return "a" * local + "@" + domain


@pytest.mark.postgres
def test_addresses_of_rfc_5321s_sizes_are_notified_and_longer_ones_refused(start_platform, clients_for,
                                                                           postgres_url):
    """A 205-character address passed intake and then failed notification's column on PostgreSQL:
    that citizen was never told anything. Up to 254 characters (64 before the @) now arrive."""
    p = start_platform("all", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    cases = {}
    for length in (205, 254):
        email = address(length, local=64)
        assert len(email) == length
        cases[length] = c.intake.SubmitCase(submit_request(
            request_id=f"mail-{length}", submitter=intake_pb2.Submitter(
                full_name="Trần Thị Bình", phone="0912345678", email=email))).case_id
    def deliveries(case_id: str):
        try:
            return list(c.notification.ListDeliveries(notification_pb2.ListDeliveriesRequest(case_id=case_id))
                        .deliveries)
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.NOT_FOUND  # not yet
            raise AssertionError("no delivery yet") from None

    for case_id in cases.values():
        [delivery] = eventually(lambda: deliveries(case_id), timeout=20)  # noqa: B023
        assert delivery.channel == notification_pb2.DELIVERY_CHANNEL_EMAIL
        assert delivery.recipient_masked.startswith("a***@")
    assert count(p, "notification", "failed_events") == 0
    for email, why in ((address(255), "too long (254"), (address(120, local=65), "before @")):
        request = submit_request(request_id=f"bad-{len(email)}", submitter=intake_pb2.Submitter(
            full_name="Trần Thị Bình", phone="0912345678", email=email))
        err = rpc_error(lambda: c.intake.SubmitCase(request))  # noqa: B023
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        [v] = field_violations(err)
        assert v.field == "submitter.email" and why in v.description
    assert count(p, "intake", "cases") == 2


def bad_requests(rng: random.Random, n: int):
    """Requests of the kinds that made intake's memory grow: long words the text repair sees (under
    the content limit, refused after it for the phone), huge fields refused by the limits."""
    letters = "abcdeghiklmnopqrstuvxyàáạđêôơư"
    for i in range(n):
        words = " ".join("".join(rng.choices(letters, k=1900)) for _ in range(5))
        if i % 3 == 0:
            yield submit_request(content=words, submitter=intake_pb2.Submitter(
                full_name="".join(rng.choices(letters, k=150)), phone="12", email="x@example.vn"))
        elif i % 3 == 1:
            yield submit_request(content=words * 5, request_id="".join(rng.choices(letters, k=5000)))
        else:
            yield submit_request(location=common_pb2.Location(
                ward_code="".join(rng.choices("0123456789", k=20_000)), address=words[:400]))


def test_intakes_memory_stays_flat_over_a_long_stream_of_bad_requests(start_platform, clients_for):
    """The text-repair cache kept every long word it saw: 107 MB grew to 387 MB over ~5,700 calls."""
    p = start_platform("intake")
    c = clients_for(p)
    rng = random.Random(2026)

    def send(n: int) -> None:
        for request in bad_requests(rng, n):
            assert rpc_error(lambda: c.intake.SubmitCase(request)).code() == grpc.StatusCode.INVALID_ARGUMENT  # noqa: B023

    tracemalloc.start()
    try:
        send(60)  # warm up: pools, caches of bounded size, metrics
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        send(600)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 600 requests of ~10-50 KB each: a cache of inputs would keep several MB; allow 1.5 MB of noise.
    assert grown < 1_500_000, f"grew {grown:,} bytes over 600 bad requests"
    assert count(p, "intake", "cases") == 0


def test_two_thousand_bad_submissions_in_process_leave_intakes_memory_flat(start_platform):
    """The same stream through intake's own code, without gRPC: the limits, then the use case, as
    the server runs them, on inputs of every size the limits let through."""
    from runtime import limits
    from runtime.errors import DomainError

    p = start_platform("intake")
    app = p.service("intake").parts.app
    rng = random.Random(7)

    letters = "abcdeghiklmnopqrstuvxyàáạđêôơư"

    def requests(n: int):
        """Words of every length the repair sees (short ones reach its bounded cache), refused for
        the phone after it; and the huge fields the limits refuse first."""
        for i in range(n):
            if i % 4 == 1:
                yield submit_request(request_id="".join(rng.choices(letters, k=5000)))
                continue
            if i % 4 == 3:
                yield submit_request(location=common_pb2.Location(
                    ward_code="".join(rng.choices("0123456789", k=20_000)), address="Số 1 Tràng Tiền"))
                continue
            words = " ".join("".join(rng.choices(letters, k=rng.choice((rng.randint(2, 12), rng.randint(1000, 1600)))))
                             for _ in range(6))
            yield submit_request(content=words, submitter=intake_pb2.Submitter(
                full_name="".join(rng.choices(letters, k=190)), phone="12", email="x@example.vn",
                address="".join(rng.choices(letters, k=450))))

    def send(n: int) -> None:
        for request in requests(n):
            with pytest.raises(DomainError):
                limits.raise_if_invalid(request)
                app.submit(request)

    tracemalloc.start()
    try:
        send(100)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        send(2_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Well under 1 MB as it is; the cache of whole words grew by ~10 MB over this stream.
    assert grown < 5_000_000, f"grew {grown:,} bytes over 2,000 bad requests"
    assert count(p, "intake", "cases") == 0
