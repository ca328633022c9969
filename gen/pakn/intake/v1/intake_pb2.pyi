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

class DisclosureStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISCLOSURE_STATUS_UNSPECIFIED: _ClassVar[DisclosureStatus]
    DISCLOSURE_STATUS_PENDING_APPROVAL: _ClassVar[DisclosureStatus]
    DISCLOSURE_STATUS_DISCLOSED: _ClassVar[DisclosureStatus]
    DISCLOSURE_STATUS_REFUSED: _ClassVar[DisclosureStatus]
DISCLOSURE_STATUS_UNSPECIFIED: DisclosureStatus
DISCLOSURE_STATUS_PENDING_APPROVAL: DisclosureStatus
DISCLOSURE_STATUS_DISCLOSED: DisclosureStatus
DISCLOSURE_STATUS_REFUSED: DisclosureStatus

class Submitter(_message.Message):
    __slots__ = ("full_name", "phone", "email", "address")
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    full_name: str
    phone: str
    email: str
    address: str
    def __init__(self, full_name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class SubmitCaseRequest(_message.Message):
    __slots__ = ("channel", "external_id", "request_id", "content", "occurred_at", "location", "submitter", "keep_identity_secret", "media_ids", "operator_id")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    KEEP_IDENTITY_SECRET_FIELD_NUMBER: _ClassVar[int]
    MEDIA_IDS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    external_id: str
    request_id: str
    content: str
    occurred_at: _timestamp_pb2.Timestamp
    location: _common_pb2.Location
    submitter: Submitter
    keep_identity_secret: bool
    media_ids: _containers.RepeatedScalarFieldContainer[str]
    operator_id: str
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., external_id: _Optional[str] = ..., request_id: _Optional[str] = ..., content: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ..., submitter: _Optional[_Union[Submitter, _Mapping]] = ..., keep_identity_secret: _Optional[bool] = ..., media_ids: _Optional[_Iterable[str]] = ..., operator_id: _Optional[str] = ...) -> None: ...

class SubmitCaseResponse(_message.Message):
    __slots__ = ("case_id", "tracking_code", "received_at", "screening_flags", "duplicate", "emergency_number", "findings", "text_repaired_from", "location")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    SCREENING_FLAGS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    TEXT_REPAIRED_FROM_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    received_at: _timestamp_pb2.Timestamp
    screening_flags: _containers.RepeatedScalarFieldContainer[str]
    duplicate: bool
    emergency_number: str
    findings: _containers.RepeatedCompositeFieldContainer[_common_pb2.ScreeningFinding]
    text_repaired_from: str
    location: _common_pb2.Location
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., screening_flags: _Optional[_Iterable[str]] = ..., duplicate: _Optional[bool] = ..., emergency_number: _Optional[str] = ..., findings: _Optional[_Iterable[_Union[_common_pb2.ScreeningFinding, _Mapping]]] = ..., text_repaired_from: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ...) -> None: ...

class UploadMediaRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.MediaUploadHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[_common_pb2.MediaUploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadMediaResponse(_message.Message):
    __slots__ = ("media",)
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _common_pb2.MediaRef
    def __init__(self, media: _Optional[_Union[_common_pb2.MediaRef, _Mapping]] = ...) -> None: ...

class DownloadMediaRequest(_message.Message):
    __slots__ = ("media_id",)
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    def __init__(self, media_id: _Optional[str] = ...) -> None: ...

class DownloadMediaResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class GetCaseStatusRequest(_message.Message):
    __slots__ = ("tracking_code", "contact")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    contact: str
    def __init__(self, tracking_code: _Optional[str] = ..., contact: _Optional[str] = ...) -> None: ...

class GetCaseStatusResponse(_message.Message):
    __slots__ = ("tracking_code", "status", "received_at", "updated_at", "channel")
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    tracking_code: str
    status: _common_pb2.CaseStatus
    received_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    channel: _common_pb2.Channel
    def __init__(self, tracking_code: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.CaseStatus, str]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ...) -> None: ...

class DiscloseSubmitterRequest(_message.Message):
    __slots__ = ("case_id", "requesting_body", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTING_BODY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    requesting_body: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., requesting_body: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DiscloseSubmitterResponse(_message.Message):
    __slots__ = ("submitter", "disclosure_id", "status")
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    submitter: Submitter
    disclosure_id: str
    status: DisclosureStatus
    def __init__(self, submitter: _Optional[_Union[Submitter, _Mapping]] = ..., disclosure_id: _Optional[str] = ..., status: _Optional[_Union[DisclosureStatus, str]] = ...) -> None: ...

class Disclosure(_message.Message):
    __slots__ = ("disclosure_id", "case_id", "requesting_body", "reason", "requested_by", "requested_at", "status", "confidential", "decided_by", "decided_at", "disclosed_at", "refusal_reason")
    DISCLOSURE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTING_BODY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DISCLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_REASON_FIELD_NUMBER: _ClassVar[int]
    disclosure_id: str
    case_id: str
    requesting_body: str
    reason: str
    requested_by: str
    requested_at: _timestamp_pb2.Timestamp
    status: DisclosureStatus
    confidential: bool
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    disclosed_at: _timestamp_pb2.Timestamp
    refusal_reason: str
    def __init__(self, disclosure_id: _Optional[str] = ..., case_id: _Optional[str] = ..., requesting_body: _Optional[str] = ..., reason: _Optional[str] = ..., requested_by: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[DisclosureStatus, str]] = ..., confidential: _Optional[bool] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disclosed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refusal_reason: _Optional[str] = ...) -> None: ...

class ApproveDisclosureRequest(_message.Message):
    __slots__ = ("disclosure_id",)
    DISCLOSURE_ID_FIELD_NUMBER: _ClassVar[int]
    disclosure_id: str
    def __init__(self, disclosure_id: _Optional[str] = ...) -> None: ...

class ApproveDisclosureResponse(_message.Message):
    __slots__ = ("submitter", "disclosure")
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURE_FIELD_NUMBER: _ClassVar[int]
    submitter: Submitter
    disclosure: Disclosure
    def __init__(self, submitter: _Optional[_Union[Submitter, _Mapping]] = ..., disclosure: _Optional[_Union[Disclosure, _Mapping]] = ...) -> None: ...

class RefuseDisclosureRequest(_message.Message):
    __slots__ = ("disclosure_id", "reason")
    DISCLOSURE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    disclosure_id: str
    reason: str
    def __init__(self, disclosure_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RefuseDisclosureResponse(_message.Message):
    __slots__ = ("disclosure",)
    DISCLOSURE_FIELD_NUMBER: _ClassVar[int]
    disclosure: Disclosure
    def __init__(self, disclosure: _Optional[_Union[Disclosure, _Mapping]] = ...) -> None: ...

class ListDisclosuresRequest(_message.Message):
    __slots__ = ("case_id", "page")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    page: _common_pb2.PageRequest
    def __init__(self, case_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListDisclosuresResponse(_message.Message):
    __slots__ = ("disclosures", "next_page_token")
    DISCLOSURES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    disclosures: _containers.RepeatedCompositeFieldContainer[Disclosure]
    next_page_token: str
    def __init__(self, disclosures: _Optional[_Iterable[_Union[Disclosure, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
