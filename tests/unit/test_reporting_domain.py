"""Reporting's pure rules: case status from facts, summary (Đ13.7), overdue, scorecards (Đ14), CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from pakn.common.v1 import common_pb2 as c
from runtime.errors import InvalidArgument
from services.reporting import domain as d

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def case(cid, **kw):
    kw.setdefault("received_at", T0)
    kw.setdefault("channel", c.CHANNEL_ZALO)
    return d.CaseFacts(cid, **kw)


def asg(aid, cid, unit="u1", **kw):
    return d.AssignmentFacts(aid, cid, unit, f"Unit {unit}", **kw)


def test_status_is_derived_from_facts_whatever_their_order():
    assert d.case_status(case("a"), []) == c.CASE_STATUS_RECEIVED
    assert d.case_status(case("a"), [asg("x", "a", accepted_at=T0)]) == c.CASE_STATUS_IN_HANDLING
    assert d.case_status(case("a"), [asg("x", "a", approved_at=T0, on_time=True),
                                     asg("y", "a", returned_at=T0)]) == c.CASE_STATUS_UNDER_REVIEW
    assert d.case_status(case("a", published_at=T0, cancelled_at=T0), []) == c.CASE_STATUS_CANCELLED
    assert d.case_status(case("a", delivered_at=T0), []) == c.CASE_STATUS_DELIVERED_PRIVATELY
    # Đ10.3c: a restricted case is neither in handling nor published.
    assert d.case_status(case("a", restricted_at=T0), [asg("x", "a", approved_at=T0, on_time=True)]) \
        == c.CASE_STATUS_RESTRICTED


def test_summary_counts_every_figure():
    cases = [
        case("a", published_at=T0, rating=c.RATING_SATISFIED),
        case("b", delivered_at=T0, rating=c.RATING_NOT_SATISFIED, channel=c.CHANNEL_HOTLINE),
        case("c", cancelled_at=T0),
        case("d"),
    ]
    assignments = [
        asg("a1", "a", approved_at=T0, on_time=True), asg("a2", "a", "u2", returned_at=T0),
        asg("b1", "b", approved_at=T0, on_time=False), asg("d1", "d", accepted_at=T0),
    ]
    s = d.summarise(cases, assignments)
    assert (s.received, s.cancelled, s.in_handling, s.published, s.delivered_privately) == (4, 1, 1, 1, 1)
    assert (s.assignments_approved, s.assignments_on_time, s.assignments_late) == (2, 1, 1)
    # "a" alone: its only kept assignment was on time and it was published.
    assert s.cases_handled_on_time == 1
    assert (s.rated_satisfied, s.rated_accepted, s.rated_not_satisfied) == (1, 0, 1)
    assert s.by_channel == {c.CHANNEL_ZALO: 3, c.CHANNEL_HOTLINE: 1}


def test_period_is_half_open_and_all_time_takes_unknown_receptions():
    end = T0 + timedelta(days=1)
    assert d.in_period(T0, T0, end) and not d.in_period(end, T0, end)
    assert d.in_period(None, None, None) and not d.in_period(None, T0, None)
    with pytest.raises(InvalidArgument):
        d.validate_period(end, T0)


def test_overdue_lists_accepted_unapproved_past_deadline_cases_still_open():
    as_of = T0 + timedelta(days=10)
    rows = [
        asg("late", "a", accepted_at=T0, deadline=T0 + timedelta(days=6)),
        asg("done", "b", accepted_at=T0, deadline=T0, approved_at=as_of, on_time=False),
        asg("fine", "c", accepted_at=T0, deadline=as_of + timedelta(days=1)),
        asg("cancelled", "x", accepted_at=T0, deadline=T0),
        asg("pending", "d", deadline=T0),
    ]
    assert [a.assignment_id for a in d.overdue(rows, {"x"}, as_of)] == ["late"]


def test_scorecards_per_unit():
    """Đ14."""
    cards = d.scorecards([
        asg("1", "a", approved_at=T0, on_time=True), asg("2", "b", approved_at=T0, on_time=False),
        asg("3", "c", returned_at=T0), asg("4", "c", "u2", accepted_at=T0),
    ])
    u1 = next(x for x in cards if x.unit_id == "u1")
    assert (u1.assigned, u1.approved, u1.on_time, u1.late, u1.returned) == (3, 2, 1, 1, 1)
    assert [x.unit_id for x in cards] == ["u1", "u2"]


def test_csv_has_a_header_and_one_row_per_case_in_small_chunks():
    cases = [case(f"case-{i}", published_at=T0, rating=c.RATING_ACCEPTED) for i in range(50)]
    per_case = {x.case_id: [asg(f"a{x.case_id}", x.case_id, approved_at=T0, on_time=True)] for x in cases}
    chunks = list(d.csv_chunks((d.csv_row(x, per_case[x.case_id]) for x in cases), chunk_bytes=256))
    assert len(chunks) > 1
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert tuple(rows[0]) == d.CSV_HEADER and len(rows) == 51
    assert rows[1] == ["case-0", "zalo", "2025-03-03T02:00:00Z", "published", "published", "accepted", "true"]
