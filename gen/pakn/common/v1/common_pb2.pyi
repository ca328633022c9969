import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_MOBILE_APP: _ClassVar[Channel]
    CHANNEL_FACEBOOK: _ClassVar[Channel]
    CHANNEL_ZALO: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
    CHANNEL_WEB_PORTAL: _ClassVar[Channel]
    CHANNEL_PUBLIC_SERVICE_PORTAL: _ClassVar[Channel]
    CHANNEL_HOTLINE: _ClassVar[Channel]

class CaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATUS_UNSPECIFIED: _ClassVar[CaseStatus]
    CASE_STATUS_RECEIVED: _ClassVar[CaseStatus]
    CASE_STATUS_VERIFYING: _ClassVar[CaseStatus]
    CASE_STATUS_CANCELLED: _ClassVar[CaseStatus]
    CASE_STATUS_CLASSIFIED: _ClassVar[CaseStatus]
    CASE_STATUS_AWAITING_UNIT: _ClassVar[CaseStatus]
    CASE_STATUS_IN_HANDLING: _ClassVar[CaseStatus]
    CASE_STATUS_UNDER_REVIEW: _ClassVar[CaseStatus]
    CASE_STATUS_PUBLISHED: _ClassVar[CaseStatus]
    CASE_STATUS_DELIVERED_PRIVATELY: _ClassVar[CaseStatus]
    CASE_STATUS_RESTRICTED: _ClassVar[CaseStatus]
    CASE_STATUS_CLOSED: _ClassVar[CaseStatus]

class AssignmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_STATUS_UNSPECIFIED: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_PENDING: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_ACCEPTED: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_RETURNED: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_IN_PROGRESS: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_AWAITING_APPROVAL: _ClassVar[AssignmentStatus]
    ASSIGNMENT_STATUS_APPROVED: _ClassVar[AssignmentStatus]

