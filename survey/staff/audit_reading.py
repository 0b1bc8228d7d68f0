"""Reading the audit log for the audit page: who did what and when, scoped to organisations.

An entry names its object (an organisation, a campaign, an assessment, a title, a user, a
verified response); it belongs to the organisation that object belongs to. The log never
records a vote, and the page never shows a response's id (a verification is shown by its
campaign only).
"""

from __future__ import annotations

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from survey.models import Assessment, AuditEntry, Campaign, Complaint, Title, User

# a verification names its complaint (before revision 0014: the response, by the same id)
VERIFIED = ("complaints", "responses")

PAGE_SIZE = 200


def _ids(column):
    return cast(column, String)


def _for_organisations(organisation_ids) -> list:
    campaigns = select(_ids(Campaign.id)).where(Campaign.organisation_id.in_(organisation_ids))
    campaign_ids = select(Campaign.id).where(Campaign.organisation_id.in_(organisation_ids))
    owned = {
        "campaigns": campaigns,
        "assessments": select(_ids(Assessment.id)).where(
            Assessment.organisation_id.in_(organisation_ids)
        ),
        "titles": select(_ids(Title.id)).where(Title.organisation_id.in_(organisation_ids)),
        "users": select(_ids(User.id)).where(User.organisation_id.in_(organisation_ids)),
    }
    clauses = [
        (AuditEntry.object_type == kind) & AuditEntry.object_id.in_(query)
        for kind, query in owned.items()
    ]
    complaint_ids = select(Complaint.id).where(Complaint.campaign_id.in_(campaign_ids))
    clauses.append(AuditEntry.object_type.in_(VERIFIED) & AuditEntry.object_id.in_(complaint_ids))
    names = [str(i) for i in organisation_ids]
    clauses.append((AuditEntry.object_type == "organisations") & AuditEntry.object_id.in_(names))
    return clauses


def entries(
    session: Session,
    organisation_ids: set[int] | None,
    campaign_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[AuditEntry]:
    """Newest first; within ``organisation_ids`` (None: everything, for an admin), and of
    one campaign (with its verifications) when given."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if organisation_ids is not None:
        query = query.where(or_(*_for_organisations(sorted(organisation_ids) or [-1])))
    if campaign_id is not None:
        complaint_ids = select(Complaint.id).where(Complaint.campaign_id == campaign_id)
        query = query.where(
            or_(
                (AuditEntry.object_type == "campaigns")
                & (AuditEntry.object_id == str(campaign_id)),
                AuditEntry.object_type.in_(VERIFIED) & AuditEntry.object_id.in_(complaint_ids),
            )
        )
    return list(session.scalars(query))


def shown_object(entry: AuditEntry) -> str:
    """What the page names as the object: never a response's id."""
    if entry.object_type in VERIFIED:
        return "response"
    return f"{entry.object_type.rstrip('s')} {entry.object_id}"
