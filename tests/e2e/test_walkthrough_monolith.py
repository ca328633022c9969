"""The walking skeleton in monolithic mode: one process, SQLite, local media, in-process events,
e-mail written to files; real gRPC over a socket."""

from __future__ import annotations

import urllib.request
from email import message_from_bytes, policy

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.processing.v1 import processing_pb2
from pakn.publication.v1 import publication_pb2
from pakn.routing.v1 import routing_pb2
from runtime import walkthrough
from runtime.modules import SERVICES, spec_of
from tests.helpers import eventually, now_ts, place, rpc_error, violations

pytestmark = pytest.mark.e2e

EMAIL = "an.nguyen@example.vn"


@pytest.fixture
def platform(start_platform):
    exporter = InMemorySpanExporter()
    p = start_platform("all", span_exporter=exporter, **{"metrics.enabled": True})
    p.exporter = exporter
    return p


def mails_to(platform, address):
    folder = platform.config.data_path / "mail"
    found = []
    for path in sorted(folder.glob("*.eml")):
        if path.name.startswith("."):
            continue  # a message still being written (the mailer renames it when whole)
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in msg["To"]:
            found.append(msg)
    return found


def test_one_case_through_all_six_services(platform, clients_for):
    c = clients_for(platform)
    out = walkthrough.run(c, email=EMAIL)

    # 5. The citizen reads both units' answers with the Đ3.3 disclaimer, and the public timeline.
    assert {a.unit_id for a in out.answer.answers} == {u.unit_id for u in walkthrough.UNITS}
    assert all("ổ gà" in a.answer for a in out.answer.answers)
    assert out.answer.disclaimer
    assert out.evidence_bytes > 0  # the evidence photo, served from its public copy
    kinds = [e.event_type for e in out.timeline]
    assert kinds[0] == "case.received" and "case.published" in kinds
    assert kinds.count("result.approved") == 2
    assert all(EMAIL not in (e.description_vi + e.description_en) for e in out.timeline)

    # 6. The submitter got an e-mail when the case was received and when it was published.
    mails = eventually(lambda: len(mails_to(platform, EMAIL)) >= 2 and mails_to(platform, EMAIL))
    bodies = "\n".join(m.get_content() for m in mails)
    assert out.tracking_code in bodies

    # 7. Reporting counts it as received, handled on time and rated satisfied.
    assert out.summary.received == 1
    assert out.summary.cases_handled_on_time == 1
    assert out.summary.rated_satisfied == 1
    assert out.summary.assignments_on_time == 2

    # Health: every service SERVING by its full name.
    health = health_pb2_grpc.HealthStub(grpc.insecure_channel(f"127.0.0.1:{platform.port}"))
    for service in SERVICES:
        r = health.Check(health_pb2.HealthCheckRequest(service=spec_of(service).full_name), timeout=5)
        assert r.status == health_pb2.HealthCheckResponse.SERVING

    # Metrics: RPC latency, outbox backlog and consumer lag are exported.
    port = platform.get("telemetry").metrics_port
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'pakn_rpc_duration_seconds_count{grpc_code="OK",grpc_method="SubmitCase"' in text
    assert 'pakn_outbox_backlog{service="intake"} 0.0' in text
    assert 'pakn_consumer_lag_seconds_count{event_type="case.received",service="routing"}' in text
    assert EMAIL not in text and "Nguyễn Văn An" not in text


def test_a_case_is_traced_across_grpc_calls_and_events(platform, clients_for):
    c = clients_for(platform)
    out = walkthrough.run(c, email=EMAIL)
    spans = platform.exporter.get_finished_spans()
    submit = next(s for s in spans if s.name.endswith("/SubmitCase"))
    consumed = [s for s in spans if s.name == "consume case.received"]
    assert {s.attributes["pakn.service"] for s in consumed} >= {"routing", "publication", "notification", "reporting"}
    assert all(s.context.trace_id == submit.context.trace_id for s in consumed)
    assert all(s.attributes["pakn.case_id"] == out.case_id for s in consumed)
    for s in spans:
        assert EMAIL not in str(dict(s.attributes or {}))


