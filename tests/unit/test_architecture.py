"""The architecture, checked: services do not import each other; rules stay free of I/O;
nothing is built at import time."""

import ast
from pathlib import Path

import pytest

from runtime.modules import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service):
    others = {s for s in SERVICES if s != service}
    for path in (ROOT / "services" / service).rglob("*.py"):
        bad = {m for m in imports(path) if m.split(".")[:2] in (["services", o] for o in others)}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("service", SERVICES)
def test_domain_rules_do_no_io(service):
    forbidden = ("sqlalchemy", "grpc", "minio", "kombu", "nameko", "smtplib", "socket", "runtime.db",
                 "runtime.messaging")
    mods = imports(ROOT / "services" / service / "domain.py")
    assert not {m for m in mods if m.startswith(forbidden)}, mods


def test_runtime_does_not_depend_on_a_particular_service():
    for path in (ROOT / "runtime").rglob("*.py"):
        assert not {m for m in imports(path) if m.startswith("services.")}, path


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_one_line_of_migrations(service):
    """One head per service: `upgrade heads` is unambiguous and the next migration has one parent."""
    revisions, parents = set(), set()
    for path in (ROOT / "services" / service / "migrations").glob("[0-9]*.py"):
        tree = ast.parse(path.read_text())
        values = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
        revisions.add(values["revision"])
        if values.get("down_revision"):
            parents.add(values["down_revision"])
    heads = revisions - parents
    assert len(heads) == 1, f"{service} has heads {sorted(heads)}"
    assert parents <= revisions
