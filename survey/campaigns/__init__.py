"""Campaigns: the one place that knows every kind (member review, member appraisal, public poll).

Their life (``life``: draft -> open -> closed, the tally and the sealed snapshot), the meeting kit
(``meeting``: cards, lost cards), the recount against the seal (``recount``) and the polls'
closing dates (``deadlines``). Imports the ballot box, appraisal and polls; never a door or files.
Others call the verbs named here; the modules are read by name for the rest.
"""

from survey.campaigns.life import (
    GEOFENCES,
    CampaignStatus,
    ballot_counts,
    class_counts,
    close_campaign,
    create_campaign,
    open_campaign,
    same_year,
    snapshot_digest,
    tally,
    update_draft,
)

__all__ = [
    "GEOFENCES",
    "CampaignStatus",
    "ballot_counts",
    "class_counts",
    "close_campaign",
    "create_campaign",
    "open_campaign",
    "same_year",
    "snapshot_digest",
    "tally",
    "update_draft",
]
