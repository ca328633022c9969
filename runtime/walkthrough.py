"""The walking skeleton as every role plays it through the public API (`pakn demo`, e2e tests).

1. a citizen submits a case with a photo and gets a tracking code;
2. the coordinator classifies it and distributes it to two units;
3. each unit accepts; a handler submits a result with an evidence photo; each leader approves;
4. the coordinator publishes once both results are approved;
5. the citizen looks the case up, reads the answer and the public timeline, and rates it;
6. the submitter is e-mailed at each step that concerns them (received, published);
7. reporting counts the case.

Each step is made as the role the access policy gives it (runtime/identity/policy.py): `run` takes
a `Cast` (clients per role: `pakn demo` logs each demo account in at the token endpoint,
runtime/demo.py) or one `Clients` used for every step (tests whose token source picks the role).
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, TypeVar

import grpc
from google.protobuf import timestamp_pb2

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.notification.v1 import notification_pb2
from pakn.processing.v1 import processing_pb2
from pakn.publication.v1 import publication_pb2
from pakn.reporting.v1 import reporting_pb2
from pakn.routing.v1 import routing_pb2
from runtime.clients import Clients

# An 8×8 JPEG, so the demo needs no file of its own.
PHOTO = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AP//Z"
)

UNITS = (
    common_pb2.Unit(unit_id="so-gtvt", name="Sở Giao thông vận tải", leader_title="Giám đốc Sở",
                    contact_title="Chánh Văn phòng Sở", on_system=True),
    common_pb2.Unit(unit_id="ubnd-phuong-tan-ninh", name="UBND phường Tân Ninh", leader_title="Chủ tịch UBND phường",
                    contact_title="Văn phòng UBND phường", on_system=True),
)

T = TypeVar("T")


class Cast:
    """Clients acting as each role: `make(role, unit)` -> Clients (citizen: anonymous), kept per role."""

    def __init__(self, make: Callable[[str, str | None], Clients]):
        self._make = make
        self._made: dict[tuple[str, str | None], Clients] = {}

    def as_(self, role: str, unit: str | None = None) -> Clients:
        if (role, unit) not in self._made:
            self._made[(role, unit)] = self._make(role, unit)
        return self._made[(role, unit)]

    def close(self) -> None:
        for clients in self._made.values():
            clients.close()


def _cast(c: "Clients | Cast") -> Cast:
    return c if isinstance(c, Cast) else Cast(lambda _role, _unit: c)


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Events travel asynchronously: poll until `check` gives a value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except grpc.RpcError as err:
            if err.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
                                  grpc.StatusCode.UNAVAILABLE):
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _hours_ago(hours: float) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(datetime.now(timezone.utc) - timedelta(hours=hours))
    return out


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


@dataclass
class Outcome:
    case_id: str = ""
    tracking_code: str = ""
    assignment_ids: list[str] = field(default_factory=list)
    answer: publication_pb2.PublishedAnswer | None = None
    timeline: list[common_pb2.TimelineEntry] = field(default_factory=list)
    summary: reporting_pb2.Summary | None = None
    notices: list[str] = field(default_factory=list)
    evidence_bytes: int = 0


def run(cast: "Clients | Cast", email: str = "nguoidan@example.vn",
        say: Callable[[str], None] = lambda _m: None) -> Outcome:
    out = Outcome()
    roles = _cast(cast)
    admin, channel, coordinator = roles.as_("administrator"), roles.as_("channel"), roles.as_("coordinator")
    citizen, reader = roles.as_("citizen"), roles.as_("report_reader")
    for unit in UNITS:
        admin.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=unit))

    # 1. Citizen
    def upload() -> Iterator[intake_pb2.UploadMediaRequest]:
        yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename="o-ga.jpg"))
        for part in chunks(PHOTO):
            yield intake_pb2.UploadMediaRequest(chunk=part)

    photo = channel.intake.UploadMedia(upload()).media
    submitted = channel.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
        content="Mặt đường tỉnh lộ 781 đoạn qua xã Trường Tây bị bong tróc, nhiều ổ gà sâu, "
                "xe máy dễ té ngã vào ban đêm.",
        occurred_at=_hours_ago(2), location=common_pb2.Location(address="Tỉnh lộ 781, xã Trường Tây"),
        submitter=intake_pb2.Submitter(full_name="Nguyễn Văn An", phone="0912345678", email=email),
        media_ids=[photo.media_id],
    ))
    out.case_id, out.tracking_code = submitted.case_id, submitted.tracking_code
    say(f"1. Người dân gửi phản ánh kèm ảnh; mã theo dõi {out.tracking_code}")

    # 2. Coordinator
    wait_for("the case in the coordinator's inbox",
             lambda: coordinator.routing.GetCase(routing_pb2.GetCaseRequest(case_id=out.case_id)).case)
    coordinator.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=out.case_id, category_code="giao_thong"))
    dist = coordinator.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=out.case_id, unit_ids=[u.unit_id for u in UNITS]))
    out.assignment_ids = [a.assignment_id for a in dist.assignments]
    say(f"2. Điều phối: phân loại 'giao_thong', chuyển {len(UNITS)} đơn vị")

    # 3. Units, handlers, leaders
    for assignment in dist.assignments:
        officer = roles.as_("unit_officer", assignment.unit_id)
        leader = roles.as_("unit_leader", assignment.unit_id)
        officer.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(
            assignment_id=assignment.assignment_id, handling_working_days=5))
        wait_for("the work item in the unit", lambda a=assignment, u=officer: u.processing.GetWorkItem(
            processing_pb2.GetWorkItemRequest(assignment_id=a.assignment_id)).work_item)
        leader.processing.AssignHandler(processing_pb2.AssignHandlerRequest(
            assignment_id=assignment.assignment_id, handler_id=f"{assignment.unit_id}/can-bo-1"))

        def evidence(owner_id: str) -> Iterator[processing_pb2.UploadEvidenceRequest]:
            yield processing_pb2.UploadEvidenceRequest(header=common_pb2.MediaUploadHeader(
                filename="da-sua.jpg", owner_id=owner_id))
            for part in chunks(PHOTO):
                yield processing_pb2.UploadEvidenceRequest(chunk=part)

        proof = officer.processing.UploadEvidence(evidence(assignment.assignment_id)).media
        officer.processing.SubmitResult(processing_pb2.SubmitResultRequest(
            assignment_id=assignment.assignment_id,
            result=processing_pb2.Result(
                document_number=f"{assignment.assignment_id[:4].upper()}/TB", addressee_kind="cá nhân",
                answer="Đơn vị đã kiểm tra hiện trường và vá toàn bộ ổ gà trên đoạn đường phản ánh.",
                evidence_media_ids=[proof.media_id])))
        leader.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=assignment.assignment_id))
        say(f"3. {assignment.unit_id}: tiếp nhận, xử lý, gửi kết quả kèm ảnh, lãnh đạo phê duyệt")

    # 4. Coordinator publishes once every result is approved
    wait_for("the case ready for review", lambda: coordinator.publication.GetReview(
        publication_pb2.GetReviewRequest(case_id=out.case_id)).review.ready)
    coordinator.publication.PublishResult(publication_pb2.PublishResultRequest(case_id=out.case_id))
    say("4. Điều phối công khai kết quả")

    # 5. Citizen
    wait_for("the published status", lambda: citizen.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
        tracking_code=out.tracking_code, contact=email)).status == common_pb2.CASE_STATUS_PUBLISHED)
    out.answer = citizen.publication.GetPublishedAnswer(
        publication_pb2.GetPublishedAnswerRequest(tracking_code=out.tracking_code)).answer
    out.timeline = list(citizen.publication.GetPublicTimeline(
        publication_pb2.GetPublicTimelineRequest(tracking_code=out.tracking_code)).entries)
    # The evidence photos are shown from their public copies (location metadata removed).
    first_proof = out.answer.answers[0].evidence[0].media_id
    out.evidence_bytes = len(wait_for("the published evidence", lambda: b"".join(
        m.chunk for m in citizen.processing.GetPublicEvidence(
            processing_pb2.GetPublicEvidenceRequest(media_id=first_proof)))))
    citizen.publication.RateCase(publication_pb2.RateCaseRequest(
        tracking_code=out.tracking_code, contact=email, rating=common_pb2.RATING_SATISFIED))
    say(f"5. Người dân xem kết quả ({len(out.answer.answers)} đơn vị), dòng thời gian "
        f"({len(out.timeline)} bước) và đánh giá 'hài lòng'")

    # 6. The submitter was told at each step that concerns them (received, published).
    out.notices = wait_for("the submitter's e-mails",
                           lambda: _sent_templates(coordinator, out.case_id, {"received", "published"}))
    say(f"6. Người gửi nhận thư điện tử: {', '.join(out.notices)}")

    # 7. Reporting
    out.summary = wait_for("the case in the reports", lambda: _summary_if_rated(reader))
    say(f"7. Báo cáo: tiếp nhận {out.summary.received}, đúng hạn {out.summary.cases_handled_on_time}, "
        f"hài lòng {out.summary.rated_satisfied}")
    return out


def _sent_templates(c: Clients, case_id: str, expected: set[str]) -> list[str] | None:
    sent = c.notification.ListDeliveries(notification_pb2.ListDeliveriesRequest(case_id=case_id)).deliveries
    names = sorted(d.template for d in sent if d.status == notification_pb2.DELIVERY_STATUS_SENT)
    return names if expected <= set(names) else None


def _summary_if_rated(c: Clients) -> reporting_pb2.Summary | None:
    summary = c.reporting.GetSummary(reporting_pb2.GetSummaryRequest()).summary
    return summary if summary.rated_satisfied >= 1 else None
