"""Processing over real gRPC on SQLite: work items from acceptances (Đ8.2a), handler, evidence and
result (Đ8.3), extension (Đ8.2a), approval, return and edit (Đ9.3a–b), rework (Đ10.4)."""

import uuid
from datetime import timedelta

import grpc
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from pakn.processing.v1 import processing_pb2 as pb
from runtime.messaging import make_envelope, ts, unpack, utcnow
from tests import media_samples
from tests.helpers import deliver, rpc_error, violations

JPEG = media_samples.jpeg(size=2004)
S = common_pb2.AssignmentStatus
K = common_pb2.ClockState


def clocks(item):
    """The work item's clocks by name."""
    return {k.name: k for k in item.clocks}


def accept(platform, unit_id="unit-1", deadline_days=6, assignment_id=None, case_id=None):
    """Deliver routing's assignment.accepted by hand; returns (case_id, assignment_id)."""
    case_id, assignment_id = case_id or str(uuid.uuid4()), assignment_id or str(uuid.uuid4())
    now = utcnow()
    payload = ev.AssignmentAccepted(
        case_id=case_id, assignment_id=assignment_id, unit_id=unit_id, unit_name="UBND phường 1",
        handling_working_days=6, accepted_at=ts(now), deadline=ts(now + timedelta(days=deadline_days)),
        content="Đèn đường hỏng", media=[common_pb2.MediaRef(media_id="m-case", content_type="image/jpeg")])
    assert deliver(platform, "processing", make_envelope("routing", "assignment.accepted", case_id, payload)) == 1
    return case_id, assignment_id


def events(platform, event_type):
    db = platform.service("processing").db
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT envelope FROM outbox WHERE event_type = :t ORDER BY id"),
                            {"t": event_type}).all()
    return [unpack(ev.EventEnvelope.FromString(r.envelope)) for r in rows]


def upload(client, data=JPEG, owner_id=""):
    def parts():
        yield pb.UploadEvidenceRequest(header=common_pb2.MediaUploadHeader(filename="bien-ban.jpg", owner_id=owner_id))
        for i in range(0, len(data), 512):
            yield pb.UploadEvidenceRequest(chunk=data[i:i + 512])
    return client.processing.UploadEvidence(parts()).media


def to_awaiting_approval(p, c, **accept_kw):
    case_id, aid = accept(p, **accept_kw)
    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="officer-7"))
    c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(answer="Đã thay bóng đèn")))
    return case_id, aid


def test_full_handling_emits_each_event_with_evidence(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    case_id, aid = accept(p)
    item = c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item
    assert item.status == S.ASSIGNMENT_STATUS_ACCEPTED and item.content == "Đèn đường hỏng"
    assert item.media[0].media_id == "m-case"
    # Đ8.2a: just accepted, the handling clock runs and is on time, against the work item's deadline.
    [handling] = item.clocks
    assert (handling.name, handling.state) == ("handling", K.CLOCK_STATE_ON_TIME)
    assert handling.deadline == item.deadline and handling.late_working_days == 0 and handling.late_hours == 0

    item = c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="officer-7")).work_item
    assert item.status == S.ASSIGNMENT_STATUS_IN_PROGRESS and item.handler_id == "officer-7"
    assert events(p, "handler.assigned")[0].handler_id == "officer-7"

    ref = upload(c, owner_id=aid)
    assert ref.content_type == "image/jpeg" and 0 < ref.size_bytes < len(JPEG)  # re-encoded: no padding
    item = c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(
        answer="Đã thay bóng đèn", document_number="15/UBND", addressee_kind="cá nhân",
        evidence_media_ids=[ref.media_id]))).work_item
    assert item.status == S.ASSIGNMENT_STATUS_AWAITING_APPROVAL
    assert item.result.evidence[0].sha256 == ref.sha256
    assert item.approval_deadline.ToDatetime() > item.result.submitted_at.ToDatetime()  # Đ9: 1 WD
    # The leader's clock (Đ9) runs beside the unit's (the end of the next working day: more than 24 h away).
    assert set(clocks(item)) == {"handling", "approval"}
    assert clocks(item)["approval"].deadline == item.approval_deadline
    assert clocks(item)["approval"].state == K.CLOCK_STATE_ON_TIME
    assert events(p, "result.submitted")[0].approval_deadline == item.approval_deadline

    item = c.processing.ApproveResult(pb.ApproveResultRequest(assignment_id=aid)).work_item  # Đ9.3b
    assert item.status == S.ASSIGNMENT_STATUS_APPROVED
    # Both clocks stopped at the approval, on time.
    assert {k.name: k.state for k in item.clocks} == {"handling": K.CLOCK_STATE_STOPPED,
                                                      "approval": K.CLOCK_STATE_STOPPED}
    assert clocks(item)["handling"].deadline == item.deadline
    approved = events(p, "result.approved")[0]
    assert (approved.case_id, approved.unit_name, approved.answer) == (case_id, "UBND phường 1", "Đã thay bóng đèn")
    assert approved.on_time and not approved.edited_by_leader
    assert approved.evidence[0].media_id == ref.media_id


