"""Reporting's rules, without I/O: a case's status from its facts, the summary (Đ13.7), overdue
assignments (Đ13.5, Đ16.4), unit scorecards (Đ14) and the CSV export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pakn.common.v1 import common_pb2
from runtime.errors import InvalidArgument, Violation

S = common_pb2.CaseStatus
R = common_pb2.Rating


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    channel: int = 0
    received_at: datetime | None = None
    cancelled_at: datetime | None = None
    published_at: datetime | None = None
    delivered_at: datetime | None = None
    rating: int = 0
    restricted_at: datetime | None = None


@dataclass(frozen=True)
class AssignmentFacts:
    assignment_id: str
    case_id: str
    unit_id: str = ""
    unit_name: str = ""
    created_at: datetime | None = None
    accepted_at: datetime | None = None
    deadline: datetime | None = None
    returned_at: datetime | None = None
    approved_at: datetime | None = None
    on_time: bool | None = None


def validate_period(start: datetime | None, end: datetime | None) -> None:
    """A period is [start, end); either bound may be open."""
    if start is not None and end is not None and end <= start:
        raise InvalidArgument([Violation("period.end", "Thời điểm kết thúc phải sau thời điểm bắt đầu",
                                         "period.end must be after period.start")])


def in_period(received_at: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    """All time (no bounds) takes every case, even one whose reception is not known yet."""
    if start is None and end is None:
        return True
    if received_at is None:
        return False
    return (start is None or received_at >= start) and (end is None or received_at < end)


def active(assignments: Iterable[AssignmentFacts]) -> list[AssignmentFacts]:
    """Assignments the unit kept: one returned under Đ8.2b is redistributed, not handled."""
    return [a for a in assignments if a.returned_at is None]


def case_status(case: CaseFacts, assignments: list[AssignmentFacts]) -> int:
    if case.cancelled_at is not None:
        return S.CASE_STATUS_CANCELLED
    if case.delivered_at is not None:
        return S.CASE_STATUS_DELIVERED_PRIVATELY
    if case.published_at is not None:
        return S.CASE_STATUS_PUBLISHED
    if case.restricted_at is not None:
        return S.CASE_STATUS_RESTRICTED
    kept = active(assignments)
    if kept and all(a.approved_at is not None for a in kept):
        return S.CASE_STATUS_UNDER_REVIEW
    if assignments:
        return S.CASE_STATUS_IN_HANDLING
    return S.CASE_STATUS_RECEIVED


def handled_on_time(case: CaseFacts, assignments: list[AssignmentFacts]) -> bool | None:
    """Whether the case was answered on time: every kept assignment approved on time and the case
    published or delivered privately. None while it is not answered."""
    kept = active(assignments)
    if case.published_at is None and case.delivered_at is None:
        return None
    if not kept or any(a.approved_at is None for a in kept):
        return None
    return all(a.on_time for a in kept)


@dataclass
class Summary:
    received: int = 0
    cancelled: int = 0
    # Distributed and not answered yet: in the units' hands or under the coordinator's review.
    in_handling: int = 0
    published: int = 0
    delivered_privately: int = 0
    assignments_approved: int = 0
    assignments_on_time: int = 0
    assignments_late: int = 0
    cases_handled_on_time: int = 0
    rated_satisfied: int = 0
    rated_accepted: int = 0
    rated_not_satisfied: int = 0
    by_channel: dict[int, int] = field(default_factory=dict)


def by_case(assignments: Iterable[AssignmentFacts]) -> dict[str, list[AssignmentFacts]]:
    out: dict[str, list[AssignmentFacts]] = {}
    for a in assignments:
        out.setdefault(a.case_id, []).append(a)
    return out


def summarise(cases: Iterable[CaseFacts], assignments: Iterable[AssignmentFacts]) -> Summary:
    """Đ13.7: the figures of the cases given (already chosen by period) and their assignments."""
    per_case = by_case(assignments)
    out = Summary()
    channels: Counter[int] = Counter()
    for case in cases:
        mine = per_case.get(case.case_id, [])
        out.received += 1
        channels[case.channel] += 1
        status = case_status(case, mine)
        out.cancelled += status == S.CASE_STATUS_CANCELLED
        out.in_handling += status in (S.CASE_STATUS_IN_HANDLING, S.CASE_STATUS_UNDER_REVIEW)
        out.published += status == S.CASE_STATUS_PUBLISHED
        out.delivered_privately += status == S.CASE_STATUS_DELIVERED_PRIVATELY
        for a in mine:
            if a.approved_at is not None:
                out.assignments_approved += 1
                out.assignments_on_time += bool(a.on_time)
                out.assignments_late += not a.on_time
        out.cases_handled_on_time += handled_on_time(case, mine) is True
        out.rated_satisfied += case.rating == R.RATING_SATISFIED
        out.rated_accepted += case.rating == R.RATING_ACCEPTED
        out.rated_not_satisfied += case.rating == R.RATING_NOT_SATISFIED
    out.by_channel = dict(sorted(channels.items()))
    return out


def overdue(assignments: Iterable[AssignmentFacts], closed_case_ids: set[str],
            as_of: datetime) -> list[AssignmentFacts]:
    """Đ13.5, Đ16.4: accepted, not approved, not returned, past the deadline; earliest first."""
    late = [a for a in assignments
            if a.accepted_at is not None and a.approved_at is None and a.returned_at is None
            and a.deadline is not None and a.deadline < as_of and a.case_id not in closed_case_ids]
    return sorted(late, key=lambda a: (a.deadline, a.assignment_id))


@dataclass
class Scorecard:
    unit_id: str
    unit_name: str = ""
    assigned: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0


def scorecards(assignments: Iterable[AssignmentFacts]) -> list[Scorecard]:
    """Đ14: per-unit figures for the Department of Home Affairs' scoring."""
    cards: dict[str, Scorecard] = {}
    for a in assignments:
        if not a.unit_id:
            continue
        card = cards.setdefault(a.unit_id, Scorecard(a.unit_id))
        card.unit_name = card.unit_name or a.unit_name
        card.assigned += 1
        card.returned += a.returned_at is not None
        if a.approved_at is not None:
            card.approved += 1
            card.on_time += bool(a.on_time)
            card.late += not a.on_time
    return sorted(cards.values(), key=lambda c: (c.unit_name, c.unit_id))


CSV_HEADER = ("case_id", "channel", "received_at", "status", "answered", "rating", "handled_on_time")


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""


def _name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix).lower() if value in enum.values() and value else ""


def csv_row(case: CaseFacts, assignments: list[AssignmentFacts]) -> tuple[str, ...]:
    """One case, without personal data: ids, channel, times, status, answer kind, rating, on time."""
    answered = "delivered" if case.delivered_at else "published" if case.published_at else ""
    punctual = handled_on_time(case, assignments)
    return (case.case_id, _name(common_pb2.Channel, case.channel, "CHANNEL_"), _iso(case.received_at),
            _name(S, case_status(case, assignments), "CASE_STATUS_"), answered,
            _name(R, case.rating, "RATING_"), "" if punctual is None else str(punctual).lower())


def csv_chunks(rows: Iterable[tuple[str, ...]], chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, in chunks of about `chunk_bytes`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
