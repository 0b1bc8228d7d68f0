"""docs/rules.md lists every criterion of every scheme, its generated tables match the data
files, and every test it cites exists."""

import re
from pathlib import Path

from survey.rules import SCHEMES, scheme_table
from survey.rules.render import with_tables

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_the_document_lists_every_criterion_key_of_every_scheme():
    for key, scheme in SCHEMES.items():
        table = DOC.split(f"#### `{key}`", 1)
        assert len(table) == 2, key
        section = table[1].split("#### ", 1)[0]
        for item in scheme.criteria:
            assert f"| `{item.key}` |" in section, (key, item.key)


def test_the_generated_tables_match_the_data_files():
    assert with_tables(DOC) == DOC, "regenerate: survey.rules.render.with_tables(docs/rules.md)"


def test_every_test_the_document_cites_exists():
    cited = re.findall(r"(tests/[\w/]+\.py)::(\w+)", DOC)
    assert len(cited) >= 20
    for path, name in cited:
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), (path, name)


def test_a_scheme_renders_as_a_markdown_table_with_clause_and_both_wordings():
    table = scheme_table(SCHEMES["ordos-amr-2020"])
    assert (
        "| `public` | complaints | all | verified 不满意 = 0 and verified/responses ≤ 1/10 |"
        in table
    )
    assert "000 §二(二); 000 §四(三)" in table and "经查证属实" in table
