"""The calendar's administration over real gRPC (routing's CalendarService): announced days and
force-majeure pauses are recorded once, announced, and every open deadline follows — routing's
own, processing's (deadline.changed), reporting's overdue list and publication's review clock."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import grpc
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from pakn.common.v1 import common_pb2 as CS
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from pakn.processing.v1 import processing_pb2
from pakn.publication.v1 import publication_pb2
from pakn.reporting.v1 import reporting_pb2
from pakn.routing.v1 import calendar_pb2, routing_pb2
from regulation.calendar import VN
from runtime.clients import channel
from runtime.messaging import from_ts, make_envelope, ts, unpack, utcnow
from tests.helpers import deliver, eventually, now_ts, place, rpc_error, violations

DOCUMENT = "Thông báo 99/TB-UBND (thử nghiệm)"


# -- helpers ----------------------------------------------------------------------------------------

def outbox(p, service, event_type):
    """A service's outbox, decoded: the payloads of one event type, in order."""
    db = p.service(service).db
    t = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.envelope).where(t.c.event_type == event_type).order_by(t.c.id)).all()
    return [unpack(events_pb2.EventEnvelope.FromString(r.envelope)) for r in rows]


def handled(p, service, method) -> int:
    """How many events a service's handler has taken (its inbox)."""
    db = p.service(service).db
    t = db.metadata.tables["inbox"]
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.handler == method)).scalar_one()


def register(c, *unit_ids):
    for unit_id in unit_ids:
        c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=CS.Unit(
            unit_id=unit_id, name=f"Đơn vị {unit_id}", leader_title="Giám đốc", contact_title="Chánh Văn phòng",
            on_system=True)))


def receive(p, received_at=None) -> str:
    """A case.received handed to routing, as the bus would."""
    case_id = str(uuid.uuid4())
    payload = events_pb2.CaseReceived(case_id=case_id, tracking_code="26-CAL0001", channel=CS.CHANNEL_ZALO,
                                      content="Cây xanh gãy đổ chắn ngang đường",
                                      received_at=ts(received_at or utcnow()))
    assert deliver(p, "routing", make_envelope("intake", "case.received", case_id, payload)) == 1
    return case_id


def submit(c) -> str:
    """A case through intake, as a citizen sends it; waits until it is in the coordinator's inbox."""
    case_id = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=CS.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay", occurred_at=now_ts(), location=place(),
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"),
    )).case_id
    eventually(lambda: case_id in {x.case_id for x in c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases})
    return case_id


def distribute(c, case_id, *unit_ids):
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_thong"))
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=list(unit_ids)))
    return {a.unit_id: a for a in r.assignments}


def accept(c, assignment_id, days):
    a = c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id=assignment_id,
                                                                        handling_working_days=days)).assignment
    listed = processing_pb2.ListWorkItemsRequest(unit_id=a.unit_id)
    eventually(lambda: a.assignment_id in {w.assignment_id for w in c.processing.ListWorkItems(listed).work_items})
    return work_item(c, a.assignment_id)


def work_item(c, assignment_id):
    return c.processing.GetWorkItem(processing_pb2.GetWorkItemRequest(assignment_id=assignment_id)).work_item


def assignment(c, case_id, unit_id):
    case = c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id)).case
    return next(a for a in case.assignments if a.unit_id == unit_id)


def next_working_day(c, after: date, unit_id="") -> date:
    day = after + timedelta(days=1)
    while not c.calendar.GetDay(calendar_pb2.GetDayRequest(date=day.isoformat(), unit_id=unit_id)).day.working:
        day += timedelta(days=1)
    return day


def local(instant: datetime) -> date:
    return instant.astimezone(VN).date()


def overdue_ids(c, as_of: datetime) -> dict[str, datetime]:
    found = c.reporting.ListOverdue(reporting_pb2.ListOverdueRequest(as_of=ts(as_of))).assignments
    return {a.assignment_id: from_ts(a.deadline) for a in found}


