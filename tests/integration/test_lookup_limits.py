"""Citizens' look-ups (tracking code + contact, Đ6.3) are rate-limited per source address and per
tracking code, over real gRPC on PostgreSQL (runtime/lookup_limits.py): intake's GetCaseStatus
and publication's GetSubmitterAnswer, ReplyToAnswer and RateCase. The server listens on both
loopback families, so 127.0.0.1 and ::1 are two source addresses."""

import time
import uuid

import grpc
import pytest
import sqlalchemy as sa
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2, intake_pb2_grpc
from pakn.publication.v1 import publication_pb2, publication_pb2_grpc
from runtime.crypto import verifier
from runtime.errors import error_info
from runtime.messaging import make_envelope, ts, utcnow
from tests.helpers import deliver, now_ts, place, rpc_error

pytestmark = pytest.mark.postgres

PHONE, EMAIL = "0912345678", "binh@example.vn"
WINDOW = 3.0


def retry_delay(err: grpc.RpcError) -> float | None:
    status = rpc_status.from_call(err)
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.ToTimedelta().total_seconds()
    return None


def start(start_platform, postgres_url, target: str, **settings):
    from tests.infra import fernet_keys

    return start_platform(target, **{"database.url": postgres_url, "server.host": "[::]", "server.plaintext": True,
                                     **fernet_keys(),
                                     "lookup_limits.window_seconds": WINDOW, "lookup_limits.per_address": 3,
                                     "lookup_limits.per_code": 4, **settings})


class Citizen:
    """An anonymous citizen calling from one source address (no token)."""

    def __init__(self, host: str, port: int):
        self.channel = grpc.insecure_channel(f"{host}:{port}")
        self.intake = intake_pb2_grpc.IntakeServiceStub(self.channel)
        self.publication = publication_pb2_grpc.PublicationServiceStub(self.channel)

    def status(self, code: str, contact: str):
        return self.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=code, contact=contact),
                                         timeout=10)


@pytest.fixture
def citizens():
    opened = []

    def make(platform):
        pair = Citizen("127.0.0.1", platform.port), Citizen("[::1]", platform.port)
        opened.extend(pair)
        return pair

    yield make
    for c in opened:
        c.channel.close()


def submit(c, request_id: str) -> str:
    return c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id=request_id, occurred_at=now_ts(2), location=place(),
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay",
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone=PHONE, email=EMAIL))).tracking_code


def test_wrong_guesses_from_one_address_are_refused_with_a_retry_time_until_the_window_passes(
        start_platform, clients_for, postgres_url, citizens):
    p = start(start_platform, postgres_url, "intake")
    code, other_code = submit(clients_for(p), "one"), submit(clients_for(p), "two")
    here, _ = citizens(p)
    for guess in ("0900000001", "0900000002", "khac@example.vn"):
        assert rpc_error(lambda g=guess: here.status(code, g)).code() == grpc.StatusCode.NOT_FOUND
    # Three failures from this address: the next call is refused before its proof is even checked,
    # the right contact included, and another code from the same address too.
    locked = rpc_error(lambda: here.status(code, PHONE))
    assert locked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert 0 < retry_delay(locked) <= WINDOW
    assert error_info(locked).reason == "LOOKUP_RATE_LIMITED"
    assert "thử lại sau" in locked.details() and "try again in" in locked.details()
    assert PHONE not in locked.details() and code not in locked.details()
    assert rpc_error(lambda: here.status(other_code, PHONE)).code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # Codes and addresses are kept only as keyed hashes.
    with p.service("intake").db.engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM lookup_failures")).scalars().all()
    assert len(keys) == 6 and not any(code in k or "127.0.0.1" in k for k in keys)

    time.sleep(retry_delay(locked) + 0.2)
    assert here.status(code, PHONE).tracking_code == code  # the window has passed


def test_guesses_spread_over_addresses_lock_the_code_but_not_an_address_that_proved_it(
        start_platform, clients_for, postgres_url, citizens):
    """The per-code limit stops guesses from many addresses; an attacker could then lock the
    citizen out for one window, except from an address that proved the code before."""
    p = start(start_platform, postgres_url, "intake")
    code = submit(clients_for(p), "one")
    attacker, citizen = citizens(p)
    assert citizen.status(code, EMAIL).tracking_code == code  # the citizen looked it up from ::1 before
    for guess in ("0900000001", "0900000002", "0900000003"):
        assert rpc_error(lambda g=guess: attacker.status(code, g)).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: citizen.status(code, "0900000004")).code() == grpc.StatusCode.NOT_FOUND
    # Four failures on this code (per_code), from two addresses: the code is locked for anyone …
    assert rpc_error(lambda: attacker.status(code, PHONE)).code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # … but the address that proved it before is let through (with its own, per-address limit).
    assert citizen.status(code, PHONE).tracking_code == code


