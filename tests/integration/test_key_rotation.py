"""Rotating the keys of personal data without downtime (docs/crypto.md), on PostgreSQL and in
monolithic mode: data sealed with key 1 is still read with [key 2, key 1], `pakn admin reencrypt`
moves every service's sealed values to key 2 while the platform runs, and then key 2 alone reads
everything — a submitter's contact in intake (its row and its outbox), in notification, and a
unit's leader and contact person in routing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.fernet import Fernet

from pakn.common.v1 import common_pb2 as CS
from pakn.events.v1 import events_pb2
from pakn.intake.v1 import intake_pb2
from pakn.routing.v1 import routing_pb2 as R
from runtime.cli import main
from runtime.crypto import FERNET_KEYS, Box
from runtime.identity.roles import Role
from runtime.messaging import ts, unpack
from tests.helpers import eventually, place
from tests.integration.test_notification_api import mails

PHONE, EMAIL = "0912345678", "binh@example.vn"
LEADER = CS.UnitPerson(name="Nguyễn Văn Hùng", position="Phó Giám đốc Sở", phone="0276 3822 456",
                       email="hung.nv@sogtvt.tayninh.gov.vn")


def submit(c, request_id: str) -> intake_pb2.SubmitCaseResponse:
    occurred = ts(datetime.now(timezone.utc) - timedelta(hours=2))
    return c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=CS.CHANNEL_MOBILE_APP, request_id=request_id, occurred_at=occurred, location=place(),
        content="Đèn chiếu sáng đường Trần Hưng Đạo bị hỏng cả tuần nay",
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone=PHONE, email=EMAIL)))


def sealed_values(p) -> dict[str, list[bytes]]:
    """Every sealed value the platform stores, by purpose, read raw from each service's tables."""
    out: dict[str, list[bytes]] = {k: [] for k in FERNET_KEYS}

    def column(service, table, name, purpose):
        db = p.service(service).db
        t = db.metadata.tables[table]
        with db.engine.connect() as conn:
            out[purpose] += [bytes(v) for v in conn.execute(sa.select(t.c[name])).scalars() if v is not None]

    column("intake", "cases", "contact_enc", "contact_key")
    column("notification", "recipients", "sealed_contact", "notification_key")
    column("routing", "units", "contacts_enc", "directory_key")
    column("routing", "unit_history", "previous_enc", "directory_key")
    db = p.service("intake").db
    outbox = db.metadata.tables["outbox"]
    with db.engine.connect() as conn:
        for raw in conn.execute(sa.select(outbox.c.envelope).where(outbox.c.event_type == "case.received")).scalars():
            out["notification_key"].append(unpack(events_pb2.EventEnvelope.FromString(raw)).sealed_contact)
    return out


def opens(keys: dict[str, str], values: dict[str, list[bytes]]) -> dict[str, bool]:
    """Whether every value of each purpose opens with the key(s) given for it."""
    result = {}
    for purpose, items in values.items():
        box = Box(keys[purpose])
        try:
            result[purpose] = all(box.open(v) for v in items) and bool(items)
        except ValueError:
            result[purpose] = False
    return result


def cli(*args: str, settings: dict[str, str] | None = None):
    sets = [a for k, v in (settings or {}).items() for a in ("--set", f"{k}={v}")]
    return CliRunner().invoke(main, [*sets, "admin", *args], catch_exceptions=False)


