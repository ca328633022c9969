"""Routing over real gRPC on SQLite: the coordinator's inbox (Đ7) and the units' answer (Đ8.2)."""

import uuid
from datetime import datetime, timedelta, timezone

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.events.v1 import events_pb2
from pakn.routing.v1 import routing_pb2
from regulation.calendar import add_working_days
from runtime.messaging import from_ts, make_envelope, ts, unpack
from tests.helpers import deliver, rpc_error, violations

CS = common_pb2
K = common_pb2.ClockState
RECEIVED_AT = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def case_received(case_id=None, **kw):
    case_id = case_id or str(uuid.uuid4())
    base = dict(
        case_id=case_id, tracking_code="25-ABCDEF1", channel=CS.CHANNEL_ZALO,
        content="Cống thoát nước trước chợ Long Hoa bị tắc, nước tràn ra đường",
        location=CS.Location(address="Chợ Long Hoa, Hòa Thành", ward_code="25630", latitude=11.28, longitude=106.13),
        media=[CS.MediaRef(media_id="m-1", content_type="image/jpeg", size_bytes=2048, sha256="ab" * 32,
                           filename="cong.jpg")],
        keep_identity_secret=True, received_at=ts(RECEIVED_AT), screening_flags=["no_diacritics"],
        contact_verifiers=["verifier-of-0912345678"], sealed_contact=b"sealed 0912345678 binh@example.vn",
    )
    base.update(kw)
    return events_pb2.CaseReceived(**base)


def receive(p, **kw) -> str:
    payload = case_received(**kw)
    env = make_envelope("intake", "case.received", payload.case_id, payload)
    assert deliver(p, "routing", env) == 1
    return payload.case_id


def events(p, event_type=None):
    """The routing outbox, decoded: [(event_type, payload)] in order."""
    db = p.service("routing").db
    t = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.envelope).order_by(t.c.id)).all()
    out = []
    for r in rows:
        env = events_pb2.EventEnvelope.FromString(r.envelope)
        assert env.source == "routing"
        if event_type is None or env.event_type == event_type:
            out.append((env.event_type, unpack(env)))
    return out


def register(c, unit_id, name, on_system=True):
    return c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(unit=CS.Unit(
        unit_id=unit_id, name=name, leader_title="Phó Giám đốc", contact_title="Chánh Văn phòng",
        on_system=on_system))).unit


def get(c, case_id):
    return c.routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id)).case


def classified_case(p, c, category="cap_thoat_nuoc"):
    case_id = receive(p)
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code=category))
    return case_id


@pytest.fixture
def routing(start_platform, clients_for):
    p = start_platform("routing")
    return p, clients_for(p)


def test_a_received_case_lands_in_the_inbox_once_without_personal_data(routing):
    p, c = routing
    case_id = receive(p)
    # A second delivery of the same case (a new event id, e.g. a replayed outbox) changes nothing.
    receive(p, case_id=case_id, content="something else")
    case = get(c, case_id)
    assert case.status == CS.CASE_STATUS_RECEIVED
    assert case.content.startswith("Cống thoát nước")
    assert case.channel == CS.CHANNEL_ZALO and case.tracking_code == "25-ABCDEF1"
    assert from_ts(case.received_at) == RECEIVED_AT
    assert from_ts(case.reception_deadline) == RECEIVED_AT + timedelta(hours=24)  # Đ7
    # Received in 2025 and not distributed: the reception clock still runs, long overdue.
    clock = case.reception_clock
    assert (clock.name, clock.state, clock.deadline) == ("reception", K.CLOCK_STATE_OVERDUE, case.reception_deadline)
    assert clock.late_working_days > 200 and clock.late_hours > 24 * 300
    assert [m.media_id for m in case.media] == ["m-1"] and case.media[0].size_bytes == 2048
    assert case.location.ward_code == "25630" and case.location.latitude == pytest.approx(11.28)
    assert list(case.screening_flags) == ["no_diacritics"]
    inbox = c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases
    assert [x.case_id for x in inbox] == [case_id]
    db = p.service("routing").db
    with db.engine.connect() as conn:
        dump = repr(conn.execute(sa.text("SELECT * FROM cases")).all())
    assert "0912345678" not in dump and "binh@example.vn" not in dump and "verifier" not in dump