def test_without_the_trusted_address_the_code_lock_holds_for_everyone(
        start_platform, clients_for, postgres_url, citizens):
    p = start(start_platform, postgres_url, "intake", **{"lookup_limits.trusted_days": 0})
    code = submit(clients_for(p), "one")
    attacker, citizen = citizens(p)
    assert citizen.status(code, EMAIL).tracking_code == code
    for guess in ("0900000001", "0900000002", "0900000003"):
        rpc_error(lambda g=guess: attacker.status(code, g))
    rpc_error(lambda: citizen.status(code, "0900000004"))
    # ::1 has one failure of its own (below per_address): it is the code that is locked.
    locked = rpc_error(lambda: citizen.status(code, PHONE))
    assert locked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and 0 < retry_delay(locked) <= WINDOW


def test_the_submitters_answer_reply_and_rating_share_publications_limit(
        start_platform, postgres_url, citizens):
    p = start(start_platform, postgres_url, "publication")
    key = p.config.security.verifier_key
    case_id, code = str(uuid.uuid4()), "26-7K3M9Q0"
    deliver(p, "publication", make_envelope("intake", "case.received", case_id, events_pb2.CaseReceived(
        case_id=case_id, tracking_code=code, channel=common_pb2.CHANNEL_ZALO, content="Đường hỏng",
        received_at=ts(utcnow()), contact_verifiers=[verifier(key, PHONE)])))
    here, _ = citizens(p)
    pub = here.publication

    def answer(contact):
        return pub.GetSubmitterAnswer(publication_pb2.GetSubmitterAnswerRequest(tracking_code=code, contact=contact))

    # The right proof on a case not answered yet: FAILED_PRECONDITION, not counted.
    assert rpc_error(lambda: answer(PHONE)).code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rpc_error(lambda: answer("0900000001")).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: pub.ReplyToAnswer(publication_pb2.ReplyToAnswerRequest(
        tracking_code=code, contact="0900000002", message="Chưa sửa"))).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: pub.RateCase(publication_pb2.RateCaseRequest(
        tracking_code="26-0000000", contact=PHONE, rating=common_pb2.RATING_SATISFIED))).code() \
        == grpc.StatusCode.NOT_FOUND  # an unknown code is a failed proof too
    locked = rpc_error(lambda: answer(PHONE))
    assert locked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and 0 < retry_delay(locked) <= WINDOW
    time.sleep(retry_delay(locked) + 0.2)
    assert rpc_error(lambda: answer(PHONE)).code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_channel_counts_per_forwarded_user_and_a_coordinator_is_not_limited(
        start_platform, clients_for, actor, postgres_url):
    """A channel's front-end calls for all its users from one address: its users are told apart by
    the address it forwards; the hotline's coordinator looks a case up for a locked-out caller."""
    from runtime.identity.roles import Role
    from runtime.lookup_limits import FORWARDED

    p = start(start_platform, postgres_url, "intake", **{"lookup_limits.per_code": 10})
    code = submit(clients_for(p), "one")
    a = actor(p)
    portal = clients_for(p, token=a.token(Role.CHANNEL, channel="web_portal"))

    def status(contact, user):
        return portal.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=code, contact=contact),
                                           metadata=((FORWARDED, user),))

    for guess in ("0900000001", "0900000002", "0900000003"):
        assert rpc_error(lambda g=guess: status(g, "203.0.113.7")).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: status(PHONE, "203.0.113.7")).code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert status(PHONE, "198.51.100.20").tracking_code == code  # another user of the same portal
    coordinator = clients_for(p, token=a.token(Role.COORDINATOR))
    for guess in ("0900000004", "0900000005", "0900000006", "0900000007"):
        assert rpc_error(lambda g=guess: coordinator.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
            tracking_code=code, contact=g))).code() == grpc.StatusCode.NOT_FOUND  # never RESOURCE_EXHAUSTED
    with p.service("intake").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lookup_failures")).scalar_one() == 6  # staff's not counted