def test_wrong_steps_are_refused_with_clear_statuses(platform, clients_for):
    c = clients_for(platform)
    for unit in walkthrough.UNITS:
        c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=unit))

    # Bad input: no content and no contact -> INVALID_ARGUMENT with field details; nothing stored.
    err = rpc_error(lambda: c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(channel=common_pb2.CHANNEL_WEB_PORTAL)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"content", "submitter.phone"} <= set(violations(err))
    assert c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases == []

    # Publishing before both units' results are approved -> FAILED_PRECONDITION.
    r = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_WEB_PORTAL, content="Rác thải ùn ứ ở chợ phường nhiều ngày chưa được thu gom",
        occurred_at=now_ts(), location=place("Chợ phường Tân Ninh"),
        submitter=intake_pb2.Submitter(full_name="Phạm Thị Dung", phone="0933444555", email="dung@example.vn")))
    walkthrough.wait_for("inbox", lambda: c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=r.case_id)).case)
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=r.case_id, category_code="moi_truong"))
    dist = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=r.case_id, unit_ids=[u.unit_id for u in walkthrough.UNITS]))
    first = dist.assignments[0].assignment_id
    c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id=first))
    walkthrough.wait_for("work item", lambda: c.processing.GetWorkItem(
        processing_pb2.GetWorkItemRequest(assignment_id=first)).work_item)
    c.processing.AssignHandler(processing_pb2.AssignHandlerRequest(assignment_id=first, handler_id="cb-1"))
    c.processing.SubmitResult(processing_pb2.SubmitResultRequest(
        assignment_id=first, result=processing_pb2.Result(answer="Đã thu gom toàn bộ rác tồn đọng.")))
    c.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=first))
    early = rpc_error(lambda: c.publication.PublishResult(publication_pb2.PublishResultRequest(case_id=r.case_id)))
    assert early.code() == grpc.StatusCode.FAILED_PRECONDITION
    # Approving twice is refused too.
    twice = rpc_error(lambda: c.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=first)))
    assert twice.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_rework_sends_one_unit_back_and_every_view_follows(platform, clients_for):
    """Đ10.4a: the coordinator asks one unit to adjust its result; intake, routing and processing
    all show the case in handling again, and it can be published once re-approved."""
    c = clients_for(platform)
    for unit in walkthrough.UNITS:
        c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=unit))
    r = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_FACEBOOK, content="Cây xanh gãy đổ chắn ngang đường Nguyễn Chí Thanh sau cơn mưa",
        occurred_at=now_ts(), location=place("Đường Nguyễn Chí Thanh"),
        submitter=intake_pb2.Submitter(full_name="Võ Văn Giang", phone="0977123456", email="giang@example.vn")))
    walkthrough.wait_for("inbox", lambda: c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=r.case_id)).case)
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=r.case_id, category_code="trat_tu_do_thi"))
    [a] = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=r.case_id, unit_ids=["ubnd-phuong-tan-ninh"])).assignments
    c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id=a.assignment_id))

    def handle(answer):
        walkthrough.wait_for("in progress", lambda: c.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(
            assignment_id=a.assignment_id)).work_item.status in (common_pb2.ASSIGNMENT_STATUS_ACCEPTED,
                                                                 common_pb2.ASSIGNMENT_STATUS_IN_PROGRESS))
        c.processing.AssignHandler(processing_pb2.AssignHandlerRequest(assignment_id=a.assignment_id,
                                                                       handler_id="cb-2"))
        c.processing.SubmitResult(processing_pb2.SubmitResultRequest(
            assignment_id=a.assignment_id, result=processing_pb2.Result(answer=answer)))
        c.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=a.assignment_id))
        walkthrough.wait_for("review", lambda: c.publication.GetReview(
            publication_pb2.GetReviewRequest(case_id=r.case_id)).review.ready)

    handle("đã xử lý")
    c.publication.RequestRework(publication_pb2.RequestReworkRequest(
        case_id=r.case_id, assignment_id=a.assignment_id, kind=publication_pb2.REWORK_KIND_FORMAT,
        note="Kết quả chưa theo mẫu Phụ lục I"))
    in_handling = common_pb2.CASE_STATUS_IN_HANDLING
    eventually(lambda: c.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
        tracking_code=r.tracking_code, contact="0977123456")).status == in_handling)
    eventually(lambda: c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=r.case_id)).case.status == in_handling)
    eventually(lambda: c.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(
        assignment_id=a.assignment_id)).work_item.status == common_pb2.ASSIGNMENT_STATUS_IN_PROGRESS)

    handle("UBND phường đã cắt dọn cây gãy và thông tuyến đường lúc 16 giờ ngày 02/3.")
    c.publication.PublishResult(publication_pb2.PublishResultRequest(case_id=r.case_id))
    answer = c.publication.GetPublishedAnswer(publication_pb2.GetPublishedAnswerRequest(tracking_code=r.tracking_code))
    assert [u.answer for u in answer.answer.answers] == ["UBND phường đã cắt dọn cây gãy và thông tuyến đường "
                                                         "lúc 16 giờ ngày 02/3."]


def test_screening_reasons_reach_the_coordinators_inbox_dieu_7_3a(platform, clients_for):
    c = clients_for(platform)
    r = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_WEB_PORTAL, occurred_at=now_ts(), location=place("Phường 3, Thành phố Tây Ninh"),
        content="Tôi làm đơn tố cáo cán bộ địa chính xã nhận tiền để làm nhanh hồ sơ cấp giấy chứng nhận",
        submitter=intake_pb2.Submitter(full_name="Trịnh Văn Nam", phone="0944555666", email="nam@example.vn")))
    case = walkthrough.wait_for("inbox", lambda: c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=r.case_id)).case)
    finding = next(f for f in case.findings if f.flag == "complaint_or_denunciation")
    assert finding.reason_vi and finding.reason_en  # the coordinator sees why, and decides (Đ7.3a)
    assert case.location.ward_code == "25459" and case.location.mapped_from
    # The coordinator may cancel it under Đ6.5a; the submitter is told.
    c.routing.CancelCase(routing_pb2.CancelCaseRequest(case_id=r.case_id, reason_code="complaint_or_denunciation"))
    eventually(lambda: c.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
        tracking_code=r.tracking_code, contact="0944555666")).status == common_pb2.CASE_STATUS_CANCELLED)
    eventually(lambda: len(mails_to(platform, "nam@example.vn")) >= 2)
