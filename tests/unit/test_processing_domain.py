"""Processing's pure rules: transitions (Đ8–Đ9), results (Đ8.3), extensions (Đ8.2a), rework (Đ10.4)."""

from datetime import UTC, datetime, timedelta

import pytest

from regulation.calendar import VN, WorkingCalendar
from regulation.profile import DEFAULT
from runtime.errors import FailedPrecondition, InvalidArgument
from services.processing import domain as d


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("action,status,target", [
    ("assign_handler", d.ACCEPTED, d.IN_PROGRESS),
    ("assign_handler", d.IN_PROGRESS, d.IN_PROGRESS),
    ("submit_result", d.IN_PROGRESS, d.AWAITING_APPROVAL),
    ("request_extension", d.ACCEPTED, d.ACCEPTED),
    ("approve", d.AWAITING_APPROVAL, d.APPROVED),                 # Đ9.3b
    ("return_to_handler", d.AWAITING_APPROVAL, d.IN_PROGRESS),    # Đ9.3a
    ("edit_and_approve", d.AWAITING_APPROVAL, d.APPROVED),        # Đ9.3a
])
def test_allowed_transitions(action, status, target):
    assert d.transition(action, status) == target


@pytest.mark.parametrize("action,status", [
    ("submit_result", d.ACCEPTED), ("approve", d.IN_PROGRESS), ("assign_handler", d.APPROVED),
    ("request_extension", d.AWAITING_APPROVAL), ("edit_and_approve", d.APPROVED),
])
def test_wrong_state_is_a_failed_precondition_in_both_languages(action, status):
    with pytest.raises(FailedPrecondition) as err:
        d.transition(action, status)
    assert "Không thể" in err.value.vi and "cannot" in err.value.en


# Each action from exactly these statuses: the leader acts only on a submitted result (Đ9.3a–b).
ALLOWED_FROM = {
    "assign_handler": {d.ACCEPTED, d.IN_PROGRESS},
    "submit_result": {d.IN_PROGRESS},
    "request_extension": {d.ACCEPTED, d.IN_PROGRESS},
    "approve": {d.AWAITING_APPROVAL},
    "return_to_handler": {d.AWAITING_APPROVAL},
    "edit_and_approve": {d.AWAITING_APPROVAL},
}


@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
def test_each_action_is_allowed_from_exactly_its_statuses(action):
    assert set(d.ACTIONS) == set(ALLOWED_FROM)
    for status in d.A.values():
        if status in ALLOWED_FROM[action]:
            d.transition(action, status)
        else:
            with pytest.raises(FailedPrecondition):
                d.transition(action, status)


def test_result_needs_an_answer_and_a_known_addressee_kind():
    """Đ8.3 / Appendix I."""
    with pytest.raises(InvalidArgument) as err:
        d.validate_result("  ", "", "công ty", ["m1", "m1"])
    assert {v.field for v in err.value.violations} == {
        "result.answer", "result.addressee_kind", "result.evidence_media_ids[1]"}
    ok = d.validate_result(" Đã sửa đèn ", "12/UBND", "Tổ chức", [])
    assert (ok.answer, ok.addressee_kind) == ("Đã sửa đèn", "tổ chức")


def test_extension_before_the_deadline_for_a_later_date():
    """Đ8.2a."""
    deadline = utc(2025, 3, 10, 16, 59, 59)
    with pytest.raises(InvalidArgument) as missing:
        d.validate_extension_request("", None)
    assert {v.field for v in missing.value.violations} == {"reason", "expected_completion"}
    with pytest.raises(FailedPrecondition):
        d.check_extension(deadline + timedelta(seconds=1), deadline, deadline + timedelta(days=3))
    with pytest.raises(InvalidArgument):
        d.check_extension(deadline - timedelta(hours=1), deadline, deadline)
    d.check_extension(deadline - timedelta(hours=1), deadline, deadline + timedelta(days=3))


def test_the_handling_clock_never_runs_longer_than_six_working_days():
    """Đ8.2a: the unit's own limit as accepted, 0 meaning the maximum; an event asking for more
    than 6 working days (another profile, an old producer) still gets 6."""
    assert [d.handling_days(n, DEFAULT) for n in (0, 1, 6, 7, 30)] == [6, 1, 6, 6, 6]
    friday = datetime(2025, 3, 7, 10, 0, tzinfo=VN).astimezone(UTC)
    due = d.handling_deadline(friday, d.handling_days(7, DEFAULT), WorkingCalendar(), "u")
    assert due.astimezone(VN).isoformat() == "2025-03-17T23:59:59+07:00"  # Fri + 6 WD: the next Monday but one


def test_approval_and_rework_deadlines_count_working_days():
    """Đ9 (1 WD) and Đ10.4a–b (2 WD): a Friday result is due Monday; a Friday rework Tuesday."""
    friday = datetime(2025, 3, 7, 10, 0, tzinfo=VN).astimezone(UTC)
    cal = WorkingCalendar()
    assert d.approval_deadline(friday, DEFAULT, cal, "u").astimezone(VN).date().isoformat() == "2025-03-10"
    assert d.rework_deadline(friday, DEFAULT, cal, "u").astimezone(VN).date().isoformat() == "2025-03-11"


def test_on_time_uses_the_rework_deadline_while_in_rework():
    original, rework = utc(2025, 3, 1), utc(2025, 3, 12)
    due = d.effective_deadline(original, rework)
    assert due == rework and d.on_time(utc(2025, 3, 11), due)
    assert not d.on_time(utc(2025, 3, 2), d.effective_deadline(original, None))


def test_rework_only_of_an_approved_result_and_once_after_a_rating():
    """Đ10.4c: a unit re-handles once after a "not satisfied" rating."""
    assert d.rework_refusal("format", d.APPROVED, 0, DEFAULT) is None
    assert d.rework_refusal("not_satisfied", d.APPROVED, 0, DEFAULT) is None
    used = DEFAULT.rework_per_unit_after_rating
    assert d.rework_refusal("not_satisfied", d.APPROVED, used, DEFAULT) == "rating_rework_used"
    assert d.rework_refusal("inaccurate", d.IN_PROGRESS, 0, DEFAULT) == "not_approved"
    assert d.rework_refusal("whatever", d.APPROVED, 0, DEFAULT) == "unknown_kind"


