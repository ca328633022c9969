"""Routing's pure rules: case transitions (Đ7.3), acceptance and return (Đ8.2), validation."""

from datetime import datetime, timedelta, timezone

import pytest

from pakn.common.v1 import common_pb2
from regulation.calendar import WorkingCalendar
from regulation.profile import DEFAULT
from runtime.errors import FailedPrecondition, InvalidArgument
from services.routing import domain
from services.routing.domain import AssignmentStatus as A
from services.routing.domain import CaseStatus as C

UTC = timezone.utc


def fields(exc: InvalidArgument) -> set[str]:
    return {v.field for v in exc.violations}


def test_statuses_mirror_the_proto_enums():
    for s in C:
        assert common_pb2.CaseStatus.Value(f"CASE_STATUS_{s.name}") == s.value
    for s in A:
        assert common_pb2.AssignmentStatus.Value(f"ASSIGNMENT_STATUS_{s.name}") == s.value
    assert len(C) == len(common_pb2.CaseStatus.values()) - 1


ALLOWED = {
    domain.VERIFY: {C.RECEIVED, C.VERIFYING},
    domain.CANCEL: {C.RECEIVED, C.VERIFYING, C.CLASSIFIED, C.AWAITING_UNIT},
    domain.SEND_BACK: {C.RECEIVED, C.CLASSIFIED},
    domain.CLASSIFY: {C.RECEIVED, C.CLASSIFIED},
    domain.DISTRIBUTE: {C.CLASSIFIED, C.AWAITING_UNIT, C.IN_HANDLING},
    domain.AWAIT_UNIT: {C.CLASSIFIED},
}
TARGETS = {domain.VERIFY: C.RECEIVED, domain.CANCEL: C.CANCELLED, domain.SEND_BACK: C.VERIFYING,
           domain.CLASSIFY: C.CLASSIFIED, domain.DISTRIBUTE: C.IN_HANDLING, domain.AWAIT_UNIT: C.AWAITING_UNIT}


@pytest.mark.parametrize("action", list(ALLOWED), ids=lambda a: a.name)
def test_each_coordinator_action_is_allowed_exactly_from_its_statuses(action):
    for status in C:
        if status in ALLOWED[action]:
            assert domain.check_case_action(action, status) is TARGETS[action]
        else:
            with pytest.raises(FailedPrecondition) as err:
                domain.check_case_action(action, status)
            assert status.name in err.value.en and "Không thể" in err.value.vi


def test_a_cancelled_or_published_case_cannot_be_distributed():
    # Đ7.3a: cancellation is final; Đ10: a published case is out of the coordinator's inbox.
    for status in (C.CANCELLED, C.PUBLISHED, C.RECEIVED):
        with pytest.raises(FailedPrecondition):
            domain.check_case_action(domain.DISTRIBUTE, status)


def test_only_pending_assignments_are_accepted_or_returned():
    domain.check_assignment_pending(A.PENDING, "accept", "tiếp nhận")
    for status in set(A) - {A.PENDING}:
        with pytest.raises(FailedPrecondition):
            domain.check_assignment_pending(status, "return", "trả lại")


def test_the_case_goes_back_to_the_coordinator_only_when_every_unit_returned_it():
    # Đ8.2b
    assert domain.status_after_return(C.IN_HANDLING, 0) is C.CLASSIFIED
    assert domain.status_after_return(C.IN_HANDLING, 1) is C.IN_HANDLING
    assert domain.is_active(A.ACCEPTED) and domain.is_active(A.PENDING) and not domain.is_active(A.RETURNED)


def test_open_statuses_exclude_finished_cases():
    assert C.UNDER_REVIEW in domain.OPEN and C.IN_HANDLING in domain.OPEN
    for s in (C.CANCELLED, C.PUBLISHED, C.DELIVERED_PRIVATELY, C.RESTRICTED, C.CLOSED):
        assert s not in domain.OPEN


def test_publication_outcomes_ignore_late_events_and_never_reopen_a_cancelled_case():
    t0 = datetime(2025, 3, 3, 8, tzinfo=UTC)
    assert domain.apply_outcome(C.IN_HANDLING, t0, C.UNDER_REVIEW, t0 + timedelta(hours=1))
    # case.published (t0+2h) applied first; a late case.under_review (t0+1h) must not hide it.
    assert not domain.apply_outcome(C.PUBLISHED, t0 + timedelta(hours=2), C.UNDER_REVIEW, t0 + timedelta(hours=1))
    assert not domain.apply_outcome(C.CANCELLED, t0, C.PUBLISHED, t0 + timedelta(days=1))