def test_categories_are_seeded(routing):
    _, c = routing
    cats = c.routing.ListCategories(routing_pb2.ListCategoriesRequest()).categories
    assert len(cats) == 11
    by_code = {x.code: x for x in cats}
    assert by_code["giao_thong"].name_vi == "Giao thông" and by_code["dat_dai_xay_dung"].name_en


def test_units_are_validated_and_upserted(routing):
    _, c = routing
    err = rpc_error(lambda: c.routing.RegisterUnit(routing_pb2.RegisterUnitRequest(
        unit=CS.Unit(unit_id="Sở GTVT", name=""))))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(err)) == {"unit.unit_id", "unit.name", "unit.leader_title", "unit.contact_title"}
    assert not c.routing.ListUnits(routing_pb2.ListUnitsRequest()).units
    register(c, "so-gtvt", "Sở Giao thông", on_system=False)
    updated = register(c, "so-gtvt", "Sở Giao thông vận tải", on_system=True)
    assert updated.on_system and updated.name == "Sở Giao thông vận tải"
    units = c.routing.ListUnits(routing_pb2.ListUnitsRequest()).units
    assert [(u.unit_id, u.name, u.leader_title) for u in units] == [
        ("so-gtvt", "Sở Giao thông vận tải", "Phó Giám đốc")]


def test_cancel_needs_a_d65_reason_then_ends_the_case(routing):
    p, c = routing
    case_id = receive(p)
    bad = rpc_error(lambda: c.routing.CancelCase(routing_pb2.CancelCaseRequest(case_id=case_id, reason_code="spam")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and "reason_code" in violations(bad)
    assert get(c, case_id).status == CS.CASE_STATUS_RECEIVED and events(p) == []
    done = c.routing.CancelCase(routing_pb2.CancelCaseRequest(case_id=case_id, reason_code="advertising",
                                                              note="Quảng cáo bán hàng")).case
    assert done.status == CS.CASE_STATUS_CANCELLED
    [(kind, payload)] = events(p)
    assert kind == "case.cancelled" and payload.reason_code == "advertising" and payload.case_id == case_id
    again = rpc_error(lambda: c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id,
                                                                                    category_code="giao_thong")))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "CANCELLED" in again.details() and "Không thể" in again.details()
    assert not c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases  # Đ7.3a: out of the open inbox
    cancelled = c.routing.ListInbox(routing_pb2.ListInboxRequest(statuses=[CS.CASE_STATUS_CANCELLED])).cases
    assert [x.case_id for x in cancelled] == [case_id]


def test_send_back_for_verification_then_verify(routing):
    p, c = routing
    case_id = receive(p)
    sent = c.routing.SendBackForVerification(routing_pb2.SendBackForVerificationRequest(
        case_id=case_id, note="Cần xác minh địa điểm")).case
    assert sent.status == CS.CASE_STATUS_VERIFYING  # Đ7.3c
    refused = rpc_error(lambda: c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(
        case_id=case_id, category_code="giao_thong")))
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert c.routing.VerifyCase(routing_pb2.VerifyCaseRequest(case_id=case_id)).case.status == CS.CASE_STATUS_RECEIVED
    assert [k for k, _ in events(p)] == ["case.verifying", "case.verified"]
    assert events(p)[0][1].note == "Cần xác minh địa điểm"
    # Verifying a case that was never sent back changes no status and announces nothing.
    other = receive(p, case_id="case-2")
    assert c.routing.VerifyCase(routing_pb2.VerifyCaseRequest(case_id=other)).case.status == CS.CASE_STATUS_RECEIVED
    assert [k for k, _ in events(p)] == ["case.verifying", "case.verified"]


def test_classify_needs_a_known_category(routing):
    p, c = routing
    case_id = receive(p)
    bad = rpc_error(lambda: c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id,
                                                                                  category_code="khong_co")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(bad)) == {"category_code"}
    assert get(c, case_id).category_code == ""
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_thong"))
    again = c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="moi_truong")).case
    assert again.status == CS.CASE_STATUS_CLASSIFIED and again.category_code == "moi_truong"
    assert [(k, e.category_code) for k, e in events(p)] == [("case.classified", "giao_thong"),
                                                          ("case.classified", "moi_truong")]


