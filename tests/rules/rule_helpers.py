"""Data shared by the rules tests (imported by name: tests/rules is on the path)."""

from __future__ import annotations

from typing import Any

from survey.rules import SCHEMES

PASSING_FACTS: dict[str, Any] = {
    # 001 附件2 (nmg-2020-annex2), each domain's standard met
    "internal_rank": 1,
    "college_member": True,
    "collective_income_met": True,
    "no_criminal_or_tyrant": True,
    "party_funding_yuan": 20_000,
    "payroll_yuan": 1_000_000,
    "four_excellent_member": True,
    "not_below_school_average": True,
    "venue_six_haves": True,
    "venue_eight_haves": True,
    "lost_contact_members": 0,
    # 001 附件2 §一–§九, the standards that are yes/no facts
    "village_service_centre": True,
    "village_three_affairs": True,
    "village_no_clan_control": True,
    "village_no_inspection_notice": True,
    "community_policy": True,
    "community_vanguard": True,
    "community_grid": True,
    "community_joint_building": True,
    "community_centre_funds": True,
    "soe_development": True,
    "soe_brand": True,
    "soe_workers": True,
    "soe_venue": True,
    "university_dual_leaders": True,
    "university_support": True,
    "university_funds_rooms": True,
    "private_no_labour_dispute": True,
    "private_culture": True,
    "private_no_accident": True,
    "social_charter": True,
    "social_care": True,
    "hospital_ethics": True,
    "hospital_centre_work": True,
    "hospital_trust": True,
    "hospital_funds_rooms": True,
    "school_brand": True,
    "school_cohesion": True,
    "school_funds_rooms": True,
    "institution_direction": True,
    "institution_decisions": True,
    "institution_funds_venue": True,
    "organ_political": True,
    "organ_secretary": True,
    "organ_brand": True,
    "organ_rules": True,
    "organ_mass_line": True,
    "mobile_study": True,
    "mobile_duties": True,
    "mobile_transfer": True,
    "mobile_notify": True,
    # 004 (haimen-2019)
    "full_members": 25,
    "party_members": 25,
    "party_groups": 2,
    "term_held_on_time": True,
    "vacancy_months": 0,
    "committee_study_hours": 60,
    "member_study_hours": 40,
    "party_staff": 2,
    "life_meeting_held": True,
    "organ_staff": 150,
    "activity_funds_yuan": 15_000,
}
"""Facts meeting every standard of every preset."""


def ordos_rate_only():
    """A committee's copy of ordos-amr-2020 that reads §四(三) alone (RULES §2)."""
    return SCHEMES["ordos-amr-2020"].with_item(
        "public", any_verified=False, any_source=None, source="000 §四(三)"
    )
