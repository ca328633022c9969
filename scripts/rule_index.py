#!/usr/bin/env python3
"""Writes docs/rules.md: every rule id the code and tests cite, what the rule says, where it lives.

    python scripts/rule_index.py            write docs/rules.md
    python scripts/rule_index.py --check    exit 1 when docs/rules.md is not current

The statements come from the regulation's digest (the design's `regulation/DIGEST.md`, beside
the checkout as ../shared/regulation/DIGEST.md); the original Vietnamese text wins where they
differ. Run it after citing a new rule.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIGEST = ROOT.parent / "shared" / "regulation" / "DIGEST.md"
OUT = ROOT / "docs" / "rules.md"
CITED = re.compile(r"Đ\d+(?:\.\d+[a-zđ]?)*")
FOLDERS = ("runtime", "services", "regulation", "gateways", "tests")


def cited() -> dict[str, set[str]]:
    where: dict[str, set[str]] = defaultdict(set)
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for rule in CITED.findall(path.read_text(encoding="utf-8")):
                where[rule].add(str(path.relative_to(ROOT).parent if folder == "tests" else
                                    path.relative_to(ROOT)))
    return where


def digest() -> dict[str, str]:
    """Each digest entry "- Đx.y: text" (continued on indented lines), by id."""
    entries: dict[str, str] = {}
    current = None
    for line in DIGEST.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (.*) \((Đ\d+)(?:[–-]Đ?(\d+))?\)", line)
        if heading:
            first, last = int(heading.group(2)[1:]), int(heading.group(3) or heading.group(2)[1:])
            for n in range(first, last + 1):
                entries.setdefault(f"Đ{n}", f"{heading.group(1)} (the whole article)")
            current = None
            continue
        m = re.match(r"^- (Đ[\d.]+[a-zđ]?(?:[–-]Đ?[\d.]+[a-zđ]?)?)[^:]*: (.*)", line)
        if m:
            current = m.group(1)
            entries[current] = m.group(2).strip()
        elif current and line.startswith("  ") and line.strip():
            entries[current] += " " + line.strip()
        else:
            current = None
    return entries


def statement(rule: str, entries: dict[str, str]) -> str:
    probe = rule
    while probe:
        if probe in entries:
            text = entries[probe]
            text = text if len(text) <= 220 else text[:217].rsplit(" ", 1)[0] + " …"
            return text if probe == rule else f"(in {probe}) {text}"
        probe = probe[:-1] if probe[-1].isalpha() else probe.rsplit(".", 1)[0] if "." in probe else ""
    return "(see the regulation's text)"


def key(rule: str):
    return [int(p) if p.isdigit() else p for p in re.findall(r"\d+|[a-zđ]", rule)]


def render() -> str:
    entries, where = digest(), cited()
    lines = [
        "# Rule index",
        "",
        "Every rule of QĐ 58/2024/QĐ-UBND that the code or the tests cite, what it says (in short; the",
        "original Vietnamese text wins where they differ), and where it lives. `Đ7.3b` = Điều 7, khoản 3,",
        "điểm b. Written by `python scripts/rule_index.py`; a test keeps it current.",
        "",
        "| rule | what it says | where |",
        "|---|---|---|",
    ]
    for rule in sorted(where, key=key):
        places = ", ".join(f"`{p}`" for p in sorted(where[rule]))
        lines.append(f"| {rule} | {statement(rule, entries).replace('|', '/')} | {places} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/rules.md is not current: run python scripts/rule_index.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