def test_unknown_ids_are_not_found(routing):
    _, c = routing
    for call in (lambda: c.routing.GetCase(routing_pb2.GetCaseRequest(case_id="nope")),
                 lambda: c.routing.VerifyCase(routing_pb2.VerifyCaseRequest(case_id="nope")),
                 lambda: c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id="nope")),
                 lambda: c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(assignment_id="nope",
                                                                                        reason="x"))):
        assert rpc_error(call).code() == grpc.StatusCode.NOT_FOUND


def test_distribute_to_several_units_accept_and_return(routing):
    p, c = routing
    register(c, "ubnd-hoa-thanh", "UBND thị xã Hòa Thành")
    register(c, "cty-cap-nuoc", "Công ty Cấp thoát nước")
    register(c, "so-xay-dung", "Sở Xây dựng", on_system=False)
    case_id = classified_case(p, c)
    bad = rpc_error(lambda: c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=case_id, unit_ids=["ubnd-hoa-thanh", "ubnd-hoa-thanh", "so-xay-dung", "khong-co"])))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad)) == {"unit_ids[1]", "unit_ids[2]", "unit_ids[3]"}
    assert get(c, case_id).status == CS.CASE_STATUS_CLASSIFIED and not get(c, case_id).assignments

    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=case_id, unit_ids=["ubnd-hoa-thanh", "cty-cap-nuoc"]))
    assert r.case.status == CS.CASE_STATUS_IN_HANDLING and len(r.assignments) == 2  # Đ7.3c
    # The distribution stopped the reception clock, late (the case was received in 2025).
    stopped = r.case.reception_clock
    assert stopped.state == K.CLOCK_STATE_OVERDUE and stopped.late_working_days > 200
    assert get(c, case_id).reception_clock == stopped  # it no longer moves
    by_unit = {a.unit_id: a for a in r.assignments}
    for a in r.assignments:
        assert a.status == CS.ASSIGNMENT_STATUS_PENDING
        assert from_ts(a.return_deadline) - from_ts(a.created_at) == timedelta(hours=24)  # Đ8.2b
        # Đ8.2b: 24 hours, within the default due-soon threshold (24 h) from the start.
        assert (a.clock.name, a.clock.state, a.clock.deadline) == ("return", K.CLOCK_STATE_DUE_SOON,
                                                                   a.return_deadline)
        assert a.content.startswith("Cống") and a.tracking_code == "25-ABCDEF1"
    created = events(p, "assignment.created")
    assert {e.unit_name for _, e in created} == {"UBND thị xã Hòa Thành", "Công ty Cấp thoát nước"}
    for _, e in created:
        assert e.category_code == "cap_thoat_nuoc" and e.content.startswith("Cống") and e.media[0].media_id == "m-1"
        assert b"0912345678" not in e.SerializeToString()

    # A unit that already holds the case cannot get it twice.
    twice = rpc_error(lambda: c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=case_id, unit_ids=["cty-cap-nuoc"])))
    assert twice.code() == grpc.StatusCode.INVALID_ARGUMENT and "unit_ids[0]" in violations(twice)

    # Đ8.2a: the unit sets its limit; 7 working days is refused, 0 means the maximum (6).
    water = by_unit["cty-cap-nuoc"].assignment_id
    too_long = rpc_error(lambda: c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(
        assignment_id=water, handling_working_days=7)))
    assert (too_long.code() == grpc.StatusCode.INVALID_ARGUMENT
            and set(violations(too_long)) == {"handling_working_days"})
    accepted = c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(assignment_id=water)).assignment
    assert accepted.status == CS.ASSIGNMENT_STATUS_ACCEPTED
    assert from_ts(accepted.deadline) == add_working_days(from_ts(accepted.accepted_at), 6)
    assert (accepted.clock.name, accepted.clock.state, accepted.clock.deadline) == (
        "handling", K.CLOCK_STATE_ON_TIME, accepted.deadline)
    [(_, acc)] = events(p, "assignment.accepted")
    assert acc.handling_working_days == 6 and acc.unit_name == "Công ty Cấp thoát nước"
    assert acc.deadline == accepted.deadline and acc.content.startswith("Cống") and len(acc.media) == 1
    no_return = rpc_error(lambda: c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(
        assignment_id=water, reason="Không thuộc thẩm quyền")))
    assert no_return.code() == grpc.StatusCode.FAILED_PRECONDITION

    # Đ8.2b: the other unit returns it in time; the case stays with the unit that accepted.
    town = by_unit["ubnd-hoa-thanh"].assignment_id
    missing = rpc_error(lambda: c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(assignment_id=town)))
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT and "reason" in violations(missing)
    back = c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(
        assignment_id=town, reason="Thuộc thẩm quyền công ty cấp nước")).assignment
    assert back.status == CS.ASSIGNMENT_STATUS_RETURNED and back.return_reason.startswith("Thuộc")
    assert (back.clock.name, back.clock.state) == ("return", K.CLOCK_STATE_STOPPED)  # returned in time
    [(_, ret)] = events(p, "assignment.returned")
    assert ret.within_limit and ret.unit_id == "ubnd-hoa-thanh"
    assert get(c, case_id).status == CS.CASE_STATUS_IN_HANDLING

    # Units see their own list; the returned unit may be given the case again (redistribution).
    mine = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(
        unit_id="cty-cap-nuoc", statuses=[CS.ASSIGNMENT_STATUS_ACCEPTED])).assignments
    assert [a.assignment_id for a in mine] == [water]
    assert (mine[0].clock.name, mine[0].clock.deadline) == ("handling", accepted.deadline)
    again = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["ubnd-hoa-thanh"]))
    assert len(again.assignments) == 1 and len(again.case.assignments) == 3


