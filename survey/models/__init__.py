"""Persistence: one module per aggregate."""

from survey.models.appraisal import Appraisee
from survey.models.assessment import Assessment, Title
from survey.models.audit import AuditChain, AuditEntry
from survey.models.ballot import Ballot, Complaint, Count, Envelope, Receipt
from survey.models.campaign import Campaign, CampaignStatus, Question
from survey.models.meeting import MeetingRecord
from survey.models.member import Member
from survey.models.notice import Notice, NoticeDevice, NoticeEntry, Objection
from survey.models.organisation import ApiToken, Organisation, User
from survey.models.poll import PollDevice, PollHit, Verification
from survey.models.scheme import CommitteeScheme
from survey.models.tally import Tally

__all__ = [
    "ApiToken",
    "Appraisee",
    "Assessment",
    "AuditChain",
    "AuditEntry",
    "Ballot",
    "Campaign",
    "CommitteeScheme",
    "Complaint",
    "Count",
    "CampaignStatus",
    "MeetingRecord",
    "Member",
    "Envelope",
    "Notice",
    "NoticeDevice",
    "NoticeEntry",
    "Objection",
    "Organisation",
    "PollDevice",
    "PollHit",
    "Question",
    "Receipt",
    "Tally",
    "Title",
    "User",
    "Verification",
]
