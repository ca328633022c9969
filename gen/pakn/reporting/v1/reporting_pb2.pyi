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

class PeriodKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERIOD_KIND_UNSPECIFIED: _ClassVar[PeriodKind]
    PERIOD_KIND_MONTHLY: _ClassVar[PeriodKind]
    PERIOD_KIND_QUARTERLY: _ClassVar[PeriodKind]
    PERIOD_KIND_FIRST_HALF: _ClassVar[PeriodKind]
    PERIOD_KIND_SECOND_HALF: _ClassVar[PeriodKind]
    PERIOD_KIND_NINE_MONTH: _ClassVar[PeriodKind]
    PERIOD_KIND_ANNUAL: _ClassVar[PeriodKind]
PERIOD_KIND_UNSPECIFIED: PeriodKind
PERIOD_KIND_MONTHLY: PeriodKind
PERIOD_KIND_QUARTERLY: PeriodKind
PERIOD_KIND_FIRST_HALF: PeriodKind
PERIOD_KIND_SECOND_HALF: PeriodKind
PERIOD_KIND_NINE_MONTH: PeriodKind
PERIOD_KIND_ANNUAL: PeriodKind

class Period(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChannelCount(_message.Message):
    __slots__ = ("channel", "count")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    count: int
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., count: _Optional[int] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("received", "cancelled", "in_handling", "published", "delivered_privately", "assignments_approved", "assignments_on_time", "assignments_late", "cases_handled_on_time", "rated_satisfied", "rated_accepted", "rated_not_satisfied", "by_channel")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    IN_HANDLING_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_PRIVATELY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_APPROVED_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_LATE_FIELD_NUMBER: _ClassVar[int]
    CASES_HANDLED_ON_TIME_FIELD_NUMBER: _ClassVar[int]
    RATED_SATISFIED_FIELD_NUMBER: _ClassVar[int]
    RATED_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    RATED_NOT_SATISFIED_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    received: int
    cancelled: int
    in_handling: int
    published: int
    delivered_privately: int
    assignments_approved: int
    assignments_on_time: int
    assignments_late: int
    cases_handled_on_time: int
    rated_satisfied: int
    rated_accepted: int
    rated_not_satisfied: int
    by_channel: _containers.RepeatedCompositeFieldContainer[ChannelCount]
    def __init__(self, received: _Optional[int] = ..., cancelled: _Optional[int] = ..., in_handling: _Optional[int] = ..., published: _Optional[int] = ..., delivered_privately: _Optional[int] = ..., assignments_approved: _Optional[int] = ..., assignments_on_time: _Optional[int] = ..., assignments_late: _Optional[int] = ..., cases_handled_on_time: _Optional[int] = ..., rated_satisfied: _Optional[int] = ..., rated_accepted: _Optional[int] = ..., rated_not_satisfied: _Optional[int] = ..., by_channel: _Optional[_Iterable[_Union[ChannelCount, _Mapping]]] = ...) -> None: ...

class GetSummaryRequest(_message.Message):
    __slots__ = ("period",)
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    period: Period
    def __init__(self, period: _Optional[_Union[Period, _Mapping]] = ...) -> None: ...

class GetSummaryResponse(_message.Message):
    __slots__ = ("summary",)
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    summary: Summary
    def __init__(self, summary: _Optional[_Union[Summary, _Mapping]] = ...) -> None: ...

class OverdueAssignment(_message.Message):
    __slots__ = ("case_id", "assignment_id", "unit_id", "deadline", "late_working_days", "late_hours")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    LATE_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    LATE_HOURS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    assignment_id: str
    unit_id: str
    deadline: _timestamp_pb2.Timestamp
    late_working_days: int
    late_hours: float
    def __init__(self, case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., unit_id: _Optional[str] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late_working_days: _Optional[int] = ..., late_hours: _Optional[float] = ...) -> None: ...

class ListOverdueRequest(_message.Message):
    __slots__ = ("as_of",)
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListOverdueResponse(_message.Message):
    __slots__ = ("assignments",)
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[OverdueAssignment]
    def __init__(self, assignments: _Optional[_Iterable[_Union[OverdueAssignment, _Mapping]]] = ...) -> None: ...

class UnitScorecard(_message.Message):
    __slots__ = ("unit_id", "unit_name", "assigned", "approved", "on_time", "late", "returned")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NAME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    unit_name: str
    assigned: int
    approved: int
    on_time: int
    late: int
    returned: int
    def __init__(self, unit_id: _Optional[str] = ..., unit_name: _Optional[str] = ..., assigned: _Optional[int] = ..., approved: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., returned: _Optional[int] = ...) -> None: ...

class GetUnitScorecardsRequest(_message.Message):
    __slots__ = ("period",)
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    period: Period
    def __init__(self, period: _Optional[_Union[Period, _Mapping]] = ...) -> None: ...

class GetUnitScorecardsResponse(_message.Message):
    __slots__ = ("scorecards",)
    SCORECARDS_FIELD_NUMBER: _ClassVar[int]
    scorecards: _containers.RepeatedCompositeFieldContainer[UnitScorecard]
    def __init__(self, scorecards: _Optional[_Iterable[_Union[UnitScorecard, _Mapping]]] = ...) -> None: ...

class ExportReportRequest(_message.Message):
    __slots__ = ("period",)
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    period: Period
    def __init__(self, period: _Optional[_Union[Period, _Mapping]] = ...) -> None: ...

class ExportReportResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class GetReportPeriodRequest(_message.Message):
    __slots__ = ("kind", "year", "number")
    KIND_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    kind: PeriodKind
    year: int
    number: int
    def __init__(self, kind: _Optional[_Union[PeriodKind, str]] = ..., year: _Optional[int] = ..., number: _Optional[int] = ...) -> None: ...

class GetReportPeriodResponse(_message.Message):
    __slots__ = ("first_day", "last_day", "period")
    FIRST_DAY_FIELD_NUMBER: _ClassVar[int]
    LAST_DAY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    first_day: str
    last_day: str
    period: Period
    def __init__(self, first_day: _Optional[str] = ..., last_day: _Optional[str] = ..., period: _Optional[_Union[Period, _Mapping]] = ...) -> None: ...
