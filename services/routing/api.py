"""Routing's gRPC API: translates messages to use cases and back; no rules here."""

from __future__ import annotations

from pakn.common.v1 import common_pb2
from pakn.routing.v1 import calendar_pb2, calendar_pb2_grpc, routing_pb2, routing_pb2_grpc
from runtime.identity.context import current
from runtime.messaging import as_utc, from_ts, ts
from services.routing import domain
from services.routing.app import AssignmentView, CalendarApp, CaseView, RoutingApp, UnitChange, UnitView, media_refs


def _ts(value):
    return ts(as_utc(value)) if value is not None else None


def assignment_pb(view: AssignmentView) -> routing_pb2.Assignment:
    row = view.row
    return routing_pb2.Assignment(
        assignment_id=row.assignment_id, case_id=row.case_id, unit_id=row.unit_id, status=row.status,
        created_at=_ts(row.created_at), return_deadline=_ts(row.return_deadline),
        accepted_at=_ts(row.accepted_at), deadline=_ts(row.deadline), return_reason=row.return_reason,
        content=row.content, tracking_code=row.tracking_code, clock=view.clock)


def case_pb(view: CaseView) -> routing_pb2.InboxCase:
    c = view.case
    return routing_pb2.InboxCase(
        case_id=c.case_id, tracking_code=c.tracking_code, status=c.status, channel=c.channel,
        content=c.content, category_code=c.category_code or "", screening_flags=list(c.screening_flags or []),
        received_at=_ts(c.received_at), reception_deadline=_ts(c.reception_deadline), media=media_refs(c.media),
        location=common_pb2.Location(address=c.location_address, ward_code=c.ward_code, ward_name=c.ward_name,
                                     mapped_from=c.mapped_from, latitude=c.latitude or 0.0,
                                     longitude=c.longitude or 0.0),
        assignments=[assignment_pb(a) for a in view.assignments],
        findings=[common_pb2.ScreeningFinding(**f) for f in (c.findings or [])],
        text_repaired_from=c.text_repaired_from, reception_clock=view.reception_clock)


def person_pb(person: domain.Person | None) -> common_pb2.UnitPerson | None:
    return common_pb2.UnitPerson(**person.as_dict()) if person is not None else None


def person_of(message, field: str) -> domain.Person | None:
    """A person given in a request; None when the field is left out (keep what is held)."""
    if not message.HasField(field):
        return None
    p = getattr(message, field)
    return domain.Person(p.name, p.position, p.phone, p.email)


def unit_pb(view: UnitView) -> common_pb2.Unit:
    row = view.row
    return common_pb2.Unit(unit_id=row.unit_id, name=row.name, leader_title=row.leader_title,
                           contact_title=row.contact_title, on_system=bool(row.on_system),
                           leader=person_pb(view.leader), contact=person_pb(view.contact),
                           contacts_withheld=view.withheld)


def change_pb(change: UnitChange) -> routing_pb2.UnitChange:
    before = change.previous
    previous = common_pb2.Unit(
        name=before.get("name", ""), leader_title=before.get("leader_title", ""),
        contact_title=before.get("contact_title", ""), on_system=bool(before.get("on_system", False)),
        leader=person_pb(domain.Person.from_dict(before.get("leader"))),
        contact=person_pb(domain.Person.from_dict(before.get("contact"))))
    return routing_pb2.UnitChange(action=change.action, actor=change.actor, changed_at=ts(change.at),
                                  fields=change.fields, previous=previous)


def _actor(context) -> str:
    """Who acts: the verified caller's id (runtime/identity/context.py), never a header the caller writes."""
    return current().actor_id