def test_reception_and_return_deadlines_are_24_calendar_hours():
    # Đ7, Đ8.2b
    t = datetime(2025, 3, 7, 15, 0, tzinfo=UTC)  # a Friday: calendar hours, weekends included
    cal = WorkingCalendar()
    assert domain.reception_deadline(t, DEFAULT, cal) == t + timedelta(hours=24)
    assert domain.return_deadline(t, DEFAULT, cal, "unit-1") == t + timedelta(hours=24)
    deadline = domain.return_deadline(t, DEFAULT, cal, "unit-1")
    assert domain.returned_within_limit(deadline, deadline)
    assert not domain.returned_within_limit(deadline + timedelta(seconds=1), deadline)


def test_handling_limit_is_one_to_six_working_days_and_zero_means_six():
    # Đ8.2a: at most 6 working days; both edges are taken as asked, one more is refused.
    assert domain.validate_accept("a1", 0, DEFAULT) == 6
    for days in (1, 3, 6):
        assert domain.validate_accept("a1", days, DEFAULT) == days
        assert domain.handling_days(days, DEFAULT) == days
    for bad in (-1, 7, 30):
        with pytest.raises(InvalidArgument):
            domain.handling_days(bad, DEFAULT)
        with pytest.raises(InvalidArgument) as err:
            domain.validate_accept("a1", bad, DEFAULT)
        assert fields(err.value) == {"handling_working_days"}


def test_handling_deadline_skips_the_weekend():
    # Đ8.2a: accepted on Friday 2025-03-07 (Vietnam time), 1 working day -> Monday 23:59:59 local.
    accepted = datetime(2025, 3, 7, 3, 0, tzinfo=UTC)
    deadline = domain.handling_deadline(accepted, 1, WorkingCalendar(), "unit-1")
    assert deadline == datetime(2025, 3, 10, 16, 59, 59, tzinfo=UTC)


def test_cancel_needs_a_d65_reason():
    domain.validate_cancel("c1", "advertising", "")
    assert set(domain.CANCEL_REASONS) == {"complaint_or_denunciation", "harmful", "advertising", "vulgar",
                                          "defamation", "emergency", "insufficient_content"}
    with pytest.raises(InvalidArgument) as err:
        domain.validate_cancel("", "spam", "x" * 3000)
    assert fields(err.value) == {"case_id", "reason_code", "note"}


def test_distribution_reports_every_bad_unit_at_once():
    units = {"a": domain.UnitFacts(True, True), "b": domain.UnitFacts(True, False), "c": domain.UnitFacts(True, True)}
    domain.validate_distribution("c1", ["a", "c"], units, set(), "")
    with pytest.raises(InvalidArgument) as err:
        domain.validate_distribution("c1", ["a", "a", "b", "zz", "c"], units, {"c"}, "")
    v = {x.field: x.en for x in err.value.violations}
    assert set(v) == {"unit_ids[1]", "unit_ids[2]", "unit_ids[3]", "unit_ids[4]"}
    assert "twice" in v["unit_ids[1]"] and "joined" in v["unit_ids[2]"]
    assert "unknown" in v["unit_ids[3]"] and "already" in v["unit_ids[4]"]
    with pytest.raises(InvalidArgument) as err:
        domain.validate_distribution("c1", [], units, set(), "")
    assert fields(err.value) == {"unit_ids"}


def test_unit_needs_a_slug_a_name_a_leader_and_a_contact():
    # Đ13.3, Đ16.1
    ok = domain.validate_unit(domain.UnitDraft("so-gtvt", " Sở Giao thông vận tải ", "Giám đốc", "Chánh VP", True))
    assert ok.name == "Sở Giao thông vận tải"
    with pytest.raises(InvalidArgument) as err:
        domain.validate_unit(domain.UnitDraft("Sở GTVT", "", " ", "", False))
    assert fields(err.value) == {"unit.unit_id", "unit.name", "unit.leader_title", "unit.contact_title"}


def test_classify_and_awaiting_unit_and_return_need_their_fields():
    with pytest.raises(InvalidArgument) as err:
        domain.validate_classify("c1", "khong_co", {"giao_thong"})
    assert fields(err.value) == {"category_code"}
    with pytest.raises(InvalidArgument) as err:
        domain.validate_awaiting_unit("c1", " ")
    assert fields(err.value) == {"proposed_unit_name"}
    with pytest.raises(InvalidArgument) as err:
        domain.validate_return("", "")
    assert fields(err.value) == {"assignment_id", "reason"}


def test_paging_tokens_round_trip_and_bad_ones_are_refused():
    t = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    pg = domain.page(10, domain.page_token(t, "id-1"))
    assert pg.size == 10 and pg.after == (t.isoformat(), "id-1")
    assert domain.page(0, "").size == domain.DEFAULT_PAGE
    assert domain.page(10_000, "").size == domain.MAX_PAGE
    with pytest.raises(InvalidArgument) as err:
        domain.page(-1, "not-a-token", [1, 0, 99], {1, 2})
    assert fields(err.value) == {"page.page_size", "page.page_token", "statuses[1]", "statuses[2]"}
