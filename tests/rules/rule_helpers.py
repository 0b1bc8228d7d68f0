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
