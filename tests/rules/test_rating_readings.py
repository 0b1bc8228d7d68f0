"""The readings taken where the seeds are ambiguous or the engine was wrong: each at, below
and above its bound under every scheme that holds it."""

import pytest

from survey.rules import SCHEMES, SocialFeedback, rate, summarise

WITH_SOCIAL = ["nmg-2020", "nmg-2020-annex2", "ordos-amr-2020", "chifeng-college-2020"]
WITH_WEAK = ["nmg-2020", "nmg-2020-annex2", "ordos-amr-2020", "chifeng-college-2020"]


# 社会评价: only organ branches (机关党支部) may be exempt (000 §四(四), 001 工作指南 §五(二)4)


@pytest.mark.parametrize("scheme", WITH_SOCIAL)
@pytest.mark.parametrize(
    "domain", ["enterprise", "state_enterprise", "village", "community", "school", None]
)
def test_a_non_organ_branch_without_public_functions_waits_for_social_feedback(
    factory, scheme, domain
):
    evidence = factory.evidence(
        domain=domain, public_facing=False, assessment=factory.assessment(social=())
    )
    rating = rate(evidence, scheme)
    assert rating.criterion("social").outcome == "pending"
    assert rating.verdict == "pending"


@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020"])
def test_an_organ_branch_without_public_functions_is_exempt_from_social_evaluation(factory, scheme):
    evidence = factory.evidence(public_facing=False, assessment=factory.assessment(social=()))
    assert rate(evidence, scheme).criterion("social").outcome == "exempt"


def test_chifeng_exempts_no_branch_not_even_an_organ(factory):
    evidence = factory.evidence(public_facing=False, assessment=factory.assessment(social=()))
    assert rate(evidence, "chifeng-college-2020").criterion("social").outcome == "pending"


@pytest.mark.parametrize("scheme", WITH_SOCIAL)
def test_negative_feedback_fails_even_an_organ_that_could_be_exempt(factory, scheme):
    negative = factory.assessment(social=(SocialFeedback("信访", True),))
    evidence = factory.evidence(public_facing=False, assessment=negative)
    assert rate(evidence, scheme).criterion("social").outcome == "fail"


# Ordos: any verified 不满意 (000 §二(二)) beside the rate (000 §四(三))


@pytest.mark.parametrize(
    ("responses", "verified", "outcome"),
    [(100, 0, "pass"), (100, 1, "fail"), (10, 1, "fail"), (10, 2, "fail"), (1000, 1, "fail")],
)
def test_ordos_excludes_any_verified_dissatisfied_answer(factory, responses, verified, outcome):
    polls = factory.public(responses, verified=verified)
    public = rate(factory.evidence(public=polls), "ordos-amr-2020").criterion("public")
    assert public.outcome == outcome
    assert public.source == "000 §二(二); 000 §四(三)"
    assert public.threshold == {
        "verified": {"max": 0},
        "verified_share": {"max": {"numerator": 1, "denominator": 10}},
    }
    assert public.value["verified_share"] == f"{verified}/{responses}"  # the rate is shown


def test_ordos_one_verified_in_a_hundred_is_not_eligible_and_cites_section_two(factory):
    rating = rate(factory.evidence(public=factory.public(100, verified=1)), "ordos-amr-2020")
    assert rating.verdict == "not_eligible"
    assert rating.criterion("public").evidence["broken"] == ["000 §二(二)"]


def test_ordos_above_the_rate_cites_both_clauses(factory):
    public = rate(
        factory.evidence(public=factory.public(10, verified=2)), "ordos-amr-2020"
    ).criterion("public")
    assert public.evidence["broken"] == ["000 §二(二)", "000 §四(三)"]


def test_ordos_open_poll_with_a_verified_answer_already_fails(factory):
    polls = factory.replace(factory.public(100, verified=1), open_polls=(31,))
    assert rate(factory.evidence(public=polls), "ordos-amr-2020").criterion("public").outcome == (
        "fail"
    )


