"""Intake over real gRPC on SQLite: submission, idempotency, validation, status look-up."""

import hashlib

import grpc
import pytest
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
    db = p.service("intake").db
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT event_type, case_id FROM outbox")).all()
    assert [tuple(row) for row in rows] == [("case.received", r.case_id)]
    relay = p.service("intake").relay
    eventually(lambda: relay.backlog() == 0)


def test_a_request_to_keep_the_identity_secret_travels_with_the_case_dieu_6_4(start_platform, clients_for):
    """Đ6.4: the request reaches the services downstream (publication then delivers the result
    privately, Đ10.3b); a case without it is not secret."""
    from pakn.events.v1 import events_pb2
    from runtime.messaging import unpack

    p = start_platform("intake")
    c = clients_for(p)
    secret = c.intake.SubmitCase(submit_request(request_id="secret", keep_identity_secret=True))
    plain = c.intake.SubmitCase(submit_request(request_id="plain"))
    with p.service("intake").db.engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT case_id, keep_identity_secret FROM cases")).all())
        envelopes = conn.execute(sa.text("SELECT envelope FROM outbox ORDER BY id")).scalars().all()
    assert {k: bool(v) for k, v in stored.items()} == {secret.case_id: True, plain.case_id: False}
    sent = {e.case_id: e.keep_identity_secret
            for e in (unpack(events_pb2.EventEnvelope.FromString(raw)) for raw in envelopes)}
    assert sent == {secret.case_id: True, plain.case_id: False}


def test_the_submitter_is_disclosed_only_with_a_requesting_body_and_a_reason_and_recorded_dieu_13_8(
        start_platform, clients_for):
    """An ordinary case: one disclosure officer, at once, recorded with who (the token's subject);
    a confidential one (Đ6.4) needs a second officer: tests/integration/test_disclosure.py."""
    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request())
    missing = rpc_error(lambda: c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(case_id=r.case_id)))
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(missing)) == {"requesting_body", "reason"}
    unknown = rpc_error(lambda: c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id="00000000-0000-0000-0000-000000000000", requesting_body="Công an tỉnh", reason="Xác minh")))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    out = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=r.case_id, requesting_body=" Công an phường Tân Ninh ", reason="Cần liên hệ người gửi để xác minh"))
    assert (out.submitter.full_name, out.submitter.phone, out.submitter.email) == (
        "Trần Thị Bình", "0912345678", "binh@example.vn")
    assert out.status == intake_pb2.DISCLOSURE_STATUS_DISCLOSED
    with p.service("intake").db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT disclosure_id, case_id, requesting_body, reason, requested_by "
                                    "FROM disclosures")).all()
    # The actor is the verified caller, never a header the caller writes.
    assert [tuple(row) for row in rows] == [(out.disclosure_id, r.case_id, "Công an phường Tân Ninh",
                                             "Cần liên hệ người gửi để xác minh", "test-disclosure_officer")]


