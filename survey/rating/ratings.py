"""Ratings from the database: the scheme that applies, one branch's rating, the committee
summary (evidence from ``evidence``, the titles already held from ``holders``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.errors import Invalid, NotFound
from survey.models import Organisation
from survey.rating import schemes_store
from survey.rating.evidence import evidence_for, plain_rows
from survey.rating.holders import not_reentered, phases, title_life
from survey.staff import access


def scheme_for(session: Session, organisation: Organisation, requested: str | None):
    """The requested scheme (a preset, or an own scheme of the organisation's committees),
    else the nearest committee's choice (a preset or its own), else the default (nmg-2020)."""
    chain = access.ancestors_and_self(session, organisation.id)
    if requested:
        if requested in rules.SCHEMES:
            return rules.get_scheme(requested)
        own = schemes_store.resolve(session, requested, chain)
        if own is not None:
            return own
        known = ", ".join(rules.SCHEMES)
        raise Invalid(f"unknown scheme {requested!r}; known: {known}", field="scheme")
    for org_id in chain:
        key = session.scalar(select(Organisation.scheme).where(Organisation.id == org_id))
        if key in rules.SCHEMES:
            return rules.get_scheme(key)
        own = schemes_store.resolve(session, key, [org_id]) if key else None
        if own is not None:
            return own
    return rules.get_scheme(rules.DEFAULT_SCHEME)


def rate_branch(
    session: Session, organisation: Organisation, year: int, scheme_key: str | None = None
) -> rules.Rating:
    if organisation.kind != "branch":
        raise Invalid("only a branch is rated", field="organisation_id")
    scheme = scheme_for(session, organisation, scheme_key)
    evidence = evidence_for(session, year, [organisation])[organisation.id]
    return rules.rate(evidence, scheme)


FACTS = ("id", "name", "domain", "founded_on", "public_facing", "weak")


def branch_selector(session: Session, committee: Organisation) -> Select:
    """A query of the ids of every active branch below ``committee`` (access.listed)."""
    parents = list(access.subtree_ids(session, committee.id, kind="committee"))
    return access.listed(
        select(Organisation.id).where(
            Organisation.kind == "branch", Organisation.parent_id.in_(parents)
        )
    )


def branches_under(session: Session, selector: Select) -> list:
    """Rows with the facts the rating reads of the branches ``selector`` picks."""
    columns = [getattr(Organisation, name) for name in FACTS]
    return list(
        plain_rows(
            session, select(*columns).where(Organisation.id.in_(selector)).order_by(Organisation.id)
        )
    )


def committee_summary(
    session: Session, committee: Organisation, year: int, scheme_key: str | None = None
) -> dict:
    """Each branch's verdict, the eligible share against the target, the recommended list.

    A branch that already holds a live title from an earlier year is re-checked, not
    re-entered (002 §四(三)): it keeps its verdict in the list but is not recommended again.
    """
    if committee.kind != "committee":
        raise Invalid("a summary is made for a committee", field="committee_id")
    scheme = scheme_for(session, committee, scheme_key)
    with _no_collection():
        data = _summarise(session, branch_selector(session, committee), year, scheme)
    data["committee_id"] = committee.id
    return data


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a summary is built: every object it makes
    (evidence, criteria, ratings of 10,000 branches) lives until it returns, so each full
    collection had nothing to free and only walked them again -- 7 passes, 1.3 s of a 3 s
    summary of 10,000 branches (bench/ratings.py). Collection resumes after, as before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _summarise(session: Session, selector: Select, year: int, scheme) -> dict:
    branches = branches_under(session, selector)
    evidence = evidence_for(session, year, branches, selector)
    holders, held, barred = not_reentered(session, selector, year, evidence)
    ratings = [rules.rate(evidence[b.id], scheme) for b in branches]
    summary = rules.summarise(ratings, scheme, year, not_reentered=barred)
    names = {b.id: b.name for b in branches}
    data = summary.to_dict()
    for branch in data["branches"]:
        org_id = branch["organisation_id"]
        branch["name"] = names[org_id]
        branch["holds_title_since"] = holders.get(org_id)
        branch["rated_anew"] = org_id in holders and org_id not in barred
    data["phases"] = [check.to_dict() for check in phases(session, selector, scheme, year)]
    if holders:
        by_branch = {rating.organisation_id: rating for rating in ratings}
        data.update(title_life(held, evidence, by_branch, scheme, year, session))
    else:
        data.update(up_for_revocation=[], due_for_rating=[])
    return data


def seed_text(number: str) -> tuple[rules.SeedFile, str]:
    """A policy document the rules cite, with its full text (shipped in the package)."""
    found = rules.SEED_FILES.get(number)
    if found is None:
        raise NotFound("not found")
    text = files("survey.rules").joinpath("seeds", found.file).read_text(encoding="utf-8")
    return found, text
