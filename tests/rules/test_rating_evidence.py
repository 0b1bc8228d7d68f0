"""Evidence refuses impossible counts where it is made."""

import pytest

from survey.rules import (
    Assessment,
    Exclusion,
    InvalidEvidence,
    MemberEvidence,
    PublicEvidence,
)


@pytest.mark.parametrize(
    "fields",
    [
        {"participants_full": -1},
        {"eligible_full": -1},
        {"participants_full": 3, "excellent_full": 4},
        {"participants_probationary": 1, "excellent_probationary": 2},
    ],
)
def test_member_evidence_refuses_impossible_tallies(fields):
    with pytest.raises(InvalidEvidence):
        MemberEvidence(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"responses": -1},
        {"responses": 2, "dissatisfied": 3},
        {"responses": 5, "dissatisfied": 2, "verified": 2, "unfounded": 1},
    ],
)
def test_public_evidence_refuses_impossible_tallies(fields):
    with pytest.raises(InvalidEvidence):
        PublicEvidence(**fields)


def test_unchecked_is_what_is_neither_verified_nor_unfounded():
    assert PublicEvidence(responses=9, dissatisfied=5, verified=1, unfounded=2).unchecked == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"organisation_grade": "outstanding"},
        {"stars": 11},
        {"stars": -1},
        {"volunteers": -3},
        {"named_stars": frozenset({"best_dressed"})},
    ],
)
def test_assessment_refuses_unknown_grades_stars_and_negative_counts(fields):
    with pytest.raises(InvalidEvidence):
        Assessment(**fields)


def test_exclusion_refuses_an_unknown_key():
    with pytest.raises(InvalidEvidence):
        Exclusion("bad_haircut")


def test_invalid_evidence_is_a_value_error():
    assert issubclass(InvalidEvidence, ValueError)