def day_off(day: date) -> calendar_pb2.RecordDayRequest:
    return calendar_pb2.RecordDayRequest(rule=calendar_pb2.DayRule(
        date=day.isoformat(), working=False, name_vi="Nghỉ theo thông báo của tỉnh", name_en="Day off announced",
        document=DOCUMENT))


# -- the cross-service flow -------------------------------------------------------------------------

def test_a_recorded_day_off_moves_every_open_deadline_by_one_working_day(start_platform, clients_for):
    p = start_platform("all")
    c = clients_for(p)
    register(c, "so-gtvt")
    case_id = submit(c)
    item = accept(c, distribute(c, case_id, "so-gtvt")["so-gtvt"].assignment_id, 3)
    aid, accepted_at, before = item.assignment_id, from_ts(item.accepted_at), from_ts(item.deadline)
    eventually(lambda: aid in overdue_ids(c, before + timedelta(seconds=1)))

    # The administrator records a day off on the first working day of the unit's window (Đ8.2a).
    target = next_working_day(c, local(accepted_at))
    recorded = c.calendar.RecordDay(day_off(target)).rule
    assert recorded.date == target.isoformat() and not recorded.working and recorded.document == DOCUMENT

    # One working day later, everywhere: routing's calendar and its own assignment ...
    after = from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": ts(accepted_at)}, working_days=3, unit_id="so-gtvt")).deadline)
    assert local(after) == next_working_day(c, local(before)) and after > before
    assert from_ts(assignment(c, case_id, "so-gtvt").deadline) == after
    day = c.calendar.GetDay(calendar_pb2.GetDayRequest(date=target.isoformat())).day
    assert not day.working and day.reason_en == "Day off announced" and day.document == DOCUMENT
    # ... processing's work item, announced as deadline.changed ...
    eventually(lambda: from_ts(work_item(c, aid).deadline) == after)
    [changed] = outbox(p, "processing", "deadline.changed")
    assert (changed.assignment_id, changed.unit_id, changed.clock) == (aid, "so-gtvt", "handling")
    assert from_ts(changed.deadline) == after
    # ... and reporting's overdue list.
    eventually(lambda: aid not in overdue_ids(c, before + timedelta(seconds=1)))
    assert overdue_ids(c, after + timedelta(seconds=1))[aid] == after

    [announced] = outbox(p, "routing", "calendar.day_recorded")
    assert announced.date == target.isoformat() and announced.document == DOCUMENT
    rules = c.calendar.ListDayRules(calendar_pb2.ListDayRulesRequest(year=target.year)).rules
    assert [r.date for r in rules if r.document == DOCUMENT] == [target.isoformat()]

    # Recording the same day again moves nothing further.
    c.calendar.RecordDay(day_off(target))
    assert from_ts(assignment(c, case_id, "so-gtvt").deadline) == after
    eventually(lambda: handled(p, "processing", "on_calendar_day_recorded") == 2)
    assert from_ts(work_item(c, aid).deadline) == after
    assert len(outbox(p, "processing", "deadline.changed")) == 1


def test_a_unit_pause_moves_only_that_units_handling_deadline(start_platform, clients_for):
    p = start_platform("all")
    c = clients_for(p)
    register(c, "so-gtvt", "so-xd")
    case_id = submit(c)
    made = distribute(c, case_id, "so-gtvt", "so-xd")
    gtvt, xd = (accept(c, made[u].assignment_id, 2) for u in ("so-gtvt", "so-xd"))
    target = next_working_day(c, local(from_ts(gtvt.accepted_at)))
    start = datetime.combine(target, datetime.min.time(), VN)
    pause = c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(start), end=ts(start + timedelta(hours=2)), unit_id="so-gtvt", reason="Ngập lụt trụ sở")).pause
    assert pause.pause_id and pause.unit_id == "so-gtvt"

    moved = from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": gtvt.accepted_at}, working_days=2, unit_id="so-gtvt")).deadline)
    assert local(moved) == next_working_day(c, local(from_ts(gtvt.deadline)), "so-gtvt")
    eventually(lambda: from_ts(work_item(c, gtvt.assignment_id).deadline) == moved)
    assert work_item(c, xd.assignment_id).deadline == xd.deadline
    assert [e.assignment_id for e in outbox(p, "processing", "deadline.changed")] == [gtvt.assignment_id]
    assert from_ts(assignment(c, case_id, "so-gtvt").deadline) == moved
    assert assignment(c, case_id, "so-xd").deadline == xd.deadline
    paused = c.calendar.GetDay(calendar_pb2.GetDayRequest(date=target.isoformat(), unit_id="so-gtvt")).day
    assert paused.paused and not paused.working
    assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=target.isoformat(), unit_id="so-xd")).day.working


