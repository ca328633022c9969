"""Publication's gRPC API: translates messages to use cases and back; no rules here."""

from __future__ import annotations

from pakn.common.v1 import common_pb2
from pakn.publication.v1 import publication_pb2 as pb
from pakn.publication.v1 import publication_pb2_grpc
from runtime.lookup_limits import lookup_source
from runtime.messaging import as_utc, ts
from services.publication import domain
from services.publication.app import CaseView, PublicationApp, media_refs


def _t(value):
    return ts(as_utc(value)) if value is not None else None


def review_msg(view: CaseView) -> pb.Review:
    row = view.row
    return pb.Review(
        case_id=row.case_id, tracking_code=row.tracking_code or "", status=row.status, content=row.content,
        keep_identity_secret=bool(row.keep_identity_secret),
        answers=[unit_answer(a) for a in view.answers if not a.returned],
        review_deadline=_t(row.review_deadline), ready=view.ready, review_clock=view.review_clock,
    )


def unit_answer(a, published: bool = False) -> pb.UnitAnswer:
    """One unit's answer: as approved, or (published) as it was copied at publication."""
    return pb.UnitAnswer(
        assignment_id=a.assignment_id, unit_id=a.unit_id, unit_name=a.unit_name,
        answer=a.published_answer if published else a.answer,
        evidence=media_refs(a.published_evidence if published else a.evidence),
        approved_at=_t(a.approved_at), approved=True if published else bool(a.approved))


def published_msg(view: CaseView) -> pb.PublishedAnswer:
    row = view.row
    return pb.PublishedAnswer(
        tracking_code=row.tracking_code, content=row.content,
        answers=[unit_answer(a, published=True) for a in view.answers if a.published_answer is not None],
        published_at=_t(row.published_at), disclaimer=domain.DISCLAIMER_VI, rating=row.rating,
    )


def submitter_msg(view: CaseView) -> pb.PublishedAnswer:
    """What the submitter may read: the approved answers, published or delivered privately."""
    row = view.row
    return pb.PublishedAnswer(
        tracking_code=row.tracking_code, content=row.content,
        answers=[unit_answer(a) for a in view.answers if not a.returned and a.approved],
        published_at=_t(row.published_at or row.delivered_at), disclaimer=domain.DISCLAIMER_VI, rating=row.rating,
    )


class PublicationServicer(publication_pb2_grpc.PublicationServiceServicer):
    def __init__(self, app: PublicationApp):
        self.app = app

    def ListReviewQueue(self, request, context):
        views, token = self.app.review_queue(request.page)
        return pb.ListReviewQueueResponse(reviews=[review_msg(v) for v in views], next_page_token=token)

    def GetReview(self, request, context):
        return pb.GetReviewResponse(review=review_msg(self.app.review(request.case_id)))

    def PublishResult(self, request, context):
        return pb.PublishResultResponse(review=review_msg(self.app.publish(request.case_id)))

    def DeliverPrivately(self, request, context):
        return pb.DeliverPrivatelyResponse(review=review_msg(self.app.deliver_privately(request.case_id)))

    def RestrictCase(self, request, context):
        return pb.RestrictCaseResponse(review=review_msg(self.app.restrict(request.case_id, request.reason)))

    def RequestRework(self, request, context):
        view = self.app.request_rework(request.case_id, request.assignment_id, request.kind, request.note)
        return pb.RequestReworkResponse(review=review_msg(view))

    def GetPublishedAnswer(self, request, context):
        return pb.GetPublishedAnswerResponse(answer=published_msg(self.app.published_answer(request.tracking_code)))

    def GetSubmitterAnswer(self, request, context):
        view = self.app.submitter_answer(request.tracking_code, request.contact, lookup_source(context))
        return pb.GetSubmitterAnswerResponse(answer=submitter_msg(view), status=view.row.status)

    def GetPublicTimeline(self, request, context):
        row, entries = self.app.public_timeline(request.tracking_code)
        return pb.GetPublicTimelineResponse(
            tracking_code=row.tracking_code, status=row.status,
            entries=[common_pb2.TimelineEntry(occurred_at=_t(e.occurred_at), event_type=e.event_type,
                                              description_vi=e.description_vi, description_en=e.description_en,
                                              unit_id=e.unit_id) for e in entries])

    def SearchAnswers(self, request, context):
        views, token = self.app.search(request.query, request.page)
        return pb.SearchAnswersResponse(answers=[published_msg(v) for v in views], next_page_token=token)

    def ReplyToAnswer(self, request, context):
        at = self.app.reply(request.tracking_code, request.contact, request.message, lookup_source(context))
        return pb.ReplyToAnswerResponse(replied_at=ts(at))

    def RateCase(self, request, context):
        at = self.app.rate(request.tracking_code, request.contact, request.rating, request.comment,
                           lookup_source(context))
        return pb.RateCaseResponse(rating=request.rating, rated_at=ts(at))


def register(app: PublicationApp):
    return lambda server: publication_pb2_grpc.add_PublicationServiceServicer_to_server(
        PublicationServicer(app), server)