class Rating(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATING_UNSPECIFIED: _ClassVar[Rating]
    RATING_SATISFIED: _ClassVar[Rating]
    RATING_ACCEPTED: _ClassVar[Rating]
    RATING_NOT_SATISFIED: _ClassVar[Rating]

class ClockState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOCK_STATE_UNSPECIFIED: _ClassVar[ClockState]
    CLOCK_STATE_ON_TIME: _ClassVar[ClockState]
    CLOCK_STATE_DUE_SOON: _ClassVar[ClockState]
    CLOCK_STATE_OVERDUE: _ClassVar[ClockState]
    CLOCK_STATE_STOPPED: _ClassVar[ClockState]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_MOBILE_APP: Channel
CHANNEL_FACEBOOK: Channel
CHANNEL_ZALO: Channel
CHANNEL_EMAIL: Channel
CHANNEL_WEB_PORTAL: Channel
CHANNEL_PUBLIC_SERVICE_PORTAL: Channel
CHANNEL_HOTLINE: Channel
CASE_STATUS_UNSPECIFIED: CaseStatus
CASE_STATUS_RECEIVED: CaseStatus
CASE_STATUS_VERIFYING: CaseStatus
CASE_STATUS_CANCELLED: CaseStatus
CASE_STATUS_CLASSIFIED: CaseStatus
CASE_STATUS_AWAITING_UNIT: CaseStatus
CASE_STATUS_IN_HANDLING: CaseStatus
CASE_STATUS_UNDER_REVIEW: CaseStatus
CASE_STATUS_PUBLISHED: CaseStatus
CASE_STATUS_DELIVERED_PRIVATELY: CaseStatus
CASE_STATUS_RESTRICTED: CaseStatus
CASE_STATUS_CLOSED: CaseStatus
ASSIGNMENT_STATUS_UNSPECIFIED: AssignmentStatus
ASSIGNMENT_STATUS_PENDING: AssignmentStatus
ASSIGNMENT_STATUS_ACCEPTED: AssignmentStatus
ASSIGNMENT_STATUS_RETURNED: AssignmentStatus
ASSIGNMENT_STATUS_IN_PROGRESS: AssignmentStatus
ASSIGNMENT_STATUS_AWAITING_APPROVAL: AssignmentStatus
ASSIGNMENT_STATUS_APPROVED: AssignmentStatus
RATING_UNSPECIFIED: Rating
RATING_SATISFIED: Rating
RATING_ACCEPTED: Rating
RATING_NOT_SATISFIED: Rating
CLOCK_STATE_UNSPECIFIED: ClockState
CLOCK_STATE_ON_TIME: ClockState
CLOCK_STATE_DUE_SOON: ClockState
CLOCK_STATE_OVERDUE: ClockState
CLOCK_STATE_STOPPED: ClockState

class Clock(_message.Message):
    __slots__ = ("name", "state", "deadline", "late_working_days", "late_hours")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    LATE_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    LATE_HOURS_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: ClockState
    deadline: _timestamp_pb2.Timestamp
    late_working_days: int
    late_hours: float
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[ClockState, str]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late_working_days: _Optional[int] = ..., late_hours: _Optional[float] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("address", "ward_code", "latitude", "longitude", "ward_name", "mapped_from")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WARD_CODE_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    WARD_NAME_FIELD_NUMBER: _ClassVar[int]
    MAPPED_FROM_FIELD_NUMBER: _ClassVar[int]
    address: str
    ward_code: str
    latitude: float
    longitude: float
    ward_name: str
    mapped_from: str
    def __init__(self, address: _Optional[str] = ..., ward_code: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., ward_name: _Optional[str] = ..., mapped_from: _Optional[str] = ...) -> None: ...

class ScreeningFinding(_message.Message):
    __slots__ = ("flag", "reason_vi", "reason_en")
    FLAG_FIELD_NUMBER: _ClassVar[int]
    REASON_VI_FIELD_NUMBER: _ClassVar[int]
    REASON_EN_FIELD_NUMBER: _ClassVar[int]
    flag: str
    reason_vi: str
    reason_en: str
    def __init__(self, flag: _Optional[str] = ..., reason_vi: _Optional[str] = ..., reason_en: _Optional[str] = ...) -> None: ...

class MediaRef(_message.Message):
    __slots__ = ("media_id", "content_type", "size_bytes", "sha256", "filename")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    content_type: str
    size_bytes: int
    sha256: str
    filename: str
    def __init__(self, media_id: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class MediaUploadHeader(_message.Message):
    __slots__ = ("filename", "declared_content_type", "owner_id")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    DECLARED_CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    filename: str
    declared_content_type: str
    owner_id: str
    def __init__(self, filename: _Optional[str] = ..., declared_content_type: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("occurred_at", "event_type", "description_vi", "description_en", "unit_id")
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_VI_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_EN_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    occurred_at: _timestamp_pb2.Timestamp
    event_type: str
    description_vi: str
    description_en: str
    unit_id: str
    def __init__(self, occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_type: _Optional[str] = ..., description_vi: _Optional[str] = ..., description_en: _Optional[str] = ..., unit_id: _Optional[str] = ...) -> None: ...

class Unit(_message.Message):
    __slots__ = ("unit_id", "name", "leader_title", "contact_title", "on_system", "leader", "contact", "contacts_withheld")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEADER_TITLE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_TITLE_FIELD_NUMBER: _ClassVar[int]
    ON_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_WITHHELD_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    name: str
    leader_title: str
    contact_title: str
    on_system: bool
    leader: UnitPerson
    contact: UnitPerson
    contacts_withheld: bool
    def __init__(self, unit_id: _Optional[str] = ..., name: _Optional[str] = ..., leader_title: _Optional[str] = ..., contact_title: _Optional[str] = ..., on_system: _Optional[bool] = ..., leader: _Optional[_Union[UnitPerson, _Mapping]] = ..., contact: _Optional[_Union[UnitPerson, _Mapping]] = ..., contacts_withheld: _Optional[bool] = ...) -> None: ...

class UnitPerson(_message.Message):
    __slots__ = ("name", "position", "phone", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    position: str
    phone: str
    email: str
    def __init__(self, name: _Optional[str] = ..., position: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class Category(_message.Message):
    __slots__ = ("code", "name_vi", "name_en")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_VI_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    code: str
    name_vi: str
    name_en: str
    def __init__(self, code: _Optional[str] = ..., name_vi: _Optional[str] = ..., name_en: _Optional[str] = ...) -> None: ...

class PageRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...