def test_when_every_unit_returns_the_case_it_goes_back_to_the_coordinator(routing):
    p, c = routing
    register(c, "ubnd-go-dau", "UBND huyện Gò Dầu")
    register(c, "so-tnmt", "Sở Tài nguyên và Môi trường")
    case_id = classified_case(p, c, "moi_truong")
    [a] = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=case_id, unit_ids=["ubnd-go-dau"])).assignments
    c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(assignment_id=a.assignment_id,
                                                                   reason="Không thuộc địa bàn"))
    assert get(c, case_id).status == CS.CASE_STATUS_CLASSIFIED  # Đ8.2b: the coordinator redistributes
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-tnmt"]))
    assert r.case.status == CS.CASE_STATUS_IN_HANDLING


def test_a_late_return_is_recorded_as_late(routing):
    p, c = routing
    register(c, "so-yte", "Sở Y tế")
    case_id = classified_case(p, c, "y_te")
    [a] = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-yte"])).assignments
    db = p.service("routing").db
    t = db.metadata.tables["assignments"]
    with db.transaction() as conn:
        conn.execute(t.update().where(t.c.assignment_id == a.assignment_id)
                     .values(return_deadline=datetime.now(timezone.utc) - timedelta(hours=1)))
    back = c.routing.ReturnAssignment(routing_pb2.ReturnAssignmentRequest(assignment_id=a.assignment_id,
                                                                          reason="Sai đơn vị")).assignment
    [(_, ret)] = events(p, "assignment.returned")
    assert ret.within_limit is False
    # Returned an hour late: the return clock stopped overdue, by about an hour.
    assert back.clock.name == "return" and back.clock.state == K.CLOCK_STATE_OVERDUE
    assert 0.99 <= back.clock.late_hours <= 1.1


def test_await_a_unit_not_yet_on_the_system_then_distribute_once_it_joins(routing):
    p, c = routing
    register(c, "cty-dien-luc", "Công ty Điện lực Tây Ninh", on_system=False)
    case_id = classified_case(p, c, "dien_chieu_sang")
    missing = rpc_error(lambda: c.routing.MarkAwaitingUnit(routing_pb2.MarkAwaitingUnitRequest(case_id=case_id)))
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT and "proposed_unit_name" in violations(missing)
    waiting = c.routing.MarkAwaitingUnit(routing_pb2.MarkAwaitingUnitRequest(
        case_id=case_id, proposed_unit_name="Công ty Điện lực Tây Ninh")).case
    assert waiting.status == CS.CASE_STATUS_AWAITING_UNIT
    [(_, e)] = events(p, "case.awaiting_unit")
    assert e.proposed_unit_name == "Công ty Điện lực Tây Ninh"
    not_yet = rpc_error(lambda: c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
        case_id=case_id, unit_ids=["cty-dien-luc"])))
    assert not_yet.code() == grpc.StatusCode.INVALID_ARGUMENT
    register(c, "cty-dien-luc", "Công ty Điện lực Tây Ninh", on_system=True)  # Đ7.3c: the unit joined
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["cty-dien-luc"]))
    assert r.case.status == CS.CASE_STATUS_IN_HANDLING


