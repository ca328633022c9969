"""Intake over real gRPC on SQLite: submission, idempotency, validation, status look-up."""

import grpc
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from services.intake.domain import valid_tracking_code
from tests import media_samples
from tests.helpers import eventually, now_ts, place, rpc_error, violations

JPEG = media_samples.jpeg(size=2004)


# One instant for the whole module: a retry must send exactly the same request.
OCCURRED = now_ts(2)


def submit_request(**kw):
    base = dict(channel=common_pb2.CHANNEL_MOBILE_APP, content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay",
                occurred_at=OCCURRED, location=place(),
                submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"))
    base.update(kw)
    return intake_pb2.SubmitCaseRequest(**base)


def count_cases(platform):
    db = platform.service("intake").db
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()


def test_submit_returns_a_checked_tracking_code_and_writes_the_outbox(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request())
    assert valid_tracking_code(r.tracking_code)
    assert not r.duplicate
    relay = p.service("intake").relay
    eventually(lambda: relay.backlog() == 0)


def test_invalid_submission_lists_every_problem_and_stores_nothing(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    err = rpc_error(lambda: c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(channel=common_pb2.CHANNEL_EMAIL)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    v = violations(err)
    assert {"content", "submitter.full_name", "submitter.phone"} <= set(v)
    assert "Thiếu" in v["content"] and "required" in v["content"]
    assert count_cases(p) == 0


def test_retry_with_same_external_id_returns_the_same_case(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    first = c.intake.SubmitCase(submit_request(external_id="fb-123"))
    again = c.intake.SubmitCase(submit_request(external_id="fb-123"))
    assert again.duplicate and again.tracking_code == first.tracking_code
    changed = rpc_error(lambda: c.intake.SubmitCase(submit_request(external_id="fb-123", content="Nội dung khác hẳn")))
    assert changed.code() == grpc.StatusCode.ALREADY_EXISTS
    assert count_cases(p) == 1


def test_status_needs_the_contact_given_at_submission(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request())
    ok = c.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=r.tracking_code,
                                                                 contact="+84 912 345 678"))
    assert ok.status == common_pb2.CASE_STATUS_RECEIVED
    by_mail = c.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code=r.tracking_code,
                                                                     contact="BINH@example.vn"))
    assert by_mail.tracking_code == r.tracking_code
    wrong = rpc_error(lambda: c.intake.GetCaseStatus(
        intake_pb2.GetCaseStatusRequest(tracking_code=r.tracking_code, contact="0987654321")))
    assert wrong.code() == grpc.StatusCode.NOT_FOUND


def test_media_is_typed_by_content_and_attached_once(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)

    def upload(data, name):
        yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename=name,
                                                                                declared_content_type="image/png"))
        for i in range(0, len(data), 512):
            yield intake_pb2.UploadMediaRequest(chunk=data[i:i + 512])

    ref = c.intake.UploadMedia(upload(JPEG, "anh.png")).media
    assert ref.content_type == "image/jpeg" and ref.size_bytes == len(JPEG)
    bad = rpc_error(lambda: c.intake.UploadMedia(upload(b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    c.intake.SubmitCase(submit_request(media_ids=[ref.media_id]))
    reuse = rpc_error(lambda: c.intake.SubmitCase(submit_request(media_ids=[ref.media_id], request_id="other")))
    assert reuse.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert b"".join(m.chunk for m in c.intake.DownloadMedia(
        intake_pb2.DownloadMediaRequest(media_id=ref.media_id))) == JPEG


def test_the_citizen_sees_the_status_in_the_order_things_happened(start_platform, clients_for):
    from datetime import timedelta

    from pakn.events.v1 import events_pb2
    from runtime.messaging import make_envelope, utcnow
    from tests.helpers import deliver

    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request())
    now = utcnow()

    def status():
        return c.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
            tracking_code=r.tracking_code, contact="0912345678")).status

    deliver(p, "intake", make_envelope("routing", "case.verifying", r.case_id,
                                       events_pb2.CaseSentBackForVerification(case_id=r.case_id), now))
    assert status() == common_pb2.CASE_STATUS_VERIFYING
    deliver(p, "intake", make_envelope("routing", "case.verified", r.case_id,
                                       events_pb2.CaseVerified(case_id=r.case_id), now + timedelta(minutes=1)))
    assert status() == common_pb2.CASE_STATUS_RECEIVED
    deliver(p, "intake", make_envelope("routing", "assignment.created", r.case_id,
                                       events_pb2.AssignmentCreated(case_id=r.case_id), now + timedelta(minutes=3)))
    # A classification that happened earlier but arrives late does not step the status back.
    deliver(p, "intake", make_envelope("routing", "case.classified", r.case_id,
                                       events_pb2.CaseClassified(case_id=r.case_id), now + timedelta(minutes=2)))
    assert status() == common_pb2.CASE_STATUS_IN_HANDLING
