"""The unit directory's people (Đ13.3, Đ16.1) over real gRPC on PostgreSQL: the leader and the
contact person encrypted at rest, every change in the history with the verified caller who made it,
and the names, phones and e-mails shown only to those who need them."""

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2 as CS
from pakn.routing.v1 import routing_pb2 as R
from runtime.crypto import Box
from runtime.identity.roles import Role
from tests.helpers import rpc_error, violations

pytestmark = [pytest.mark.postgres]

LEADER = CS.UnitPerson(name="Nguyễn Văn Hùng", position="Phó Giám đốc Sở", phone="0276 3822 456",
                       email="hung.nv@sogtvt.tayninh.gov.vn")
CONTACT = CS.UnitPerson(name="Lê Thị Mai", position="Chuyên viên Văn phòng", phone="0912 345 678",
                        email="mai.lt@sogtvt.tayninh.gov.vn")
NEW_CONTACT = CS.UnitPerson(name="Phạm Quốc Bảo", position="Chánh Văn phòng", phone="+84 987 654 321",
                            email="bao.pq@sogtvt.tayninh.gov.vn")
PERSONAL = [LEADER.name, LEADER.phone, LEADER.email, CONTACT.name, CONTACT.phone, CONTACT.email,
            NEW_CONTACT.name, NEW_CONTACT.phone, NEW_CONTACT.email, "3822", "345 678", "Hùng", "Mai", "Bảo"]


@pytest.fixture
def directory(start_platform, clients_for, actor, postgres_url):
    from tests.infra import fernet_keys

    p = start_platform("routing", **{"database.url": postgres_url, **fernet_keys()})
    a = actor(p)

    def as_(role, unit=None):
        return clients_for(p, token=a.token(role, unit=unit)).routing

    admin = as_(Role.ADMINISTRATOR)
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-gtvt", name="Sở Giao thông vận tải", leader_title="Giám đốc Sở",
        contact_title="Chánh Văn phòng", on_system=True, leader=LEADER, contact=CONTACT)))
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="ubnd-tan-ninh", name="UBND phường Tân Ninh", leader_title="Chủ tịch UBND phường",
        contact_title="Văn phòng", on_system=True)))
    return p, as_


def raw_rows(p, table: str) -> list[str]:
    """Every column of every row as PostgreSQL holds it, bytes decoded leniently."""
    db = p.service("routing").db
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
    out = []
    for row in rows:
        for value in row:
            out.append(bytes(value).decode("latin-1") if isinstance(value, (bytes, memoryview)) else str(value))
    return out


def stored_contacts(p, unit_id: str) -> bytes:
    db = p.service("routing").db
    units = db.metadata.tables["units"]
    with db.engine.connect() as conn:
        return conn.execute(sa.select(units.c.contacts_enc).where(units.c.unit_id == unit_id)).scalar_one()


def test_leaders_and_contact_persons_are_never_stored_in_clear_dieu_16_1(directory):
    p, as_ = directory
    as_(Role.UNIT_LEADER, "so-gtvt").UpdateUnitContacts(R.UpdateUnitContactsRequest(
        unit_id="so-gtvt", contact=NEW_CONTACT))
    for table in ("units", "unit_history"):
        cells = raw_rows(p, table)
        assert cells
        for value in PERSONAL:
            for encoding in ("utf-8", "latin-1"):
                needle = value.encode("utf-8").decode(encoding)
                assert not any(needle in cell for cell in cells), (table, value)
    # Encrypted with the directory's own key, not the submitters' contact key.
    sealed = stored_contacts(p, "so-gtvt")
    sec = p.config.security
    opened = Box(sec.directory_key).open(sealed)
    assert opened["leader"]["phone"] == LEADER.phone and opened["contact"]["email"] == NEW_CONTACT.email
    with pytest.raises(ValueError):
        Box(sec.contact_key).open(sealed)