def test_approval_and_review_clocks_follow_pauses(start_platform, clients_for):
    """Đ9 (approval, the unit's working days) and Đ10.2 (review, the province's hours)."""
    p = start_platform("all")
    c = clients_for(p)
    register(c, "so-gtvt")
    case_id = submit(c)
    aid = accept(c, distribute(c, case_id, "so-gtvt")["so-gtvt"].assignment_id, 6).assignment_id
    c.processing.AssignHandler(processing_pb2.AssignHandlerRequest(assignment_id=aid, handler_id="so-gtvt/cb-1"))
    item = c.processing.SubmitResult(processing_pb2.SubmitResultRequest(assignment_id=aid, result=processing_pb2.Result(
        answer="Đã thay bóng đèn và kiểm tra lại hệ thống chiếu sáng."))).work_item
    due = from_ts(item.approval_deadline)
    target = next_working_day(c, local(from_ts(item.result.submitted_at)))
    assert local(due) == target
    start = datetime.combine(target, datetime.min.time(), VN)
    c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(start), end=ts(start + timedelta(hours=1)), unit_id="so-gtvt", reason="Ngập trụ sở"))
    eventually(lambda: local(from_ts(work_item(c, aid).approval_deadline)) == next_working_day(c, target, "so-gtvt"))
    assert "approval" in {e.clock for e in outbox(p, "processing", "deadline.changed")}

    approved = c.processing.ApproveResult(processing_pb2.ApproveResultRequest(assignment_id=aid)).work_item
    def under_review():
        review = c.publication.GetReview(publication_pb2.GetReviewRequest(case_id=case_id)).review
        return review if review.ready and review.HasField("review_deadline") else None

    last = from_ts(eventually(under_review).review_deadline) - timedelta(hours=24)  # Đ10.2: the last approval
    c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(last + timedelta(hours=1)), end=ts(last + timedelta(hours=3)), reason="Bão số 9"))
    eventually(lambda: from_ts(c.publication.GetReview(publication_pb2.GetReviewRequest(case_id=case_id))
                               .review.review_deadline) == last + timedelta(hours=26))
    # The approved result's clocks are closed: nothing moves in processing any more.
    assert work_item(c, aid).approval_deadline == approved.approval_deadline


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), VN)


def end_of(day: date) -> datetime:
    """A working-day deadline: the end of that local day, in UTC."""
    return datetime.combine(day, time(23, 59, 59), VN).astimezone(UTC)


def end_pause(c, pause_id, end, reason="Bão tan sớm"):
    return c.calendar.EndPause(calendar_pb2.EndPauseRequest(pause_id=pause_id, end=ts(end), reason=reason)).pause


