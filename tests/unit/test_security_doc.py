"""docs/security.md shows the access policy of the code (scripts/policy_table.py) and every role."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from runtime.identity.policy import POLICY
from runtime.identity.roles import Role

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def test_the_policy_table_in_docs_security_is_fresh():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "policy_table.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_table_has_one_row_per_rule_with_its_roles_and_scope():
    sys.path.insert(0, str(ROOT / "scripts"))
    from policy_table import render

    rows = render().splitlines()[2:]
    assert len(rows) == len(POLICY)
    header = render().splitlines()[0].split(" | ")
    roles = [Role(h.strip("`| ")) for h in header[1:1 + len(Role)]]
    for line, (method, rule) in zip(rows, POLICY.items(), strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0].endswith(f"`{method.rsplit('/', 1)[1]}`")
        assert {r for r, mark in zip(roles, cells[1:1 + len(Role)], strict=True) if mark == "✓"} == set(rule.roles)
        assert cells[1 + len(Role)] == f"`{rule.scope}`"


def test_every_role_is_defined_against_the_regulation():
    text = DOC.read_text()
    section = text.split("## Roles", 1)[1].split("\n## ", 1)[0]
    defined = dict(re.findall(r"^\| `([a-z_]+)` \| .* \| (Đ[^|]+) \|$", section, flags=re.MULTILINE))
    assert set(defined) == {str(r) for r in Role}
    assert all(ids.strip() for ids in defined.values())