def test_each_change_is_in_the_history_with_the_verified_caller_and_the_old_values_dieu_16_1(directory):
    p, as_ = directory
    leader = as_(Role.UNIT_LEADER, "so-gtvt")
    leader.UpdateUnitContacts(R.UpdateUnitContactsRequest(unit_id="so-gtvt", contact=NEW_CONTACT))
    # The same again changes nothing, so it records nothing.
    leader.UpdateUnitContacts(R.UpdateUnitContactsRequest(unit_id="so-gtvt", contact=NEW_CONTACT))
    admin = as_(Role.ADMINISTRATOR)
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-gtvt", name="Sở Xây dựng và Giao thông", leader_title="Giám đốc Sở",
        contact_title="Chánh Văn phòng", on_system=True)))
    changes = admin.GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt")).changes
    assert [c.action for c in changes] == ["updated", "contacts_updated", "registered"]
    renamed, moved, registered = changes
    # The verified callers: the tokens' subjects, never a header the caller writes.
    assert [c.actor for c in changes] == ["test-administrator", "test-unit_leader@so-gtvt", "test-administrator"]
    assert list(renamed.fields) == ["name"] and renamed.previous.name == "Sở Giao thông vận tải"
    # A rename left the people as they were (a person left out of RegisterUnit is kept).
    assert list(moved.fields) == ["contact.name", "contact.position", "contact.phone", "contact.email"]
    assert moved.previous.contact == CONTACT and not moved.previous.HasField("leader")
    assert "leader.phone" in registered.fields and not registered.previous.name
    assert all(c.changed_at.seconds > 0 for c in changes)
    [unit] = [u for u in admin.ListUnits(R.ListUnitsRequest()).units if u.unit_id == "so-gtvt"]
    assert unit.leader == LEADER and unit.contact == NEW_CONTACT
    # Paging, newest first.
    first = admin.GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt", page=CS.PageRequest(page_size=2)))
    rest = admin.GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt", page=CS.PageRequest(
        page_token=first.next_page_token)))
    assert [c.action for c in first.changes] + [c.action for c in rest.changes] == [c.action for c in changes]
    assert rest.next_page_token == ""


def test_contacts_are_shown_only_to_those_who_need_them_dieu_16_6(directory):
    _, as_ = directory

    def seen_by(role, unit=None):
        return {u.unit_id: u for u in as_(role, unit).ListUnits(R.ListUnitsRequest()).units}

    for role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        unit = seen_by(role)["so-gtvt"]
        assert (unit.leader, unit.contact, unit.contacts_withheld) == (LEADER, CONTACT, False)
    own = seen_by(Role.UNIT_LEADER, "so-gtvt")
    assert own["so-gtvt"].contact == CONTACT and not own["so-gtvt"].contacts_withheld
    for role, unit in ((Role.UNIT_OFFICER, "so-gtvt"), (Role.UNIT_LEADER, "ubnd-tan-ninh"),
                       (Role.REPORT_READER, None), (Role.DISCLOSURE_OFFICER, None)):
        shown = seen_by(role, unit)["so-gtvt"]
        assert shown.contacts_withheld, role
        assert shown.leader == CS.UnitPerson(position=LEADER.position), role
        assert shown.contact == CS.UnitPerson(position=CONTACT.position), role
        assert shown.name == "Sở Giao thông vận tải"
    # A unit without designated people has nothing to withhold.
    assert not seen_by(Role.UNIT_OFFICER, "so-gtvt")["ubnd-tan-ninh"].contacts_withheld


def decryptions(p) -> list[tuple]:
    db = p.service("routing").db
    log = db.metadata.tables["audit_log"]
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(log.c.actor_id, log.c.object_type, log.c.object_id, log.c.detail)
            .where(log.c.outcome == "decrypted").order_by(log.c.seq))]