def test_ending_a_province_pause_early_or_withdrawing_it_gives_the_deadline_back(start_platform, clients_for):
    p = start_platform("all")
    c = clients_for(p)
    register(c, "so-gtvt")
    case_id = submit(c)
    item = accept(c, distribute(c, case_id, "so-gtvt")["so-gtvt"].assignment_id, 3)
    aid, accepted_at, before = item.assignment_id, from_ts(item.accepted_at), from_ts(item.deadline)

    def deadline_everywhere(expected: datetime) -> None:
        """Routing's calendar and assignment, processing's work item, reporting's overdue list."""
        assert from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
            **{"from": ts(accepted_at)}, working_days=3, unit_id="so-gtvt")).deadline) == expected
        assert from_ts(assignment(c, case_id, "so-gtvt").deadline) == expected
        eventually(lambda: from_ts(work_item(c, aid).deadline) == expected)
        eventually(lambda: overdue_ids(c, expected + timedelta(seconds=1)).get(aid) == expected)
        assert aid not in overdue_ids(c, expected)

    deadline_everywhere(before)
    # The unit's working days before any pause: its deadline is the end of the third.
    days = [next_working_day(c, local(accepted_at))]
    while len(days) < 5:
        days.append(next_working_day(c, days[-1]))
    first, second = days[:2]
    assert before == end_of(days[2])
    # Force majeure over the first two, for the whole province: two working days later.
    start = midnight(first)
    pause = c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(start), end=ts(midnight(second + timedelta(days=1))), reason="Bão số 7")).pause
    delayed = end_of(days[4])
    deadline_everywhere(delayed)

    # The storm was over after the first day: one working day comes back.
    ended = end_pause(c, pause.pause_id, midnight(first + timedelta(days=1)))
    assert (ended.pause_id, ended.reason, ended.end_reason) == (pause.pause_id, "Bão số 7", "Bão tan sớm")
    assert from_ts(ended.start) == start and from_ts(ended.end) == midnight(first + timedelta(days=1))
    one_day = end_of(days[3])
    deadline_everywhere(one_day)
    assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date=first.isoformat())).day.paused
    assert not c.calendar.GetDay(calendar_pb2.GetDayRequest(date=second.isoformat())).day.paused

    # Declared by mistake after all: withdrawn, the deadline is back where it was.
    withdrawn = end_pause(c, pause.pause_id, start, reason="Khai báo nhầm")
    assert from_ts(withdrawn.end) == start and withdrawn.end_reason == "Khai báo nhầm"
    deadline_everywhere(before)
    assert not c.calendar.GetDay(calendar_pb2.GetDayRequest(date=first.isoformat())).day.paused
    [listed] = c.calendar.ListPauses(calendar_pb2.ListPausesRequest()).pauses
    assert listed == withdrawn

    # Each end was announced again under the same pause_id; processing announced each move.
    announced = outbox(p, "routing", "calendar.pause_declared")
    assert [(a.pause_id, from_ts(a.end), a.end_reason) for a in announced] == [
        (pause.pause_id, midnight(second + timedelta(days=1)), ""),
        (pause.pause_id, midnight(first + timedelta(days=1)), "Bão tan sớm"),
        (pause.pause_id, start, "Khai báo nhầm")]
    eventually(lambda: handled(p, "processing", "on_calendar_pause_declared") == 3)
    moved = [(e.assignment_id, e.clock, from_ts(e.deadline)) for e in outbox(p, "processing", "deadline.changed")]
    assert moved == [(aid, "handling", delayed), (aid, "handling", one_day), (aid, "handling", before)]

    def copied(service: str) -> bool:
        db = p.service(service).db
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT end_at, end_reason FROM calendar_pauses")).all()
        return len(rows) == 1 and rows[0].end_reason == "Khai báo nhầm"
    for service in ("processing", "publication", "intake"):
        eventually(lambda s=service: copied(s))

    # The declaration arriving late (published again, under a new event id) changes nothing.
    late = make_envelope("routing", "calendar.pause_declared", "", announced[0],
                         occurred_at=from_ts(first_announcement(p).occurred_at))
    assert deliver(p, "processing", late) == 1 and deliver(p, "publication", late) == 1
    assert from_ts(work_item(c, aid).deadline) == before
    assert len(outbox(p, "processing", "deadline.changed")) == 3
    for service in ("processing", "publication"):
        assert copied(service)


def first_announcement(p) -> events_pb2.EventEnvelope:
    db = p.service("routing").db
    t = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        first = conn.execute(sa.select(t.c.envelope).where(t.c.event_type == "calendar.pause_declared")
                             .order_by(t.c.id).limit(1)).scalar_one()
    return events_pb2.EventEnvelope.FromString(first)