def reads_everything(p, clients_for, actor, cases, cancel, expect_mails: int) -> None:
    """Each service opens what it holds: intake the contact (the citizen's proof, Đ6.3), routing the
    unit's people and their history, notification the contact (to tell the submitter)."""
    citizen = clients_for(p, token=None)
    for case in cases:
        status = citizen.intake.GetCaseStatus(intake_pb2.GetCaseStatusRequest(
            tracking_code=case.tracking_code, contact=PHONE))
        assert status.tracking_code == case.tracking_code
    admin = clients_for(p, token=actor(p).token(Role.ADMINISTRATOR)).routing
    [unit] = [u for u in admin.ListUnits(R.ListUnitsRequest()).units if u.unit_id == "so-gtvt"]
    assert unit.leader == LEADER
    history = admin.GetUnitHistory(R.GetUnitHistoryRequest(unit_id="so-gtvt")).changes
    assert history[0].previous.leader.name == "Trần Văn Cũ"
    coordinator = clients_for(p, token=actor(p).token(Role.COORDINATOR)).routing
    eventually(lambda: coordinator.GetCase(R.GetCaseRequest(case_id=cancel.case_id)).case.case_id)
    coordinator.CancelCase(R.CancelCaseRequest(case_id=cancel.case_id, reason_code="advertising"))
    eventually(lambda: len([m for m in mails(p) if EMAIL in m[0]]) >= expect_mails, timeout=20)


@pytest.mark.postgres
def test_keys_rotate_across_every_service_without_losing_data(start_platform, clients_for, actor, postgres_url):
    key1 = {k: Fernet.generate_key().decode() for k in FERNET_KEYS}
    key2 = {k: Fernet.generate_key().decode() for k in FERNET_KEYS}
    verifier = Fernet.generate_key().decode()

    def settings(keys):
        return {"database.url": postgres_url, "security.verifier_key": verifier,
                **{f"security.{k}": v for k, v in keys.items()}}

    # Everything sealed with key 1.
    p = start_platform("all", **settings(key1))
    c = clients_for(p)
    admin = clients_for(p, token=actor(p).token(Role.ADMINISTRATOR)).routing
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-gtvt", name="Sở Giao thông vận tải", leader_title="Giám đốc Sở", contact_title="Văn phòng",
        on_system=True, leader=CS.UnitPerson(name="Trần Văn Cũ", phone="0912000111"))))
    admin.UpdateUnitContacts(R.UpdateUnitContactsRequest(unit_id="so-gtvt", leader=LEADER))
    first = submit(c, "before-rotation")
    eventually(lambda: len(sealed_values(p)["notification_key"]) == 2)
    assert all(opens(key1, sealed_values(p)).values())
    p.stop()

    # [key 2, key 1]: key 2 seals what is new, key 1 still opens the rest; re-encrypted meanwhile.
    both = {k: f"{key2[k]},{key1[k]}" for k in FERNET_KEYS}
    p = start_platform("all", **settings(both))
    c = clients_for(p)
    second = submit(c, "after-rotation")
    eventually(lambda: len(sealed_values(p)["notification_key"]) == 4)
    values = sealed_values(p)
    assert not any(opens(key2, values).values()) and all(opens(both, values).values())
    check = cli("reencrypt", "--check", settings=settings(both))
    assert check.exit_code == 1 and "to re-encrypt: " in check.output
    run = cli("reencrypt", "--batch-size", "1", settings=settings(both))
    assert run.exit_code == 0, run.output
    assert "intake cases.contact_enc (contact_key): 1 re-encrypted, 1 current, 0 unreadable" in run.output
    assert "routing unit_history.previous_enc (directory_key): 1 re-encrypted" in run.output
    assert "intake outbox.envelope (notification_key): 1 re-encrypted, 1 current" in run.output
    assert all(opens(key2, sealed_values(p)).values())
    # Idempotent: a second run rewrites nothing, and the check passes.
    again = cli("reencrypt", settings=settings(both))
    assert again.exit_code == 0 and "re-encrypted: 0; unreadable: 0" in again.output
    assert cli("reencrypt", "--check", settings=settings(both)).exit_code == 0
    # The platform kept working throughout, with both keys.
    reads_everything(p, clients_for, actor, [first, second], first, expect_mails=2)
    p.stop()

    # Key 2 alone reads everything: key 1 is gone.
    p = start_platform("all", **settings(key2))
    reads_everything(p, clients_for, actor, [first, second], second, expect_mails=1)
    values = sealed_values(p)
    assert all(opens(key2, values).values()) and not any(opens(key1, values).values())
    # A value no listed key opens is reported, never dropped or fatal.
    old = cli("reencrypt", "--service", "routing", settings=settings(key1))
    assert old.exit_code == 1 and "routing units.contacts_enc (directory_key): 0 re-encrypted, 0 current, " \
                                  "1 unreadable" in old.output


