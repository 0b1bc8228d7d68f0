"""Reading the audit log for the audit page: who did what and when, scoped to organisations.

An entry names its object (an organisation, a campaign, an assessment, a title, a user, a
verified response); it belongs to the organisation that object belongs to. The log never
records a vote, and the page never shows a response's id (a verification is shown by its
campaign only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from survey.core.digests import GENESIS, audit_digest
from survey.models import Assessment, AuditChain, AuditEntry, Campaign, Complaint, Title, User
from survey.models.audit import HEAD_ID

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


@dataclass(frozen=True)
class ChainCheck:
    """The chain's verdict: ``ok``, or the first broken entry and why.

    ``reason``: ``changed`` (the entry's fields no longer give its hash), ``unlinked`` (it
    does not follow the entry before it: one between was removed, or they were reordered, or
    the one before was changed and re-hashed), ``cut`` (the newest entries are gone: the head
    names ``entry_id``), ``no_head`` (the head row is gone), ``checkpoint`` (the oldest entries
    are gone with no ``audit.prune`` entry recording their removal).
    """

    ok: bool
    checked: int
    entry_id: int | None = None
    previous_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"audit chain verified: {self.checked} entries"
        words = {
            "changed": f"entry {self.entry_id} was changed",
            "unlinked": (
                f"entry {self.entry_id} does not follow entry {self.previous_id}: an entry "
                "between them was removed, or entries were reordered or changed"
            ),
            "cut": f"entries up to {self.entry_id} are missing from the end of the chain",
            "no_head": "the chain's head is missing",
            "checkpoint": (
                f"entry {self.entry_id}: older entries were removed without a recorded prune"
            ),
        }
        return f"audit chain broken: {words[self.reason]}"


_CHAIN_FIELDS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.detail,
    AuditEntry.algorithm,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)


def chain_rows(session: Session, batch: int = 1000) -> Iterator:
    """Oldest first, in batches by id (no identity map filling up with a year of entries)."""
    after = None
    while True:
        query = select(*_CHAIN_FIELDS).order_by(AuditEntry.id).limit(batch)
        if after is not None:
            query = query.where(AuditEntry.id > after)
        rows = session.execute(query).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def _hash_of(row) -> str:
    return audit_digest(
        row.algorithm,
        entry_id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole chain from the checkpoint to the head; the first break wins."""
    head = session.execute(select(AuditChain).where(AuditChain.id == HEAD_ID)).scalar_one_or_none()
    previous_id = head.checkpoint_id if head else 0
    expected = head.checkpoint_hash if head else GENESIS
    checkpoint = expected
    checkpoint_recorded = checkpoint == GENESIS
    checked, first_id = 0, None
    for row in chain_rows(session):
        if row.prev_hash != expected:
            return ChainCheck(False, checked, row.id, previous_id, "unlinked")
        if _hash_of(row) != row.entry_hash:
            return ChainCheck(False, checked, row.id, previous_id, "changed")
        if row.action == "audit.prune" and (row.detail or {}).get("checkpoint") == checkpoint:
            checkpoint_recorded = True
        first_id = row.id if first_id is None else first_id
        previous_id, expected, checked = row.id, row.entry_hash, checked + 1
    if head is None:
        return ChainCheck(checked == 0, checked, None, None, "" if checked == 0 else "no_head")
    if (head.last_id, head.last_hash) != (previous_id, expected):
        return ChainCheck(False, checked, head.last_id, previous_id, "cut")
    if not checkpoint_recorded:
        return ChainCheck(False, checked, first_id, None, "checkpoint")
    return ChainCheck(True, checked)
