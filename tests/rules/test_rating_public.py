"""群众评判 (public): the rate rule of 000 and the any-verified rule of 001."""

import pytest
from rule_helpers import ordos_rate_only

from survey.rules import rate


def public_criterion(factory, scheme, polls, **organisation):
    return rate(factory.evidence(public=polls, **organisation), scheme).criterion("public")


@pytest.mark.parametrize(
    ("responses", "verified", "outcome"),
    [
        (10, 0, "pass"),
        (10, 1, "pass"),  # exactly 10 %: only 超过10% excludes
        (10, 2, "fail"),
        (100, 10, "pass"),
        (100, 11, "fail"),
        (101, 10, "pass"),
        (99, 10, "fail"),
    ],
)
def test_rate_rule_excludes_only_above_ten_percent_verified(factory, responses, verified, outcome):
    polls = factory.public(responses, verified=verified)
    criterion = public_criterion(factory, ordos_rate_only(), polls)
    assert criterion.outcome == outcome
    assert criterion.threshold == {"verified_share": {"max": {"numerator": 1, "denominator": 10}}}
    assert criterion.value["verified_share"] == f"{verified}/{responses}"
    assert criterion.source == "000 §四(三)"


@pytest.mark.parametrize("scheme", ["nmg-2020", "chifeng-college-2020"])
def test_any_verified_rule_excludes_on_a_single_verified_answer(factory, scheme):
    criterion = public_criterion(factory, scheme, factory.public(1000, verified=1))
    assert criterion.outcome == "fail"
    assert criterion.threshold == {"verified": {"max": 0}}


@pytest.mark.parametrize("scheme", ["nmg-2020", "chifeng-college-2020", "ordos-amr-2020"])
def test_unfounded_dissatisfied_answers_do_not_count(factory, scheme):
    criterion = public_criterion(factory, scheme, factory.public(10, unfounded=5))
    assert criterion.outcome == "pass"


@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020"])
def test_public_is_pending_while_a_dissatisfied_answer_is_unchecked(factory, scheme):
    criterion = public_criterion(factory, scheme, factory.public(100, unchecked=1))
    assert criterion.outcome == "pending"
    assert criterion.value["unchecked"] == 1
    assert criterion.evidence["reason"] == "dissatisfied answers not yet checked"


def test_rate_rule_stays_pending_with_unchecked_answers_even_below_the_bar(factory):
    polls = factory.public(100, verified=1, unchecked=1)
    assert public_criterion(factory, ordos_rate_only(), polls).outcome == "pending"


def test_rate_rule_failure_is_final_despite_unchecked_answers(factory):
    polls = factory.public(10, verified=2, unchecked=3)
    assert public_criterion(factory, ordos_rate_only(), polls).outcome == "fail"


def test_any_verified_failure_is_final_despite_unchecked_answers(factory):
    polls = factory.public(10, verified=1, unchecked=3)
    criterion = public_criterion(factory, "nmg-2020", polls)
    assert criterion.outcome == "fail"
    assert rate(factory.evidence(public=polls)).verdict == "not_eligible"


def test_public_is_not_exempt_for_a_branch_without_public_facing_functions(factory):
    # 群众评判 is for every branch (000 §四(三), 001 工作指南 §五(二)3, 003 §三(一)3); only
    # 社会评价 has an exemption
    for polls in (None, factory.public(0)):
        criterion = public_criterion(factory, "nmg-2020", polls, public_facing=False)
        assert criterion.outcome == "pending"
        assert criterion.value is None
        assert criterion.evidence["reason"] == "no channel of public judgement recorded"


def test_public_is_pending_without_polls_for_a_public_facing_branch(factory):
    assert public_criterion(factory, "nmg-2020", None).outcome == "pending"
    assert public_criterion(factory, "ordos-amr-2020", factory.public(0)).outcome == "pending"


def test_a_branch_without_public_facing_functions_is_still_judged_on_its_answers(factory):
    polls = factory.public(10, verified=1)
    criterion = public_criterion(factory, "nmg-2020", polls, public_facing=False)
    assert criterion.outcome == "fail"


def test_public_does_not_apply_under_pingdingshan_where_complaints_are_exclusions(factory):
    criterion = public_criterion(factory, "pingdingshan-2024", factory.public(10, verified=9))
    assert criterion.outcome == "not_applicable"
    assert criterion.source == "002 §三(五)"


def test_public_evidence_lists_poll_campaigns_and_the_rule(factory):
    criterion = public_criterion(factory, "nmg-2020", factory.public(10))
    assert criterion.evidence == {
        "campaign_ids": [21],
        "channels": ["poll"],
        "rule": "any_verified",
    }
