"""The committee summary: share against target, recommendation order and cap."""

import json
from dataclasses import replace

import pytest
from rule_helpers import ordos_rate_only

from survey.rules import SCHEMES, rate, summarise


def ratings(factory, scheme, verdicts, year=2023):
    """One rating per verdict ("eligible" or "not_eligible"), ids 1…n."""
    made = []
    for number, verdict in enumerate(verdicts, start=1):
        excluded = factory.excluded() if verdict == "eligible" else factory.excluded("other")
        evidence = factory.evidence(year=year, id=number, assessment=excluded)
        made.append(rate(evidence, scheme))
    assert [r.verdict for r in made] == list(verdicts)
    return made


def test_eligible_share_counts_eligible_branches_with_a_display_percent(factory):
    made = ratings(factory, "nmg-2020", ["eligible"] * 25 + ["not_eligible"] * 5)
    summary = summarise(made, SCHEMES["nmg-2020"], 2023)
    assert summary.eligible_share == {"eligible": 25, "branches": 30, "percent": "83.3%"}
    assert [b.verdict for b in summary.branches].count("eligible") == 25


@pytest.mark.parametrize(
    ("eligible", "branches", "percent"),
    [(1, 8, "12.5%"), (1, 3, "33.3%"), (2, 3, "66.7%"), (0, 7, "0.0%"), (7, 7, "100.0%")],
)
def test_percent_is_rounded_half_up_for_display_only(factory, eligible, branches, percent):
    verdicts = ["eligible"] * eligible + ["not_eligible"] * (branches - eligible)
    summary = summarise(ratings(factory, "nmg-2020", verdicts), SCHEMES["nmg-2020"], 2023)
    assert summary.eligible_share["percent"] == percent


@pytest.mark.parametrize(
    ("scheme", "year", "eligible", "branches", "target", "meets"),
    [
        ("nmg-2020", 2021, 3, 10, {"numerator": 30, "denominator": 100}, True),
        ("nmg-2020", 2022, 2, 10, {"numerator": 30, "denominator": 100}, False),
        ("nmg-2020", 2023, 5, 10, {"numerator": 50, "denominator": 100}, True),
        ("nmg-2020", 2023, 4, 10, {"numerator": 50, "denominator": 100}, False),
        ("nmg-2020", 2020, 10, 10, None, None),
        ("ordos-amr-2020", 2020, 2, 10, {"numerator": 20, "denominator": 100}, True),
        ("ordos-amr-2020", 2022, 3, 10, {"numerator": 40, "denominator": 100}, False),
        ("chifeng-college-2020", 2023, 2, 4, {"numerator": 1, "denominator": 2}, True),
        ("chifeng-college-2020", 2023, 2, 5, {"numerator": 1, "denominator": 2}, False),
        ("pingdingshan-2024", 2024, 1, 10, None, None),
    ],
)
def test_share_is_compared_with_the_schemes_target_for_the_year(
    factory, scheme, year, eligible, branches, target, meets
):
    verdicts = ["eligible"] * eligible + ["not_eligible"] * (branches - eligible)
    summary = summarise(ratings(factory, scheme, verdicts, year), SCHEMES[scheme], year)
    answer = summary.to_dict()
    assert answer["target"] == target
    assert answer["meets_target"] is meets


def test_a_committee_without_branches_has_no_share_and_no_judgement(factory):
    summary = summarise([], SCHEMES["nmg-2020"], 2023)
    assert summary.eligible_share == {"eligible": 0, "branches": 0, "percent": None}
    assert summary.meets_target is None
    assert summary.recommended == ()


def branch(factory, scheme, number, *, excellent=10, participants=10, verified=0, score=95):
    evidence = factory.evidence(
        id=number,
        members=factory.members(excellent, participants),
        public=factory.public(100, verified=verified),
        assessment=factory.assessment(score=score),
    )
    rating = rate(evidence, scheme)
    assert rating.verdict == "eligible"
    return rating


def test_recommended_branches_rank_by_excellent_share_first(factory):
    made = [
        branch(factory, "nmg-2020", 1, excellent=9, participants=10),  # 90 %
        branch(factory, "nmg-2020", 2, excellent=29, participants=30),  # 96.7 %
        branch(factory, "nmg-2020", 3, excellent=19, participants=20),  # 95 %
        branch(factory, "nmg-2020", 4, excellent=10, participants=10),  # 100 %
    ]
    summary = summarise(made, SCHEMES["nmg-2020"], 2023)
    assert summary.recommended == (4, 2, 3, 1)


def test_equal_shares_rank_by_verified_dissatisfied_share_then_score_then_id(factory):
    rate_only = ordos_rate_only()  # under the preset a verified 不满意 is not eligible at all
    made = [
        branch(factory, rate_only, 5, verified=3),
        branch(factory, rate_only, 6, verified=1),
        branch(factory, rate_only, 7, excellent=18, participants=20, verified=0),
        branch(factory, rate_only, 8, verified=0),
    ]
    summary = summarise(made, rate_only, 2023)
    assert summary.recommended == (8, 6, 5, 7)
    nmg = [
        branch(factory, "nmg-2020", 9, score=91),
        branch(factory, "nmg-2020", 3, score=99),
        branch(factory, "nmg-2020", 2, score=91),
        branch(factory, "nmg-2020", 1, score=None),
    ]
    assert summarise(nmg, SCHEMES["nmg-2020"], 2023).recommended == (3, 2, 9, 1)


