"""Disclosure of a submitter's contact (Đ13.8, Đ16.6) over real gRPC on PostgreSQL: one officer for
an ordinary case, two different officers for a case whose submitter asked to stay confidential
(Đ6.4), every disclosure and request listed without the contact."""

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from runtime.errors import error_info
from runtime.identity.roles import Role
from tests.helpers import now_ts, place, rpc_error, violations

pytestmark = pytest.mark.postgres

BODY, REASON = "Công an phường Tân Ninh", "Cần liên hệ người gửi để xác minh vụ việc"
NAME, PHONE, EMAIL, ADDRESS = "Trần Thị Bình", "0912345678", "binh@example.vn", "12 Trần Hưng Đạo"


def submit(c, secret: bool, request_id: str) -> str:
    return c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, request_id=request_id, occurred_at=now_ts(2), location=place(),
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay", keep_identity_secret=secret,
        submitter=intake_pb2.Submitter(full_name=NAME, phone=PHONE, email=EMAIL, address=ADDRESS))).case_id


@pytest.fixture
def world(start_platform, clients_for, actor, postgres_url):
    from tests.infra import fernet_keys

    p = start_platform("intake", **{"database.url": postgres_url, **fernet_keys()})
    c = clients_for(p)
    a = actor(p)

    def officer(name: str):
        return (("authorization", f"Bearer {a.token(Role.DISCLOSURE_OFFICER, subject=name)}"),)

    officer.anonymous = clients_for(p, token=None)
    return p, c, a, officer


def contact_of(submitter) -> tuple:
    return (submitter.full_name, submitter.phone, submitter.email, submitter.address)


def test_an_ordinary_case_is_disclosed_at_once_by_one_officer_and_recorded_dieu_13_8(world):
    p, c, _, officer = world
    case_id = submit(c, False, "plain")
    out = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body=f" {BODY} ", reason=REASON), metadata=officer("can-bo-07"))
    assert out.status == intake_pb2.DISCLOSURE_STATUS_DISCLOSED
    assert contact_of(out.submitter) == (NAME, PHONE, EMAIL, ADDRESS)
    with p.service("intake").db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT case_id, requesting_body, reason, requested_by, status, confidential, "
                                   "disclosed_at IS NOT NULL FROM disclosures")).one()
    assert tuple(row) == (case_id, BODY, REASON, "can-bo-07", "disclosed", False, True)


