"""群众评判 for every branch (000 §二(三)/§四(三), 001 工作指南 §五(二)3, 003 §三(一)3:
"在服务半径内通过公示、访谈、民意调查、网络投票等方式"): no branch is exempt; a reviewer's
record of 公示 or 访谈 is a channel beside the polls; verified 不满意 counts across channels
under the scheme's rule; a branch with no channel recorded is pending."""

import pytest
from rule_helpers import ordos_rate_only

from survey.rules import rate

FOUR_EVALUATIONS = ["nmg-2020", "nmg-2020-annex2", "ordos-amr-2020", "chifeng-college-2020"]


def public(factory, scheme, polls=None, *, public_facing=False, **facts):
    assessment = factory.with_facts(**facts)
    evidence = factory.evidence(public=polls, assessment=assessment, public_facing=public_facing)
    rating = rate(evidence, scheme)
    return rating, rating.criterion("public")


@pytest.mark.parametrize("scheme", FOUR_EVALUATIONS)
@pytest.mark.parametrize("public_facing", [False, True])
def test_a_branch_with_no_channel_is_pending_on_public_whatever_its_functions(
    factory, scheme, public_facing
):
    rating, criterion = public(factory, scheme, public_facing=public_facing)
    assert criterion.outcome == "pending" and rating.verdict == "pending"
    assert criterion.evidence["channels"] == []


@pytest.mark.parametrize("scheme", FOUR_EVALUATIONS)
def test_a_recorded_public_notice_is_a_channel(factory, scheme):
    rating, criterion = public(factory, scheme, public_notice_held=True)
    assert criterion.outcome == "pass" and rating.verdict == "eligible"
    assert criterion.value["channels"] == ["notice"]
    assert criterion.value["public_notice_held"] is True


def test_a_notice_marked_not_held_is_no_channel(factory):
    _, criterion = public(factory, "nmg-2020", public_notice_held=False)
    assert criterion.outcome == "pending"


@pytest.mark.parametrize(("interviews", "outcome"), [(0, "pending"), (1, "pass"), (30, "pass")])
def test_interviews_are_a_channel_once_someone_was_interviewed(factory, interviews, outcome):
    _, criterion = public(factory, "nmg-2020", public_interviews=interviews)
    assert criterion.outcome == outcome


@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020", "chifeng-college-2020"])
def test_one_verified_opinion_from_an_interview_excludes_under_any_verified(factory, scheme):
    rating, criterion = public(factory, scheme, public_interviews=100, public_channel_verified=1)
    assert criterion.outcome == "fail" and rating.verdict == "not_eligible"


@pytest.mark.parametrize(
    ("poll_verified", "recorded_verified", "outcome"),
    [(5, 5, "pass"), (5, 6, "fail"), (6, 4, "pass"), (10, 1, "fail")],
)
def test_the_rate_counts_verified_answers_across_channels(
    factory, poll_verified, recorded_verified, outcome
):
    # 100 poll answers and 0 interviews... + 0: the rate is (poll + recorded) / (100 + 0)
    # exactly 10 % passes (超过10% excludes the bound)
    polls = factory.public(100, verified=poll_verified)
    _, criterion = public(
        factory,
        ordos_rate_only(),
        polls,
        public_notice_held=True,
        public_channel_verified=recorded_verified,
    )
    assert criterion.outcome == outcome
    assert criterion.value["channels"] == ["poll", "notice"]


@pytest.mark.parametrize(("verified", "outcome"), [(9, "pass"), (10, "pass"), (11, "fail")])
def test_interviewed_residents_count_toward_the_rates_denominator(factory, verified, outcome):
    polls = factory.public(50)
    _, criterion = public(
        factory,
        ordos_rate_only(),
        polls,
        public_interviews=50,
        public_channel_verified=verified,
    )
    assert criterion.outcome == outcome
    assert criterion.value["verified_share"] == f"{verified}/100"


def test_only_social_evaluation_is_exempt_for_an_organ_without_public_functions(factory):
    silent = factory.assessment(social=(), facts={})
    evidence = factory.evidence(public=None, assessment=silent, public_facing=False)
    rated = rate(evidence, "nmg-2020")
    assert rated.criterion("social").outcome == "exempt"
    assert rated.criterion("public").outcome == "pending"
    assert rated.verdict == "pending"


def meeting(responses, *, poll=0, verified=0, unfounded=0, unchecked=0, open_ids=()):
    """群众代表 at the 述职评议 meeting (campaign 31), beside a poll of ``poll`` answers (21)."""
    from survey.rules import PublicEvidence

    dissatisfied = verified + unfounded + unchecked
    return PublicEvidence(
        campaign_ids=(21, 31) if poll else (31,),
        responses=responses + poll,
        dissatisfied=dissatisfied,
        verified=verified,
        unfounded=unfounded,
        open_polls=tuple(open_ids),
        meeting_campaign_ids=(31,),
        meeting_responses=responses,
        meeting_dissatisfied=dissatisfied,
    )


@pytest.mark.parametrize("scheme", FOUR_EVALUATIONS)
def test_representatives_at_the_meeting_are_a_channel_of_their_own(factory, scheme):
    rating, criterion = public(factory, scheme, meeting(12))
    assert criterion.outcome == "pass" and rating.verdict == "eligible"
    assert criterion.value["channels"] == ["meeting"]
    assert criterion.value["meeting_responses"] == 12
    assert criterion.evidence["meeting_campaign_ids"] == [31]


def test_an_open_meeting_is_its_channel_and_keeps_public_pending(factory):
    polls = meeting(0, open_ids=(31,))
    _, criterion = public(factory, "nmg-2020", polls)
    assert criterion.outcome == "pending" and criterion.evidence["channels"] == ["meeting"]


@pytest.mark.parametrize("scheme", FOUR_EVALUATIONS)
@pytest.mark.parametrize(
    ("verified", "unchecked", "outcome"),
    [(0, 0, "pass"), (0, 1, "pending"), (1, 0, "fail"), (2, 0, "fail")],
)
def test_a_representatives_verified_dissatisfied_excludes_under_any_verified(
    factory, scheme, verified, unchecked, outcome
):
    polls = meeting(20, poll=30, verified=verified, unchecked=unchecked, unfounded=1)
    _, criterion = public(factory, scheme, polls)
    assert criterion.outcome == outcome
    assert criterion.evidence["channels"] == ["poll", "meeting"]


@pytest.mark.parametrize(("verified", "outcome"), [(9, "pass"), (10, "pass"), (11, "fail")])
def test_the_rate_counts_the_meetings_answers_beside_the_polls(factory, verified, outcome):
    # 40 representatives + 60 poll answers: 10 verified of 100 is 10 % (超过10% excludes above)
    polls = meeting(40, poll=60, verified=verified)
    _, criterion = public(factory, ordos_rate_only(), polls)
    assert criterion.outcome == outcome
    assert criterion.value["verified_share"] == f"{verified}/100"
