"""The title's life: yearly re-check, the end of term, and what counts toward the target."""

from datetime import date

import pytest

from survey.rules import (
    SCHEMES,
    GrantedTitle,
    HeldTitle,
    count_toward_target,
    due_for_rating,
    in_term,
    phase_checks,
    rate,
    summarise,
    up_for_revocation,
)


def held(org_id=1, term=None, scheme="nmg-2020"):
    return HeldTitle(
        title_id=10 + org_id, organisation_id=org_id, year=2022, scheme=scheme, term_ends_on=term
    )


@pytest.mark.parametrize(
    ("spoil", "criterion", "source"),
    [
        ({"assessment": "excluded"}, "exclusions", "001 工作指南 §四(三)1"),  # its own item
        ({"weak": True}, "weak", "001 工作指南 §七(四)"),
        ({"grade": "good"}, "organisation", "001 工作指南 §五(二)1"),
        ({"verified": 1}, "public", "001 工作指南 §五(二)3"),
        ({"negative": True}, "social", "001 工作指南 §五(二)4"),
    ],
)
def test_a_holder_failing_a_criterion_is_up_for_revocation_with_its_clause(
    factory, spoil, criterion, source
):
    assessment = factory.assessment()
    if spoil.get("assessment") == "excluded":
        assessment = factory.excluded("accountability")
    if spoil.get("weak"):
        assessment = factory.with_facts(weak=True)
    if "grade" in spoil:
        assessment = factory.assessment(organisation_grade=spoil["grade"])
    if spoil.get("negative"):
        from survey.rules import SocialFeedback

        assessment = factory.assessment(social=(SocialFeedback("法院", True),))
    public = factory.public(100, verified=spoil.get("verified", 0))
    rating = rate(factory.evidence(assessment=assessment, public=public), "nmg-2020")
    (found,) = up_for_revocation([held()], {1: rating})
    assert found.to_dict() == {
        "organisation_id": 1,
        "title_id": 11,
        "criterion": criterion,
        "source": source,
        "reason": rating.criterion(criterion).evidence["reason"],
    }


def test_a_holder_still_passing_or_only_pending_is_not_up_for_revocation(factory):
    passing = rate(factory.evidence(), "nmg-2020")
    waiting = rate(factory.evidence(members=None), "nmg-2020")
    assert up_for_revocation([held(1), held(2)], {1: passing, 2: waiting}) == []