def test_the_configured_profile_sets_the_limits(start_platform, clients_for, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text("[profile]\nreception_hours = 12\nreturn_hours = 48\n")
    p, c = routing(start_platform, clients_for, **{"regulation.profile_file": str(profile)})
    register(c, "so-gtvt")
    at = utcnow()
    case_id = receive(p, at)
    case = c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id)).case
    assert from_ts(case.reception_deadline) == at + timedelta(hours=12)
    made = distribute(c, case_id, "so-gtvt")["so-gtvt"]
    assert from_ts(made.return_deadline) == from_ts(made.created_at) + timedelta(hours=48)


# -- routing alone ----------------------------------------------------------------------------------

def routing(start_platform, clients_for, **settings):
    p = start_platform("routing", **settings)
    return p, clients_for(p)


def test_a_province_pause_delays_hour_clocks_by_its_length(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    register(c, "so-gtvt", "so-xd")
    distributed = receive(p)
    made = distribute(c, distributed, "so-gtvt", "so-xd")
    waiting = receive(p)  # still in the coordinator's hands: its reception clock runs (Đ7)
    reception = from_ts(c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=waiting)).case.reception_deadline)
    closed = c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=distributed)).case.reception_deadline
    created = from_ts(made["so-gtvt"].created_at)
    assert from_ts(made["so-gtvt"].return_deadline) == created + timedelta(hours=24)  # Đ8.2b

    c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(created + timedelta(hours=1)), end=ts(created + timedelta(hours=3)), reason="Bão số 5 đổ bộ"))
    for unit_id in ("so-gtvt", "so-xd"):
        assert from_ts(assignment(c, distributed, unit_id).return_deadline) == created + timedelta(hours=26)
    assert from_ts(c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=waiting)).case.reception_deadline) == \
        reception + timedelta(hours=2)
    assert c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=distributed)).case.reception_deadline == closed
    [pause] = c.calendar.ListPauses(calendar_pb2.ListPausesRequest()).pauses
    assert pause.unit_id == "" and pause.reason == "Bão số 5 đổ bộ"
    [announced] = outbox(p, "routing", "calendar.pause_declared")
    assert announced.pause_id == pause.pause_id and from_ts(announced.start) == created + timedelta(hours=1)
    assert from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": ts(created)}, hours=24)).deadline) == created + timedelta(hours=26)


def test_a_unit_pause_delays_only_that_units_return_deadline(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    register(c, "so-gtvt", "so-xd")
    case_id = receive(p)
    made = distribute(c, case_id, "so-gtvt", "so-xd")
    created = from_ts(made["so-xd"].created_at)
    c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(created + timedelta(hours=1)), end=ts(created + timedelta(hours=4)), unit_id="so-xd",
        reason="Mất điện toàn bộ trụ sở"))
    assert from_ts(assignment(c, case_id, "so-xd").return_deadline) == created + timedelta(hours=27)
    assert from_ts(assignment(c, case_id, "so-gtvt").return_deadline) == created + timedelta(hours=24)


def test_ending_a_pause_early_gives_hour_clocks_their_time_back(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    register(c, "so-gtvt")
    case_id = receive(p)
    created = from_ts(distribute(c, case_id, "so-gtvt")["so-gtvt"].created_at)
    pause = c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(created + timedelta(hours=1)), end=ts(created + timedelta(hours=4)), reason="Bão số 5")).pause
    assert from_ts(assignment(c, case_id, "so-gtvt").return_deadline) == created + timedelta(hours=27)
    end_pause(c, pause.pause_id, created + timedelta(hours=2))
    assert from_ts(assignment(c, case_id, "so-gtvt").return_deadline) == created + timedelta(hours=25)
    assert from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": ts(created)}, hours=24)).deadline) == created + timedelta(hours=25)
    end_pause(c, pause.pause_id, created + timedelta(hours=1), reason="Khai báo nhầm")
    assert from_ts(assignment(c, case_id, "so-gtvt").return_deadline) == created + timedelta(hours=24)
    assert len(outbox(p, "routing", "calendar.pause_declared")) == 3


