import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pakn.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Result(_message.Message):
    __slots__ = ("document_number", "addressee_kind", "answer", "evidence_media_ids", "evidence", "submitted_at")
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ADDRESSEE_KIND_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_MEDIA_IDS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    document_number: str
    addressee_kind: str
    answer: str
    evidence_media_ids: _containers.RepeatedScalarFieldContainer[str]
    evidence: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, document_number: _Optional[str] = ..., addressee_kind: _Optional[str] = ..., answer: _Optional[str] = ..., evidence_media_ids: _Optional[_Iterable[str]] = ..., evidence: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkItem(_message.Message):
    __slots__ = ("assignment_id", "case_id", "unit_id", "status", "handler_id", "content", "accepted_at", "deadline", "approval_deadline", "result", "return_reason", "extended_to", "media", "clocks")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HANDLER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    case_id: str
    unit_id: str
    status: _common_pb2.AssignmentStatus
    handler_id: str
    content: str
    accepted_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    approval_deadline: _timestamp_pb2.Timestamp
    result: Result
    return_reason: str
    extended_to: _timestamp_pb2.Timestamp
    media: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    clocks: _containers.RepeatedCompositeFieldContainer[_common_pb2.Clock]
    def __init__(self, assignment_id: _Optional[str] = ..., case_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.AssignmentStatus, str]] = ..., handler_id: _Optional[str] = ..., content: _Optional[str] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., approval_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., result: _Optional[_Union[Result, _Mapping]] = ..., return_reason: _Optional[str] = ..., extended_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., media: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., clocks: _Optional[_Iterable[_Union[_common_pb2.Clock, _Mapping]]] = ...) -> None: ...

class ListWorkItemsRequest(_message.Message):
    __slots__ = ("unit_id", "statuses", "page")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.AssignmentStatus]
    page: _common_pb2.PageRequest
    def __init__(self, unit_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.AssignmentStatus, str]]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListWorkItemsResponse(_message.Message):
    __slots__ = ("work_items", "next_page_token")
    WORK_ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    work_items: _containers.RepeatedCompositeFieldContainer[WorkItem]
    next_page_token: str
    def __init__(self, work_items: _Optional[_Iterable[_Union[WorkItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetWorkItemRequest(_message.Message):
    __slots__ = ("assignment_id",)
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    def __init__(self, assignment_id: _Optional[str] = ...) -> None: ...

class GetWorkItemResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class AssignHandlerRequest(_message.Message):
    __slots__ = ("assignment_id", "handler_id")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLER_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    handler_id: str
    def __init__(self, assignment_id: _Optional[str] = ..., handler_id: _Optional[str] = ...) -> None: ...

class AssignHandlerResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class UploadEvidenceRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.MediaUploadHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[_common_pb2.MediaUploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadEvidenceResponse(_message.Message):
    __slots__ = ("media",)
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _common_pb2.MediaRef
    def __init__(self, media: _Optional[_Union[_common_pb2.MediaRef, _Mapping]] = ...) -> None: ...

class SubmitResultRequest(_message.Message):
    __slots__ = ("assignment_id", "result")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    result: Result
    def __init__(self, assignment_id: _Optional[str] = ..., result: _Optional[_Union[Result, _Mapping]] = ...) -> None: ...

class SubmitResultResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class RequestExtensionRequest(_message.Message):
    __slots__ = ("assignment_id", "reason", "expected_completion")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COMPLETION_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    reason: str
    expected_completion: _timestamp_pb2.Timestamp
    def __init__(self, assignment_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_completion: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RequestExtensionResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class ApproveResultRequest(_message.Message):
    __slots__ = ("assignment_id",)
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    def __init__(self, assignment_id: _Optional[str] = ...) -> None: ...

class ApproveResultResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class ReturnToHandlerRequest(_message.Message):
    __slots__ = ("assignment_id", "reason")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    reason: str
    def __init__(self, assignment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnToHandlerResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class EditAndApproveResultRequest(_message.Message):
    __slots__ = ("assignment_id", "answer")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    answer: str
    def __init__(self, assignment_id: _Optional[str] = ..., answer: _Optional[str] = ...) -> None: ...

class EditAndApproveResultResponse(_message.Message):
    __slots__ = ("work_item",)
    WORK_ITEM_FIELD_NUMBER: _ClassVar[int]
    work_item: WorkItem
    def __init__(self, work_item: _Optional[_Union[WorkItem, _Mapping]] = ...) -> None: ...

class GetPublicEvidenceRequest(_message.Message):
    __slots__ = ("media_id",)
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    def __init__(self, media_id: _Optional[str] = ...) -> None: ...

class GetPublicEvidenceResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...
