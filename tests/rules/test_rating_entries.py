"""Criteria read from the reviewer's entries and the organisation record."""

from datetime import date

import pytest

from survey.rules import EXCLUSION_KEYS, SocialFeedback, rate


def criterion(factory, key, scheme="nmg-2020", **evidence):
    return rate(factory.evidence(**evidence), scheme).criterion(key)


# organisation (组织评定)


@pytest.mark.parametrize(
    ("grade", "nmg", "pingdingshan"),
    [
        ("excellent", "pass", "pass"),
        ("good", "fail", "pass"),
        ("fair", "fail", "fail"),
        ("poor", "fail", "fail"),
    ],
)
def test_committee_grade_passes_per_scheme(factory, grade, nmg, pingdingshan):
    assessment = factory.assessment(organisation_grade=grade)
    assert criterion(factory, "organisation", assessment=assessment).outcome == nmg
    outcome = criterion(factory, "organisation", "pingdingshan-2024", assessment=assessment)
    assert outcome.outcome == pingdingshan


def test_committee_grade_thresholds_name_the_passing_grades(factory):
    assert criterion(factory, "organisation").threshold == {"grade": {"in": ["excellent"]}}
    pds = criterion(factory, "organisation", "pingdingshan-2024")
    assert pds.threshold == {"grade": {"in": ["excellent", "good"]}}
    assert pds.source == "002 §三(二)"


def test_missing_committee_grade_is_pending(factory):
    assert criterion(factory, "organisation", assessment=None).outcome == "pending"
    no_grade = factory.assessment(organisation_grade=None)
    assert criterion(factory, "organisation", assessment=no_grade).outcome == "pending"


def test_committee_grade_evidence_names_who_entered_it(factory):
    assert criterion(factory, "organisation").evidence == {"entered_by": "reviewer"}


# social (社会评价)


def test_any_negative_social_feedback_fails(factory):
    feedback = (SocialFeedback("法院", False), SocialFeedback("信访", True, "投诉未办结"))
    result = criterion(factory, "social", assessment=factory.assessment(social=feedback))
    assert result.outcome == "fail"
    assert result.value == {"feedback": 2, "negative": 1}
    assert result.evidence["feedback"][1] == {
        "department": "信访",
        "negative": True,
        "note": "投诉未办结",
    }


def test_social_without_feedback_is_pending_for_a_public_facing_branch(factory):
    result = criterion(factory, "social", assessment=factory.assessment(social=()))
    assert result.outcome == "pending"


def test_social_is_exempt_for_a_branch_without_public_facing_functions(factory):
    result = criterion(
        factory, "social", assessment=factory.assessment(social=()), public_facing=False
    )
    assert result.outcome == "exempt"
    assert result.source == "001 工作指南 §五(二)4"


def test_negative_feedback_fails_even_a_branch_that_could_be_exempt(factory):
    negative = (SocialFeedback("公安", True),)
    result = criterion(
        factory, "social", assessment=factory.assessment(social=negative), public_facing=False
    )
    assert result.outcome == "fail"


def test_chifeng_consults_on_every_branch_so_none_is_exempt(factory):
    result = criterion(
        factory,
        "social",
        "chifeng-college-2020",
        assessment=factory.assessment(social=()),
        public_facing=False,
    )
    assert result.outcome == "pending"


def test_social_does_not_apply_under_pingdingshan(factory):
    negative = factory.assessment(social=(SocialFeedback("公安", True),))
    assert criterion(factory, "social", "pingdingshan-2024", assessment=negative).outcome == (
        "not_applicable"
    )


# exclusions (负面清单)


@pytest.mark.parametrize("key", EXCLUSION_KEYS)
@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020", "pingdingshan-2024"])
def test_each_exclusion_key_fails(factory, scheme, key):
    rating = rate(factory.evidence(assessment=factory.excluded(key)), scheme)
    assert rating.criterion("exclusions").outcome == "fail"
    assert rating.criterion("exclusions").value == {"exclusions": 1, "keys": [key]}
    assert rating.verdict == "not_eligible"


def test_exclusions_list_every_key_and_note(factory):
    result = criterion(
        factory, "exclusions", assessment=factory.excluded("accountability", "other")
    )
    assert result.value["keys"] == ["accountability", "other"]
    assert result.evidence["exclusions"] == [
        {"key": "accountability", "note": "note", "source": "001 工作指南 §四(三)1"},
        {"key": "other", "note": "note", "source": "001 工作指南 §四(三)5"},
    ]
    assert result.source == "001 工作指南 §四(三)1; 001 工作指南 §四(三)5"


def test_no_exclusion_passes_and_no_assessment_is_pending(factory):
    assert criterion(factory, "exclusions").outcome == "pass"
    assert criterion(factory, "exclusions", assessment=None).outcome == "pending"


# founded (新组建不满一年)


@pytest.mark.parametrize(
    ("founded_on", "outcome"),
    [
        (date(2023, 1, 1), "fail"),  # 364 days before 2023-12-31
        (date(2022, 12, 31), "pass"),  # exactly one year
        (date(2022, 12, 30), "pass"),
        (date(2023, 12, 31), "fail"),
        (date(2024, 3, 1), "fail"),  # founded after the rating year
    ],
)
def test_branch_founded_less_than_a_year_before_the_year_end_fails(factory, founded_on, outcome):
    result = criterion(factory, "founded", founded_on=founded_on)
    assert result.outcome == outcome
    assert result.threshold == {"founded_on": {"on_or_before": "2022-12-31"}}
    assert result.value == {"founded_on": founded_on.isoformat()}