def test_wrong_state_unknown_id_and_bad_input(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    _, aid = accept(p)
    early = rpc_error(lambda: c.processing.ApproveResult(pb.ApproveResultRequest(assignment_id=aid)))
    assert early.code() == grpc.StatusCode.FAILED_PRECONDITION
    submit = rpc_error(lambda: c.processing.SubmitResult(pb.SubmitResultRequest(
        assignment_id=aid, result=pb.Result(answer="x"))))
    assert submit.code() == grpc.StatusCode.FAILED_PRECONDITION  # needs a handler first
    missing = rpc_error(lambda: c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id="nope")))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    no_handler = rpc_error(lambda: c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid)))
    assert no_handler.code() == grpc.StatusCode.INVALID_ARGUMENT and "handler_id" in violations(no_handler)

    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="officer-7"))
    bad = rpc_error(lambda: c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(
        addressee_kind="hộ gia đình", evidence_media_ids=["unknown"]))))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"result.answer", "result.addressee_kind"} <= set(violations(bad))
    unknown_media = rpc_error(lambda: c.processing.SubmitResult(pb.SubmitResultRequest(
        assignment_id=aid, result=pb.Result(answer="ok", evidence_media_ids=["unknown"]))))
    assert "result.evidence_media_ids[0]" in violations(unknown_media)
    item = c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item
    assert item.status == S.ASSIGNMENT_STATUS_IN_PROGRESS and not item.HasField("result")
    assert events(p, "result.submitted") == []


def test_evidence_is_typed_by_content_and_used_once(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    bad = rpc_error(lambda: upload(c, b"MZ\x90\x00" + b"\x00" * 100))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    ref = upload(c)
    first, second = accept(p)[1], accept(p)[1]
    for aid in (first, second):
        c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="h"))
    c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=first, result=pb.Result(
        answer="ok", evidence_media_ids=[ref.media_id])))
    reuse = rpc_error(lambda: c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=second, result=pb.Result(
        answer="ok", evidence_media_ids=[ref.media_id]))))
    assert reuse.code() == grpc.StatusCode.INVALID_ARGUMENT
    unknown_owner = rpc_error(lambda: upload(c, owner_id="no-such-assignment"))
    assert unknown_owner.code() == grpc.StatusCode.NOT_FOUND


def test_extension_only_before_the_deadline_and_for_a_later_date(start_platform, clients_for):
    """Đ8.2a."""
    p = start_platform("processing")
    c = clients_for(p)
    _, aid = accept(p, deadline_days=2)
    item = c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item
    too_soon = rpc_error(lambda: c.processing.RequestExtension(pb.RequestExtensionRequest(
        assignment_id=aid, reason="Cần khảo sát hiện trường", expected_completion=item.deadline)))
    assert "expected_completion" in violations(too_soon)
    missing = rpc_error(lambda: c.processing.RequestExtension(pb.RequestExtensionRequest(assignment_id=aid)))
    assert {"reason", "expected_completion"} <= set(violations(missing))
    later = ts(item.deadline.ToDatetime() + timedelta(days=5))
    item = c.processing.RequestExtension(pb.RequestExtensionRequest(
        assignment_id=aid, reason="Cần khảo sát hiện trường", expected_completion=later)).work_item
    assert item.extended_to == later
    assert events(p, "extension.requested")[0].expected_completion == later

    _, overdue = accept(p, deadline_days=-1)
    late = rpc_error(lambda: c.processing.RequestExtension(pb.RequestExtensionRequest(
        assignment_id=overdue, reason="Muộn", expected_completion=ts(utcnow() + timedelta(days=9)))))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(events(p, "extension.requested")) == 1


