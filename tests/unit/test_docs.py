"""What the docs show must be true of the code."""

from __future__ import annotations

import re
from pathlib import Path

from services.intake.domain import valid_tracking_code

ROOT = Path(__file__).resolve().parents[2]
TRACKING = re.compile(r"\b\d{2}-[0-9A-HJKMNP-TV-Z]{7}\b")


def test_every_tracking_code_in_the_docs_passes_the_check_digit():
    found = {}
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for code in TRACKING.findall(doc.read_text()):
            found[code] = doc.name
    assert found, "the docs show no tracking code any more: keep this test honest"
    assert [f"{code} ({doc})" for code, doc in found.items() if not valid_tracking_code(code)] == []


def test_every_rule_the_code_cites_is_in_the_rule_index():
    """docs/rules.md (python scripts/rule_index.py) names every Đ id that code and tests cite."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from rule_index import cited

    index = (ROOT / "docs" / "rules.md").read_text()
    listed = set(re.findall(r"^\| (Đ[^ ]+) \|", index, flags=re.MULTILINE))
    assert sorted(set(cited()) - listed) == []