def test_clocks_of_a_fresh_case_follow_the_configured_threshold(start_platform, clients_for):
    """Đ7, Đ8.2b: 24-hour clocks. With regulation.due_soon_hours = 12 a case received now is on
    time; the reception clock stops at the distribution or at the cancellation."""
    p = start_platform("routing", **{"regulation.due_soon_hours": 12})
    c = clients_for(p)
    register(c, "so-gtvt", "Sở Giao thông vận tải")
    now = datetime.now(timezone.utc)
    case_id = receive(p, received_at=ts(now))
    fresh = get(c, case_id).reception_clock
    assert (fresh.name, fresh.state, fresh.late_working_days) == ("reception", K.CLOCK_STATE_ON_TIME, 0)
    waiting = c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases[0].reception_clock
    assert waiting.state == K.CLOCK_STATE_ON_TIME and waiting.deadline == fresh.deadline
    c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_thong"))
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-gtvt"]))
    assert r.case.reception_clock.state == K.CLOCK_STATE_STOPPED and r.case.reception_clock.deadline == fresh.deadline
    [a] = r.assignments
    assert (a.clock.name, a.clock.state) == ("return", K.CLOCK_STATE_ON_TIME)
    [listed] = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(unit_id="so-gtvt")).assignments
    assert listed.clock == a.clock

    # Received 20 hours ago: due soon (12 h threshold); cancelled now, on time: stopped.
    late_id = receive(p, received_at=ts(now - timedelta(hours=20)))
    assert get(c, late_id).reception_clock.state == K.CLOCK_STATE_DUE_SOON
    done = c.routing.CancelCase(routing_pb2.CancelCaseRequest(case_id=late_id, reason_code="advertising")).case
    assert done.reception_clock.state == K.CLOCK_STATE_STOPPED


def publish(p, case_id, event_type, payload, at):
    env = make_envelope("publication", event_type, case_id, payload, occurred_at=at)
    assert deliver(p, "routing", env) == 1


def test_publication_outcomes_follow_the_case_and_ignore_unknown_cases(routing):
    p, c = routing
    case_id = receive(p)
    t0 = datetime.now(timezone.utc)
    publish(p, case_id, "case.restricted", events_pb2.CaseRestricted(case_id=case_id, reason="Đ10.3c"),
            t0 + timedelta(minutes=2))
    assert get(c, case_id).status == CS.CASE_STATUS_RESTRICTED
    # A late, older event does not undo the newer outcome (Đ10.3c: a restricted case stays so).
    publish(p, case_id, "case.published", events_pb2.CasePublished(case_id=case_id), t0 + timedelta(minutes=1))
    assert get(c, case_id).status == CS.CASE_STATUS_RESTRICTED
    assert not c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases
    second = receive(p)
    publish(p, second, "result.delivered", events_pb2.ResultDelivered(case_id=second), t0 + timedelta(minutes=3))
    assert get(c, second).status == CS.CASE_STATUS_DELIVERED_PRIVATELY  # Đ10.3b
    # An event about a case this inbox never received is ignored, not parked.
    other = str(uuid.uuid4())
    publish(p, other, "case.published", events_pb2.CasePublished(case_id=other), t0)
    db = p.service("routing").db
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM failed_events")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one() == 2


def test_a_late_under_review_does_not_hide_the_publication(routing):
    p, c = routing
    case_id = receive(p)
    t0 = datetime.now(timezone.utc)
    publish(p, case_id, "case.under_review", events_pb2.CaseUnderReview(case_id=case_id), t0 + timedelta(minutes=1))
    assert get(c, case_id).status == CS.CASE_STATUS_UNDER_REVIEW
    assert [x.case_id for x in c.routing.ListInbox(routing_pb2.ListInboxRequest()).cases] == [case_id]
    publish(p, case_id, "case.published", events_pb2.CasePublished(case_id=case_id), t0 + timedelta(minutes=3))
    publish(p, case_id, "case.under_review", events_pb2.CaseUnderReview(case_id=case_id), t0 + timedelta(minutes=2))
    assert get(c, case_id).status == CS.CASE_STATUS_PUBLISHED


