"""党员评议 (members) and 应到会人数 (quorum)."""

import pytest

from survey.rules import get_scheme, rate


def members_outcome(factory, scheme="nmg-2020", **members):
    return rate(factory.evidence(members=factory.members(**members)), scheme).criterion("members")


@pytest.mark.parametrize(
    ("excellent", "participants", "outcome"),
    [
        (9, 10, "pass"),  # exactly 90 %: 以上 includes it
        (8, 10, "fail"),
        (10, 10, "pass"),
        (26, 29, "fail"),  # 89.66 %, which would round to 90 %
        (27, 30, "pass"),
        (27, 29, "pass"),
        (89, 99, "fail"),
        (90, 100, "pass"),
        (899, 1000, "fail"),
    ],
)
def test_excellent_share_is_compared_to_ninety_percent_on_integers(
    factory, excellent, participants, outcome
):
    criterion = members_outcome(factory, excellent=excellent, participants=participants)
    assert criterion.outcome == outcome
    assert criterion.value == {
        "excellent": excellent,
        "participants": participants,
        "excellent_share": f"{excellent}/{participants}",
    }
    assert criterion.threshold == {"excellent_share": {"min": {"numerator": 9, "denominator": 10}}}


@pytest.mark.parametrize("scheme", ["nmg-2020", "ordos-amr-2020", "chifeng-college-2020"])
def test_every_scheme_that_asks_for_member_review_fails_26_of_29(factory, scheme):
    assert members_outcome(factory, scheme, excellent=26, participants=29).outcome == "fail"


def test_members_without_any_review_is_pending(factory):
    criterion = rate(factory.evidence(members=None)).criterion("members")
    assert criterion.outcome == "pending"
    assert criterion.evidence["reason"] == "no member review this year"


def test_members_with_nobody_taking_part_is_pending(factory):
    criterion = members_outcome(factory, excellent=0, participants=0)
    assert criterion.outcome == "pending"


def test_members_is_not_applicable_under_pingdingshan(factory):
    criterion = members_outcome(factory, "pingdingshan-2024", excellent=0, participants=10)
    assert criterion.outcome == "not_applicable"
    assert criterion.source.startswith("002 ")


def test_probationary_grades_count_in_the_presets(factory):
    # 9 of 9 full members plus 0 of 2 probationary: 9/11 < 90 % once probationary count.
    criterion = members_outcome(factory, excellent=9, participants=9, participants_probationary=2)
    assert get_scheme("nmg-2020").members.count_probationary is True
    assert criterion.outcome == "fail"
    assert criterion.value["participants"] == 11


def test_a_scheme_not_counting_probationary_grades_reads_full_members_only(factory):
    nmg = get_scheme("nmg-2020")
    full_only = nmg.with_item("members", count_probationary=False)
    evidence = factory.evidence(
        members=factory.members(9, 9, excellent_probationary=0, participants_probationary=2)
    )
    criterion = rate(evidence, full_only).criterion("members")
    assert criterion.outcome == "pass"
    assert criterion.value == {"excellent": 9, "participants": 9, "excellent_share": "9/9"}
    assert criterion.evidence["count_probationary"] is False


def test_probationary_excellent_grades_can_lift_the_share_where_they_count(factory):
    criterion = members_outcome(
        factory,
        excellent=8,
        participants=10,
        excellent_probationary=10,
        participants_probationary=10,
    )
    assert criterion.outcome == "pass"  # 18 of 20


def test_members_evidence_lists_campaigns_but_never_splits_by_class(factory):
    criterion = members_outcome(factory, excellent=9, participants=10)
    assert criterion.evidence["campaign_ids"] == [11]
    assert not any("probationary" in k and k != "count_probationary" for k in criterion.evidence)
    assert not any(k.endswith("_full") for k in criterion.evidence)
    assert criterion.source == "001 工作指南 §五(二)2"


@pytest.mark.parametrize(
    ("roll", "present", "outcome"),
    [(10, 5, "pending"), (10, 6, "pass"), (11, 5, "pending"), (11, 6, "pass"), (10, 10, "pass")],
)
def test_quorum_needs_more_than_half_of_the_roll(factory, roll, present, outcome):
    quorum = rate(factory.evidence(members=factory.members(present, present, roll=roll))).criterion(
        "quorum"
    )
    assert quorum.outcome == outcome
    assert quorum.value == {
        "participants": present,
        "roll": roll,
        "participant_share": f"{present}/{roll}",
    }


def test_quorum_not_reached_says_why_and_holds_the_verdict_pending(factory):
    rating = rate(factory.evidence(members=factory.members(5, 5, roll=10)))
    assert rating.criterion("quorum").evidence["reason"] == "quorum not reached"
    assert rating.verdict == "pending"


def test_quorum_without_a_roll_does_not_apply(factory):
    rating = rate(factory.evidence(members=factory.members(5, 5, roll=None)))
    assert rating.criterion("quorum").outcome == "not_applicable"
    assert rating.verdict == "eligible"


def test_quorum_counts_probationary_members_with_their_roll(factory):
    members = factory.members(
        4, 4, participants_probationary=2, excellent_probationary=2, roll=8, roll_probationary=2
    )
    quorum = rate(factory.evidence(members=members)).criterion("quorum")
    assert quorum.value["roll"] == 10
    assert quorum.outcome == "pass"  # 6 of 10


def test_quorum_with_only_a_probationary_roll_still_applies_when_they_count(factory):
    members = factory.members(1, 1, roll_probationary=4)
    assert rate(factory.evidence(members=members)).criterion("quorum").outcome == "pending"


def test_quorum_does_not_apply_without_member_review_or_under_pingdingshan(factory):
    assert rate(factory.evidence(members=None)).criterion("quorum").outcome == "not_applicable"
    evidence = factory.evidence(members=factory.members(1, 1, roll=10))
    assert rate(evidence, "pingdingshan-2024").criterion("quorum").outcome == "not_applicable"
