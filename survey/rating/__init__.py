"""The rating from the database: evidence for the pure engine (``survey.rules``) and the committee
summary (``ratings``), the reviewers' assessments, titles, the public notice, the committees' own
schemes and the engine's figures in words. Imports core, models, staff and the engine; never
campaigns, files or a door.
"""

from survey.rating.ratings import (
    branch_selector,
    branches_under,
    committee_summary,
    evidence_for,
    not_reentered,
    phases,
    rate_branch,
    scheme_for,
    seed_text,
    title_holders,
)

__all__ = [
    "branch_selector",
    "branches_under",
    "committee_summary",
    "evidence_for",
    "not_reentered",
    "phases",
    "rate_branch",
    "scheme_for",
    "seed_text",
    "title_holders",
]
