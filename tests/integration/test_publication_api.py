"""Publication over real gRPC on SQLite: review (Đ10.2), publish / deliver privately / restrict
(Đ10.3), rework (Đ10.4), public reads (Đ3.2, Đ3.3, Đ12.2), replies and ratings (Đ11)."""

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2 as ev
from pakn.publication.v1 import publication_pb2 as pb
from runtime.crypto import Box, verifier
from runtime.messaging import make_envelope, ts, unpack
from tests.helpers import deliver, rpc_error, violations

S = common_pb2.CaseStatus
K = common_pb2.ClockState
PHONE = "0912345678"
EMAIL = "binh@example.vn"
CONTENT = "Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay"
APPROVED_AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


class Case:
    """Events about one case, delivered by hand as the bus would."""

    def __init__(self, platform, code="25-ABCDEFG", secret=False):
        self.p = platform
        self.case_id = str(uuid.uuid4())
        self.code = code
        self.secret = secret

    def send(self, source, event_type, payload):
        assert deliver(self.p, "publication", make_envelope(source, event_type, self.case_id, payload)) == 1

    def received(self):
        sec = self.p.config.security
        self.send("intake", "case.received", ev.CaseReceived(
            case_id=self.case_id, tracking_code=self.code, channel=common_pb2.CHANNEL_MOBILE_APP, content=CONTENT,
            keep_identity_secret=self.secret, received_at=ts(APPROVED_AT - timedelta(days=3)),
            contact_verifiers=[verifier(sec.verifier_key, PHONE), verifier(sec.verifier_key, EMAIL)],
            sealed_contact=Box(sec.notification_key).seal({"full_name": "Trần Thị Bình", "phone": PHONE,
                                                           "email": EMAIL})))
        return self

    def classified(self, category="infrastructure"):
        self.send("routing", "case.classified", ev.CaseClassified(case_id=self.case_id, category_code=category))

    def assigned(self, aid, unit="ubnd-tp"):
        self.send("routing", "assignment.created", ev.AssignmentCreated(
            case_id=self.case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}", content=CONTENT))

    def accepted(self, aid, unit="ubnd-tp"):
        self.send("routing", "assignment.accepted", ev.AssignmentAccepted(
            case_id=self.case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}",
            accepted_at=ts(APPROVED_AT - timedelta(days=2))))

    def returned(self, aid, unit="ubnd-tp"):
        self.send("routing", "assignment.returned", ev.AssignmentReturned(
            case_id=self.case_id, assignment_id=aid, unit_id=unit, reason="Không thuộc thẩm quyền"))

    def approved(self, aid, unit="ubnd-tp", answer="Đã thay bóng đèn ngày 3/3.", at=APPROVED_AT):
        self.send("processing", "result.approved", ev.ResultApproved(
            case_id=self.case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}", answer=answer,
            evidence=[common_pb2.MediaRef(media_id="m1", content_type="image/jpeg", size_bytes=10, sha256="ab")],
            approved_at=ts(at)))

    def to_review(self, units=("ubnd-tp",)):
        self.received()
        self.classified()
        for i, unit in enumerate(units):
            self.assigned(f"{self.case_id}-{i}", unit)
        for i, unit in enumerate(units):
            self.accepted(f"{self.case_id}-{i}", unit)
            self.approved(f"{self.case_id}-{i}", unit)
        return self


def emitted(platform, event_type, case_id=None):
    table = platform.service("publication").db.metadata.tables["outbox"]
    with platform.service("publication").db.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.envelope).where(table.c.event_type == event_type)
                            .order_by(table.c.id)).scalars().all()
    payloads = [unpack(ev.EventEnvelope.FromString(r)) for r in rows]
    return [x for x in payloads if case_id is None or x.case_id == case_id]


@pytest.fixture
def pub(start_platform, clients_for):
    p = start_platform("publication")
    return p, clients_for(p).publication