def test_content_of_10000_characters_is_taken_and_one_more_is_refused_dieu_6_2(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    words = ("Đèn đường hỏng " * 800)
    assert c.intake.SubmitCase(submit_request(content=words[:10000], request_id="long-ok")).tracking_code
    err = rpc_error(lambda: c.intake.SubmitCase(submit_request(content=words[:10001], request_id="too-long")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(violations(err)) == ["content"]
    assert count_cases(p) == 1


def test_retry_with_same_request_id_returns_the_same_case(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    first = c.intake.SubmitCase(submit_request(request_id="app-7f3a"))
    again = c.intake.SubmitCase(submit_request(request_id="app-7f3a"))
    assert (again.case_id, again.tracking_code, again.duplicate) == (first.case_id, first.tracking_code, True)
    other = c.intake.SubmitCase(submit_request(request_id="app-7f3b"))
    assert other.case_id != first.case_id
    assert count_cases(p) == 2


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
    assert ref.content_type == "image/jpeg" and ref.size_bytes < len(JPEG)  # re-encoded: the padding is gone
    bad = rpc_error(lambda: c.intake.UploadMedia(upload(b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    c.intake.SubmitCase(submit_request(media_ids=[ref.media_id]))
    reuse = rpc_error(lambda: c.intake.SubmitCase(submit_request(media_ids=[ref.media_id], request_id="other")))
    assert reuse.code() == grpc.StatusCode.INVALID_ARGUMENT
    kept = b"".join(m.chunk for m in c.intake.DownloadMedia(intake_pb2.DownloadMediaRequest(media_id=ref.media_id)))
    assert hashlib.sha256(kept).hexdigest() == ref.sha256 and len(kept) == ref.size_bytes


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


def test_hotline_answers_only_in_office_hours_dieu_5_2(start_platform, clients_for, monkeypatch):
    """Đ5.2 on a fixed clock (the default hours, 07:00–17:00 on working days), whatever the day of the run."""
    from datetime import datetime, timedelta

    from regulation.calendar import VN
    from runtime.errors import error_info
    from runtime.messaging import ts
    from services.intake import app as intake_app

    p = start_platform("intake")
    c = clients_for(p)
    clock = {}
    monkeypatch.setattr(intake_app, "utcnow", lambda: clock["now"])

    def at(local: str) -> datetime:
        clock["now"] = datetime.fromisoformat(local).replace(tzinfo=VN)
        return clock["now"]

    def hotline(when: datetime):
        return submit_request(channel=common_pb2.CHANNEL_HOTLINE, operator_id="tongdai-01",
                              occurred_at=ts(when - timedelta(hours=1)),
                              submitter=intake_pb2.Submitter(full_name="Lý Văn Minh", phone="0911222333"))

    for local, opens in [("2026-03-07T10:00", "2026-03-09T07:00:00+07:00"),   # Saturday: Monday
                         ("2026-03-02T17:00", "2026-03-03T07:00:00+07:00"),   # Monday, closing time: Tuesday
                         ("2026-03-02T06:59", "2026-03-02T07:00:00+07:00")]:  # before opening: today
        request = hotline(at(local))
        err = rpc_error(lambda req=request: c.intake.SubmitCase(req))
        assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "giờ hành chính" in err.details() and "office hours" in err.details()
        info = error_info(err)
        assert (info.reason, info.metadata["opens_at"]) == ("HOTLINE_CLOSED", opens)
    assert count_cases(p) == 0

    # Channels a–e are received 24/7: a Saturday night, entered by an operator, who is recorded.
    when = at("2026-03-07T23:30")
    staff = c.intake.SubmitCase(submit_request(channel=common_pb2.CHANNEL_ZALO, operator_id="tongdai-02",
                                               occurred_at=ts(when - timedelta(hours=1))))
    # In office hours the hotline takes a call without e-mail (Đ6.3), entered by an operator.
    call = c.intake.SubmitCase(hotline(at("2026-03-02T09:00")))
    assert call.tracking_code.startswith("26-")
    with p.service("intake").db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT case_id, operator_id FROM cases")).all())
    assert rows == {staff.case_id: "tongdai-02", call.case_id: "tongdai-01"}


def test_a_former_unit_is_mapped_to_the_current_ward_and_unknown_codes_refused(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request(location=common_pb2.Location(
        address="Số 12 đường Trưng Nữ Vương, Phường 3, Thành phố Tây Ninh, Tỉnh Tây Ninh")))
    assert r.location.ward_code == "25459" and r.location.ward_name == "Phường Tân Ninh"
    assert "Phường 3" in r.location.mapped_from
    err = rpc_error(lambda: c.intake.SubmitCase(submit_request(
        request_id="bad-ward", location=common_pb2.Location(ward_code="99999"))))
    assert "location.ward_code" in violations(err)
    nowhere = rpc_error(lambda: c.intake.SubmitCase(submit_request(request_id="no-place", location=None)))
    assert "location" in violations(nowhere)
    assert count_cases(p) == 1


def test_legacy_encoded_text_is_repaired_and_recorded_dieu_6_1(start_platform, clients_for):
    from services.intake import encoding

    p = start_platform("intake")
    c = clients_for(p)
    original = "Đèn chiếu sáng trên đường Cách Mạng Tháng Tám bị hỏng nhiều ngày, người dân đi lại rất khó khăn"
    garbled = encoding.encode(original, "tcvn3").decode("latin-1")
    r = c.intake.SubmitCase(submit_request(content=garbled))
    assert r.text_repaired_from == "tcvn3"
    with p.service("intake").db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT content, text_repaired_from FROM cases")).one()
    assert row.content == original and row.text_repaired_from == "tcvn3"


def test_an_emergency_is_answered_at_once_with_its_number_dieu_6_5e(start_platform, clients_for):
    p = start_platform("intake")
    c = clients_for(p)
    r = c.intake.SubmitCase(submit_request(content="Cháy lớn ở kho hàng đầu hẻm 5, khói đen mù mịt, có người còn "
                                                   "mắc kẹt bên trong!"))
    assert r.emergency_number == "114"
    emergency = next(f for f in r.findings if f.flag == "emergency")
    assert emergency.reason_vi and emergency.reason_en
    assert "emergency" in r.screening_flags


def test_an_image_gets_a_public_copy_without_its_location(start_platform, clients_for):
    p = start_platform("intake", **{"intake.case_max_files": 1})
    c = clients_for(p)
    photo = media_samples.jpeg(with_gps=True)
    assert b"Exif" in photo

    def upload(data):
        yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename="anh.jpg"))
        yield intake_pb2.UploadMediaRequest(chunk=data)

    first = c.intake.UploadMedia(upload(photo)).media
    second = c.intake.UploadMedia(upload(photo)).media
    with p.service("intake").db.engine.connect() as conn:
        key = conn.execute(sa.text("SELECT public_key FROM media WHERE media_id = :m"), {"m": first.media_id}).scalar()
    public = b"".join(p.get("media-store").open_chunks(key, 65536))
    assert key == f"intake/public/{first.media_id}" and b"Exif" not in public and b"GPS" not in public
    # The stored original is the re-encoded image too: its GPS is gone as well (its hash recorded).
    original = b"".join(m.chunk for m in c.intake.DownloadMedia(
        intake_pb2.DownloadMediaRequest(media_id=first.media_id)))
    assert original == public and hashlib.sha256(original).hexdigest() == first.sha256
    too_many = rpc_error(lambda: c.intake.SubmitCase(submit_request(media_ids=[first.media_id, second.media_id])))
    assert "media_ids" in violations(too_many)


@pytest.mark.postgres
def test_overlapping_attempts_of_one_request_store_one_case_and_all_get_its_code(start_platform, clients_for,
                                                                                 postgres_url):
    """A client whose deadline passed resends while its first attempt still commits: every attempt
    is answered with the one case (the later ones as duplicates), none with INTERNAL."""
    import threading

    from tests.infra import fernet_keys

    p = start_platform("intake", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    c.intake.SubmitCase(submit_request(request_id="warm-up"))  # tokens and connections made first
    for round_ in range(5):
        request = submit_request(request_id=f"overlap-{round_}")
        start, answers, errors = threading.Barrier(8), [], []

        def attempt(start=start, answers=answers, errors=errors, request=request):
            start.wait()
            try:
                answers.append(c.intake.SubmitCase(request))
            except grpc.RpcError as err:
                errors.append(err.code())

        threads = [threading.Thread(target=attempt) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len({a.case_id for a in answers}) == 1 and sorted(a.duplicate for a in answers).count(False) == 1
    assert count_cases(p) == 6
