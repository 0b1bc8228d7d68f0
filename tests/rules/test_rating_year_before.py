"""The year before (001 工作指南 §七(四) "“软弱涣散党支部”一般不能直接越级评定为“最强党支部”"): a
branch marked 软弱涣散 for the previous year is not eligible this year by default; the committee
may let it be rated with a written reason, which the rating shows."""

import pytest

from survey.rules import SCHEMES, rate

WITH_WEAK = ["nmg-2020", "nmg-2020-annex2", "ordos-amr-2020", "chifeng-college-2020"]


def year_before(factory, scheme, marked, reason=None):
    assessment = factory.with_facts(weak_override_reason=reason)
    evidence = factory.replace(factory.evidence(assessment=assessment), weak_last_year=marked)
    return rate(evidence, scheme)


@pytest.mark.parametrize("scheme", WITH_WEAK)
def test_a_branch_weak_the_year_before_is_not_eligible_by_default(factory, scheme):
    rating = year_before(factory, scheme, marked=True)
    criterion = rating.criterion("weak_last_year")
    assert criterion.outcome == "fail" and rating.verdict == "not_eligible"
    assert criterion.source == "001 工作指南 §七(四)"
    assert criterion.evidence["year_before"] == 2022
    assert criterion.evidence["reason"] == "marked weak and lax (软弱涣散) the year before"


@pytest.mark.parametrize("scheme", WITH_WEAK)
def test_a_branch_not_weak_the_year_before_passes(factory, scheme):
    rating = year_before(factory, scheme, marked=False)
    assert rating.criterion("weak_last_year").outcome == "pass"
    assert rating.verdict == "eligible"


@pytest.mark.parametrize("scheme", WITH_WEAK)
def test_the_committees_override_with_a_reason_lets_it_be_rated_and_shows_the_reason(
    factory, scheme
):
    rating = year_before(factory, scheme, marked=True, reason="整顿验收合格")
    criterion = rating.criterion("weak_last_year")
    assert criterion.outcome == "pass" and rating.verdict == "eligible"
    assert criterion.value == {"weak_last_year": True, "weak_override_reason": "整顿验收合格"}
    assert (
        rating.to_dict()["criteria"][[c.key for c in rating.criteria].index("weak_last_year")][
            "value"
        ]["weak_override_reason"]
        == "整顿验收合格"
    )


def test_an_override_without_the_mark_changes_nothing_and_is_not_shown(factory):
    rating = year_before(factory, "nmg-2020", marked=False, reason="无")
    assert rating.criterion("weak_last_year").value == {"weak_last_year": False}


def test_this_years_mark_still_fails_whatever_the_override_of_last_years(factory):
    assessment = factory.with_facts(weak=True, weak_override_reason="整顿验收合格")
    evidence = factory.replace(factory.evidence(assessment=assessment), weak_last_year=True)
    rating = rate(evidence, "nmg-2020")
    assert rating.criterion("weak").outcome == "fail"
    assert rating.criterion("weak_last_year").outcome == "pass"
    assert rating.verdict == "not_eligible"


def test_the_year_before_does_not_apply_under_pingdingshan_or_haimen(factory):
    for scheme in ("pingdingshan-2024", "haimen-2019"):
        assert SCHEMES[scheme].item("weak_last_year") is None
    rating = year_before(factory, "pingdingshan-2024", marked=True)
    assert all(c.key != "weak_last_year" for c in rating.criteria)


def test_the_override_reason_is_a_field_of_the_facts_form_under_nmg():
    assert "weak_override_reason" in SCHEMES["nmg-2020"].facts_for("organ")