def test_case_goes_under_review_only_when_every_unit_is_approved_dieu_10_2(pub):
    p, c = pub
    case = Case(p).received()
    case.classified()
    case.assigned("a1", "ubnd-tp")
    case.assigned("a2", "so-gtvt")
    case.approved("a1", "ubnd-tp", at=APPROVED_AT - timedelta(hours=5))
    review = c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_IN_HANDLING and not review.ready
    assert not review.HasField("review_clock")  # not under review yet
    assert not emitted(p, "case.under_review", case.case_id)
    case.approved("a2", "so-gtvt")
    review = c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_UNDER_REVIEW and review.ready
    assert review.tracking_code == case.code and review.content == CONTENT
    assert {a.unit_id for a in review.answers} == {"ubnd-tp", "so-gtvt"} and all(a.approved for a in review.answers)
    assert review.review_deadline.ToDatetime(tzinfo=UTC) == APPROVED_AT + timedelta(hours=24)
    # Approved in 2025 and still under review: the review clock runs, long overdue.
    clock = review.review_clock
    assert (clock.name, clock.state, clock.deadline) == ("review", K.CLOCK_STATE_OVERDUE, review.review_deadline)
    assert clock.late_working_days > 200
    [event] = emitted(p, "case.under_review", case.case_id)
    assert event.review_deadline == review.review_deadline
    queue = c.ListReviewQueue(pb.ListReviewQueueRequest()).reviews
    assert [r.case_id for r in queue] == [case.case_id]
    assert queue[0].review_clock.state == K.CLOCK_STATE_OVERDUE


def test_out_of_order_events_still_reach_review(pub):
    p, c = pub
    case = Case(p)
    case.approved("a1")          # before its assignment and before the case itself
    case.accepted("a1")
    case.assigned("a1")
    review = c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review
    assert review.status != S.CASE_STATUS_UNDER_REVIEW
    case.received()
    review = c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_UNDER_REVIEW and review.tracking_code == case.code
    assert review.answers[0].answer == "Đã thay bóng đèn ngày 3/3."


def test_a_returned_assignment_is_no_longer_expected(pub):
    p, c = pub
    case = Case(p).received()
    case.assigned("a1", "ubnd-tp")
    case.assigned("a2", "so-gtvt")
    case.approved("a1", "ubnd-tp")
    case.returned("a2", "so-gtvt")
    review = c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_UNDER_REVIEW
    assert [a.unit_id for a in review.answers] == ["ubnd-tp"]
    # Redistribution to another unit reopens the case.
    case.assigned("a3", "so-xd")
    assert c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review.status == S.CASE_STATUS_IN_HANDLING


def test_publish_makes_the_answer_public_with_the_disclaimer_and_a_timeline(pub):
    p, c = pub
    case = Case(p).to_review(units=("ubnd-tp", "so-gtvt"))
    review = c.PublishResult(pb.PublishResultRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_PUBLISHED
    [event] = emitted(p, "case.published", case.case_id)
    assert event.tracking_code == case.code and event.published_at.seconds > 0
    # Đ10.2: published_at is now, later than approved_at + 24 h in 2025.
    assert not event.on_time
    # The publication stopped the review clock late: it stays overdue, with its lateness at publication.
    stopped = review.review_clock
    assert stopped.state == K.CLOCK_STATE_OVERDUE and stopped.late_working_days > 200
    assert c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review.review_clock == stopped
    answer = c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code.lower())).answer
    assert answer.content == CONTENT and len(answer.answers) == 2
    assert answer.answers[0].evidence[0].media_id == "m1"
    assert "tranh chấp dân sự" in answer.disclaimer  # Đ3.3
    timeline = c.GetPublicTimeline(pb.GetPublicTimelineRequest(tracking_code=case.code))
    kinds = [e.event_type for e in timeline.entries]
    assert kinds[0] == "case.received" and kinds[-1] == "case.published"
    assert {"case.classified", "assignment.created", "assignment.accepted", "result.approved"} <= set(kinds)
    assert {e.unit_id for e in timeline.entries if e.event_type == "assignment.created"} == {"ubnd-tp", "so-gtvt"}
    assert all(e.description_vi and e.description_en for e in timeline.entries)
    text = " ".join(e.description_vi + e.description_en for e in timeline.entries)
    assert PHONE not in text and "Bình" not in text and CONTENT not in text
    # Đ3.2: the knowledge base, accent- and case-insensitive.
    found = c.SearchAnswers(pb.SearchAnswersRequest(query="den chieu sang TRAN HUNG DAO")).answers
    assert [a.tracking_code for a in found] == [case.code]
    assert not c.SearchAnswers(pb.SearchAnswersRequest(query="cấp nước")).answers
    again = rpc_error(lambda: c.PublishResult(pb.PublishResultRequest(case_id=case.case_id)))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_publish_needs_every_approval_and_a_known_case(pub):
    p, c = pub
    case = Case(p).received()
    case.assigned("a1")
    err = rpc_error(lambda: c.PublishResult(pb.PublishResultRequest(case_id=case.case_id)))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "approved" in err.details()
    assert rpc_error(lambda: c.PublishResult(pb.PublishResultRequest(case_id=str(uuid.uuid4())))).code() == \
        grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code))).code() == \
        grpc.StatusCode.NOT_FOUND
    assert not emitted(p, "case.published")


