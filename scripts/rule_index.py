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


# Rules the digest has no line of their own for, in short from the original Vietnamese text
# (../shared/regulation/qd-58-2024-ubnd-tay-ninh.txt, Quy chế, the article and clause given).
FROM_THE_TEXT = {
    "Đ2.4": "the coordinating unit (đơn vị điều phối) verifies and receives PAKN and distributes them to the "
            "processing units.",
    "Đ2.5": "processing units (đơn vị xử lý): the province's state administrative bodies, central bodies in the "
            "province, and public-service companies given PAKN to handle.",
    "Đ2.6": "handlers (nhân sự xử lý): officers of a processing unit assigned to handle PAKN by the procedure of "
            "the regulation.",
    "Đ5.1d": "the e-mail channel (thư điện tử).",
    "Đ5.1g": "the 1022 Tây Ninh telephone hotline (tổng đài 1022).",
    "Đ6.5a": "not accepted: disputes, lawsuits, complaints and denunciations.",
    "Đ6.5b": "not accepted: content harming national interests (incitement, anti-state propaganda, division, "
             "public disorder, cyber-attacks, disclosed state secrets).",
    "Đ6.5c": "not accepted: advertising content or images against the law.",
    "Đ6.5d": "not accepted: vulgar, uncultured words that harm the nation's cultural identity.",
    "Đ6.5đ": "not accepted: untrue information meant to defame or belittle a person.",
    "Đ6.5e": "not accepted: emergency reports (113 police, 114 fire and rescue, 115 ambulance).",
    "Đ6.5g": "not accepted: incomplete content with no contact information to verify it.",
    "Đ7.2": "reception within 24 hours of the PAKN's arrival (force majeure excepted).",
    "Đ7.3": "reception in three steps: check against Đ6 (step 1), classify (step 2), distribute (step 3).",
    "Đ8.2": "processing time: the unit's own limit, at most 6 working days from acceptance (a); a case outside "
            "the unit's competence returned within 24 hours with a reason (b).",
    "Đ10.2": "publication within 24 hours of the result's approval (force majeure excepted).",
    "Đ10.3": "answering and publishing: checked against Appendix I before it is made public (a), except a "
             "confidential submitter's (b) and state secrets (c).",
    "Đ10.4": "rework when a result falls short: form (a) and content (b), 2 working days each; once more after a "
             "\"not satisfied\" rating (c).",
    "Đ11.1": "the submitter may reply to the result to have it clarified.",
    "Đ11.2": "the processing unit must clarify what the submitter's reply asks.",
}


def statement(rule: str, entries: dict[str, str]) -> str:
    if rule in FROM_THE_TEXT:
        return FROM_THE_TEXT[rule]
    probe = rule
    while probe:
        if probe in entries:
            text = entries[probe]
            text = text if len(text) <= 220 else text[:217].rsplit(" ", 1)[0] + " …"
            return text if probe == rule else f"(in {probe}) {text}"
        probe = probe[:-1] if probe[-1].isalpha() else probe.rsplit(".", 1)[0] if "." in probe else ""
    return "(see the regulation's text)"


# Points in the regulation's order: a, b, c, d, đ, e, g, …
POINTS = "abcdđeghiklmnopqrstuvxy"


def key(rule: str):
    return [int(p) if p.isdigit() else POINTS.index(p) for p in re.findall(r"\d+|[a-zđ]", rule)]


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
