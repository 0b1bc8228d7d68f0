"""The titles already held under a committee: their yearly re-check (002 复查), who is
not re-entered (002 §四(三)) and the count targets by phase (004 §三)."""

from __future__ import annotations

from sqlalchemy import Select, Text, and_, cast, func, select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.timezone import to_local
from survey.models import Assessment, Title
from survey.rating import schemes_store
from survey.rating.evidence import json_facts, plain_rows


def phases(session: Session, selector: Select, scheme, year: int) -> tuple:
    """The scheme's count targets of ``year`` (Haimen's phases, 004 §三), each compared on its
    own deadline with the titles granted under the scheme, as local dates (SURVEY_TIMEZONE)."""
    if not any(t.year == year and t.count is not None for t in scheme.targets):
        return ()
    key = scheme.key.split("@", 1)[0]
    rows = plain_rows(
        session,
        select(Title.organisation_id, Title.granted_at, Title.revoked_at).where(
            Title.organisation_id.in_(selector),
            (Title.scheme == key) | Title.scheme.like(f"{key}@%"),
        ),
    )
    titles = [
        (org_id, to_local(granted).date(), to_local(revoked).date() if revoked else None)
        for org_id, granted, revoked in rows
    ]
    return rules.phase_checks(scheme, year, titles)


def title_life(held, evidence, ratings, scheme, year: int, session=None) -> dict:
    """The holders' yearly re-check, each under its own title's scheme (002 复查): the titles
    up for revocation with the failing criterion and its clause, and those past their term.
    Nothing is revoked here: a reviewer revokes with a reason (titles.revoke_title)."""
    checked = {}
    for title in held:
        if title.scheme == scheme.key:
            checked[title.organisation_id] = ratings[title.organisation_id]
        elif title.scheme in rules.SCHEMES:
            own = rules.get_scheme(title.scheme)
            checked[title.organisation_id] = rules.rate(evidence[title.organisation_id], own)
        elif session is not None and (own := _own_scheme(session, title.scheme)) is not None:
            checked[title.organisation_id] = rules.rate(evidence[title.organisation_id], own)
    return {
        "up_for_revocation": [e.to_dict() for e in rules.up_for_revocation(held, checked)],
        "due_for_rating": [e.to_dict() for e in rules.due_for_rating(held, year)],
    }


def _own_scheme(session: Session, ref: str):
    """The committee's own scheme version a title was granted on (``key@version``)."""
    return schemes_store.resolve(session, ref)


def held_titles(session: Session, selector: Select, year: int, evidence) -> list:
    """Live titles granted before ``year``, each with the term it lasts to: the term end the
    year's assessment gives, else the one entered in the year the title was granted."""
    rows = session.execute(
        select(
            Title.id, Title.organisation_id, Title.year, Title.scheme, cast(Assessment.facts, Text)
        )
        .outerjoin(
            Assessment,
            and_(
                Assessment.organisation_id == Title.organisation_id, Assessment.year == Title.year
            ),
        )
        .where(Title.organisation_id.in_(selector), Title.year < year, Title.revoked_at.is_(None))
        .order_by(Title.organisation_id, Title.year)
    )
    held = []
    for title_id, org_id, granted, key, raw in rows:
        now = evidence[org_id].assessment if org_id in evidence else None
        term = now.term_ends_on if now is not None else None
        if term is None:
            term = json_facts(raw).get("term_ends_on")
        held.append(rules.HeldTitle(title_id, org_id, granted, key, term))
    return held


def not_reentered(session: Session, selector: Select, year: int, evidence) -> tuple:
    """(holders, their held titles, the holders still within their term): the last are
    re-checked, not re-entered (002 §四(三)); a holder past its term is rated again like any
    branch and recommended on its rating (001 工作指南 §七(四) 到任期届满后再重新评定)."""
    holders = title_holders(session, selector, year)
    if not holders:
        return holders, [], {}
    held = held_titles(session, selector, year, evidence)
    in_term = rules.in_term(held, year)
    return holders, held, {org: since for org, since in holders.items() if org in in_term}


def title_holders(session: Session, selector: Select, year: int) -> dict[int, int]:
    """Branch -> first year of a live (unrevoked) title granted before ``year``."""
    rows = plain_rows(
        session,
        select(Title.organisation_id, func.min(Title.year))
        .where(Title.organisation_id.in_(selector), Title.year < year, Title.revoked_at.is_(None))
        .group_by(Title.organisation_id),
    )
    return dict(rows)