def test_a_confidential_case_needs_a_second_officers_approval_dieu_6_4(world):
    p, c, _, officer = world
    case_id = submit(c, True, "secret")
    asked = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body=BODY, reason=REASON), metadata=officer("can-bo-a"))
    # Only a request: no contact comes back, and it says a second officer must approve.
    assert asked.status == intake_pb2.DISCLOSURE_STATUS_PENDING_APPROVAL
    assert not asked.HasField("submitter") and asked.disclosure_id

    same = rpc_error(lambda: c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
        disclosure_id=asked.disclosure_id), metadata=officer("can-bo-a")))
    assert same.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(same).reason == "SAME_OFFICER"
    assert "cán bộ khác" in same.details() and "second officer" in same.details()
    assert PHONE not in same.details() and NAME not in same.details()
    with p.service("intake").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status, decided_by FROM disclosures")).one() == ("pending", "")

    approved = c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
        disclosure_id=asked.disclosure_id), metadata=officer("can-bo-b"))
    assert contact_of(approved.submitter) == (NAME, PHONE, EMAIL, ADDRESS)
    d = approved.disclosure
    assert (d.status, d.requested_by, d.decided_by, d.confidential, d.case_id) == (
        intake_pb2.DISCLOSURE_STATUS_DISCLOSED, "can-bo-a", "can-bo-b", True, case_id)
    assert d.HasField("disclosed_at") and d.HasField("decided_at")

    # Handed over once: a second approval (by a third officer too) is refused.
    again = rpc_error(lambda: c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
        disclosure_id=asked.disclosure_id), metadata=officer("can-bo-c")))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_refused_request_discloses_nothing_and_cannot_be_approved_after(world):
    _, c, _, officer = world
    case_id = submit(c, True, "secret")
    asked = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body=BODY, reason=REASON), metadata=officer("can-bo-a"))
    no_reason = rpc_error(lambda: c.intake.RefuseDisclosure(intake_pb2.RefuseDisclosureRequest(
        disclosure_id=asked.disclosure_id), metadata=officer("can-bo-b")))
    assert no_reason.code() == grpc.StatusCode.INVALID_ARGUMENT and set(violations(no_reason)) == {"reason"}
    refused = c.intake.RefuseDisclosure(intake_pb2.RefuseDisclosureRequest(
        disclosure_id=asked.disclosure_id, reason="Không đủ căn cứ"), metadata=officer("can-bo-b"))
    assert (refused.disclosure.status, refused.disclosure.refusal_reason) == (
        intake_pb2.DISCLOSURE_STATUS_REFUSED, "Không đủ căn cứ")
    assert not refused.disclosure.HasField("disclosed_at")
    late = rpc_error(lambda: c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
        disclosure_id=asked.disclosure_id), metadata=officer("can-bo-c")))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_request_needs_a_body_and_a_reason_in_both_languages(world):
    p, c, _, officer = world
    case_id = submit(c, True, "secret")
    err = rpc_error(lambda: c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body="  "), metadata=officer("can-bo-a")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    v = violations(err)
    assert set(v) == {"requesting_body", "reason"}
    assert "Thiếu" in v["reason"] and "required" in v["reason"]
    unknown = rpc_error(lambda: c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
        disclosure_id="00000000-0000-0000-0000-000000000000"), metadata=officer("can-bo-b")))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    with p.service("intake").db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM disclosures")).scalar_one() == 0


def test_only_disclosure_officers_decide_and_list_and_the_auditor_lists(world):
    _, c, a, officer = world
    case_id = submit(c, True, "secret")
    asked = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=case_id, requesting_body=BODY, reason=REASON), metadata=officer("can-bo-a"))
    def approve_as(metadata):
        return rpc_error(lambda: c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(
            disclosure_id=asked.disclosure_id), metadata=metadata))

    for role in (Role.COORDINATOR, Role.ADMINISTRATOR, Role.UNIT_LEADER):
        unit = "so-gtvt" if role == Role.UNIT_LEADER else None
        assert approve_as(a.metadata(role, unit=unit)).code() == grpc.StatusCode.PERMISSION_DENIED, role
    listed = c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(), metadata=a.metadata(Role.AUDITOR))
    assert [d.disclosure_id for d in listed.disclosures] == [asked.disclosure_id]
    def list_as(metadata):
        return rpc_error(lambda: c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(), metadata=metadata))

    for role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        assert list_as(a.metadata(role)).code() == grpc.StatusCode.PERMISSION_DENIED, role
    anonymous = rpc_error(lambda: officer.anonymous.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest()))
    assert anonymous.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


