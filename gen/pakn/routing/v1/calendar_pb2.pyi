import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CalendarDay(_message.Message):
    __slots__ = ("date", "working", "reason_vi", "reason_en", "document", "provisional", "paused")
    DATE_FIELD_NUMBER: _ClassVar[int]
    WORKING_FIELD_NUMBER: _ClassVar[int]
    REASON_VI_FIELD_NUMBER: _ClassVar[int]
    REASON_EN_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    date: str
    working: bool
    reason_vi: str
    reason_en: str
    document: str
    provisional: bool
    paused: bool
    def __init__(self, date: _Optional[str] = ..., working: _Optional[bool] = ..., reason_vi: _Optional[str] = ..., reason_en: _Optional[str] = ..., document: _Optional[str] = ..., provisional: _Optional[bool] = ..., paused: _Optional[bool] = ...) -> None: ...

class DayRule(_message.Message):
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

class Pause(_message.Message):
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

class GetDayRequest(_message.Message):
    __slots__ = ("date", "unit_id")
    DATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    date: str
    unit_id: str
    def __init__(self, date: _Optional[str] = ..., unit_id: _Optional[str] = ...) -> None: ...

class GetDayResponse(_message.Message):
    __slots__ = ("day",)
    DAY_FIELD_NUMBER: _ClassVar[int]
    day: CalendarDay
    def __init__(self, day: _Optional[_Union[CalendarDay, _Mapping]] = ...) -> None: ...

class ComputeDeadlineRequest(_message.Message):
    __slots__ = ("working_days", "hours", "unit_id")
    FROM_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    working_days: int
    hours: int
    unit_id: str
    def __init__(self, working_days: _Optional[int] = ..., hours: _Optional[int] = ..., unit_id: _Optional[str] = ..., **kwargs) -> None: ...

class ComputeDeadlineResponse(_message.Message):
    __slots__ = ("deadline",)
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    deadline: _timestamp_pb2.Timestamp
    def __init__(self, deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordDayRequest(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: DayRule
    def __init__(self, rule: _Optional[_Union[DayRule, _Mapping]] = ...) -> None: ...

class RecordDayResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: DayRule
    def __init__(self, rule: _Optional[_Union[DayRule, _Mapping]] = ...) -> None: ...

class DeclarePauseRequest(_message.Message):
    __slots__ = ("start", "end", "unit_id", "reason")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    unit_id: str
    reason: str
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unit_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DeclarePauseResponse(_message.Message):
    __slots__ = ("pause",)
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    pause: Pause
    def __init__(self, pause: _Optional[_Union[Pause, _Mapping]] = ...) -> None: ...

class EndPauseRequest(_message.Message):
    __slots__ = ("pause_id", "end", "reason")
    PAUSE_ID_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    pause_id: str
    end: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, pause_id: _Optional[str] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class EndPauseResponse(_message.Message):
    __slots__ = ("pause",)
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    pause: Pause
    def __init__(self, pause: _Optional[_Union[Pause, _Mapping]] = ...) -> None: ...

class ListDayRulesRequest(_message.Message):
    __slots__ = ("year",)
    YEAR_FIELD_NUMBER: _ClassVar[int]
    year: int
    def __init__(self, year: _Optional[int] = ...) -> None: ...

class ListDayRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[DayRule]
    def __init__(self, rules: _Optional[_Iterable[_Union[DayRule, _Mapping]]] = ...) -> None: ...

class ListPausesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPausesResponse(_message.Message):
    __slots__ = ("pauses",)
    PAUSES_FIELD_NUMBER: _ClassVar[int]
    pauses: _containers.RepeatedCompositeFieldContainer[Pause]
    def __init__(self, pauses: _Optional[_Iterable[_Union[Pause, _Mapping]]] = ...) -> None: ...
