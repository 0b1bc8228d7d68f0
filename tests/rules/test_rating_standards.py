"""The reference standards of 001 附件2 (nmg-2020-annex2) and Haimen's checklist (haimen-2019),
each a fact the reviewer enters, at, below and above its bound."""

import pytest

from survey.rules import rate

ANNEX = "nmg-2020-annex2"


def outcome(factory, scheme, key, domain="organ", **facts):
    evidence = factory.evidence(domain=domain, assessment=factory.with_facts(**facts))
    return rate(evidence, scheme).criterion(key).outcome


@pytest.mark.parametrize(("rank", "expected"), [(1, "pass"), (2, "pass"), (3, "pass"), (4, "fail")])
def test_organs_rank_in_the_first_three(factory, rank, expected):
    assert outcome(factory, ANNEX, "internal_rank", internal_rank=rank) == expected


@pytest.mark.parametrize(
    ("key", "fact", "domain"),
    [
        ("college_member", "college_member", "village"),
        ("collective_income", "collective_income_met", "village"),
        ("village_clean", "no_criminal_or_tyrant", "village"),
        ("four_excellent_member", "four_excellent_member", "state_enterprise"),
        ("school_average", "not_below_school_average", "school"),
        ("six_haves", "venue_six_haves", "private_enterprise"),
        ("eight_haves", "venue_eight_haves", "social_organisation"),
    ],
)
def test_yes_no_standards_pass_on_yes_fail_on_no_and_wait_unentered(factory, key, fact, domain):
    assert outcome(factory, ANNEX, key, domain, **{fact: True}) == "pass"
    assert outcome(factory, ANNEX, key, domain, **{fact: False}) == "fail"
    assert outcome(factory, ANNEX, key, domain, **{fact: None}) == "pending"
    assert outcome(factory, ANNEX, key, "other", **{fact: False}) == "not_applicable"


@pytest.mark.parametrize(
    ("funding", "payroll", "expected"),
    [(10_000, 1_000_000, "pass"), (9_999, 1_000_000, "fail"), (10_001, 1_000_000, "pass")],
)
def test_state_enterprise_funding_at_least_one_percent_of_payroll(
    factory, funding, payroll, expected
):
    facts = {"party_funding_yuan": funding, "payroll_yuan": payroll}
    assert outcome(factory, ANNEX, "enterprise_funding", "state_enterprise", **facts) == expected


@pytest.mark.parametrize(("lost", "expected"), [(0, "pass"), (1, "fail")])
def test_mobile_branches_lose_no_member(factory, lost, expected):
    assert outcome(factory, ANNEX, "lost_contact", "mobile", lost_contact_members=lost) == expected


HAIMEN = "haimen-2019"


@pytest.mark.parametrize(
    ("members", "expected"),
    [(2, "fail"), (3, "pass"), (4, "pass"), (49, "pass"), (50, "pass"), (51, "fail")],
)
def test_haimen_branch_has_three_to_fifty_full_members(factory, members, expected):
    assert outcome(factory, HAIMEN, "branch_size", full_members=members) == expected


@pytest.mark.parametrize(
    ("members", "groups", "expected"),
    [
        (19, 0, "pass"),  # below 20: no division asked
        (20, 0, "fail"),
        (20, 1, "fail"),  # one group divides nothing: 划分若干 means at least two
        (20, 2, "pass"),
        (21, 1, "fail"),
        (21, 3, "pass"),
    ],
)
def test_haimen_twenty_members_or_more_are_divided_into_at_least_two_party_groups(
    factory, members, groups, expected
):
    facts = {"party_members": members, "party_groups": groups}
    assert outcome(factory, HAIMEN, "party_groups", **facts) == expected


@pytest.mark.parametrize(("months", "expected"), [(5, "pass"), (6, "pass"), (7, "fail")])
def test_haimen_vacancies_are_filled_within_six_months(factory, months, expected):
    assert outcome(factory, HAIMEN, "vacancies", vacancy_months=months) == expected


@pytest.mark.parametrize(
    ("key", "fact", "bound"),
    [("committee_study", "committee_study_hours", 56), ("member_study", "member_study_hours", 32)],
)
def test_haimen_study_hours(factory, key, fact, bound):
    assert outcome(factory, HAIMEN, key, **{fact: bound - 1}) == "fail"
    assert outcome(factory, HAIMEN, key, **{fact: bound}) == "pass"
    assert outcome(factory, HAIMEN, key, **{fact: bound + 1}) == "pass"


@pytest.mark.parametrize(
    ("staff", "organ", "expected"),
    [
        (0, 100, "fail"),
        (0, 10, "fail"),  # a small unit still needs one (004 §五(二) 至少配备1名)
        (1, 101, "fail"),  # just below 1 %
        (1, 100, "pass"),  # 1 % itself
        (1, 99, "pass"),  # just above 1 %
        (3, 200, "pass"),
        (2, 100, "pass"),  # 2 % itself
        (2, 99, "pass"),  # above 2 %: 较少的单位可适当增加比例
        (1, 10, "pass"),  # a small unit's one member is 10 %
    ],
)
def test_haimen_party_staff_are_at_least_one_and_one_percent_with_no_ceiling(
    factory, staff, organ, expected
):
    facts = {"party_staff": staff, "organ_staff": organ}
    assert outcome(factory, HAIMEN, "party_staff", **facts) == expected


@pytest.mark.parametrize(("funds", "expected"), [(5_999, "fail"), (6_000, "pass"), (6_001, "pass")])
def test_haimen_six_hundred_yuan_a_member(factory, funds, expected):
    facts = {"activity_funds_yuan": funds, "party_members": 10}
    assert outcome(factory, HAIMEN, "activity_funds", **facts) == expected


@pytest.mark.parametrize(
    ("key", "fact"),
    [
        ("term_on_time", "term_held_on_time"),
        ("venue", "venue_six_haves"),
        ("life_meeting", "life_meeting_held"),  # 任务清单9 支部每年召开1次党员组织生活会
    ],
)
def test_haimen_yes_no_items(factory, key, fact):
    assert outcome(factory, HAIMEN, key, **{fact: True}) == "pass"
    assert outcome(factory, HAIMEN, key, **{fact: False}) == "fail"


def test_haimen_is_a_checklist_not_a_four_evaluations_rating(factory):
    rating = rate(factory.evidence(members=None, public=None), HAIMEN)
    for key in ("members", "public", "organisation", "social"):
        assert rating.criterion(key).outcome == "not_applicable"
        assert rating.criterion(key).source == "004 附件"
    assert rating.verdict == "eligible"


def test_a_per_member_share_waits_while_its_denominator_is_missing_or_zero(factory):
    assert outcome(factory, HAIMEN, "activity_funds", party_members=0) == "pending"
    assert outcome(factory, HAIMEN, "activity_funds", party_members=None) == "pending"