def test_monolithic_keys_rotate_in_keys_json_while_the_platform_runs(start_platform, clients_for, actor):
    p = start_platform("all")
    data = {"data_dir": p.config.data_dir}
    path = Path(p.config.data_dir) / "keys.json"
    c = clients_for(p)
    first = submit(c, "before-rotation")
    admin = clients_for(p, token=actor(p).token(Role.ADMINISTRATOR)).routing
    admin.RegisterUnit(R.RegisterUnitRequest(unit=CS.Unit(
        unit_id="so-gtvt", name="Sở Giao thông vận tải", leader_title="Giám đốc Sở", contact_title="Văn phòng",
        on_system=True, leader=CS.UnitPerson(name="Trần Văn Cũ", phone="0912000111"))))
    old = {k: v[0] for k, v in json.loads(path.read_text()).items()}

    rotated = cli("rotate-keys", settings=data)
    assert rotated.exit_code == 0, rotated.output
    stored = json.loads(path.read_text())
    assert all(len(stored[k]) == 2 and stored[k][1] == old[k] for k in FERNET_KEYS)
    assert stored["verifier_key"] == [old["verifier_key"]]  # hashes cannot be re-made: not rotated
    assert path.stat().st_mode & 0o777 == 0o600
    new = {k: stored[k][0] for k in FERNET_KEYS}
    # The running platform seals with the new key at once (no restart), and still opens the old.
    admin.UpdateUnitContacts(R.UpdateUnitContactsRequest(unit_id="so-gtvt", leader=LEADER))
    second = submit(c, "after-rotation")
    eventually(lambda: len(sealed_values(p)["notification_key"]) == 4)
    db = p.service("intake").db
    cases = db.metadata.tables["cases"]
    with db.engine.connect() as conn:
        newest = conn.execute(sa.select(cases.c.contact_enc).where(cases.c.case_id == second.case_id)).scalar_one()
    assert Box(new["contact_key"]).open(newest)["phone"] == PHONE

    refused = cli("retire-keys", settings=data)
    assert refused.exit_code != 0 and "run pakn admin reencrypt first" in refused.output
    assert len(json.loads(path.read_text())["contact_key"]) == 2
    assert cli("reencrypt", settings=data).exit_code == 0
    # Opening every sealed value is recorded once per service and run (docs/audit.md).
    trail = p.service("intake").audit
    with p.service("intake").db.engine.connect() as conn:
        opened = conn.execute(sa.select(trail.log).where(trail.log.c.action == "admin:reencrypt")).all()
    assert [(r.actor_id, r.outcome, r.object_type) for r in opened] == [("system:admin", "decrypted", "sealed_values")]
    retired = cli("retire-keys", settings=data)
    assert retired.exit_code == 0, retired.output
    assert {k: v for k, v in json.loads(path.read_text()).items() if k in FERNET_KEYS} == \
        {k: [v] for k, v in new.items()}
    assert all(opens(new, sealed_values(p)).values())
    reads_everything(p, clients_for, actor, [first, second], first, expect_mails=3)


def test_keys_set_in_the_configuration_are_not_rewritten_by_rotate_keys(tmp_path):
    key = Fernet.generate_key().decode()
    out = cli("rotate-keys", settings={"data_dir": str(tmp_path), "security.contact_key": key})
    assert out.exit_code != 0 and "security.contact_key" in out.output and key not in out.output
    out = cli("rotate-keys", settings={"data_dir": str(tmp_path), "database.url": "postgresql://x/y"})
    assert out.exit_code != 0 and "microservices mode" in out.output