class RoutingServicer(routing_pb2_grpc.RoutingServiceServicer):
    def __init__(self, app: RoutingApp):
        self.app = app

    def ListInbox(self, request, context):
        views, token = self.app.list_inbox(list(request.statuses), request.page.page_size, request.page.page_token)
        return routing_pb2.ListInboxResponse(cases=[case_pb(v) for v in views], next_page_token=token)

    def GetCase(self, request, context):
        return routing_pb2.GetCaseResponse(case=case_pb(self.app.get_case(request.case_id)))

    def VerifyCase(self, request, context):
        return routing_pb2.VerifyCaseResponse(case=case_pb(self.app.verify(request.case_id, _actor(context))))

    def CancelCase(self, request, context):
        view = self.app.cancel(request.case_id, request.reason_code, request.note, _actor(context))
        return routing_pb2.CancelCaseResponse(case=case_pb(view))

    def SendBackForVerification(self, request, context):
        view = self.app.send_back(request.case_id, request.note, _actor(context))
        return routing_pb2.SendBackForVerificationResponse(case=case_pb(view))

    def ClassifyCase(self, request, context):
        view = self.app.classify(request.case_id, request.category_code, _actor(context))
        return routing_pb2.ClassifyCaseResponse(case=case_pb(view))

    def DistributeCase(self, request, context):
        view, created = self.app.distribute(request.case_id, list(request.unit_ids), request.note, _actor(context))
        return routing_pb2.DistributeCaseResponse(case=case_pb(view), assignments=[assignment_pb(a) for a in created])

    def MarkAwaitingUnit(self, request, context):
        view = self.app.mark_awaiting_unit(request.case_id, request.proposed_unit_name, _actor(context))
        return routing_pb2.MarkAwaitingUnitResponse(case=case_pb(view))

    def AcceptAssignment(self, request, context):
        view = self.app.accept(request.assignment_id, request.handling_working_days, _actor(context))
        return routing_pb2.AcceptAssignmentResponse(assignment=assignment_pb(view))

    def ReturnAssignment(self, request, context):
        view = self.app.return_assignment(request.assignment_id, request.reason, _actor(context))
        return routing_pb2.ReturnAssignmentResponse(assignment=assignment_pb(view))

    def ListAssignments(self, request, context):
        views, token = self.app.list_assignments(request.unit_id, list(request.statuses), request.page.page_size,
                                                 request.page.page_token)
        return routing_pb2.ListAssignmentsResponse(assignments=[assignment_pb(v) for v in views],
                                                   next_page_token=token)

    def ListCategories(self, request, context):
        return routing_pb2.ListCategoriesResponse(categories=[
            common_pb2.Category(code=r.code, name_vi=r.name_vi, name_en=r.name_en)
            for r in self.app.list_categories()])

    def ListUnits(self, request, context):
        return routing_pb2.ListUnitsResponse(units=[unit_pb(v) for v in self.app.list_units()])

    def RegisterUnit(self, request, context):
        u = request.unit
        view = self.app.register_unit(domain.UnitDraft(u.unit_id, u.name, u.leader_title, u.contact_title,
                                                       u.on_system, person_of(u, "leader"), person_of(u, "contact")))
        return routing_pb2.RegisterUnitResponse(unit=unit_pb(view))

    def UpdateUnitContacts(self, request, context):
        view = self.app.update_unit_contacts(request.unit_id, person_of(request, "leader"),
                                             person_of(request, "contact"))
        return routing_pb2.UpdateUnitContactsResponse(unit=unit_pb(view))

    def GetUnitHistory(self, request, context):
        changes, token = self.app.unit_history(request.unit_id, request.page.page_size, request.page.page_token)
        return routing_pb2.GetUnitHistoryResponse(changes=[change_pb(c) for c in changes], next_page_token=token)


def day_rule_pb(rule) -> calendar_pb2.DayRule:
    return calendar_pb2.DayRule(date=rule.day.isoformat(), working=rule.working, name_vi=rule.name_vi,
                                name_en=rule.name_en, document=rule.document)


def pause_pb(pause) -> calendar_pb2.Pause:
    return calendar_pb2.Pause(pause_id=pause.pause_id, start=ts(pause.start), end=ts(pause.end),
                              unit_id=pause.unit_id, reason=pause.reason, end_reason=pause.end_reason)


class CalendarServicer(calendar_pb2_grpc.CalendarServiceServicer):
    def __init__(self, app: CalendarApp):
        self.app = app

    def GetDay(self, request, context):
        d = self.app.get_day(request.date, request.unit_id)
        return calendar_pb2.GetDayResponse(day=calendar_pb2.CalendarDay(
            date=d.day.isoformat(), working=d.working, reason_vi=d.reason_vi, reason_en=d.reason_en,
            document=d.document, provisional=d.provisional, paused=d.paused))

    def ComputeDeadline(self, request, context):
        kind = request.WhichOneof("amount")
        amount = getattr(request, kind) if kind else 0
        start = from_ts(getattr(request, "from")) if request.HasField("from") else None
        deadline = self.app.compute_deadline(start, kind, amount, request.unit_id)
        return calendar_pb2.ComputeDeadlineResponse(deadline=ts(deadline))

    def RecordDay(self, request, context):
        r = request.rule
        rule = self.app.record_day(r.date, r.working, r.name_vi, r.name_en, r.document)
        return calendar_pb2.RecordDayResponse(rule=day_rule_pb(rule))

    def DeclarePause(self, request, context):
        start = from_ts(request.start) if request.HasField("start") else None
        end = from_ts(request.end) if request.HasField("end") else None
        pause = self.app.declare_pause(start, end, request.unit_id, request.reason)
        return calendar_pb2.DeclarePauseResponse(pause=pause_pb(pause))

    def EndPause(self, request, context):
        end = from_ts(request.end) if request.HasField("end") else None
        pause = self.app.end_pause(request.pause_id, end, request.reason)
        return calendar_pb2.EndPauseResponse(pause=pause_pb(pause))

    def ListDayRules(self, request, context):
        return calendar_pb2.ListDayRulesResponse(rules=[day_rule_pb(r) for r in self.app.list_day_rules(request.year)])

    def ListPauses(self, request, context):
        return calendar_pb2.ListPausesResponse(pauses=[pause_pb(p) for p in self.app.list_pauses()])


CALENDAR_SERVICE = calendar_pb2.DESCRIPTOR.services_by_name["CalendarService"].full_name


def register(app: RoutingApp, calendar: CalendarApp):
    """Both of routing's services on one server: the coordinator's work and the calendar."""
    def add(server) -> None:
        routing_pb2_grpc.add_RoutingServiceServicer_to_server(RoutingServicer(app), server)
        calendar_pb2_grpc.add_CalendarServiceServicer_to_server(CalendarServicer(calendar), server)
    return add