# 软弱涣散 belongs to a year (001 工作指南 §七(四) 不能直接越级评定)


@pytest.mark.parametrize("scheme", WITH_WEAK)
def test_weak_this_year_fails_and_another_years_mark_does_not(factory, scheme):
    weak = factory.with_facts(weak=True)
    assert rate(factory.evidence(assessment=weak), scheme).criterion("weak").outcome == "fail"
    cleared = factory.with_facts(weak=False)
    evidence = factory.evidence(assessment=cleared, weak=True)  # the old standing mark
    criterion = rate(evidence, scheme).criterion("weak")
    assert criterion.outcome == "pass"
    assert criterion.value == {"weak": False, "read_from": "assessment"}


@pytest.mark.parametrize("scheme", WITH_WEAK)
def test_the_old_standing_mark_is_read_only_where_the_year_says_nothing(factory, scheme):
    silent = factory.with_facts(weak=None)
    criterion = rate(factory.evidence(assessment=silent, weak=True), scheme).criterion("weak")
    assert criterion.outcome == "fail"
    assert criterion.value["read_from"] == "organisation"


def test_weak_does_not_apply_under_pingdingshan_or_haimen(factory):
    evidence = factory.evidence(assessment=factory.with_facts(weak=True))
    for scheme in ("pingdingshan-2024", "haimen-2019"):
        assert rate(evidence, scheme).criterion("weak").outcome == "not_applicable"


# Pingdingshan: 好中选优 by the committee's overall assessment (002 §四(三) 将综合考评意见…推荐),
# the 述职 grade only parting branches the assessment ranks equal


def pds(factory, number, grade="excellent", rank=None, members=None):
    facts = {} if rank is None else {"overall_rank": rank}
    evidence = factory.evidence(
        year=2024,
        id=number,
        members=members,
        assessment=factory.assessment(organisation_grade=grade, facts=facts),
    )
    rating = rate(evidence, "pingdingshan-2024")
    assert rating.verdict == "eligible"
    return rating


def test_pingdingshan_ranks_by_the_overall_assessment_not_by_the_report_grade_first(factory):
    made = [
        pds(factory, 1, "good", rank=1),  # first by the assessment, though its grade is good
        pds(factory, 2, "excellent", rank=3),
        pds(factory, 3, "excellent", rank=2),
        pds(factory, 4, "good", rank=2),  # ranked equal to 3: the grade parts them
        pds(factory, 5, "excellent"),  # no rank entered: after every branch ranked
    ]
    made += [pds(factory, n, "good", rank=9) for n in range(6, 51)]
    summary = summarise(made, SCHEMES["pingdingshan-2024"], 2024)
    assert SCHEMES["pingdingshan-2024"].order[0] == "overall_rank"
    assert summary.recommendation_limit == 5
    assert summary.recommended == (1, 3, 4, 2, 6)  # 6: ranked 9th, excellent or not


@pytest.mark.parametrize(("branches", "limit"), [(9, 0), (10, 1), (19, 1), (20, 2), (21, 2)])
def test_pingdingshan_recommends_at_most_ten_percent_of_the_branches_rated(
    factory, branches, limit
):
    made = [pds(factory, n, rank=n) for n in range(1, branches + 1)]
    summary = summarise(made, SCHEMES["pingdingshan-2024"], 2024)
    assert summary.recommendation_limit == limit
    assert summary.recommended == tuple(range(1, limit + 1))


def test_pingdingshan_ignores_vote_shares_it_does_not_judge(factory):
    low = factory.members(1, 10)  # 10 % excellent: no criterion of 002 reads it
    made = [pds(factory, 1, rank=2), pds(factory, 2, rank=1, members=low)]
    made += [pds(factory, n, "good", rank=9) for n in range(3, 21)]  # a cap of 2
    assert summarise(made, SCHEMES["pingdingshan-2024"], 2024).recommended == (2, 1)
