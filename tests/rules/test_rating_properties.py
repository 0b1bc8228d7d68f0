"""Properties that must hold for any evidence, not just the examples at the bounds."""

import json
from dataclasses import replace
from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from survey.rules import (
    EXCLUSION_KEYS,
    GRADES,
    SCHEMES,
    STAR_NAMES,
    Assessment,
    Evidence,
    Exclusion,
    MemberEvidence,
    OrganisationFacts,
    PublicEvidence,
    SocialFeedback,
    rate,
    verdict_of,
)

SCHEME_KEYS = sorted(SCHEMES)
COUNT = st.integers(min_value=0, max_value=300)


def _excellent_of(draw, participants):
    """Anywhere in 0…participants, or near the top so that the 90 % bar is often reached."""
    near_top = st.integers(participants - participants // 8, participants)
    return draw(st.integers(0, participants) | near_top)


@st.composite
def member_tallies(draw):
    participants_full, participants_probationary = draw(COUNT), draw(COUNT)
    return MemberEvidence(
        campaign_ids=(1,),
        eligible_full=draw(st.none() | COUNT),
        eligible_probationary=draw(st.none() | COUNT),
        participants_full=participants_full,
        participants_probationary=participants_probationary,
        excellent_full=_excellent_of(draw, participants_full),
        excellent_probationary=_excellent_of(draw, participants_probationary),
    )


@st.composite
def public_tallies(draw):
    verified, unfounded, unchecked = draw(COUNT), draw(COUNT), draw(COUNT)
    dissatisfied = verified + unfounded + unchecked
    return PublicEvidence(
        campaign_ids=(2,),
        responses=dissatisfied + draw(COUNT),
        dissatisfied=dissatisfied,
        verified=verified,
        unfounded=unfounded,
    )


assessments = st.builds(
    Assessment,
    organisation_grade=st.none() | st.sampled_from(GRADES),
    score=st.none() | st.integers(0, 100),
    social=st.lists(
        st.builds(
            SocialFeedback, department=st.sampled_from(["法院", "公安"]), negative=st.booleans()
        ),
        max_size=3,
    ).map(tuple),
    exclusions=st.lists(st.builds(Exclusion, key=st.sampled_from(EXCLUSION_KEYS)), max_size=2).map(
        tuple
    ),
    volunteers=st.none() | COUNT,
    serving_members=st.none() | COUNT,
    volunteer_activities=st.none() | st.integers(0, 5),
    stars=st.none() | st.integers(0, 10),
    named_stars=st.frozensets(st.sampled_from(STAR_NAMES)),
)

evidences = st.builds(
    Evidence,
    year=st.integers(2019, 2026),
    organisation=st.builds(
        OrganisationFacts,
        id=st.integers(1, 10_000),
        domain=st.none() | st.sampled_from(["organ", "village", "school", "enterprise"]),
        founded_on=st.none() | st.dates(date(2010, 1, 1), date(2027, 1, 1)),
        public_facing=st.booleans(),
        weak=st.booleans(),
    ),
    members=st.none() | member_tallies(),
    public=st.none() | public_tallies(),
    assessment=st.none() | assessments,
)


@given(evidences, st.sampled_from(SCHEME_KEYS))
def test_verdict_is_never_eligible_when_a_criterion_fails(evidence, scheme):
    rating = rate(evidence, scheme)
    outcomes = [criterion.outcome for criterion in rating.criteria]
    if "fail" in outcomes:
        assert rating.verdict == "not_eligible"
    assert rating.verdict == verdict_of(outcomes)
    assert (rating.verdict == "eligible") == all(
        outcome in ("pass", "exempt", "not_applicable") for outcome in outcomes
    )


def one_more_excellent(tally, probationary, as_new_participant):
    """Replace a non-excellent grade of the class by an excellent one, or add an excellent
    participant; None when there is no non-excellent grade to replace."""
    suffix = "probationary" if probationary else "full"
    excellent = getattr(tally, f"excellent_{suffix}")
    participants = getattr(tally, f"participants_{suffix}")
    changes = {f"excellent_{suffix}": excellent + 1}
    if as_new_participant:
        changes[f"participants_{suffix}"] = participants + 1
    elif excellent == participants:
        return None
    return replace(tally, **changes)


@given(
    member_tallies(),
    st.sampled_from(["nmg-2020", "ordos-amr-2020", "chifeng-college-2020"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_one_more_excellent_grade_never_fails_a_passing_members_criterion(
    factory, tally, key, count_probationary, probationary, as_new_participant
):
    scheme = SCHEMES[key]
    scheme = scheme.with_item("members", count_probationary=count_probationary)
    after = one_more_excellent(tally, probationary, as_new_participant)
    if after is None:
        return
    before_outcome = rate(factory.evidence(members=tally), scheme).criterion("members").outcome
    after_outcome = rate(factory.evidence(members=after), scheme).criterion("members").outcome
    if before_outcome == "pass":
        assert after_outcome == "pass"


def one_more_verified(polls, change):
    if change == "unchecked" and polls.unchecked:
        return replace(polls, verified=polls.verified + 1)
    if change == "unfounded" and polls.unfounded:
        return replace(polls, verified=polls.verified + 1, unfounded=polls.unfounded - 1)
    if change == "new":
        return replace(
            polls,
            responses=polls.responses + 1,
            dissatisfied=polls.dissatisfied + 1,
            verified=polls.verified + 1,
        )
    return None


@given(
    public_tallies(),
    st.sampled_from(["nmg-2020", "ordos-amr-2020", "chifeng-college-2020"]),
    st.sampled_from(["unchecked", "unfounded", "new"]),
    st.booleans(),
)
def test_one_more_verified_complaint_never_passes_a_failing_public_criterion(
    factory, polls, key, change, public_facing
):
    after = one_more_verified(polls, change)
    if after is None:
        return
    before = rate(factory.evidence(public=polls, public_facing=public_facing), key)
    later = rate(factory.evidence(public=after, public_facing=public_facing), key)
    if before.criterion("public").outcome == "fail":
        assert later.criterion("public").outcome == "fail"


@given(st.integers(0, 1000), st.integers(1, 1000))
def test_members_outcome_agrees_with_exact_fraction_arithmetic(factory, excellent, participants):
    excellent = min(excellent, participants)
    tally = MemberEvidence(participants_full=participants, excellent_full=excellent)
    outcome = rate(factory.evidence(members=tally)).criterion("members").outcome
    assert outcome == ("pass" if Fraction(excellent, participants) >= Fraction(9, 10) else "fail")


@given(st.sampled_from(SCHEME_KEYS), evidences)
def test_rating_to_dict_is_always_json(scheme, evidence):
    answer = rate(evidence, scheme).to_dict()
    assert json.loads(json.dumps(answer)) == answer