def test_leader_returns_then_edits_and_approves_late(start_platform, clients_for):
    """Đ9.3a; approval after the deadline is late."""
    p = start_platform("processing")
    c = clients_for(p)
    _, aid = to_awaiting_approval(p, c, deadline_days=-1)
    no_reason = rpc_error(lambda: c.processing.ReturnToHandler(pb.ReturnToHandlerRequest(assignment_id=aid)))
    assert "reason" in violations(no_reason)
    item = c.processing.ReturnToHandler(pb.ReturnToHandlerRequest(assignment_id=aid, reason="Thiếu ảnh")).work_item
    assert item.status == S.ASSIGNMENT_STATUS_IN_PROGRESS and item.return_reason == "Thiếu ảnh"
    assert events(p, "result.returned_to_handler")[0].reason == "Thiếu ảnh"
    c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(answer="Bản nháp")))
    item = c.processing.EditAndApproveResult(pb.EditAndApproveResultRequest(
        assignment_id=aid, answer="Bản lãnh đạo sửa")).work_item
    assert item.status == S.ASSIGNMENT_STATUS_APPROVED and item.result.answer == "Bản lãnh đạo sửa"
    approved = events(p, "result.approved")[0]
    assert approved.edited_by_leader and approved.answer == "Bản lãnh đạo sửa" and not approved.on_time
    # Approved a day after the deadline: the handling clock stopped late, and stays overdue with its lateness.
    late = clocks(item)["handling"]
    assert late.state == K.CLOCK_STATE_OVERDUE and late.late_hours >= 23.9
    assert clocks(item)["approval"].state == K.CLOCK_STATE_STOPPED  # the leader was on time (Đ9)


def test_rework_reopens_with_a_two_working_day_deadline_once_after_rating(start_platform, clients_for):
    """Đ10.4a–c: the late unit is on time again if it meets the rework deadline."""
    p = start_platform("processing")
    c = clients_for(p)
    case_id, aid = to_awaiting_approval(p, c, deadline_days=-1)
    c.processing.ApproveResult(pb.ApproveResultRequest(assignment_id=aid))

    def rework(kind):
        env = make_envelope("publication", "rework.requested", case_id, ev.ReworkRequested(
            case_id=case_id, assignment_id=aid, unit_id="unit-1", kind=kind, note="Sai mẫu"))
        deliver(p, "processing", env)
        return c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item

    item = rework("not_satisfied")
    assert item.status == S.ASSIGNMENT_STATUS_IN_PROGRESS and item.return_reason == "Sai mẫu"
    assert item.deadline.ToDatetime() > utcnow().replace(tzinfo=None)
    # Đ10.4: the rework clock replaces the handling clock (2 working days: on time).
    [clock] = item.clocks
    assert (clock.name, clock.state, clock.deadline) == ("rework", K.CLOCK_STATE_ON_TIME, item.deadline)
    c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(answer="Bổ sung")))
    item = c.processing.ApproveResult(pb.ApproveResultRequest(assignment_id=aid)).work_item
    assert clocks(item)["rework"].state == K.CLOCK_STATE_STOPPED and "handling" not in clocks(item)
    again = events(p, "result.approved")
    assert [e.on_time for e in again] == [False, True]
    assert rework("not_satisfied").status == S.ASSIGNMENT_STATUS_APPROVED  # Đ10.4c: once per unit
    with p.service("processing").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT rework_count FROM work_items")).scalar_one() == 1