@pytest.mark.parametrize(
    ("term", "due"),
    [
        (date(2025, 12, 31), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
        (None, False),
    ],
)
def test_a_title_past_its_term_is_due_for_a_new_rating(term, due):
    found = due_for_rating([held(term=term)], 2026)
    assert bool(found) is due
    if due:
        assert found[0].to_dict()["term_ended_on"] == term.isoformat()
        assert found[0].source == "001 工作指南 §七(四); 000 §六(四)"


def test_only_titles_of_a_committee_approving_probationary_members_count():
    counted = count_toward_target(
        [
            GrantedTitle(1, level=1, approves_probationary=True),
            GrantedTitle(2, level=1, approves_probationary=False),
            GrantedTitle(3, level=2, approves_probationary=False),
        ]
    )
    assert counted.branches == 1
    assert counted.not_counted == (2, 3)
    assert counted.source == "001 工作指南 §三(三)"


def test_a_branch_rated_at_several_levels_counts_once_at_the_highest():
    counted = count_toward_target(
        [
            GrantedTitle(1, level=1, approves_probationary=True),
            GrantedTitle(1, level=3, approves_probationary=False),
            GrantedTitle(1, level=2, approves_probationary=False),
            GrantedTitle(2, level=1, approves_probationary=True),
        ]
    )
    assert counted.branches == 2
    assert dict(counted.by_level) == {1: 1, 3: 1}


@pytest.mark.parametrize(("eligible", "meets"), [(9, False), (10, True), (11, True)])
def test_haimen_counts_model_organisations_against_its_phase_target(factory, eligible, meets):
    made = [rate(factory.evidence(year=2020, id=n), "haimen-2019") for n in range(1, eligible + 1)]
    spoiled = factory.with_facts(venue_six_haves=False)
    made += [
        rate(factory.evidence(year=2020, id=100 + n, assessment=spoiled), "haimen-2019")
        for n in range(5)
    ]
    summary = summarise(made, SCHEMES["haimen-2019"], 2020)
    assert summary.target.count == 10 and summary.target.by == "2020-12"
    assert summary.meets_target is meets
    assert summary.to_dict()["target_count"] == 10 and summary.to_dict()["target"] is None


# A title's term (001 工作指南 §七(四) "可到任期届满后再重新评定"): within it a holder is
# re-checked, not re-entered; once it ends, the branch is rated again and enters the pool


@pytest.mark.parametrize(
    ("term", "in_pool"),
    [
        (date(2023, 12, 30), True),  # ended before the year's end
        (date(2023, 12, 31), True),  # ends on the day the year's rating is made
        (date(2024, 1, 1), False),  # a day into the next year: still within the term
        (None, False),  # no term end entered: the title holds
    ],
)
def test_a_holder_enters_the_pool_once_its_term_is_over(factory, term, in_pool):
    held = [HeldTitle(7, 1, 2021, "nmg-2020", term)]
    barred = in_term(held, 2023)
    assert (1 not in barred) is in_pool
    made = [rate(factory.evidence(id=n), "nmg-2020") for n in (1, 2)]
    summary = summarise(made, SCHEMES["nmg-2020"], 2023, not_reentered=barred)
    assert (1 in summary.recommended) is in_pool


def test_a_branch_with_one_title_past_its_term_and_one_within_stays_out_of_the_pool():
    held = [
        HeldTitle(7, 1, 2020, "nmg-2020", date(2022, 12, 31)),
        HeldTitle(8, 1, 2023, "nmg-2020", date(2026, 12, 31)),
    ]
    assert in_term(held, 2023) == {1}


# Haimen's phases (004 §三): 建成5个 by January 2020, 10 by the end of 2020, 15 by June 2021,
# each compared on its own date


def built(*dates, revoked=None):
    return [(n, granted, revoked) for n, granted in enumerate(dates, start=1)]


@pytest.mark.parametrize(
    ("last", "first_met"),
    [(date(2020, 1, 30), True), (date(2020, 1, 31), True), (date(2020, 2, 1), False)],
)
def test_haimen_first_phase_counts_titles_by_31_january_2020(last, first_met):
    titles = built(*[date(2019, 12, 1)] * 4, last)
    first, second = phase_checks(SCHEMES["haimen-2019"], 2020, titles)
    assert first.deadline == date(2020, 1, 31) and first.target.count == 5
    assert first.built == (5 if first_met else 4) and first.met is first_met
    assert second.deadline == date(2020, 12, 31) and second.built == 5 and not second.met


def test_haimen_phases_four_below_five_ten_at_ten_and_a_revoked_title_not_counted():
    titles = built(*[date(2020, 1, 15)] * 4, *[date(2020, 6, 1)] * 6)
    first, second = phase_checks(SCHEMES["haimen-2019"], 2020, titles)
    assert (first.built, first.met) == (4, False)
    assert (second.built, second.met) == (10, True)
    revoked = titles[:-1] + [(10, date(2020, 6, 1), date(2020, 12, 31))]
    assert phase_checks(SCHEMES["haimen-2019"], 2020, revoked)[1].built == 9
    later = titles[:-1] + [(10, date(2020, 6, 1), date(2021, 1, 1))]
    assert phase_checks(SCHEMES["haimen-2019"], 2020, later)[1].built == 10


def test_haimen_third_phase_is_june_2021_and_a_branch_counts_once():
    titles = built(*[date(2021, 6, 30)] * 14) + [(1, date(2020, 3, 1), None)]
    (third,) = phase_checks(SCHEMES["haimen-2019"], 2021, titles)
    assert third.deadline == date(2021, 6, 30) and third.built == 14 and not third.met
    assert third.to_dict() == {
        "count": 15,
        "by": "2021-06",
        "deadline": "2021-06-30",
        "built": 14,
        "met": False,
        "source": "004 §三 第三阶段",
    }


def test_a_share_target_has_no_phases():
    assert phase_checks(SCHEMES["nmg-2020"], 2021, built(date(2021, 1, 1))) == ()
