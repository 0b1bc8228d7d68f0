"""The rating from the database: evidence for the pure engine (``survey.rules``, read in
``evidence``), the committee summary (``ratings``) with the titles already held (``holders``),
the reviewers' assessments, titles, the public notice, the committees' own schemes and the
engine's figures in words. Imports core, models, staff and the engine; never campaigns, files
or a door.
"""

from survey.rating.evidence import evidence_for
from survey.rating.holders import not_reentered, phases, title_holders
from survey.rating.ratings import (
    branch_selector,
    branches_under,
    committee_summary,
    rate_branch,
    scheme_for,
    seed_text,
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