def test_confidential_results_are_delivered_privately_never_published_dieu_10_3b(pub):
    p, c = pub
    case = Case(p, secret=True).to_review()
    err = rpc_error(lambda: c.PublishResult(pb.PublishResultRequest(case_id=case.case_id)))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and "10.3b" in err.details()
    review = c.DeliverPrivately(pb.DeliverPrivatelyRequest(case_id=case.case_id)).review
    assert review.status == S.CASE_STATUS_DELIVERED_PRIVATELY
    [event] = emitted(p, "result.delivered", case.case_id)
    assert event.tracking_code == case.code
    missing = rpc_error(lambda: c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code)))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert not c.SearchAnswers(pb.SearchAnswersRequest(query="đèn")).answers
    # Đ12.2: the process stays visible; the answer does not.
    timeline = c.GetPublicTimeline(pb.GetPublicTimelineRequest(tracking_code=case.code))
    assert timeline.status == S.CASE_STATUS_DELIVERED_PRIVATELY
    assert "Đã thay bóng đèn" not in str(timeline)
    # The submitter alone reads it, with the code and their contact.
    own = c.GetSubmitterAnswer(pb.GetSubmitterAnswerRequest(tracking_code=case.code, contact=PHONE))
    assert own.status == S.CASE_STATUS_DELIVERED_PRIVATELY
    assert [a.answer for a in own.answer.answers] == ["Đã thay bóng đèn ngày 3/3."]
    stranger = rpc_error(lambda: c.GetSubmitterAnswer(
        pb.GetSubmitterAnswerRequest(tracking_code=case.code, contact="0909000111")))
    assert stranger.code() == grpc.StatusCode.NOT_FOUND


def test_restricted_cases_vanish_from_public_views_dieu_10_3c(pub):
    p, c = pub
    case = Case(p).to_review()
    bad = rpc_error(lambda: c.RestrictCase(pb.RestrictCaseRequest(case_id=case.case_id, reason="  ")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and "reason" in violations(bad)
    assert c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review.status == S.CASE_STATUS_UNDER_REVIEW
    review = c.RestrictCase(pb.RestrictCaseRequest(case_id=case.case_id, reason="Bí mật nhà nước")).review
    assert review.status == S.CASE_STATUS_RESTRICTED
    assert emitted(p, "case.restricted", case.case_id)[0].reason == "Bí mật nhà nước"
    for call in (lambda: c.GetPublicTimeline(pb.GetPublicTimelineRequest(tracking_code=case.code)),
                 lambda: c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code)),
                 lambda: c.GetPublicTimeline(pb.GetPublicTimelineRequest(tracking_code="25-ZZZZZZZ"))):
        assert rpc_error(call).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(lambda: c.PublishResult(pb.PublishResultRequest(case_id=case.case_id))).code() == \
        grpc.StatusCode.FAILED_PRECONDITION


