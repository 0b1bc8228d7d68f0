"""Persistence: one module per aggregate."""

from survey.models.audit import AuditEntry
from survey.models.ballot import Answer, Ballot, Receipt, Response
from survey.models.campaign import Campaign, Question
from survey.models.organisation import ApiToken, Organisation, User

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEntry",
    "Ballot",
    "Campaign",
    "Organisation",
    "Question",
    "Receipt",
    "Response",
    "User",
]
