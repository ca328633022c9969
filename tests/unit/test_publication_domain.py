"""Publication's pure rules: readiness (Đ10.2), visibility (Đ3.2, Đ10.3b–c, Đ12.2), Đ10.4c, search."""

from datetime import UTC, datetime

from pakn.common.v1 import common_pb2
from regulation.calendar import WorkingCalendar
from regulation.profile import RegulationProfile
from services.publication import domain

S = common_pb2.CaseStatus
T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def answer(aid, approved=False, returned=False, at=None, reworks=0):
    return domain.Answer(aid, f"unit-{aid}", returned, approved, at, reworks)


def test_ready_needs_every_expected_assignment_approved_and_at_least_one():
    assert not domain.ready([])
    assert not domain.ready([answer("a", approved=True, at=T0), answer("b")])
    assert domain.ready([answer("a", approved=True, at=T0), answer("b", approved=True, at=T1)])
    # A returned assignment (Đ8.2b) is no longer expected.
    assert domain.ready([answer("a", approved=True, at=T0), answer("b", returned=True)])
    assert not domain.ready([answer("b", returned=True)])


def test_review_deadline_is_24_hours_after_the_last_approval_dieu_10_2():
    found = [answer("a", approved=True, at=T0), answer("b", approved=True, at=T1)]
    cal = WorkingCalendar()
    assert domain.review_deadline(found, RegulationProfile(), cal) == datetime(2025, 3, 5, 9, 30, tzinfo=UTC)
    assert domain.review_deadline(found, RegulationProfile(publication_hours=2), cal) == datetime(
        2025, 3, 4, 11, 30, tzinfo=UTC)


def test_next_review_status_moves_into_and_out_of_review():
    done = [answer("a", approved=True, at=T0)]
    open_ = done + [answer("b")]
    assert domain.next_review_status(S.CASE_STATUS_IN_HANDLING, True, done) == S.CASE_STATUS_UNDER_REVIEW
    # Not before the case itself has been received.
    assert domain.next_review_status(S.CASE_STATUS_UNSPECIFIED, False, done) == S.CASE_STATUS_UNSPECIFIED
    assert domain.next_review_status(S.CASE_STATUS_UNDER_REVIEW, True, open_) == S.CASE_STATUS_IN_HANDLING
    assert domain.next_review_status(S.CASE_STATUS_PUBLISHED, True, open_) == S.CASE_STATUS_PUBLISHED


def test_late_events_never_move_a_case_back():
    assert domain.advance(S.CASE_STATUS_RECEIVED, S.CASE_STATUS_IN_HANDLING) == S.CASE_STATUS_IN_HANDLING
    assert domain.advance(S.CASE_STATUS_IN_HANDLING, S.CASE_STATUS_CLASSIFIED) == S.CASE_STATUS_IN_HANDLING
    assert domain.advance(S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_RECEIVED) == S.CASE_STATUS_UNDER_REVIEW
    assert domain.advance(S.CASE_STATUS_PUBLISHED, S.CASE_STATUS_CANCELLED) == S.CASE_STATUS_PUBLISHED


def test_only_published_answers_are_public_dieu_10_3b_c():
    assert domain.is_public(S.CASE_STATUS_PUBLISHED, T0)
    assert not domain.is_public(S.CASE_STATUS_DELIVERED_PRIVATELY, None)
    assert not domain.is_public(S.CASE_STATUS_RESTRICTED, T0)
    assert not domain.is_public(S.CASE_STATUS_UNDER_REVIEW, None)
    # Đ10.4c: a published answer stays readable while a unit re-handles it.
    assert domain.is_public(S.CASE_STATUS_IN_HANDLING, T0)
    assert domain.timeline_visible(S.CASE_STATUS_DELIVERED_PRIVATELY)
    assert not domain.timeline_visible(S.CASE_STATUS_RESTRICTED)


def test_not_satisfied_reworks_each_unit_once_dieu_10_4c():
    profile = RegulationProfile()
    found = [answer("a", approved=True, at=T0), answer("b", approved=True, at=T0, reworks=1),
             answer("c", returned=True)]
    assert [a.assignment_id for a in domain.units_to_rework_after_rating(found, profile)] == ["a"]


def test_on_time_means_not_after_the_review_deadline():
    assert domain.on_time(T0, T0)
    assert not domain.on_time(T1, T0)


def test_search_folds_case_and_diacritics():
    assert domain.fold("Đèn ĐƯỜNG  hỏng") == "den duong hong"
    assert domain.search_terms("  đèn   Đường ") == ["den", "duong"]
    assert domain.normalise_tracking_code(" 25-abc1o2x ") == "25-ABC102X"


def test_ownership_is_checked_against_the_keyed_hashes():
    assert domain.owns(["aa", "bb"], "bb")
    assert not domain.owns(["aa", "bb"], "cc")
    assert not domain.owns([], "")