def test_request_rework_sends_one_unit_back_dieu_10_4a_b(pub):
    p, c = pub
    case = Case(p).to_review(units=("ubnd-tp", "so-gtvt"))
    bad = rpc_error(lambda: c.RequestRework(pb.RequestReworkRequest(case_id=case.case_id, assignment_id="")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"assignment_id", "kind", "note"} <= set(violations(bad))
    other = rpc_error(lambda: c.RequestRework(pb.RequestReworkRequest(
        case_id=case.case_id, assignment_id="not-this-case", kind=pb.REWORK_KIND_FORMAT, note="Sai mẫu")))
    assert other.code() == grpc.StatusCode.NOT_FOUND
    assert c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review.status == S.CASE_STATUS_UNDER_REVIEW
    aid = f"{case.case_id}-1"
    review = c.RequestRework(pb.RequestReworkRequest(case_id=case.case_id, assignment_id=aid,
                                                     kind=pb.REWORK_KIND_INACCURATE, note="Thiếu ảnh")).review
    assert review.status == S.CASE_STATUS_IN_HANDLING and not review.ready
    assert {a.unit_id: a.approved for a in review.answers} == {"ubnd-tp": True, "so-gtvt": False}
    [event] = emitted(p, "rework.requested", case.case_id)
    assert (event.assignment_id, event.unit_id, event.kind, event.note) == (aid, "so-gtvt", "inaccurate", "Thiếu ảnh")
    case.approved(aid, "so-gtvt", answer="Đã bổ sung ảnh")
    assert c.GetReview(pb.GetReviewRequest(case_id=case.case_id)).review.status == S.CASE_STATUS_UNDER_REVIEW
    assert len(emitted(p, "case.under_review", case.case_id)) == 2


def test_the_review_clock_runs_until_delivery_restriction_or_rework_dieu_10_2(pub):
    """Approved an hour ago: 23 hours left, due soon (default threshold 24 h); delivered or
    restricted now: stopped on time; sent back for rework: no review clock until reviewed again."""
    p, c = pub
    recent = datetime.now(UTC) - timedelta(hours=1)

    def under_review(secret=False, code="25-ABCDEFG"):
        case = Case(p, code=code, secret=secret).received()
        case.assigned("a1" + code)
        case.approved("a1" + code, at=recent)
        return case

    private = under_review(secret=True)
    clock = c.GetReview(pb.GetReviewRequest(case_id=private.case_id)).review.review_clock
    assert (clock.name, clock.state) == ("review", K.CLOCK_STATE_DUE_SOON)
    assert abs(clock.deadline.ToDatetime(tzinfo=UTC) - (recent + timedelta(hours=24))) < timedelta(seconds=1)
    delivered = c.DeliverPrivately(pb.DeliverPrivatelyRequest(case_id=private.case_id)).review
    assert delivered.review_clock.state == K.CLOCK_STATE_STOPPED and delivered.review_clock.late_hours == 0

    restricted = under_review(code="25-HJKLMNP")
    review = c.RestrictCase(pb.RestrictCaseRequest(case_id=restricted.case_id, reason="Bí mật nhà nước")).review
    assert review.review_clock.state == K.CLOCK_STATE_STOPPED

    reworked = under_review(code="25-QRSTUVW")
    review = c.RequestRework(pb.RequestReworkRequest(case_id=reworked.case_id, assignment_id="a125-QRSTUVW",
                                                     kind=pb.REWORK_KIND_FORMAT, note="Sai mẫu")).review
    assert review.status == S.CASE_STATUS_IN_HANDLING and not review.HasField("review_clock")


def test_rating_needs_the_submitters_contact_and_a_result_dieu_11_3(pub):
    p, c = pub
    case = Case(p).to_review(units=("ubnd-tp", "so-gtvt"))

    def rate(contact=PHONE, rating=common_pb2.RATING_SATISFIED):
        return c.RateCase(pb.RateCaseRequest(tracking_code=case.code, contact=contact, rating=rating))

    assert rpc_error(lambda: rate()).code() == grpc.StatusCode.FAILED_PRECONDITION  # not yet answered
    c.PublishResult(pb.PublishResultRequest(case_id=case.case_id))
    assert rpc_error(lambda: rate(contact="0987654321")).code() == grpc.StatusCode.NOT_FOUND
    unset = rpc_error(lambda: rate(rating=common_pb2.RATING_UNSPECIFIED))
    assert unset.code() == grpc.StatusCode.INVALID_ARGUMENT and "rating" in violations(unset)
    assert not emitted(p, "case.rated")
    r = c.RateCase(pb.RateCaseRequest(tracking_code=case.code, contact="+84 912 345 678",
                                      rating=common_pb2.RATING_NOT_SATISFIED, comment="Đèn vẫn tắt"))
    assert r.rating == common_pb2.RATING_NOT_SATISFIED
    [rated] = emitted(p, "case.rated", case.case_id)
    assert rated.rating == common_pb2.RATING_NOT_SATISFIED and rated.tracking_code == case.code
    # Đ10.4c: every unit re-handles once.
    reworks = emitted(p, "rework.requested", case.case_id)
    assert sorted(e.unit_id for e in reworks) == ["so-gtvt", "ubnd-tp"]
    assert {e.kind for e in reworks} == {"not_satisfied"}
    assert rpc_error(lambda: rate(contact=EMAIL)).code() == grpc.StatusCode.FAILED_PRECONDITION
    # The published answer stays readable while the units re-handle it.
    answer = c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code)).answer
    assert answer.rating == common_pb2.RATING_NOT_SATISFIED and len(answer.answers) == 2


