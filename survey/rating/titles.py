"""The title over time (动态管理): grant on a recorded rating, revoke with date and reason."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.converters import check_year
from survey.core.database import lock
from survey.core.errors import Conflict, Invalid
from survey.models import Assessment, Organisation, Title
from survey.models.base import utcnow
from survey.rating import notice, ratings
from survey.staff import audit


def _digest(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def grant_title(
    session: Session, actor: str, branch: Organisation, year: int, scheme_key: str | None = None
) -> Title:
    """Grant the year's title on the branch's rating under its committee's own scheme
    (docs/rules.md §5: other schemes are for comparison only), which must be ``eligible``;
    ``scheme_key``, when given, must name that scheme."""
    check_year(year)
    own = ratings.scheme_for(session, branch, None).key
    if scheme_key not in (None, own):
        raise Conflict(f"the title is granted under the committee's own scheme, {own}")
    lock(session, Organisation, branch.id)  # one grant at a time per branch
    notice.check_grant(session, branch.id, year)
    branch_rating = ratings.rate_branch(session, branch, year)
    if branch_rating.verdict != "eligible":
        raise Conflict(
            f"the rating is {branch_rating.verdict}, not eligible", verdict=branch_rating.verdict
        )
    if session.scalar(select(Title).where(Title.organisation_id == branch.id, Title.year == year)):
        raise Conflict(f"a title for {year} was already recorded")
    snapshot = branch_rating.to_dict()
    title = Title(
        organisation_id=branch.id,
        year=year,
        scheme=branch_rating.scheme,
        rating=snapshot,
        rating_sha256=_digest(snapshot),
        granted_by=actor,
    )
    session.add(title)
    session.flush()
    audit.record(session, actor, "title.grant", title, year=year, scheme=branch_rating.scheme)
    return title


def revoke_title(session: Session, actor: str, title: Title, reason: str) -> None:
    if title.revoked_at is not None:
        raise Conflict("the title was already revoked")
    if not reason.strip():
        raise Invalid("a reason is required to revoke a title", field="reason")
    title.revoked_at = utcnow()
    title.revoked_by = actor
    title.revoke_reason = reason.strip()
    audit.record(session, actor, "title.revoke", title, reason=title.revoke_reason)


def granted_for(session: Session, selector, year: int) -> dict[int, Title]:
    """Branch -> its live title granted for ``year`` (the branches ``selector`` picks)."""
    rows = session.scalars(
        select(Title).where(
            Title.organisation_id.in_(selector), Title.year == year, Title.revoked_at.is_(None)
        )
    )
    return {title.organisation_id: title for title in rows}


def target_count(session: Session, granted: dict[int, Title]) -> rules.TargetCount:
    """The year's titles as 001 工作指南 §三(三) counts them. A title here is granted by the
    branch's own committee (level 1, the basic committee); it counts when that committee
    approves probationary members (Organisation.approves_probationary)."""
    parents = dict(
        session.execute(
            select(Organisation.id, Organisation.parent_id).where(Organisation.id.in_(granted))
        ).all()
    )
    approving = set(
        session.scalars(
            select(Organisation.id).where(
                Organisation.id.in_(set(parents.values()) - {None}),
                Organisation.approves_probationary.is_(True),
            )
        )
    )
    return rules.count_toward_target(
        rules.GrantedTitle(branch, 1, parents.get(branch) in approving) for branch in granted
    )


def history(session: Session, branch_id: int) -> list[Title]:
    return list(
        session.scalars(
            select(Title).where(Title.organisation_id == branch_id).order_by(Title.year.desc())
        )
    )


def revoke_on_exclusion(session: Session, actor: str, assessment: Assessment) -> list[Title]:
    """An exclusion recorded for a year revokes every live title of that year or earlier
    (000 §六(四), 002 复查/撤销: 取消评定)."""
    if not assessment.exclusions:
        return []
    keys = ", ".join(e["key"] for e in assessment.exclusions)
    reason = f"exclusion recorded for {assessment.year}: {keys}"
    live = session.scalars(
        select(Title).where(
            Title.organisation_id == assessment.organisation_id,
            Title.year <= assessment.year,
            Title.revoked_at.is_(None),
        )
    ).all()
    for title in live:
        revoke_title(session, actor, title, reason)
    return list(live)