def test_list_filters_by_unit_and_status_and_pages(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    ids = [accept(p, unit_id="unit-A")[1] for _ in range(3)]
    accept(p, unit_id="unit-B")
    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=ids[0], handler_id="h"))
    page = c.processing.ListWorkItems(pb.ListWorkItemsRequest(
        unit_id="unit-A", page=common_pb2.PageRequest(page_size=2)))
    rest = c.processing.ListWorkItems(pb.ListWorkItemsRequest(
        unit_id="unit-A", page=common_pb2.PageRequest(page_size=2, page_token=page.next_page_token)))
    seen = [w.assignment_id for w in page.work_items] + [w.assignment_id for w in rest.work_items]
    assert sorted(seen) == sorted(ids) and rest.next_page_token == ""
    accepted = c.processing.ListWorkItems(pb.ListWorkItemsRequest(
        unit_id="unit-A", statuses=[S.ASSIGNMENT_STATUS_ACCEPTED]))
    assert sorted(w.assignment_id for w in accepted.work_items) == sorted(ids[1:])
    no_unit = rpc_error(lambda: c.processing.ListWorkItems(pb.ListWorkItemsRequest()))
    assert "unit_id" in violations(no_unit)


def test_redelivered_acceptance_does_not_reset_progress(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    case_id, aid = accept(p)
    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="h"))
    accept(p, assignment_id=aid, case_id=case_id)
    item = c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item
    assert item.status == S.ASSIGNMENT_STATUS_IN_PROGRESS and item.handler_id == "h"


def test_an_acceptance_days_ago_is_overdue_in_working_days_and_hours(start_platform, clients_for):
    """A deadline ten days in the past: the running handling clock is overdue, by at least one
    working day (no ten consecutive days off) and by about 240 hours; listed the same way."""
    p = start_platform("processing")
    c = clients_for(p)
    _, aid = accept(p, unit_id="unit-late", deadline_days=-10)
    item = c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item
    [late] = item.clocks
    assert (late.name, late.state, late.deadline) == ("handling", K.CLOCK_STATE_OVERDUE, item.deadline)
    assert late.late_working_days >= 1 and 239.9 <= late.late_hours <= 240.1
    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="h"))
    [listed] = c.processing.ListWorkItems(pb.ListWorkItemsRequest(unit_id="unit-late")).work_items
    assert listed.clocks[0].state == K.CLOCK_STATE_OVERDUE
    assert listed.clocks[0].late_working_days == late.late_working_days


def test_the_due_soon_threshold_is_configured(start_platform, clients_for):
    """regulation.due_soon_hours: a deadline two days away is due soon with a 72-hour threshold."""
    p = start_platform("processing", **{"regulation.due_soon_hours": 72})
    c = clients_for(p)
    _, soon = accept(p, deadline_days=2)
    _, later = accept(p, deadline_days=6)
    states = {aid: c.processing.GetWorkItem(pb.GetWorkItemRequest(assignment_id=aid)).work_item.clocks[0].state
              for aid in (soon, later)}
    assert states == {soon: K.CLOCK_STATE_DUE_SOON, later: K.CLOCK_STATE_ON_TIME}


def test_published_evidence_is_served_only_as_its_public_copy_dieu_10(start_platform, clients_for):
    p = start_platform("processing")
    c = clients_for(p)
    case_id, aid = accept(p)
    photo = media_samples.jpeg(with_gps=True)
    proof = upload(c, data=photo)
    c.processing.AssignHandler(pb.AssignHandlerRequest(assignment_id=aid, handler_id="officer-7"))
    c.processing.SubmitResult(pb.SubmitResultRequest(assignment_id=aid, result=pb.Result(
        answer="Đã thay bóng đèn", evidence_media_ids=[proof.media_id])))
    c.processing.ApproveResult(pb.ApproveResultRequest(assignment_id=aid))

    def public():
        return b"".join(m.chunk for m in c.processing.GetPublicEvidence(
            pb.GetPublicEvidenceRequest(media_id=proof.media_id)))

    # Approved is not published: nothing is served yet.
    assert rpc_error(public).code() == grpc.StatusCode.NOT_FOUND
    deliver(p, "processing", make_envelope("publication", "case.published", case_id, ev.CasePublished(
        case_id=case_id, tracking_code="26-0000000")))
    served = public()
    assert served.startswith(b"\xff\xd8") and b"Exif" not in served and b"GPS" not in served
    assert len(served) < len(photo)
    unknown = rpc_error(lambda: b"".join(m.chunk for m in c.processing.GetPublicEvidence(
        pb.GetPublicEvidenceRequest(media_id="nope"))))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