def test_bad_end_pause_is_rejected_and_changes_nothing(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    register(c, "so-gtvt")
    case_id = receive(p)
    created = from_ts(distribute(c, case_id, "so-gtvt")["so-gtvt"].created_at)
    start, end = created + timedelta(hours=1), created + timedelta(hours=4)
    pause = c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(start), end=ts(end), unit_id="so-gtvt", reason="Mất điện trụ sở")).pause
    due = assignment(c, case_id, "so-gtvt").return_deadline

    unknown = rpc_error(lambda: end_pause(c, str(uuid.uuid4()), start))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    empty = rpc_error(lambda: c.calendar.EndPause(calendar_pb2.EndPauseRequest()))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(empty)) == {"pause_id", "end", "reason"}
    no_reason = rpc_error(lambda: end_pause(c, pause.pause_id, start, reason="  "))
    assert no_reason.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(no_reason)) == {"reason"}
    for bad_end, message in ((end + timedelta(hours=1), "only be shortened"), (end, "only be shortened"),
                             (start - timedelta(seconds=1), "must not be before")):
        err = rpc_error(lambda e=bad_end: end_pause(c, pause.pause_id, e))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(err)) == {"end"}
        assert message in violations(err)["end"]

    assert list(c.calendar.ListPauses(calendar_pb2.ListPausesRequest()).pauses) == [pause]
    assert assignment(c, case_id, "so-gtvt").return_deadline == due
    assert len(outbox(p, "routing", "calendar.pause_declared")) == 1

    # A withdrawn pause cannot be ended again.
    end_pause(c, pause.pause_id, start, reason="Khai báo nhầm")
    again = rpc_error(lambda: end_pause(c, pause.pause_id, start))
    assert again.code() == grpc.StatusCode.INVALID_ARGUMENT and "already withdrawn" in violations(again)["end"]
    assert len(outbox(p, "routing", "calendar.pause_declared")) == 2


def test_bad_input_is_invalid_argument_and_changes_nothing(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    register(c, "so-gtvt")
    rules_2025 = list(c.calendar.ListDayRules(calendar_pb2.ListDayRulesRequest(year=2025)).rules)

    empty = rpc_error(lambda: c.calendar.RecordDay(calendar_pb2.RecordDayRequest()))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(empty)) == {"rule.date", "rule.name_vi", "rule.name_en", "rule.document"}
    for bad_date in ("2025-02-30", "10/03/2025", "20250310", "1999-01-01"):
        err = rpc_error(lambda d=bad_date: c.calendar.RecordDay(calendar_pb2.RecordDayRequest(
            rule=calendar_pb2.DayRule(date=d, name_vi="Nghỉ", name_en="Off", document=DOCUMENT))))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(err)) == {"rule.date"}, bad_date
    assert "Ngày không hợp lệ" in violations(rpc_error(lambda: c.calendar.RecordDay(calendar_pb2.RecordDayRequest(
        rule=calendar_pb2.DayRule(date="2025-13-01", name_vi="x", name_en="x", document="x")))))["rule.date"]

    now = utcnow()
    missing = rpc_error(lambda: c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(reason="Bão")))
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(missing)) == {"start", "end"}
    bad = rpc_error(lambda: c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(now), end=ts(now), unit_id="khong-co", reason=" ")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad)) == {"end", "unit_id", "reason"}
    assert "end must be after start" in violations(bad)["end"]
    reversed_ = rpc_error(lambda: c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(now), end=ts(now - timedelta(hours=1)), unit_id="so-gtvt", reason="Bão")))
    assert set(violations(reversed_)) == {"end"}

    no_amount = rpc_error(lambda: c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest()))
    assert set(violations(no_amount)) == {"from", "amount"}
    assert set(violations(rpc_error(lambda: c.calendar.GetDay(calendar_pb2.GetDayRequest(date="mai"))))) == {"date"}

    assert list(c.calendar.ListDayRules(calendar_pb2.ListDayRulesRequest(year=2025)).rules) == rules_2025
    assert not c.calendar.ListPauses(calendar_pb2.ListPausesRequest()).pauses
    assert outbox(p, "routing", "calendar.day_recorded") == [] == outbox(p, "routing", "calendar.pause_declared")
    with p.service("routing").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM calendar_days")).scalar_one() == 0


