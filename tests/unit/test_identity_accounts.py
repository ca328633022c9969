"""The embedded issuer's parts that need no server: the CLI's role list, the failed-login window."""

from __future__ import annotations

from runtime.admin_accounts import ROLES
from runtime.identity.provider import FailedLogins
from runtime.identity.roles import Role


def test_the_cli_offers_every_role_but_the_citizens():
    assert sorted(ROLES) == sorted(str(r) for r in Role if r != Role.CITIZEN)


def test_failed_logins_block_a_username_or_a_source_for_the_rest_of_the_window():
    now = [1000.0]
    limits = FailedLogins(3, 60, clock=lambda: now[0])
    for _ in range(2):
        limits.failed("user:a", "source:1.2.3.4")
    assert limits.blocked_for("user:a", "source:1.2.3.4") == 0
    limits.failed("user:a", "source:1.2.3.4")
    assert limits.blocked_for("user:a", "source:9.9.9.9") == 60  # the name, from any address
    assert limits.blocked_for("user:b", "source:1.2.3.4") == 60  # any name, from that address
    assert limits.blocked_for("user:b", "source:9.9.9.9") == 0
    now[0] += 45
    assert limits.blocked_for("user:a") == 15
    now[0] += 15
    assert limits.blocked_for("user:a", "source:1.2.3.4") == 0  # the window passed
    limits.failed("user:c")
    limits.succeeded("user:c")
    assert limits.blocked_for("user:c") == 0


def test_the_helm_chart_runs_the_identity_target_and_points_every_process_at_it():
    from pathlib import Path

    import yaml

    chart = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "pakn"
    values = yaml.safe_load((chart / "values.yaml").read_text())["identity"]
    deployment = (chart / "templates" / "identity.yaml").read_text()
    assert '"--target=identity"' in deployment and "PAKN_IDENTITY__HTTP_PORT" in deployment
    assert values["enabled"] and values["issuer"].startswith("https://")  # http only on loopback
    assert "PAKN_IDENTITY__EMBEDDED_ISSUER" in (chart / "templates" / "configmap.yaml").read_text()