def test_not_satisfied_after_a_rehandling_is_final_dieu_10_4c(pub):
    p, c = pub
    case = Case(p).to_review()
    c.PublishResult(pb.PublishResultRequest(case_id=case.case_id))
    c.RateCase(pb.RateCaseRequest(tracking_code=case.code, contact=EMAIL, rating=common_pb2.RATING_NOT_SATISFIED))
    assert len(emitted(p, "rework.requested", case.case_id)) == 1
    # One rating per case: the re-handled answer cannot be rated "not satisfied" again.
    case.approved(f"{case.case_id}-0", answer="Đã sửa lại")
    c.PublishResult(pb.PublishResultRequest(case_id=case.case_id))
    again = rpc_error(lambda: c.RateCase(pb.RateCaseRequest(tracking_code=case.code, contact=EMAIL,
                                                            rating=common_pb2.RATING_NOT_SATISFIED)))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(emitted(p, "rework.requested", case.case_id)) == 1
    answer = c.GetPublishedAnswer(pb.GetPublishedAnswerRequest(tracking_code=case.code)).answer
    assert answer.answers[0].answer == "Đã sửa lại"


def test_reply_asks_for_clarification_dieu_11_1(pub):
    p, c = pub
    case = Case(p, secret=True).to_review()
    c.DeliverPrivately(pb.DeliverPrivatelyRequest(case_id=case.case_id))
    empty = rpc_error(lambda: c.ReplyToAnswer(pb.ReplyToAnswerRequest(tracking_code=case.code, contact=PHONE)))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT and "message" in violations(empty)
    stranger = rpc_error(lambda: c.ReplyToAnswer(pb.ReplyToAnswerRequest(
        tracking_code=case.code, contact="khac@example.vn", message="?")))
    assert stranger.code() == grpc.StatusCode.NOT_FOUND
    r = c.ReplyToAnswer(pb.ReplyToAnswerRequest(tracking_code=case.code, contact=EMAIL.upper(),
                                                message="Xin giải thích rõ thời gian sửa chữa"))
    assert r.replied_at.seconds > 0
    [event] = emitted(p, "citizen.replied", case.case_id)
    assert event.message == "Xin giải thích rõ thời gian sửa chữa"


def test_cancelled_cases_never_reach_review(pub):
    p, c = pub
    case = Case(p).received()
    case.send("routing", "case.cancelled", ev.CaseCancelled(case_id=case.case_id, reason_code="advertising"))
    timeline = c.GetPublicTimeline(pb.GetPublicTimelineRequest(tracking_code=case.code))
    assert timeline.status == S.CASE_STATUS_CANCELLED
    assert timeline.entries[-1].event_type == "case.cancelled"
    assert not c.ListReviewQueue(pb.ListReviewQueueRequest()).reviews


def test_review_queue_pages(pub):
    p, c = pub
    ids = {Case(p, code=f"25-ABCDEF{i}").to_review().case_id for i in range(3)}
    first = c.ListReviewQueue(pb.ListReviewQueueRequest(page=common_pb2.PageRequest(page_size=2)))
    assert len(first.reviews) == 2 and first.next_page_token
    rest = c.ListReviewQueue(pb.ListReviewQueueRequest(page=common_pb2.PageRequest(
        page_size=2, page_token=first.next_page_token)))
    assert {r.case_id for r in [*first.reviews, *rest.reviews]} == ids and not rest.next_page_token
    bad = rpc_error(lambda: c.ListReviewQueue(pb.ListReviewQueueRequest(page=common_pb2.PageRequest(page_token="x"))))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