def test_inbox_and_assignments_page_oldest_first(routing):
    p, c = routing
    ids = [receive(p, received_at=ts(RECEIVED_AT + timedelta(minutes=i))) for i in range(5)]
    seen, token = [], ""
    while True:
        r = c.routing.ListInbox(routing_pb2.ListInboxRequest(page=CS.PageRequest(page_size=2, page_token=token)))
        assert len(r.cases) <= 2
        seen += [x.case_id for x in r.cases]
        token = r.next_page_token
        if not token:
            break
    assert seen == ids
    bad = rpc_error(lambda: c.routing.ListInbox(routing_pb2.ListInboxRequest(
        page=CS.PageRequest(page_token="garbage"), statuses=[0])))
    assert set(violations(bad)) == {"page.page_token", "statuses[0]"}

    register(c, "so-gd", "Sở Giáo dục và Đào tạo")
    for case_id in ids[:3]:
        c.routing.ClassifyCase(routing_pb2.ClassifyCaseRequest(case_id=case_id, category_code="giao_duc"))
        c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-gd"]))
    first = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(
        unit_id="so-gd", page=CS.PageRequest(page_size=2)))
    rest = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(
        unit_id="so-gd", page=CS.PageRequest(page_size=2, page_token=first.next_page_token)))
    assert [a.case_id for a in first.assignments] + [a.case_id for a in rest.assignments] == ids[:3]
    assert rest.next_page_token == ""
    assert not c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(unit_id="other")).assignments


def test_a_unit_sets_its_own_limit_of_at_most_six_working_days_dieu_8_2a(routing):
    """Đ8.2a: 1 to 6 working days from the unit's acceptance, as the unit asks; 7 is refused."""
    p, c = routing
    for days in (1, 6, 7):
        register(c, f"don-vi-{days}", f"Đơn vị {days}")
    accepted = {}
    for days in (1, 6, 7):
        case_id = classified_case(p, c)
        [a] = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(
            case_id=case_id, unit_ids=[f"don-vi-{days}"])).assignments
        accept = routing_pb2.AcceptAssignmentRequest(assignment_id=a.assignment_id, handling_working_days=days)
        if days == 7:
            refused = rpc_error(lambda req=accept: c.routing.AcceptAssignment(req))
            assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert list(violations(refused)) == ["handling_working_days"]
            assert "6" in violations(refused)["handling_working_days"]
            assert get(c, case_id).assignments[0].status == CS.ASSIGNMENT_STATUS_PENDING
            continue
        accepted[days] = c.routing.AcceptAssignment(accept).assignment
    for days, a in accepted.items():
        assert from_ts(a.deadline) == add_working_days(from_ts(a.accepted_at), days)
    assert sorted(e.handling_working_days for _, e in events(p, "assignment.accepted")) == [1, 6]


@pytest.mark.postgres
def test_routing_on_postgresql(start_platform, clients_for, postgres_url):
    """The same migrations and queries in the service's PostgreSQL schema (search_path)."""
    from tests.infra import fernet_keys

    p = start_platform("routing", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    assert len(c.routing.ListCategories(routing_pb2.ListCategoriesRequest()).categories) == 11
    register(c, "so-gtvt-pg", "Sở Giao thông vận tải")
    case_id = classified_case(p, c, "giao_thong")
    r = c.routing.DistributeCase(routing_pb2.DistributeCaseRequest(case_id=case_id, unit_ids=["so-gtvt-pg"]))
    accepted = c.routing.AcceptAssignment(routing_pb2.AcceptAssignmentRequest(
        assignment_id=r.assignments[0].assignment_id, handling_working_days=2)).assignment
    assert accepted.status == CS.ASSIGNMENT_STATUS_ACCEPTED
    assert from_ts(accepted.deadline) == add_working_days(from_ts(accepted.accepted_at), 2)
    mine = [(k, e) for k, e in events(p) if e.case_id == case_id]
    assert [k for k, _ in mine] == ["case.classified", "assignment.created", "assignment.accepted"]
    listed = c.routing.ListAssignments(routing_pb2.ListAssignmentsRequest(unit_id="so-gtvt-pg")).assignments
    assert [a.case_id for a in listed] == [case_id]
    with p.service("routing").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM routing.cases WHERE case_id = :c"),
                            {"c": case_id}).scalar_one() == 1
