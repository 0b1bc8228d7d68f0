"""Pingdingshan's negative list for everyone 002 §三(三) names ("年度内党员有违规违纪违法问题
受到处理，或者设立党支部的基层单位有其他人员被追究刑事责任的"): an ordinary member's 处理 and
other staff's criminal liability exclude, not only the branch leader's; each entry cites its
own item of §三."""

import pytest

from survey.rules import SCHEMES, load_scheme, rate
from survey.rules.facts import SchemeError

PINGDINGSHAN_CLAUSES = [
    ("directive_failure", "002 §三(一)"),
    ("member_disciplined", "002 §三(三)"),
    ("staff_criminal", "002 §三(三)"),
    ("leader_disciplined", "002 §三(三)"),
    ("leader_investigated", "002 §三(三)"),
    ("accountability", "002 §三(四)"),
    ("negative_publicity", "002 §三(五)"),
    ("other", "002 §三(六)"),
]


def excluded(factory, scheme, *keys):
    return rate(factory.evidence(assessment=factory.excluded(*keys)), scheme)


@pytest.mark.parametrize(("key", "clause"), PINGDINGSHAN_CLAUSES)
def test_each_pingdingshan_exclusion_fails_citing_its_own_item(factory, key, clause):
    rating = excluded(factory, "pingdingshan-2024", key)
    criterion = rating.criterion("exclusions")
    assert criterion.outcome == "fail" and rating.verdict == "not_eligible"
    assert criterion.source == clause
    assert criterion.evidence["exclusions"] == [{"key": key, "note": "note", "source": clause}]


def test_an_ordinary_members_discipline_and_other_staffs_crime_each_exclude(factory):
    rating = excluded(factory, "pingdingshan-2024", "member_disciplined", "staff_criminal")
    criterion = rating.criterion("exclusions")
    assert criterion.value == {"exclusions": 2, "keys": ["member_disciplined", "staff_criminal"]}
    assert criterion.source == "002 §三(三)"  # one clause, named once


def test_entries_of_two_items_cite_both(factory):
    criterion = excluded(factory, "pingdingshan-2024", "accountability", "staff_criminal")
    assert criterion.criterion("exclusions").source == "002 §三(四); 002 §三(三)"


def test_no_entry_passes_citing_the_whole_list(factory):
    criterion = rate(factory.evidence(), "pingdingshan-2024").criterion("exclusions")
    assert criterion.outcome == "pass" and criterion.source == "002 §三"


@pytest.mark.parametrize("scheme", ["nmg-2020", "nmg-2020-annex2"])
def test_under_001_the_entries_002_adds_fall_under_its_other_item(factory, scheme):
    criterion = excluded(factory, scheme, "member_disciplined").criterion("exclusions")
    assert criterion.outcome == "fail" and criterion.source == "001 工作指南 §四(三)5"


def test_a_clause_for_an_exclusion_the_scheme_does_not_list_is_refused():
    text = """key = "own"
title = "t"
source = "002 §三"
[recommendation]
source = "002 §四(三)"
[[criteria]]
key = "exclusions"
kind = "exclusions"
keys = ["other"]
source = "002 §三"
zh = "z"
en = "e"
[criteria.clauses]
staff_criminal = "002 §三(三)"
"""
    with pytest.raises(SchemeError) as raised:
        load_scheme(text, "own.toml")
    assert raised.value.key == "criteria[0].clauses.staff_criminal"


def test_every_exclusion_of_pingdingshan_has_its_clause():
    item = SCHEMES["pingdingshan-2024"].item("exclusions")
    assert sorted(item.clauses) == sorted(item.keys)
