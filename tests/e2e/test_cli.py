"""The `pakn` command as people use it, against a running platform."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def pakn(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runtime.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.timeout(360)  # two demos and a dozen CLI processes
def test_demo_and_role_commands(start_platform, tmp_path):
    from tests.e2e.accounts import issuer_settings, logged_in

    p = start_platform("all")
    address = f"127.0.0.1:{p.port}"
    # The demo makes its accounts in the platform's issuer (its data_dir) and logs each one in there.
    demo = pakn(*issuer_settings(p), "--address", address, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "Xong / Done" in demo.stdout and "6. Người gửi nhận thư điện tử: published, received" in demo.stdout
    assert "demo accounts" in demo.stdout and "demo-dieuphoi (coordinator)" in demo.stdout
    assert "demo-lanhdao.so-gtvt (unit_leader @so-gtvt)" in demo.stdout
    again = pakn(*issuer_settings(p), "--address", address, "demo")  # the accounts exist: new passwords
    assert again.returncode == 0, again.stderr

    # The Zalo channel's service account submits for a citizen (Đ5); the citizen follows the case.
    made = pakn(*issuer_settings(p), "admin", "create-client", "zalo-bot", "--role", "channel", "--channel", "zalo")
    secret = made.stdout.split("client_secret: ")[1].strip()
    zalo = {"XDG_CONFIG_HOME": str(tmp_path / "zalo"), "PAKN_CLIENT_SECRET": secret}
    assert pakn(*issuer_settings(p), "login", "--client", "zalo-bot", env=zalo).returncode == 0
    submitted = pakn("--address", address, "citizen", "submit", "--channel", "zalo",
                     "--content", "Nước sinh hoạt khu phố 4 có màu vàng và mùi lạ từ hôm qua",
                     "--name", "Huỳnh Văn Khang", "--phone", "0918000111", "--email", "khang@example.vn",
                     "--place", "Khu phố 4, phường Tân Ninh", "--external-id", "zalo-msg-77", env=zalo)
    assert submitted.returncode == 0, submitted.stderr
    code = re.search(r"(\d{2}-[0-9A-Z]{7})", submitted.stdout).group(1)
    citizen = {"XDG_CONFIG_HOME": str(tmp_path / "citizen")}  # not logged in: anonymous
    status = pakn("--address", address, "citizen", "status", code, "--contact", "0918000111", env=citizen)
    assert status.returncode == 0 and '"status": "CASE_STATUS_RECEIVED"' in status.stdout
    as_hotline = pakn("--address", address, "citizen", "submit", "--channel", "hotline", "--content", "x" * 30,
                      "--name", "A", "--phone", "0918000111", env=zalo)
    assert as_hotline.returncode == 1 and "PERMISSION_DENIED" in as_hotline.stderr  # own channel only

    inbox = pakn("--address", address, "coordinator", "inbox", env=logged_in(tmp_path, p, "coordinator"))
    assert code in inbox.stdout and "0918000111" not in inbox.stdout and "Huỳnh" not in inbox.stdout


def test_bad_input_is_explained_in_both_languages_without_a_trace(start_platform, tmp_path):
    from tests.e2e.accounts import issuer_settings

    identity = start_platform("identity")
    p = start_platform("intake", **{"identity.embedded_issuer": identity.config.identity.embedded_issuer})
    _, secret = identity.get("identity-provider").accounts.create_client("web", ["channel"], channel="web_portal")
    portal = {"XDG_CONFIG_HOME": str(tmp_path / "web"), "PAKN_CLIENT_SECRET": secret}
    assert pakn(*issuer_settings(identity), "login", "--client", "web", env=portal).returncode == 0
    bad = pakn("--address", f"127.0.0.1:{p.port}", "citizen", "submit", "--content", " ", "--name", "A",
               "--email", "not-an-email", env=portal)
    assert bad.returncode == 1
    assert "INVALID_ARGUMENT" in bad.stderr
    assert "content: Thiếu nội dung" in bad.stderr and "content is required" in bad.stderr
    assert "submitter.email" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_config_print_redacts_secrets():
    shown = pakn("config", "print", "--help")
    assert shown.returncode == 0
    out = pakn("--set", "server.port=6001", "config", "print",
               env={"PAKN_DATABASE__URL": "postgresql://pakn:hunter2@db/pakn",
                    "PAKN_SECURITY__CONTACT_KEY": "k" * 44})
    assert out.returncode == 0, out.stderr
    assert "port = 6001" in out.stdout
    assert "hunter2" not in out.stdout and "k" * 44 not in out.stdout
    bad = pakn("--set", "server.port=http", "config", "print")
    assert bad.returncode == 1 and "server.port" in bad.stderr and "Traceback" not in bad.stderr


def test_parked_events_are_replayed_by_an_operator(start_platform, clients_for):
    """An event a consumer gave up on (parked in failed_events) is handled once the cause is fixed."""
    import sqlalchemy as sa

    from pakn.common.v1 import common_pb2
    from pakn.events.v1 import events_pb2
    from pakn.routing.v1 import routing_pb2
    from runtime.messaging import make_envelope, utcnow
    from tests.helpers import now_ts

    p = start_platform("all")
    case_id = "case-parked-1"
    envelope = make_envelope("intake", "case.received", case_id, events_pb2.CaseReceived(
        case_id=case_id, tracking_code="26-0000000", channel=common_pb2.CHANNEL_WEB_PORTAL,
        content="Cống thoát nước trước trường bị tắc", received_at=now_ts(0.5)))
    db = p.service("routing").db
    with db.transaction() as conn:  # as EventConsumer.handle leaves it after its last attempt
        conn.execute(db.metadata.tables["failed_events"].insert().values(
            event_id=envelope.event_id, handler="on_case_received", envelope=envelope.SerializeToString(),
            error_type="OperationalError", failed_at=utcnow()))
    replay = pakn("--set", f"data_dir={p.config.data_dir}", "admin", "replay-failed", "--service", "routing")
    assert replay.returncode == 0, replay.stderr
    assert "1 of 1 parked events handled" in replay.stdout
    case = clients_for(p).routing.GetCase(routing_pb2.GetCaseRequest(case_id=case_id)).case
    assert case.tracking_code == "26-0000000"
    with db.engine.connect() as conn:
        failed = db.metadata.tables["failed_events"]
        assert conn.execute(sa.select(sa.func.count()).select_from(failed)
                            .where(failed.c.resolved_at.is_(None))).scalar_one() == 0
    again = pakn("--set", f"data_dir={p.config.data_dir}", "admin", "replay-failed", "--service", "routing")
    assert again.returncode == 0 and "0 of 0" in again.stdout
