import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pakn.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventEnvelope(_message.Message):
    __slots__ = ("event_id", "event_type", "source", "occurred_at", "case_id", "headers", "payload", "actor")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    source: str
    occurred_at: _timestamp_pb2.Timestamp
    case_id: str
    headers: _containers.ScalarMap[str, str]
    payload: _any_pb2.Any
    actor: Actor
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., source: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., case_id: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ..., payload: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class Actor(_message.Message):
    __slots__ = ("subject", "roles", "unit_id", "issuer", "auth_method", "request_id", "channel", "client_id")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    AUTH_METHOD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    subject: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    unit_id: str
    issuer: str
    auth_method: str
    request_id: str
    channel: str
    client_id: str
    def __init__(self, subject: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., unit_id: _Optional[str] = ..., issuer: _Optional[str] = ..., auth_method: _Optional[str] = ..., request_id: _Optional[str] = ..., channel: _Optional[str] = ..., client_id: _Optional[str] = ...) -> None: ...

class CaseReceived(_message.Message):
    __slots__ = ("case_id", "tracking_code", "channel", "content", "occurred_at", "location", "media", "keep_identity_secret", "received_at", "screening_flags", "contact_verifiers", "sealed_contact", "findings", "text_repaired_from", "operator_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    KEEP_IDENTITY_SECRET_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    SCREENING_FLAGS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_VERIFIERS_FIELD_NUMBER: _ClassVar[int]
    SEALED_CONTACT_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    TEXT_REPAIRED_FROM_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    channel: _common_pb2.Channel
    content: str
    occurred_at: _timestamp_pb2.Timestamp
    location: _common_pb2.Location
    media: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    keep_identity_secret: bool
    received_at: _timestamp_pb2.Timestamp
    screening_flags: _containers.RepeatedScalarFieldContainer[str]
    contact_verifiers: _containers.RepeatedScalarFieldContainer[str]
    sealed_contact: bytes
    findings: _containers.RepeatedCompositeFieldContainer[_common_pb2.ScreeningFinding]
    text_repaired_from: str
    operator_id: str
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., content: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ..., media: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., keep_identity_secret: _Optional[bool] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., screening_flags: _Optional[_Iterable[str]] = ..., contact_verifiers: _Optional[_Iterable[str]] = ..., sealed_contact: _Optional[bytes] = ..., findings: _Optional[_Iterable[_Union[_common_pb2.ScreeningFinding, _Mapping]]] = ..., text_repaired_from: _Optional[str] = ..., operator_id: _Optional[str] = ...) -> None: ...

class CaseCancelled(_message.Message):
    __slots__ = ("case_id", "reason_code", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason_code: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., reason_code: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CaseSentBackForVerification(_message.Message):
    __slots__ = ("case_id", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CaseVerified(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class CaseClassified(_message.Message):
    __slots__ = ("case_id", "category_code")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    category_code: str
    def __init__(self, case_id: _Optional[str] = ..., category_code: _Optional[str] = ...) -> None: ...

class CaseAwaitingUnit(_message.Message):
    __slots__ = ("case_id", "proposed_unit_name")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    proposed_unit_name: str
    def __init__(self, case_id: _Optional[str] = ..., proposed_unit_name: _Optional[str] = ...) -> None: ...

class AssignmentCreated(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "unit_name", "category_code", "content", "media", "return_deadline")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    RETURN_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    unit_name: str
    category_code: str
    content: str
    media: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    return_deadline: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., unit_name: _Optional[str] = ..., category_code: _Optional[str] = ..., content: _Optional[str] = ..., media: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., return_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AssignmentAccepted(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "unit_name", "handling_working_days", "accepted_at", "deadline", "content", "media")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    HANDLING_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    unit_name: str
    handling_working_days: int
    accepted_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    content: str
    media: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., unit_name: _Optional[str] = ..., handling_working_days: _Optional[int] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., content: _Optional[str] = ..., media: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ...) -> None: ...

class AssignmentReturned(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "reason", "within_limit")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WITHIN_LIMIT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    reason: str
    within_limit: bool
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., reason: _Optional[str] = ..., within_limit: _Optional[bool] = ...) -> None: ...

class HandlerAssigned(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "handler_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLER_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    handler_id: str
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., handler_id: _Optional[str] = ...) -> None: ...

class ResultSubmitted(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "approval_deadline")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    approval_deadline: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., approval_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResultReturnedToHandler(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ResultApproved(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "unit_name", "answer", "evidence", "approved_at", "deadline", "on_time", "edited_by_leader")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    EDITED_BY_LEADER_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    unit_name: str
    answer: str
    evidence: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    approved_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    on_time: bool
    edited_by_leader: bool
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., unit_name: _Optional[str] = ..., answer: _Optional[str] = ..., evidence: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., on_time: _Optional[bool] = ..., edited_by_leader: _Optional[bool] = ...) -> None: ...

class ExtensionRequested(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "reason", "expected_completion")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COMPLETION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    reason: str
    expected_completion: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_completion: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseUnderReview(_message.Message):
    __slots__ = ("case_id", "review_deadline")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEW_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    review_deadline: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., review_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CasePublished(_message.Message):
    __slots__ = ("case_id", "tracking_code", "published_at", "review_deadline", "on_time")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEW_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    published_at: _timestamp_pb2.Timestamp
    review_deadline: _timestamp_pb2.Timestamp
    on_time: bool
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., review_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., on_time: _Optional[bool] = ...) -> None: ...

class ResultDelivered(_message.Message):
    __slots__ = ("case_id", "tracking_code", "delivered_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    delivered_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseRestricted(_message.Message):
    __slots__ = ("case_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReworkRequested(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "kind", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    kind: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., kind: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CaseRated(_message.Message):
    __slots__ = ("case_id", "tracking_code", "rating", "rated_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    rating: _common_pb2.Rating
    rated_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., rating: _Optional[_Union[_common_pb2.Rating, str]] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CitizenReplied(_message.Message):
    __slots__ = ("case_id", "message")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    message: str
    def __init__(self, case_id: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class NotificationOutcome(_message.Message):
    __slots__ = ("case_id", "delivery_id", "channel", "template", "error_code")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    delivery_id: str
    channel: str
    template: str
    error_code: str
    def __init__(self, case_id: _Optional[str] = ..., delivery_id: _Optional[str] = ..., channel: _Optional[str] = ..., template: _Optional[str] = ..., error_code: _Optional[str] = ...) -> None: ...

class CalendarDayRecorded(_message.Message):
    __slots__ = ("date", "working", "name_vi", "name_en", "document")
    DATE_FIELD_NUMBER: _ClassVar[int]
    WORKING_FIELD_NUMBER: _ClassVar[int]
    NAME_VI_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    date: str
    working: bool
    name_vi: str
    name_en: str
    document: str
    def __init__(self, date: _Optional[str] = ..., working: _Optional[bool] = ..., name_vi: _Optional[str] = ..., name_en: _Optional[str] = ..., document: _Optional[str] = ...) -> None: ...

class CalendarPauseDeclared(_message.Message):
    __slots__ = ("pause_id", "start", "end", "unit_id", "reason", "end_reason")
    PAUSE_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    pause_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    unit_id: str
    reason: str
    end_reason: str
    def __init__(self, pause_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unit_id: _Optional[str] = ..., reason: _Optional[str] = ..., end_reason: _Optional[str] = ...) -> None: ...

class DeadlineChanged(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "clock", "deadline")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    clock: str
    deadline: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., clock: _Optional[str] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
