"""Persistence: one module per aggregate."""

from survey.models.audit import AuditEntry
from survey.models.ballot import Answer, Ballot, Receipt, Response
from survey.models.campaign import Campaign, Question
from survey.models.organisation import ApiToken, Organisation, User
from survey.models.poll import PollDevice, PollHit, Verification

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEntry",
    "Ballot",
    "Campaign",
    "Organisation",
    "PollDevice",
    "PollHit",
    "Question",
    "Receipt",
    "Response",
    "User",
    "Verification",
]