def test_founded_on_the_first_day_of_a_leap_year_is_still_under_a_year(factory):
    result = criterion(factory, "founded", year=2024, founded_on=date(2024, 1, 1))
    assert result.outcome == "fail"


def test_unknown_founding_date_passes_and_says_so(factory):
    result = criterion(factory, "founded", founded_on=None)
    assert result.outcome == "pass"
    assert result.value == {"founded_on": None}
    assert result.evidence == {"note": "founding date unknown"}


# weak (软弱涣散)


def test_weak_and_lax_branch_fails(factory):
    rating = rate(factory.evidence(weak=True))
    assert rating.criterion("weak").outcome == "fail"
    assert rating.verdict == "not_eligible"
    assert criterion(factory, "weak").outcome == "pass"


@pytest.mark.parametrize("key", ["founded", "weak"])
def test_standing_rules_of_001_do_not_apply_under_pingdingshan(factory, key):
    result = criterion(factory, key, "pingdingshan-2024", weak=True, founded_on=date(2023, 6, 1))
    assert result.outcome == "not_applicable"
    assert result.source == "002 §三(六)"


# score (量化积分)


@pytest.mark.parametrize(("points", "outcome"), [(89, "fail"), (90, "pass"), (91, "pass")])
def test_nmg_score_must_reach_ninety_where_kept(factory, points, outcome):
    result = criterion(factory, "score", assessment=factory.assessment(score=points))
    assert result.outcome == outcome
    assert result.threshold == {"score": {"min": 90}}
    assert result.value == {"score": points}


def test_no_score_kept_does_not_apply_under_nmg(factory):
    result = criterion(factory, "score", assessment=factory.assessment(score=None))
    assert result.outcome == "not_applicable"


@pytest.mark.parametrize("scheme", ["chifeng-college-2020", "ordos-amr-2020", "pingdingshan-2024"])
def test_score_is_ignored_where_the_scheme_sets_no_pass_score(factory, scheme):
    result = criterion(factory, "score", scheme, assessment=factory.assessment(score=10))
    assert result.outcome == "not_applicable"
    assert result.threshold is None


def test_chifeng_cites_its_ban_on_pass_scores(factory):
    assert criterion(factory, "score", "chifeng-college-2020").source == "003 §五(三)"


# volunteers (organs)


@pytest.mark.parametrize(
    ("volunteers", "serving", "activities", "outcome"),
    [
        (80, 100, 2, "pass"),
        (79, 100, 2, "fail"),
        (8, 10, 2, "pass"),
        (80, 100, 1, "fail"),
        (100, 100, 1, "fail"),
        (81, 100, 3, "pass"),
    ],
)
@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020"])
def test_organs_need_eighty_percent_volunteers_and_two_activities(
    factory, scheme, volunteers, serving, activities, outcome
):
    assessment = factory.assessment(
        volunteers=volunteers, serving_members=serving, volunteer_activities=activities
    )
    result = criterion(factory, "volunteers", scheme, assessment=assessment)
    assert result.outcome == outcome
    assert result.value["volunteers/serving_members"] == f"{volunteers}/{serving}"


def test_ordos_cites_its_own_volunteer_clause(factory):
    assert criterion(factory, "volunteers", "ordos-amr-2020").source == "000 §二(二)6"


@pytest.mark.parametrize("missing", ["volunteers", "serving_members", "volunteer_activities"])
def test_missing_volunteer_figures_are_pending(factory, missing):
    assessment = factory.assessment(**{missing: None})
    assert criterion(factory, "volunteers", assessment=assessment).outcome == "pending"


def test_volunteers_do_not_apply_outside_organs_or_in_schemes_without_the_standard(factory):
    few = factory.assessment(volunteers=0)
    assert criterion(factory, "volunteers", assessment=few, domain="village").outcome == (
        "not_applicable"
    )
    assert criterion(factory, "volunteers", assessment=few, domain=None).outcome == (
        "not_applicable"
    )
    chifeng = criterion(factory, "volunteers", "chifeng-college-2020", assessment=few)
    assert chifeng.outcome == "not_applicable"


# stars (villages)


ALL_STARS = frozenset({"strong_leadership", "harmony_stability", "public_satisfaction"})


@pytest.mark.parametrize(
    ("stars", "named", "outcome"),
    [
        (8, ALL_STARS, "pass"),
        (7, ALL_STARS, "fail"),
        (10, ALL_STARS, "pass"),
        (9, ALL_STARS - {"harmony_stability"}, "fail"),
        (10, frozenset(), "fail"),
    ],
)
def test_villages_need_eight_stars_with_the_three_named_stars(factory, stars, named, outcome):
    assessment = factory.assessment(stars=stars, named_stars=named)
    result = criterion(factory, "stars", assessment=assessment, domain="village")
    assert result.outcome == outcome


def test_a_missing_named_star_is_named_in_the_reason(factory):
    assessment = factory.assessment(stars=9, named_stars=ALL_STARS - {"public_satisfaction"})
    result = criterion(factory, "stars", assessment=assessment, domain="village")
    assert "public_satisfaction" in result.evidence["reason"]


def test_missing_star_rating_is_pending_for_a_village(factory):
    assessment = factory.assessment(stars=None)
    assert criterion(factory, "stars", assessment=assessment, domain="village").outcome == (
        "pending"
    )
    assert criterion(factory, "stars", assessment=None, domain="village").outcome == "pending"


def test_stars_do_not_apply_outside_villages_or_outside_nmg(factory):
    few = factory.assessment(stars=1)
    assert criterion(factory, "stars", assessment=few).outcome == "not_applicable"
    ordos = criterion(factory, "stars", "ordos-amr-2020", assessment=few, domain="village")
    assert ordos.outcome == "not_applicable"
