import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pakn.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InboxCase(_message.Message):
    __slots__ = ("case_id", "tracking_code", "status", "channel", "content", "category_code", "screening_flags", "received_at", "reception_deadline", "media", "location", "assignments", "findings", "text_repaired_from", "reception_clock")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    SCREENING_FLAGS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    RECEPTION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    TEXT_REPAIRED_FROM_FIELD_NUMBER: _ClassVar[int]
    RECEPTION_CLOCK_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    tracking_code: str
    status: _common_pb2.CaseStatus
    channel: _common_pb2.Channel
    content: str
    category_code: str
    screening_flags: _containers.RepeatedScalarFieldContainer[str]
    received_at: _timestamp_pb2.Timestamp
    reception_deadline: _timestamp_pb2.Timestamp
    media: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaRef]
    location: _common_pb2.Location
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    findings: _containers.RepeatedCompositeFieldContainer[_common_pb2.ScreeningFinding]
    text_repaired_from: str
    reception_clock: _common_pb2.Clock
    def __init__(self, case_id: _Optional[str] = ..., tracking_code: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.CaseStatus, str]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., content: _Optional[str] = ..., category_code: _Optional[str] = ..., screening_flags: _Optional[_Iterable[str]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reception_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., media: _Optional[_Iterable[_Union[_common_pb2.MediaRef, _Mapping]]] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ..., assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., findings: _Optional[_Iterable[_Union[_common_pb2.ScreeningFinding, _Mapping]]] = ..., text_repaired_from: _Optional[str] = ..., reception_clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ("assignment_id", "case_id", "unit_id", "status", "created_at", "return_deadline", "accepted_at", "deadline", "return_reason", "content", "tracking_code", "clock")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    RETURN_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    TRACKING_CODE_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    case_id: str
    unit_id: str
    status: _common_pb2.AssignmentStatus
    created_at: _timestamp_pb2.Timestamp
    return_deadline: _timestamp_pb2.Timestamp
    accepted_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    return_reason: str
    content: str
    tracking_code: str
    clock: _common_pb2.Clock
    def __init__(self, assignment_id: _Optional[str] = ..., case_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.AssignmentStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., return_deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., return_reason: _Optional[str] = ..., content: _Optional[str] = ..., tracking_code: _Optional[str] = ..., clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("statuses", "page")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.CaseStatus]
    page: _common_pb2.PageRequest
    def __init__(self, statuses: _Optional[_Iterable[_Union[_common_pb2.CaseStatus, str]]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListInboxResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[InboxCase]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[InboxCase, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class VerifyCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class VerifyCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class CancelCaseRequest(_message.Message):
    __slots__ = ("case_id", "reason_code", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason_code: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., reason_code: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CancelCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class SendBackForVerificationRequest(_message.Message):
    __slots__ = ("case_id", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class SendBackForVerificationResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class ClassifyCaseRequest(_message.Message):
    __slots__ = ("case_id", "category_code")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    category_code: str
    def __init__(self, case_id: _Optional[str] = ..., category_code: _Optional[str] = ...) -> None: ...

class ClassifyCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class DistributeCaseRequest(_message.Message):
    __slots__ = ("case_id", "unit_ids", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_IDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    unit_ids: _containers.RepeatedScalarFieldContainer[str]
    note: str
    def __init__(self, case_id: _Optional[str] = ..., unit_ids: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ...) -> None: ...

class DistributeCaseResponse(_message.Message):
    __slots__ = ("case", "assignments")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ..., assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ...) -> None: ...

class MarkAwaitingUnitRequest(_message.Message):
    __slots__ = ("case_id", "proposed_unit_name")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    proposed_unit_name: str
    def __init__(self, case_id: _Optional[str] = ..., proposed_unit_name: _Optional[str] = ...) -> None: ...

class MarkAwaitingUnitResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: InboxCase
    def __init__(self, case: _Optional[_Union[InboxCase, _Mapping]] = ...) -> None: ...

class AcceptAssignmentRequest(_message.Message):
    __slots__ = ("assignment_id", "handling_working_days")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDLING_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    handling_working_days: int
    def __init__(self, assignment_id: _Optional[str] = ..., handling_working_days: _Optional[int] = ...) -> None: ...

class AcceptAssignmentResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class ReturnAssignmentRequest(_message.Message):
    __slots__ = ("assignment_id", "reason")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    reason: str
    def __init__(self, assignment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnAssignmentResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: Assignment
    def __init__(self, assignment: _Optional[_Union[Assignment, _Mapping]] = ...) -> None: ...

class ListAssignmentsRequest(_message.Message):
    __slots__ = ("unit_id", "statuses", "page")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.AssignmentStatus]
    page: _common_pb2.PageRequest
    def __init__(self, unit_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.AssignmentStatus, str]]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListAssignmentsResponse(_message.Message):
    __slots__ = ("assignments", "next_page_token")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[Assignment]
    next_page_token: str
    def __init__(self, assignments: _Optional[_Iterable[_Union[Assignment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListCategoriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCategoriesResponse(_message.Message):
    __slots__ = ("categories",)
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[_common_pb2.Category]
    def __init__(self, categories: _Optional[_Iterable[_Union[_common_pb2.Category, _Mapping]]] = ...) -> None: ...

class ListUnitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListUnitsResponse(_message.Message):
    __slots__ = ("units",)
    UNITS_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[_common_pb2.Unit]
    def __init__(self, units: _Optional[_Iterable[_Union[_common_pb2.Unit, _Mapping]]] = ...) -> None: ...

class RegisterUnitRequest(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: _common_pb2.Unit
    def __init__(self, unit: _Optional[_Union[_common_pb2.Unit, _Mapping]] = ...) -> None: ...

class RegisterUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: _common_pb2.Unit
    def __init__(self, unit: _Optional[_Union[_common_pb2.Unit, _Mapping]] = ...) -> None: ...

class UpdateUnitContactsRequest(_message.Message):
    __slots__ = ("unit_id", "leader", "contact")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    leader: _common_pb2.UnitPerson
    contact: _common_pb2.UnitPerson
    def __init__(self, unit_id: _Optional[str] = ..., leader: _Optional[_Union[_common_pb2.UnitPerson, _Mapping]] = ..., contact: _Optional[_Union[_common_pb2.UnitPerson, _Mapping]] = ...) -> None: ...

class UpdateUnitContactsResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: _common_pb2.Unit
    def __init__(self, unit: _Optional[_Union[_common_pb2.Unit, _Mapping]] = ...) -> None: ...

class GetUnitHistoryRequest(_message.Message):
    __slots__ = ("unit_id", "page")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    page: _common_pb2.PageRequest
    def __init__(self, unit_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class UnitChange(_message.Message):
    __slots__ = ("action", "actor", "changed_at", "fields", "previous")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor: str
    changed_at: _timestamp_pb2.Timestamp
    fields: _containers.RepeatedScalarFieldContainer[str]
    previous: _common_pb2.Unit
    def __init__(self, action: _Optional[str] = ..., actor: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fields: _Optional[_Iterable[str]] = ..., previous: _Optional[_Union[_common_pb2.Unit, _Mapping]] = ...) -> None: ...

class GetUnitHistoryResponse(_message.Message):
    __slots__ = ("changes", "next_page_token")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[UnitChange]
    next_page_token: str
    def __init__(self, changes: _Optional[_Iterable[_Union[UnitChange, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
