"""docs/compliance.md names, for each control, the tests that prove it: each must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def test_every_test_the_compliance_page_names_exists():
    missing = []
    for line in (ROOT / "docs" / "compliance.md").read_text(encoding="utf-8").splitlines():
        current = None
        for match in NAMED.finditer(line):
            current = match.group(1) or current
            source = (ROOT / current).read_text(encoding="utf-8")
            if f"def {match.group(2)}(" not in source:
                missing.append(f"{current}::{match.group(2)}")
    assert not missing, missing
