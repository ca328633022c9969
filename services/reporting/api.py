"""Reporting's gRPC API: translates messages to queries and back; no rules here."""

from __future__ import annotations

from pakn.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from runtime.messaging import from_ts, ts
from services.reporting.app import ReportingApp

# PeriodKind -> regulation.periods kinds (Đ13.7).
PERIOD_KINDS = {
    reporting_pb2.PERIOD_KIND_MONTHLY: "monthly",
    reporting_pb2.PERIOD_KIND_QUARTERLY: "quarterly",
    reporting_pb2.PERIOD_KIND_FIRST_HALF: "first-half",
    reporting_pb2.PERIOD_KIND_SECOND_HALF: "second-half",
    reporting_pb2.PERIOD_KIND_NINE_MONTH: "nine-month",
    reporting_pb2.PERIOD_KIND_ANNUAL: "annual",
}


def _period(request):
    p = request.period
    return (from_ts(p.start) if p.HasField("start") else None, from_ts(p.end) if p.HasField("end") else None)


class ReportingServicer(reporting_pb2_grpc.ReportingServiceServicer):
    def __init__(self, app: ReportingApp):
        self.app = app

    def GetSummary(self, request, context):
        s = self.app.summary(*_period(request))
        return reporting_pb2.GetSummaryResponse(summary=reporting_pb2.Summary(
            received=s.received, cancelled=s.cancelled, in_handling=s.in_handling, published=s.published,
            delivered_privately=s.delivered_privately, assignments_approved=s.assignments_approved,
            assignments_on_time=s.assignments_on_time, assignments_late=s.assignments_late,
            cases_handled_on_time=s.cases_handled_on_time, rated_satisfied=s.rated_satisfied,
            rated_accepted=s.rated_accepted, rated_not_satisfied=s.rated_not_satisfied,
            by_channel=[reporting_pb2.ChannelCount(channel=k, count=v) for k, v in s.by_channel.items()]))

    def ListOverdue(self, request, context):
        found = self.app.overdue(from_ts(request.as_of) if request.HasField("as_of") else None)
        return reporting_pb2.ListOverdueResponse(assignments=[
            reporting_pb2.OverdueAssignment(case_id=o.facts.case_id, assignment_id=o.facts.assignment_id,
                                            unit_id=o.facts.unit_id, deadline=ts(o.facts.deadline),
                                            late_working_days=o.late_working_days, late_hours=o.late_hours)
            for o in found])

    def GetUnitScorecards(self, request, context):
        return reporting_pb2.GetUnitScorecardsResponse(scorecards=[
            reporting_pb2.UnitScorecard(unit_id=c.unit_id, unit_name=c.unit_name, assigned=c.assigned,
                                        approved=c.approved, on_time=c.on_time, late=c.late, returned=c.returned)
            for c in self.app.scorecards(*_period(request))])

    def ExportReport(self, request, context):
        for chunk in self.app.export(*_period(request)):
            yield reporting_pb2.ExportReportResponse(chunk=chunk)

    def GetReportPeriod(self, request, context):
        # Unspecified: "" (missing); a value this version does not know: its number (refused by the app).
        kind = PERIOD_KINDS.get(request.kind, str(request.kind) if request.kind else "")
        p = self.app.report_period(kind, request.year, request.number)
        return reporting_pb2.GetReportPeriodResponse(
            first_day=p.first_day.isoformat(), last_day=p.last_day.isoformat(),
            period=reporting_pb2.Period(start=ts(p.start), end=ts(p.end)))


def register(app: ReportingApp):
    return lambda server: reporting_pb2_grpc.add_ReportingServiceServicer_to_server(ReportingServicer(app), server)
