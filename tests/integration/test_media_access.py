"""Who may download a case's originals (Đ13.8, Đ16.6), over real gRPC on PostgreSQL: intake learns
each case's units from routing's assignment events; a coordinator sees every case's media, a
unit's staff only their unit's cases', nobody else (a citizen, the public, another unit, a unit
that returned the case) any. (The public copy of evidence, only once the answer is published:
test_processing_api.py::test_published_evidence_is_served_only_as_its_public_copy_dieu_10.)"""

import hashlib
import uuid

import grpc
import pytest

from pakn.common.v1 import common_pb2 as CS
from pakn.intake.v1 import intake_pb2
from pakn.routing.v1 import routing_pb2
from runtime.errors import error_info
from runtime.identity.roles import Role
from tests import media_samples
from tests.helpers import eventually, now_ts, place, rpc_error

pytestmark = pytest.mark.postgres


def upload(c, data: bytes, name: str):
    def parts():
        yield intake_pb2.UploadMediaRequest(header=CS.MediaUploadHeader(filename=name))
        for i in range(0, len(data), 4096):
            yield intake_pb2.UploadMediaRequest(chunk=data[i:i + 4096])
    return c.intake.UploadMedia(parts()).media


@pytest.fixture
def world(start_platform, clients_for, actor, postgres_url):
    from tests.infra import fernet_keys

    p = start_platform("all", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    for unit_id in ("so-gtvt", "so-xd"):
        c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=CS.Unit(
            unit_id=unit_id, name=f"Đơn vị {unit_id}", leader_title="Giám đốc", contact_title="Chánh Văn phòng",
            on_system=True)))
    photo = upload(c, media_samples.jpeg(with_gps=True), "anh.jpg")
    document = upload(c, media_samples.pdf(), "don.pdf")
    case_id = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=CS.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()), media_ids=[photo.media_id, document.media_id],
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay", occurred_at=now_ts(), location=place(),
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"),
    )).case_id
    eventually(lambda: case_id in {x.case_id for x in c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases})
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_thong"))
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-gtvt"]))
    return p, c, actor(p), case_id, photo, document, r.assignments[0]


def download(c, media_id: str, metadata=None) -> bytes:
    return b"".join(m.chunk for m in c.intake.DownloadMedia(intake_pb2.DownloadMediaRequest(media_id=media_id),
                                                              metadata=metadata))


def served(c, media_id: str, metadata) -> bytes:
    """The file once the caller may have it (the assignment event is on its way), or AssertionError."""
    try:
        return download(c, media_id, metadata)
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        raise AssertionError("not yet in scope") from None


def refused(c, media_id: str, metadata) -> grpc.StatusCode:
    return rpc_error(lambda: download(c, media_id, metadata)).code()


def test_originals_go_to_the_coordinator_and_the_assigned_unit_only_dieu_13_8(world, clients_for):
    p, c, a, case_id, photo, document, assignment = world
    officer = a.metadata(Role.UNIT_OFFICER, unit="so-gtvt")
    # The assignment reaches intake as an event: the unit's access follows it.
    assert hashlib.sha256(eventually(lambda: served(c, photo.media_id, officer))).hexdigest() == photo.sha256
    for role in (Role.UNIT_LEADER, Role.UNIT_SYSTEM):
        assert hashlib.sha256(download(c, document.media_id, a.metadata(role, unit="so-gtvt"))).hexdigest() \
            == document.sha256  # a quarantined original too, to the staff in scope
    assert hashlib.sha256(download(c, photo.media_id, a.metadata(Role.COORDINATOR))).hexdigest() == photo.sha256

    other = rpc_error(lambda: download(c, photo.media_id, a.metadata(Role.UNIT_OFFICER, unit="so-xd")))
    assert other.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(other).reason == "OUT_OF_SCOPE"
    assert "đơn vị" in other.details() and "not assigned to your unit" in other.details()
    assert rpc_error(lambda: download(c, document.media_id, a.metadata(Role.UNIT_LEADER, unit="so-xd"))).code() \
        == grpc.StatusCode.PERMISSION_DENIED
    for role in (Role.CHANNEL, Role.DISCLOSURE_OFFICER, Role.REPORT_READER, Role.ADMINISTRATOR):
        assert refused(c, photo.media_id, a.metadata(role)) == grpc.StatusCode.PERMISSION_DENIED, role
    anonymous = clients_for(p, token=None)  # a citizen, the public: no token
    for media_id in (photo.media_id, document.media_id):
        assert refused(anonymous, media_id, None) in (grpc.StatusCode.PERMISSION_DENIED,
                                                      grpc.StatusCode.UNAUTHENTICATED)
    unknown = rpc_error(lambda: download(c, str(uuid.uuid4()), a.metadata(Role.COORDINATOR)))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND


def test_a_unit_that_returns_the_case_loses_its_originals_dieu_8_1(world):
    _, c, a, case_id, photo, _, assignment = world
    officer = a.metadata(Role.UNIT_OFFICER, unit="so-gtvt")
    eventually(lambda: served(c, photo.media_id, officer))
    c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(
        assignment_id=assignment.assignment_id, reason="Không thuộc thẩm quyền"),
        metadata=a.metadata(Role.UNIT_LEADER, unit="so-gtvt"))

    def lost():
        assert refused(c, photo.media_id, officer) == grpc.StatusCode.PERMISSION_DENIED
        return True
    eventually(lost)
    # The unit it goes to next sees it.
    c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-xd"]))
    eventually(lambda: served(c, photo.media_id, a.metadata(Role.UNIT_OFFICER, unit="so-xd")))


def test_a_file_not_yet_attached_is_the_coordinators_alone(world):
    _, c, a, *_ = world
    loose = upload(c, media_samples.jpeg(), "anh.jpg")
    assert download(c, loose.media_id, a.metadata(Role.COORDINATOR))
    assert refused(c, loose.media_id, a.metadata(Role.UNIT_OFFICER, unit="so-gtvt")) \
        == grpc.StatusCode.PERMISSION_DENIED
