"""Reporting over real gRPC on SQLite: the read model from events in any order, the Đ13.7 summary,
overdue list, Đ14 scorecards and the CSV export."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import grpc

from pakn.common.v1 import common_pb2 as c
from pakn.events.v1 import events_pb2 as ev
from pakn.reporting.v1 import reporting_pb2 as pb
from runtime.messaging import make_envelope, ts
from tests.helpers import deliver, rpc_error, violations

T0 = datetime(2025, 2, 17, 2, 0, tzinfo=UTC)


class Feed:
    """Delivers events to reporting by hand, as the bus would."""

    def __init__(self, platform):
        self.p = platform

    def send(self, source, event_type, case_id, payload, at=T0):
        assert deliver(self.p, "reporting", make_envelope(source, event_type, case_id, payload, occurred_at=at)) == 1

    def received(self, case_id, channel=c.CHANNEL_MOBILE_APP, at=T0):
        self.send("intake", "case.received", case_id, ev.CaseReceived(
            case_id=case_id, channel=channel, content="nội dung", received_at=ts(at)), at)

    def assigned(self, case_id, aid, unit="unit-1", at=T0, deadline_days=6):
        self.send("routing", "assignment.created", case_id, ev.AssignmentCreated(
            case_id=case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}"), at)
        self.send("routing", "assignment.accepted", case_id, ev.AssignmentAccepted(
            case_id=case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}", accepted_at=ts(at),
            deadline=ts(at + timedelta(days=deadline_days))), at)

    def approved(self, case_id, aid, on_time, unit="unit-1", at=T0 + timedelta(days=3)):
        self.send("processing", "result.approved", case_id, ev.ResultApproved(
            case_id=case_id, assignment_id=aid, unit_id=unit, unit_name=f"Đơn vị {unit}", approved_at=ts(at),
            on_time=on_time), at)

    def published(self, case_id, at=T0 + timedelta(days=4)):
        self.send("publication", "case.published", case_id, ev.CasePublished(case_id=case_id, published_at=ts(at)), at)

    def rated(self, case_id, rating, at=T0 + timedelta(days=5)):
        self.send("publication", "case.rated", case_id,
                  ev.CaseRated(case_id=case_id, rating=rating, rated_at=ts(at)), at)


def new_id():
    return str(uuid.uuid4())


def test_summary_scorecards_and_overdue_from_a_small_history(start_platform, clients_for):
    p = start_platform("reporting")
    r = clients_for(p).reporting
    f = Feed(p)
    on_time, late, cancelled, private, open_ = (new_id() for _ in range(5))
    f.received(on_time)
    f.assigned(on_time, "a1")
    f.approved(on_time, "a1", True)
    f.published(on_time)
    f.rated(on_time, c.RATING_SATISFIED)
    f.received(late, channel=c.CHANNEL_HOTLINE)
    f.assigned(late, "a2", unit="unit-2")
    f.approved(late, "a2", False, unit="unit-2")
    f.published(late)
    f.received(cancelled)
    f.send("routing", "case.cancelled", cancelled, ev.CaseCancelled(case_id=cancelled, reason_code="Đ6.5a"))
    f.received(private)
    f.assigned(private, "a3")
    f.send("routing", "assignment.returned", private, ev.AssignmentReturned(
        case_id=private, assignment_id="a3", unit_id="unit-1", reason="ngoài thẩm quyền"))
    f.assigned(private, "a4", unit="unit-2")
    f.approved(private, "a4", True, unit="unit-2")
    f.send("publication", "result.delivered", private, ev.ResultDelivered(case_id=private, delivered_at=ts(T0)))
    f.received(open_)
    f.assigned(open_, "a5", deadline_days=2)

    s = r.GetSummary(pb.GetSummaryRequest()).summary
    assert (s.received, s.cancelled, s.in_handling, s.published, s.delivered_privately) == (5, 1, 1, 2, 1)
    assert (s.assignments_approved, s.assignments_on_time, s.assignments_late) == (3, 2, 1)
    assert s.cases_handled_on_time == 2 and s.rated_satisfied == 1
    assert {x.channel: x.count for x in s.by_channel} == {c.CHANNEL_MOBILE_APP: 4, c.CHANNEL_HOTLINE: 1}

    cards = {x.unit_id: x for x in r.GetUnitScorecards(pb.GetUnitScorecardsRequest()).scorecards}
    u1, u2 = cards["unit-1"], cards["unit-2"]
    assert (u1.assigned, u1.approved, u1.on_time, u1.late, u1.returned) == (3, 1, 1, 0, 1)
    assert (u2.assigned, u2.approved, u2.on_time, u2.late, u2.returned) == (2, 2, 1, 1, 0)
    assert u2.unit_name == "Đơn vị unit-2"

    overdue = r.ListOverdue(pb.ListOverdueRequest(as_of=ts(T0 + timedelta(days=3)))).assignments
    assert [(o.assignment_id, o.case_id) for o in overdue] == [("a5", open_)]
    # Đ16.4: due Wednesday 19 February 2025 09:00 (local); as of Thursday 09:00, one working day and 24 hours late.
    assert (overdue[0].late_working_days, overdue[0].late_hours) == (1, 24.0)
    [later] = r.ListOverdue(pb.ListOverdueRequest(as_of=ts(T0 + timedelta(days=8)))).assignments
    assert (later.late_working_days, later.late_hours) == (4, 144.0)  # Thu, Fri, Mon, Tue; the weekend skipped
    assert r.ListOverdue(pb.ListOverdueRequest(as_of=ts(T0 + timedelta(days=1)))).assignments == []
    assert len(r.ListOverdue(pb.ListOverdueRequest()).assignments) == 1  # as of now


def test_events_in_any_order_and_redelivery_give_the_same_figures(start_platform, clients_for):
    p = start_platform("reporting")
    r = clients_for(p).reporting
    f = Feed(p)
    case_id = new_id()
    f.rated(case_id, c.RATING_NOT_SATISFIED)
    f.published(case_id)
    f.approved(case_id, "a1", True)
    f.assigned(case_id, "a1")
    f.received(case_id, channel=c.CHANNEL_ZALO)
    # An older rating arriving late does not replace the newer one.
    f.rated(case_id, c.RATING_SATISFIED, at=T0 + timedelta(days=4, hours=12))
    env = make_envelope("intake", "case.received", case_id, ev.CaseReceived(
        case_id=case_id, channel=c.CHANNEL_ZALO, received_at=ts(T0)))
    deliver(p, "reporting", env)
    deliver(p, "reporting", env)
    s = r.GetSummary(pb.GetSummaryRequest()).summary
    assert (s.received, s.published, s.cases_handled_on_time, s.rated_not_satisfied,
            s.rated_satisfied) == (1, 1, 1, 1, 0)
    assert [(x.channel, x.count) for x in s.by_channel] == [(c.CHANNEL_ZALO, 1)]


def test_period_selects_on_reception_and_is_checked(start_platform, clients_for):
    """Đ13.7: e.g. the monthly report runs from the 15th to the 14th."""
    p = start_platform("reporting")
    r = clients_for(p).reporting
    f = Feed(p)
    start, end = datetime(2025, 2, 14, 17, tzinfo=UTC), datetime(2025, 3, 14, 17, tzinfo=UTC)
    inside, before = new_id(), new_id()
    f.received(inside, at=start)
    f.assigned(inside, "in-1")
    f.received(before, at=start - timedelta(seconds=1))
    f.assigned(before, "out-1", unit="unit-9")
    period = pb.Period(start=ts(start), end=ts(end))
    assert r.GetSummary(pb.GetSummaryRequest(period=period)).summary.received == 1
    cards = r.GetUnitScorecards(pb.GetUnitScorecardsRequest(period=period)).scorecards
    assert [x.unit_id for x in cards] == ["unit-1"]
    bad = rpc_error(lambda: r.GetSummary(pb.GetSummaryRequest(period=pb.Period(start=ts(end), end=ts(start)))))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and "period.end" in violations(bad)
    bad_export = rpc_error(lambda: list(r.ExportReport(pb.ExportReportRequest(
        period=pb.Period(start=ts(end), end=ts(start))))))
    assert bad_export.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_export_is_a_csv_without_personal_data(start_platform, clients_for):
    p = start_platform("reporting")
    r = clients_for(p).reporting
    f = Feed(p)
    ids = sorted(new_id() for _ in range(3))
    for i, case_id in enumerate(ids):
        f.received(case_id, at=T0 + timedelta(minutes=i))
    f.assigned(ids[0], "a1")
    f.approved(ids[0], "a1", True)
    f.published(ids[0])
    f.rated(ids[0], c.RATING_ACCEPTED)
    data = b"".join(m.chunk for m in r.ExportReport(pb.ExportReportRequest()))
    text = data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["case_id", "channel", "received_at", "status", "answered", "rating", "handled_on_time"]
    assert [row[0] for row in rows[1:]] == ids
    assert rows[1][1:] == ["mobile_app", "2025-02-17T02:00:00Z", "published", "published", "accepted", "true"]
    assert rows[2][3:] == ["received", "", "", ""]
    f.send("publication", "case.restricted", ids[2], ev.CaseRestricted(case_id=ids[2], reason="Đ10.3c"))
    again = b"".join(m.chunk for m in r.ExportReport(pb.ExportReportRequest())).decode("utf-8")
    assert list(csv.reader(io.StringIO(again)))[3][3] == "restricted"
    assert "nội dung" not in text


def test_report_periods_of_d13_7(start_platform, clients_for):
    r = clients_for(start_platform("reporting")).reporting
    K = pb.PeriodKind
    expected = [
        (K.PERIOD_KIND_MONTHLY, 2026, 3, "2026-02-15", "2026-03-14"),
        (K.PERIOD_KIND_MONTHLY, 2026, 1, "2025-12-15", "2026-01-14"),
        (K.PERIOD_KIND_QUARTERLY, 2026, 1, "2025-12-15", "2026-03-14"),
        (K.PERIOD_KIND_QUARTERLY, 2026, 4, "2026-09-15", "2026-12-14"),
        (K.PERIOD_KIND_FIRST_HALF, 2026, 0, "2025-12-15", "2026-06-14"),
        (K.PERIOD_KIND_SECOND_HALF, 2026, 0, "2026-06-15", "2026-12-14"),
        (K.PERIOD_KIND_NINE_MONTH, 2026, 0, "2025-12-15", "2026-09-14"),
        (K.PERIOD_KIND_ANNUAL, 2026, 7, "2025-12-15", "2026-12-14"),  # number is unused here
    ]
    for kind, year, number, first, last in expected:
        got = r.GetReportPeriod(pb.GetReportPeriodRequest(kind=kind, year=year, number=number))
        assert (got.first_day, got.last_day) == (first, last), K.Name(kind)
    march = r.GetReportPeriod(pb.GetReportPeriodRequest(kind=K.PERIOD_KIND_MONTHLY, year=2026, number=3))
    # [start, end): local midnights (UTC+7), i.e. 17:00 UTC the day before.
    assert march.period.start.ToDatetime(UTC) == datetime(2026, 2, 14, 17, tzinfo=UTC)
    assert march.period.end.ToDatetime(UTC) == datetime(2026, 3, 14, 17, tzinfo=UTC)
    # The period feeds the other reports as it is.
    assert r.GetSummary(pb.GetSummaryRequest(period=march.period)).summary.received == 0


def test_a_bad_report_period_is_explained_field_by_field(start_platform, clients_for):
    r = clients_for(start_platform("reporting")).reporting
    K = pb.PeriodKind
    err = rpc_error(lambda: r.GetReportPeriod(pb.GetReportPeriodRequest(year=2026)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(err)) == {"kind"}
    assert "Thiếu loại kỳ báo cáo" in violations(err)["kind"] and "kind is required" in violations(err)["kind"]
    err = rpc_error(lambda: r.GetReportPeriod(pb.GetReportPeriodRequest(kind=K.PERIOD_KIND_MONTHLY, year=26,
                                                                        number=13)))
    found = violations(err)
    assert set(found) == {"year", "number"}
    assert "Năm phải từ 2000 đến 2100" in found["year"] and "year must be between 2000 and 2100" in found["year"]
    assert "Tháng" in found["number"] and "number (the month) must be 1-12" in found["number"]
    err = rpc_error(lambda: r.GetReportPeriod(pb.GetReportPeriodRequest(kind=K.PERIOD_KIND_QUARTERLY, year=2026)))
    assert violations(err) == {"number": "Quý của kỳ báo cáo quý phải từ 1 đến 4 / number (the quarter) must be 1-4"}
    err = rpc_error(lambda: r.GetReportPeriod(pb.GetReportPeriodRequest(kind=99, year=2026)))
    assert violations(err) == {"kind": "Loại kỳ báo cáo không hợp lệ / unknown report period kind '99'"}
