import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pakn.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReworkKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REWORK_KIND_UNSPECIFIED: _ClassVar[ReworkKind]
    REWORK_KIND_FORMAT: _ClassVar[ReworkKind]
    REWORK_KIND_INACCURATE: _ClassVar[ReworkKind]
REWORK_KIND_UNSPECIFIED: ReworkKind
REWORK_KIND_FORMAT: ReworkKind
REWORK_KIND_INACCURATE: ReworkKind

class UnitAnswer(_message.Message):
    __slots__ = ("assignment_id", "unit_id", "unit_name", "answer", "evidence", "approved_at", "approved")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    unit_id: str
    unit_name: str
    answer: str
    evidence: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    approved_at: _timestamp_pb2.Timestamp
    approved: bool
    def __init__(self, assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., unit_name: _Optional[str] = ..., answer: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., approved: _Optional[bool] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("case_id", "tracking_code", "status", "content", "keep_identity_secret", "answers", "review_deadline", "ready", "review_clock")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    KEEP_IDENTITY_SECRET_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    REVIEW_CLOCK_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    status: _common_pb2.CaseStatus
    content: str
    keep_identity_secret: bool
    answers: _containers.RepeatedCompositeFieldContainer[UnitAnswer]
    review_deadline: _timestamp_pb2.Timestamp
    ready: bool
    review_clock: _common_pb2.Clock
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.CaseStatus, str]] = ..., content: _Optional[str] = ..., keep_identity_secret: _Optional[bool] = ..., answers: _Optional[_Iterable[_Union[UnitAnswer, _Mapping]]] = ..., review_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ready: _Optional[bool] = ..., review_clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ...) -> None: ...

class ListReviewQueueRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListReviewQueueResponse(_message.Message):
    __slots__ = ("reviews", "next_page_token")
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reviews: _containers.RepeatedCompositeFieldContainer[Review]
    next_page_token: str
    def __init__(self, reviews: _Optional[_Iterable[_Union[Review, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetReviewRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetReviewResponse(_message.Message):
    __slots__ = ("review",)
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: Review
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ...) -> None: ...

class PublishResultRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class PublishResultResponse(_message.Message):
    __slots__ = ("review",)
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: Review
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ...) -> None: ...

class DeliverPrivatelyRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class DeliverPrivatelyResponse(_message.Message):
    __slots__ = ("review",)
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: Review
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ...) -> None: ...

class RestrictCaseRequest(_message.Message):
    __slots__ = ("case_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RestrictCaseResponse(_message.Message):
    __slots__ = ("review",)
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: Review
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ...) -> None: ...

class RequestReworkRequest(_message.Message):
    __slots__ = ("case_id", "assignment_id", "kind", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    kind: ReworkKind
    note: str
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., kind: _Optional[_Union[ReworkKind, str]] = ..., note: _Optional[str] = ...) -> None: ...

class RequestReworkResponse(_message.Message):
    __slots__ = ("review",)
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: Review
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ...) -> None: ...

class PublishedAnswer(_message.Message):
    __slots__ = ("tracking_code", "content", "answers", "published_at", "disclaimer", "rating")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    DISCLAIMER_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    content: str
    answers: _containers.RepeatedCompositeFieldContainer[UnitAnswer]
    published_at: _timestamp_pb2.Timestamp
    disclaimer: str
    rating: _common_pb2.Rating
    def __init__(self, tracking_code: _Optional[str] = ..., content: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[UnitAnswer, _Mapping]]] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disclaimer: _Optional[str] = ..., rating: _Optional[_Union[_common_pb2.Rating, str]] = ...) -> None: ...

class GetPublishedAnswerRequest(_message.Message):
    __slots__ = ("tracking_code",)
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    def __init__(self, tracking_code: _Optional[str] = ...) -> None: ...

class GetPublishedAnswerResponse(_message.Message):
    __slots__ = ("answer",)
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    answer: PublishedAnswer
    def __init__(self, answer: _Optional[_Union[PublishedAnswer, _Mapping]] = ...) -> None: ...

class GetPublicTimelineRequest(_message.Message):
    __slots__ = ("tracking_code",)
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    def __init__(self, tracking_code: _Optional[str] = ...) -> None: ...

class GetPublicTimelineResponse(_message.Message):
    __slots__ = ("tracking_code", "status", "entries")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    status: _common_pb2.CaseStatus
    entries: _containers.RepeatedCompositeFieldContainer[_common_pb2.TimelineEntry]
    def __init__(self, tracking_code: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.CaseStatus, str]] = ..., entries: _Optional[_Iterable[_Union[_common_pb2.TimelineEntry, _Mapping]]] = ...) -> None: ...

class GetSubmitterAnswerRequest(_message.Message):
    __slots__ = ("tracking_code", "contact")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    contact: str
    def __init__(self, tracking_code: _Optional[str] = ..., contact: _Optional[str] = ...) -> None: ...

class GetSubmitterAnswerResponse(_message.Message):
    __slots__ = ("answer", "status")
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    answer: PublishedAnswer
    status: _common_pb2.CaseStatus
    def __init__(self, answer: _Optional[_Union[PublishedAnswer, _Mapping]] = ..., status: _Optional[_Union[_common_pb2.CaseStatus, str]] = ...) -> None: ...

class SearchAnswersRequest(_message.Message):
    __slots__ = ("query", "page")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    query: str
    page: _common_pb2.PageRequest
    def __init__(self, query: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class SearchAnswersResponse(_message.Message):
    __slots__ = ("answers", "next_page_token")
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    answers: _containers.RepeatedCompositeFieldContainer[PublishedAnswer]
    next_page_token: str
    def __init__(self, answers: _Optional[_Iterable[_Union[PublishedAnswer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReplyToAnswerRequest(_message.Message):
    __slots__ = ("tracking_code", "contact", "message")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    contact: str
    message: str
    def __init__(self, tracking_code: _Optional[str] = ..., contact: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ReplyToAnswerResponse(_message.Message):
    __slots__ = ("replied_at",)
    REPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    replied_at: _timestamp_pb2.Timestamp
    def __init__(self, replied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RateCaseRequest(_message.Message):
    __slots__ = ("tracking_code", "contact", "rating", "comment")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    contact: str
    rating: _common_pb2.Rating
    comment: str
    def __init__(self, tracking_code: _Optional[str] = ..., contact: _Optional[str] = ..., rating: _Optional[_Union[_common_pb2.Rating, str]] = ..., comment: _Optional[str] = ...) -> None: ...

class RateCaseResponse(_message.Message):
    __slots__ = ("rating", "rated_at")
    RATING_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    rating: _common_pb2.Rating
    rated_at: _timestamp_pb2.Timestamp
    def __init__(self, rating: _Optional[_Union[_common_pb2.Rating, str]] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
