"""Scheme files are data checked against a schema: a mistake is refused naming the file, the
key and the reason; every preset loads; every fact a scheme reads exists."""

from pathlib import Path

import pytest

from survey.rules import FACTS, SCHEMES, SchemeError, load_scheme
from survey.rules.evidence import COLUMN_FACTS as ENGINE_COLUMNS
from survey.rules.facts import COLUMN_FACTS, load_facts

FOLDER = Path(__file__).parents[2] / "survey" / "rules" / "schemes"

GOOD = """
key = "mine"
title = "A committee's own"
source = "001 工作指南 §五(二)"

[recommendation]
source = "001 工作指南 §五(三)2"

[[criteria]]
key = "organisation"
kind = "grade"
within = ["excellent"]
source = "001 工作指南 §五(二)1"
zh = "评价等次必须为优秀"
en = "Grade is excellent"
"""


def test_a_committee_can_write_its_own_scheme():
    scheme = load_scheme(GOOD, "mine.toml")
    assert scheme.key == "mine" and scheme.item("organisation").within == ("excellent",)


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (('within = ["excellent"]', 'within = ["superb"]'), "criteria[0].within", "not allowed"),
        (('kind = "grade"', 'kind = "vibes"'), "criteria[0].kind", "is not a kind"),
        (
            ('source = "001 工作指南 §五(二)1"', 'source = "memo"'),
            "criteria[0].source",
            "seed number",
        ),
        (('en = "Grade is excellent"', 'en = "x"\nbogus = 1'), "criteria[0].bogus", "unknown key"),
        (('zh = "评价等次必须为优秀"\n', ""), "criteria[0].zh", "required"),
        (('key = "mine"\n', ""), "key", "required"),
        (('title = "A committee', "title = 3\n#"), "title", "must be a str"),
    ],
)
def test_a_scheme_with_a_mistake_is_refused_naming_file_key_and_reason(change, key, reason):
    with pytest.raises(SchemeError) as raised:
        load_scheme(GOOD.replace(*change), "mine.toml")
    assert raised.value.file == "mine.toml"
    assert raised.value.key == key
    assert reason in raised.value.reason
    assert str(raised.value).startswith(f"mine.toml: {key}: ")


@pytest.mark.parametrize(
    ("item", "key", "reason"),
    [
        ('kind = "number"\nfact = "score"\nmin = 0.9', "criteria[1].min", "whole number"),
        ('kind = "number"\nfact = "charisma"\nmin = 1', "criteria[1].fact", "unknown fact"),
        ('kind = "number"\nfact = "weak"\nmin = 1', "criteria[1].fact", "is bool, not int"),
        ('kind = "number"\nfact = "score"', "criteria[1].fact", "needs a bound"),
        ('kind = "number"\nfact = "score"\nmin = [1, 0]', "criteria[1].min", "not a share"),
        ('kind = "flag"\nfact = "score"', "criteria[1].fact", "is int, not bool"),
        ('kind = "rank"\nfact = "internal_rank"\nwithin = 0', "criteria[1].within", "at least 1"),
        ('kind = "vote_share"\nfigure = "excellent"', "criteria[1].min", "exactly one bound"),
        ('kind = "complaints"', "criteria[1].rate_max", "rate_max"),
        ('kind = "weak"\ndomains = ["mars"]', "criteria[1].domains", "not allowed"),
        (
            'kind = "number"\nfact = "score"\nmin = 1\nmissing = "maybe"',
            "criteria[1].missing",
            "pending",
        ),
    ],
)
def test_each_kind_checks_its_own_fields(item, key, reason):
    head = '\n[[criteria]]\nkey = "extra"\nlabel = "x"\nsource = "001 x"\nzh = "x"\nen = "x"\n'
    text = GOOD + head + item + "\n"
    with pytest.raises(SchemeError) as raised:
        load_scheme(text, "mine.toml")
    assert (raised.value.key, reason in raised.value.reason) == (key, True), raised.value


def test_a_criterion_listed_twice_and_bad_toml_are_refused():
    twice = GOOD + GOOD[GOOD.index("[[criteria]]") :]
    with pytest.raises(SchemeError, match=r"criteria\[1\].key: 'organisation' is listed twice"):
        load_scheme(twice, "mine.toml")
    with pytest.raises(SchemeError, match="mine.toml: \\(file\\): not valid TOML"):
        load_scheme("key = ", "mine.toml")


def test_targets_need_a_share_or_a_count_in_ascending_years():
    both = GOOD + '\n[[targets]]\nyear = 2021\nshare = [1, 2]\ncount = 3\nsource = "001 x"\n'
    with pytest.raises(SchemeError, match=r"targets\[0\].share"):
        load_scheme(both, "mine.toml")
    later = '\n[[targets]]\nyear = 2022\ncount = 3\nsource = "001 x"\n'
    earlier = '\n[[targets]]\nyear = 2021\ncount = 3\nsource = "001 x"\n'
    with pytest.raises(SchemeError, match="ascending"):
        load_scheme(GOOD + later + earlier, "mine.toml")


def test_every_preset_file_loads_into_schemes():
    files = sorted(path.name for path in FOLDER.glob("*.toml"))
    assert files == sorted(f"{key}.toml" for key in SCHEMES)
    for path in FOLDER.glob("*.toml"):
        assert load_scheme(path.read_text(encoding="utf-8"), path.name) == SCHEMES[path.stem]


def test_every_fact_a_scheme_reads_is_listed_with_both_wordings():
    for scheme in SCHEMES.values():
        for item in scheme.criteria:
            assert item.zh and item.en and item.source[:3] in {"000", "001", "002", "003", "004"}
            for name in item.facts:
                assert name in FACTS, (scheme.key, item.key, name)
    assert set(COLUMN_FACTS) == ENGINE_COLUMNS


def test_a_facts_file_with_a_mistake_is_refused():
    with pytest.raises(SchemeError, match="facts.toml: x.type: one of"):
        load_facts('[x]\ntype = "colour"\nzh = "x"\nen = "x"\n')
    with pytest.raises(SchemeError, match="facts.toml: x.max"):
        load_facts('[x]\ntype = "int"\nzh = "x"\nen = "x"\n')