def test_the_list_says_who_for_whom_why_when_and_never_the_contact(world):
    _, c, _, officer = world
    plain, secret = submit(c, False, "plain"), submit(c, True, "secret")
    first = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=plain, requesting_body=BODY, reason=REASON), metadata=officer("can-bo-a"))
    second = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=secret, requesting_body="Tòa án nhân dân tỉnh", reason="Triệu tập"), metadata=officer("can-bo-a"))
    c.intake.ApproveDisclosure(intake_pb2.ApproveDisclosureRequest(disclosure_id=second.disclosure_id),
                               metadata=officer("can-bo-b"))
    third = c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=secret, requesting_body=BODY, reason=REASON), metadata=officer("can-bo-b"))

    listed = c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(), metadata=officer("can-bo-c"))
    assert [d.disclosure_id for d in listed.disclosures] == [third.disclosure_id, second.disclosure_id,
                                                            first.disclosure_id]  # newest first
    rows = {d.disclosure_id: d for d in listed.disclosures}
    assert (rows[first.disclosure_id].status, rows[first.disclosure_id].requested_by,
            rows[first.disclosure_id].decided_by, rows[first.disclosure_id].requesting_body) == (
        intake_pb2.DISCLOSURE_STATUS_DISCLOSED, "can-bo-a", "", BODY)
    assert (rows[second.disclosure_id].status, rows[second.disclosure_id].decided_by,
            rows[second.disclosure_id].reason) == (intake_pb2.DISCLOSURE_STATUS_DISCLOSED, "can-bo-b", "Triệu tập")
    assert rows[third.disclosure_id].status == intake_pb2.DISCLOSURE_STATUS_PENDING_APPROVAL
    assert all(d.HasField("requested_at") for d in listed.disclosures)
    raw = listed.SerializeToString()
    for personal in (NAME, PHONE, EMAIL, ADDRESS):
        assert personal.encode() not in raw

    # `pakn admin disclosures` prints these: one line each, local time, no contact either.
    from runtime.admin_disclosures import lines

    printed = lines(listed.disclosures)
    assert printed[1].split("\t")[1:7] == ["disclosed", secret, "Tòa án nhân dân tỉnh", "Triệu tập", "can-bo-a",
                                           "can-bo-b"]
    assert printed[0].split("\t")[6:8] == ["-", "-"]
    assert not any(personal in "\n".join(printed) for personal in (NAME, PHONE, EMAIL, ADDRESS))

    only = c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(case_id=secret), metadata=officer("can-bo-c"))
    assert {d.disclosure_id for d in only.disclosures} == {second.disclosure_id, third.disclosure_id}
    page = c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(page={"page_size": 2}),
                                    metadata=officer("can-bo-c"))
    rest = c.intake.ListDisclosures(intake_pb2.ListDisclosuresRequest(
        page={"page_size": 2, "page_token": page.next_page_token}), metadata=officer("can-bo-c"))
    assert [d.disclosure_id for d in [*page.disclosures, *rest.disclosures]] == [
        d.disclosure_id for d in listed.disclosures] and not rest.next_page_token


@pytest.mark.e2e
def test_pakn_admin_disclosures_lists_them_for_a_logged_in_officer(start_platform, clients_for, actor, tmp_path):
    """`pakn admin disclosures [--case]` as a real disclosure officer's account (pakn login), on SQLite;
    a coordinator's account is refused readably."""
    from tests.e2e.accounts import logged_in, pakn

    p = start_platform("all")
    c = clients_for(p)
    a = actor(p)
    plain, secret = submit(c, False, "plain"), submit(c, True, "secret")
    officer = (("authorization", f"Bearer {a.token(Role.DISCLOSURE_OFFICER, subject='can-bo-a')}"),)
    c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=plain, requesting_body=BODY, reason=REASON), metadata=officer)
    c.intake.DiscloseSubmitter(intake_pb2.DiscloseSubmitterRequest(
        case_id=secret, requesting_body="Tòa án nhân dân tỉnh", reason="Triệu tập"), metadata=officer)
    address = ("--address", f"127.0.0.1:{p.port}")
    env = logged_in(tmp_path, p, "disclosure_officer", username="can-bo-c")
    shown = pakn(*address, "admin", "disclosures", env=env)
    assert shown.returncode == 0, shown.stderr
    header, *rows = shown.stdout.splitlines()
    assert header.startswith("requested_at\tstatus\tcase_id")
    assert [r.split("\t")[1:4] for r in rows] == [["pending", secret, "Tòa án nhân dân tỉnh"],
                                                   ["disclosed", plain, BODY]]
    assert not any(personal in shown.stdout for personal in (NAME, PHONE, EMAIL, ADDRESS))
    only = pakn(*address, "admin", "disclosures", "--case", plain, env=env)
    assert only.returncode == 0 and [r.split("\t")[2] for r in only.stdout.splitlines()[1:]] == [plain]
    coordinator = logged_in(tmp_path, p, "coordinator", username="dieu-phoi")
    refused = pakn(*address, "admin", "disclosures", env=coordinator)
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr and "Traceback" not in refused.stderr