def test_the_calendar_answers_from_the_bundled_schedules_and_is_served_with_health(start_platform, clients_for):
    p, c = routing(start_platform, clients_for)
    tet = c.calendar.GetDay(calendar_pb2.GetDayRequest(date="2025-01-29")).day
    assert not tet.working and tet.document and not tet.provisional
    later = c.calendar.GetDay(calendar_pb2.GetDayRequest(date="2031-01-01")).day
    assert not later.working and later.provisional
    rules = c.calendar.ListDayRules(calendar_pb2.ListDayRulesRequest(year=2025)).rules
    assert rules and all(r.date.startswith("2025-") for r in rules)
    assert [r.date for r in rules] == sorted(r.date for r in rules)
    friday = datetime(2025, 3, 7, 10, 0, tzinfo=VN)
    monday = from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": ts(friday)}, working_days=1)).deadline)
    assert monday.astimezone(VN).isoformat() == "2025-03-10T23:59:59+07:00"
    correction = c.calendar.RecordDay(calendar_pb2.RecordDayRequest(rule=calendar_pb2.DayRule(
        date="2025-03-10", working=False, name_vi="Nghỉ", name_en="Off", document=DOCUMENT))).rule
    assert correction in c.calendar.ListDayRules(calendar_pb2.ListDayRulesRequest(year=2025)).rules
    ch = channel(f"127.0.0.1:{p.port}")
    health = health_pb2_grpc.HealthStub(ch)
    assert eventually(lambda: health.Check(health_pb2.HealthCheckRequest(
        service="pakn.routing.v1.CalendarService")).status == health_pb2.HealthCheckResponse.SERVING)
    listed = reflection_pb2_grpc.ServerReflectionStub(ch).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    assert {"pakn.routing.v1.CalendarService", "pakn.routing.v1.RoutingService"} <= {
        s.name for r in listed for s in r.list_services_response.service}
    ch.close()


# -- PostgreSQL -------------------------------------------------------------------------------------

def test_calendar_changes_on_postgresql(start_platform, clients_for, postgres_url):
    """The migrations of every service and the advisory locks, in each service's schema."""
    from tests.infra import fernet_keys

    p = start_platform("all", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    register(c, "so-gtvt")
    case_id = submit(c)
    item = accept(c, distribute(c, case_id, "so-gtvt")["so-gtvt"].assignment_id, 2)
    target = next_working_day(c, local(from_ts(item.accepted_at)))
    c.calendar.RecordDay(day_off(target))
    after = from_ts(c.calendar.ComputeDeadline(calendar_pb2.ComputeDeadlineRequest(
        **{"from": item.accepted_at}, working_days=2, unit_id="so-gtvt")).deadline)
    assert after > from_ts(item.deadline)
    eventually(lambda: from_ts(work_item(c, item.assignment_id).deadline) == after)
    eventually(lambda: item.assignment_id in overdue_ids(c, after + timedelta(seconds=1)))
    c.calendar.DeclarePause(calendar_pb2.DeclarePauseRequest(
        start=ts(utcnow()), end=ts(utcnow() + timedelta(hours=1)), reason="Bão"))
    engine = sa.create_engine(postgres_url)

    def copied(schema: str) -> bool:
        with engine.connect() as conn:
            return (conn.execute(sa.text(f"SELECT count(*) FROM {schema}.calendar_days")).scalar_one(),
                    conn.execute(sa.text(f"SELECT count(*) FROM {schema}.calendar_pauses")).scalar_one()) == (1, 1)
    try:
        for schema in ("routing", "processing", "publication"):
            eventually(lambda s=schema: copied(s))
    finally:
        engine.dispose()
