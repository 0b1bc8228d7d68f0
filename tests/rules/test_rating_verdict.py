"""The rating answer: verdict precedence, the shape of to_dict, and the schemes side by side."""

import json

import pytest

from survey.rules import (
    CRITERION_KEYS,
    LABELS,
    SCHEMES,
    SEED_FILES,
    SocialFeedback,
    UnknownScheme,
    rate,
    verdict_of,
)


def test_the_baseline_branch_is_eligible_under_every_scheme(factory):
    for key in SCHEMES:
        assert rate(factory.evidence(), key).verdict == "eligible", key


def test_rate_defaults_to_the_nmg_scheme(factory):
    assert rate(factory.evidence()).scheme == "nmg-2020"


def test_rate_accepts_a_scheme_or_its_key(factory):
    evidence = factory.evidence()
    assert rate(evidence, SCHEMES["ordos-amr-2020"]) == rate(evidence, "ordos-amr-2020")


def test_rate_refuses_an_unknown_scheme_key(factory):
    with pytest.raises(UnknownScheme):
        rate(factory.evidence(), "atlantis-2099")


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        (["pass", "pass"], "eligible"),
        (["pass", "exempt", "not_applicable"], "eligible"),
        (["pass", "pending"], "pending"),
        (["pending", "fail"], "not_eligible"),
        (["fail", "pending", "exempt"], "not_eligible"),
        ([], "eligible"),
    ],
)
def test_verdict_precedence_is_fail_then_pending_then_eligible(outcomes, verdict):
    assert verdict_of(outcomes) == verdict


def test_a_failure_beats_missing_evidence(factory):
    rating = rate(factory.evidence(members=None, public=None, weak=True))
    assert rating.criterion("members").outcome == "pending"
    assert rating.verdict == "not_eligible"


def test_missing_evidence_alone_keeps_the_verdict_pending(factory):
    rating = rate(factory.evidence(members=None))
    assert rating.verdict == "pending"


def test_a_rating_lists_every_criterion_in_a_fixed_order(factory):
    for key, scheme in SCHEMES.items():
        rating = rate(factory.evidence(), key)
        own = tuple(i.key for i in scheme.criteria if i.key not in CRITERION_KEYS)
        assert tuple(c.key for c in rating.criteria) == CRITERION_KEYS + own
        core = rating.criteria[: len(CRITERION_KEYS)]
        assert all(c.label == LABELS[c.key] for c in core)


def test_every_criterion_cites_a_seed_file(factory):
    evidences = [factory.evidence(), factory.evidence(domain="village", public_facing=False)]
    for key in SCHEMES:
        for evidence in evidences:
            for criterion in rate(evidence, key).criteria:
                assert criterion.source[:3] in SEED_FILES, (key, criterion.key)
                assert criterion.source[3] == " "


def test_to_dict_has_exactly_the_contract_keys_and_dumps_to_json(factory):
    evidence = factory.evidence(
        members=factory.members(26, 29, roll=40),
        public=factory.public(10, verified=2, unchecked=1),
        assessment=factory.excluded("other"),
    )
    for key in SCHEMES:
        answer = rate(evidence, key).to_dict()
        assert set(answer) == {"verdict", "scheme", "year", "organisation_id", "criteria"}
        for criterion in answer["criteria"]:
            assert set(criterion) == {
                "key",
                "label",
                "outcome",
                "value",
                "threshold",
                "evidence",
                "source",
            }
        assert json.loads(json.dumps(answer)) == answer


def test_non_passing_criteria_say_why(factory):
    rating = rate(factory.evidence(members=None, public=None, assessment=None, weak=True))
    for criterion in rating.criteria:
        if criterion.outcome != "pass":
            assert criterion.evidence.get("reason"), criterion.key


def shared_evidence(factory):
    """A branch the four schemes judge differently: a 'good' grade, one verified
    dissatisfied answer in 20 (5 %), no social feedback, a score of 85."""
    return factory.evidence(
        public=factory.public(20, verified=1, unfounded=1),
        assessment=factory.assessment(organisation_grade="good", score=85, social=()),
    )


@pytest.mark.parametrize(
    ("scheme", "outcomes", "verdict"),
    [
        (
            "nmg-2020",
            {"public": "fail", "organisation": "fail", "social": "pending", "score": "fail"},
            "not_eligible",
        ),
        (
            "ordos-amr-2020",
            {
                "public": "fail",  # §二(二): any verified 不满意, whatever the rate
                "organisation": "fail",
                "social": "pending",
                "score": "not_applicable",
            },
            "not_eligible",
        ),
        (
            "pingdingshan-2024",
            {
                "public": "not_applicable",
                "organisation": "pass",
                "social": "not_applicable",
                "score": "not_applicable",
            },
            "eligible",
        ),
        (
            "chifeng-college-2020",
            {
                "public": "fail",
                "organisation": "fail",
                "social": "pending",
                "score": "not_applicable",
            },
            "not_eligible",
        ),
    ],
)
def test_each_scheme_judges_the_same_evidence_by_its_own_rules(factory, scheme, outcomes, verdict):
    rating = rate(shared_evidence(factory), scheme)
    assert {key: rating.criterion(key).outcome for key in outcomes} == outcomes
    assert rating.verdict == verdict


def test_ten_percent_verified_excludes_under_every_scheme_that_reads_the_public(factory):
    evidence = factory.evidence(
        public=factory.public(20, verified=2),
        assessment=factory.assessment(social=(SocialFeedback("税务", False),)),
    )
    verdicts = {key: rate(evidence, key).verdict for key in SCHEMES}
    assert verdicts == {
        "nmg-2020": "not_eligible",
        "nmg-2020-annex2": "not_eligible",
        "ordos-amr-2020": "not_eligible",  # 000 §二(二) beside §四(三)
        "pingdingshan-2024": "eligible",
        "chifeng-college-2020": "not_eligible",
        "haimen-2019": "eligible",
    }


def test_rating_carries_the_year_and_organisation(factory):
    rating = rate(factory.evidence(year=2021, id=42))
    assert (rating.year, rating.organisation_id) == (2021, 42)


def test_asking_a_rating_for_an_unknown_criterion_raises_key_error(factory):
    with pytest.raises(KeyError):
        rate(factory.evidence()).criterion("charisma")