def test_equal_shares_as_fractions_tie_whatever_their_terms(factory):
    made = [
        branch(factory, "nmg-2020", 2, excellent=18, participants=20, score=90),
        branch(factory, "nmg-2020", 1, excellent=9, participants=10, score=90),
    ]
    assert summarise(made, SCHEMES["nmg-2020"], 2023).recommended == (1, 2)


def test_only_eligible_branches_are_recommended(factory):
    made = ratings(factory, "nmg-2020", ["not_eligible", "eligible", "not_eligible", "eligible"])
    assert summarise(made, SCHEMES["nmg-2020"], 2023).recommended == (2, 4)


def test_a_score_the_scheme_does_not_judge_does_not_rank(factory):
    made = [
        branch(factory, "chifeng-college-2020", 2, score=99),
        branch(factory, "chifeng-college-2020", 1, score=10),
    ]
    assert summarise(made, SCHEMES["chifeng-college-2020"], 2023).recommended == (1, 2)


def test_pingdingshan_recommends_at_most_a_tenth_of_its_branches(factory):
    verdicts = ["eligible"] * 25 + ["not_eligible"] * 5
    made = ratings(factory, "pingdingshan-2024", verdicts, 2024)
    made = [made[i] for i in (29, 3, 17, 0, *range(1, 3), *range(4, 17), *range(18, 29))]
    summary = summarise(made, SCHEMES["pingdingshan-2024"], 2024)
    assert summary.recommendation_limit == 3
    assert summary.recommended == (1, 2, 3)
    assert summary.to_dict()["recommendation_source"] == "002 §四(三)"


def test_pingdingshan_cap_keeps_the_best_not_the_first(factory):
    made = [branch(factory, "pingdingshan-2024", number, score=90) for number in range(20, 0, -1)]
    assert summarise(made, SCHEMES["pingdingshan-2024"], 2023).recommended == (1, 2)


def test_title_holders_are_not_reentered_and_the_next_best_take_their_places(factory):
    made = ratings(factory, "pingdingshan-2024", ["eligible"] * 30, 2024)
    summary = summarise(made, SCHEMES["pingdingshan-2024"], 2024, not_reentered={1, 3})
    assert summary.recommendation_limit == 3  # the cap still counts every branch
    assert summary.recommended == (2, 4, 5)
    assert summary.eligible == 30  # holders keep their verdict: re-checked, not re-entered


def test_uncapped_schemes_recommend_every_eligible_branch(factory):
    made = ratings(factory, "nmg-2020", ["eligible"] * 12)
    summary = summarise(made, SCHEMES["nmg-2020"], 2023)
    assert summary.recommendation_limit is None
    assert len(summary.recommended) == 12


def test_summary_refuses_ratings_of_another_scheme_or_year_or_twice_the_same_branch(factory):
    made = ratings(factory, "nmg-2020", ["eligible", "eligible"])
    with pytest.raises(ValueError, match="ordos"):
        summarise(made, SCHEMES["ordos-amr-2020"], 2023)
    with pytest.raises(ValueError, match="2022"):
        summarise(made, SCHEMES["nmg-2020"], 2022)
    with pytest.raises(ValueError, match="twice"):
        summarise([made[0], made[0]], SCHEMES["nmg-2020"], 2023)


def test_summary_to_dict_dumps_to_json(factory):
    made = ratings(factory, "ordos-amr-2020", ["eligible", "not_eligible"])
    answer = summarise(made, SCHEMES["ordos-amr-2020"], 2023).to_dict()
    assert json.loads(json.dumps(answer)) == answer
    assert answer["branches"] == [
        {"organisation_id": 1, "verdict": "eligible"},
        {"organisation_id": 2, "verdict": "not_eligible"},
    ]
    assert answer["eligible_share"] == {"eligible": 1, "branches": 2, "percent": "50.0%"}
    assert answer["target_year"] == 2023 and answer["target_source"] == "000 §一"
    assert answer["recommended"] == [1]


@pytest.mark.parametrize("scheme", ["nmg-2020", "pingdingshan-2024"])
def test_summary_of_ten_thousand_branches_counts_every_one(factory, scheme):
    """Its speed is measured by bench/ratings.py against limits of the same run, not here:
    a test never fails on timing."""
    base = [
        branch(factory, scheme, number, excellent=90 + number % 11, participants=100)
        for number in range(1, 101)
    ]
    made = [
        replace(rating, organisation_id=copy * 100 + i)
        for copy in range(100)
        for i, rating in enumerate(base)
    ]
    summary = summarise(made, SCHEMES[scheme], 2023)
    assert summary.eligible_share["branches"] == 10_000
    assert len(summary.branches) == 10_000