def test_each_showing_of_the_people_in_clear_is_in_the_audit_trail_by_ids_only(directory):
    p, as_ = directory
    as_(Role.UNIT_OFFICER, "so-gtvt").ListUnits(R.ListUnitsRequest())  # withheld: nothing shown
    assert decryptions(p) == []
    as_(Role.COORDINATOR).ListUnits(R.ListUnitsRequest())
    as_(Role.ADMINISTRATOR).GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt"))
    as_(Role.UNIT_LEADER, "so-gtvt").UpdateUnitContacts(R.UpdateUnitContactsRequest(
        unit_id="so-gtvt", contact=NEW_CONTACT))
    as_(Role.ADMINISTRATOR).GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt"))
    assert decryptions(p) == [("test-coordinator", "unit", "", "list_units:1"),
                              ("test-administrator", "unit", "so-gtvt", "unit_history")]
    cells = raw_rows(p, "audit_log")
    assert not any(v in cell for v in PERSONAL for cell in cells)


def test_only_the_units_own_leader_or_the_administrator_changes_its_contacts_dieu_16_1(directory):
    p, as_ = directory
    request = R.UpdateUnitContactsRequest(unit_id="so-gtvt", contact=NEW_CONTACT)
    before = stored_contacts(p, "so-gtvt")
    for role, unit in ((Role.UNIT_LEADER, "ubnd-tan-ninh"), (Role.UNIT_OFFICER, "so-gtvt"),
                       (Role.COORDINATOR, None), (Role.UNIT_SYSTEM, "so-gtvt")):
        err = rpc_error(lambda role=role, unit=unit: as_(role, unit).UpdateUnitContacts(request))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED, role
    assert stored_contacts(p, "so-gtvt") == before
    for role, unit in ((Role.COORDINATOR, None), (Role.UNIT_LEADER, "so-gtvt")):
        err = rpc_error(lambda role=role, unit=unit: as_(role, unit).GetUnitHistory(
            R.GetUnitHistoryRequest(unit_id="so-gtvt")))
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    moved = as_(Role.ADMINISTRATOR).UpdateUnitContacts(R.UpdateUnitContactsRequest(
        unit_id="ubnd-tan-ninh", leader=LEADER)).unit
    assert moved.leader == LEADER and not moved.HasField("contact")
    err = rpc_error(lambda: as_(Role.ADMINISTRATOR).UpdateUnitContacts(R.UpdateUnitContactsRequest(
        unit_id="khong-co", leader=LEADER)))
    assert err.code() == grpc.StatusCode.NOT_FOUND


def test_designated_people_are_validated_in_both_languages_and_nothing_is_stored(directory):
    p, as_ = directory
    leader = as_(Role.UNIT_LEADER, "so-gtvt")
    before = (stored_contacts(p, "so-gtvt"), raw_rows(p, "unit_history"))
    cases = [
        (R.UpdateUnitContactsRequest(unit_id="so-gtvt"), {"leader"}),
        (R.UpdateUnitContactsRequest(unit_id="so-gtvt", contact=CS.UnitPerson(position="Văn thư")),
         {"contact.name", "contact.phone"}),
        (R.UpdateUnitContactsRequest(unit_id="so-gtvt", contact=CS.UnitPerson(
            name="Lê Mai", phone="12345", email="khong-phai-thu")), {"contact.phone", "contact.email"}),
        (R.UpdateUnitContactsRequest(unit_id="so-gtvt", leader=CS.UnitPerson(
            name="x" * 201, phone="0912345678")), {"leader.name"}),
        (R.UpdateUnitContactsRequest(unit_id="so-gtvt", leader=CS.UnitPerson(
            name="Lê Mai", phone="0912\x00345678")), {"leader.phone"}),
    ]
    for request, fields in cases:
        err = rpc_error(lambda request=request: leader.UpdateUnitContacts(request))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, request
        found = violations(err)
        assert set(found) == fields, found
        # Both languages, and never the value given.
        assert all(" / " in text for text in found.values()), found
        assert not any("12345" in text or "khong-phai-thu" in text for text in found.values())
    err = rpc_error(lambda: as_(Role.ADMINISTRATOR).RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-yte", name="Sở Y tế", leader_title="Giám đốc", contact_title="Văn phòng",
        leader=CS.UnitPerson(name="Trần Văn An", email="an@@soyte")))))
    assert set(violations(err)) == {"unit.leader.email"}
    assert (stored_contacts(p, "so-gtvt"), raw_rows(p, "unit_history")) == before
