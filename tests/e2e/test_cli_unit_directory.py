"""`pakn admin unit-contacts` and `pakn admin unit-history` (Đ16.1) as people use them: real accounts
logged in, against a running routing that verifies the issuer's tokens over HTTP."""

from __future__ import annotations

import functools
import json

import pytest

from pakn.common.v1 import common_pb2 as CS
from pakn.routing.v1 import routing_pb2 as R
from runtime.identity.roles import Role
from tests.e2e import accounts

pytestmark = pytest.mark.e2e


def test_a_unit_reports_its_contact_person_and_the_administrator_reads_the_history(
        start_platform, clients_for, actor, tmp_path):
    identity = start_platform("identity")
    p = start_platform("routing", **{"identity.embedded_issuer": identity.config.identity.embedded_issuer})
    admin = clients_for(p, token=actor(p).token(Role.ADMINISTRATOR)).routing
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-gtvt", name="Sở Giao thông vận tải", leader_title="Giám đốc Sở", contact_title="Văn phòng",
        on_system=True, contact=CS.UnitPerson(name="Lê Thị Mai", phone="0912 345 678"))))
    address = ("--address", f"127.0.0.1:{p.port}")
    leader = functools.partial(accounts.pakn, env=accounts.logged_in(
        tmp_path, identity, "unit_leader", unit="so-gtvt", username="lanh-dao.so-gtvt"))
    operator = functools.partial(accounts.pakn, env=accounts.logged_in(
        tmp_path, identity, "administrator", username="quan-tri"))

    done = leader(*address, "admin", "unit-contacts", "so-gtvt", "--contact-name", "Phạm Quốc Bảo",
                  "--contact-position", "Chánh Văn phòng", "--contact-phone", "+84 987 654 321")
    assert done.returncode == 0, done.stderr
    unit = json.loads(done.stdout)
    assert unit["contact"] == {"name": "Phạm Quốc Bảo", "position": "Chánh Văn phòng", "phone": "+84 987 654 321"}

    bad = leader(*address, "admin", "unit-contacts", "so-gtvt", "--leader-name", "Nguyễn Văn Hùng",
                 "--leader-phone", "12345")
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr and "leader.phone" in bad.stderr
    assert "Số điện thoại không hợp lệ" in bad.stderr and "not a Vietnamese phone number" in bad.stderr
    assert "Traceback" not in bad.stderr
    other = leader(*address, "admin", "unit-contacts", "ubnd-tan-ninh", "--leader-name", "Ai đó",
                   "--leader-phone", "0912345678")
    assert other.returncode == 1 and "PERMISSION_DENIED" in other.stderr
    nothing = leader(*address, "admin", "unit-contacts", "so-gtvt")
    assert nothing.returncode == 2 and "--leader-" in nothing.stderr

    history = operator(*address, "admin", "unit-history", "so-gtvt")
    assert history.returncode == 0, history.stderr
    changes = json.loads(history.stdout)["changes"]
    assert [c["action"] for c in changes] == ["contacts_updated", "registered"]
    assert changes[0]["actor"] != changes[1]["actor"]  # the leader's account, then the test's administrator
    assert changes[0]["previous"]["contact"] == {"name": "Lê Thị Mai", "phone": "0912 345 678"}
    refused = leader(*address, "admin", "unit-history", "so-gtvt")
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr
