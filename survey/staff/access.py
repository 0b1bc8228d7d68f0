"""Who may do what, and who may see which organisation: the one place both are decided.

Every door -- the staff pages, the JSON API and the CLI -- asks ``require(user, action)``
before it acts and reads ``visible_*`` before it lists. An admin may do everything and sees
all; a secretary sees only their branch; a reviewer their committee's subtree (docs/design.md).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from survey.core.converters import MAX_ID
from survey.core.errors import Forbidden, NotFound
from survey.core.scales import MEMBER_APPRAISAL
from survey.models import Campaign, Organisation, User

MAX_DEPTH = 32
ADMIN, SECRETARY, REVIEWER = "admin", "secretary", "reviewer"


class Action(StrEnum):
    """What a staff account may be allowed to do."""

    MANAGE_ORGANISATIONS = "organisations.manage"
    MANAGE_USERS = "users.manage"
    # A campaign's life (create, cards and codes, void, open, close, turnout) by its kind:
    # the member review is the branch's own meeting; a public poll is run by either side.
    RUN_MEMBER_REVIEW = "member_review.run"
    RUN_PUBLIC_POLL = "public_satisfaction.run"
    RUN_MEMBER_APPRAISAL = "member_appraisal.run"
    # 群众代表 at the 述职评议 meeting: the branch's secretary or the committee's reviewer
    RUN_MASSES_MEETING = "masses_meeting.run"
    # 民主评议党员: the appraised members' names and results, and their final grades, are
    # for the branch's secretary and its committee's reviewers only.
    READ_APPRAISAL = "appraisal.read"
    GRADE_MEMBERS = "appraisal.grade"
    READ_RESULTS = "results.read"
    VERIFY_COMPLAINTS = "complaints.verify"
    READ_ANOMALIES = "anomalies.read"
    # The committee, not the branch whose poll it is, may let more answers in from one address.
    RAISE_POLL_CEILING = "poll_ceiling.raise"
    ASSESS = "assessments.save"
    MANAGE_TITLES = "titles.manage"
    READ_RATINGS = "ratings.read"
    READ_SUMMARIES = "summaries.read"
    # 计票人/监票人: enter the paper ballots (纸质票) of a campaign in scope while it is open.
    ENTER_PAPER_BALLOTS = "paper_ballots.enter"
    # A branch's member roll (names, class, 入党时间): read by its committee's reviewers,
    # imported and kept by its secretary.
    READ_ROLL = "roll.read"
    MANAGE_ROLL = "roll.manage"


# The one table of which role may do which action (an admin may do all of them).
PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.MANAGE_ORGANISATIONS: frozenset(),
    Action.MANAGE_USERS: frozenset(),
    Action.RUN_MEMBER_REVIEW: frozenset({SECRETARY}),
    Action.RUN_PUBLIC_POLL: frozenset({SECRETARY, REVIEWER}),
    Action.RUN_MEMBER_APPRAISAL: frozenset({SECRETARY}),
    Action.RUN_MASSES_MEETING: frozenset({SECRETARY, REVIEWER}),
    Action.READ_APPRAISAL: frozenset({SECRETARY, REVIEWER}),
    Action.GRADE_MEMBERS: frozenset({SECRETARY, REVIEWER}),
    Action.READ_RESULTS: frozenset({SECRETARY, REVIEWER}),
    Action.VERIFY_COMPLAINTS: frozenset({REVIEWER}),
    Action.READ_ANOMALIES: frozenset({REVIEWER}),
    Action.RAISE_POLL_CEILING: frozenset({REVIEWER}),
    Action.ASSESS: frozenset({REVIEWER}),
    Action.MANAGE_TITLES: frozenset({REVIEWER}),
    Action.READ_RATINGS: frozenset({SECRETARY, REVIEWER}),
    Action.READ_SUMMARIES: frozenset({REVIEWER}),
    Action.ENTER_PAPER_BALLOTS: frozenset({SECRETARY, REVIEWER}),
    Action.READ_ROLL: frozenset({SECRETARY, REVIEWER}),
    Action.MANAGE_ROLL: frozenset({SECRETARY}),
}
# What a read-only API token may still do: read, never change anything. Any other action,
# and any request that is not a GET, is refused to it (403).
READ_ACTIONS = frozenset(
    {
        Action.READ_APPRAISAL,
        Action.READ_RESULTS,
        Action.READ_ANOMALIES,
        Action.READ_RATINGS,
        Action.READ_SUMMARIES,
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RUN_CAMPAIGN = {
    "member_review": Action.RUN_MEMBER_REVIEW,
    "public_satisfaction": Action.RUN_PUBLIC_POLL,
    "member_appraisal": Action.RUN_MEMBER_APPRAISAL,
    "masses_meeting": Action.RUN_MASSES_MEETING,
}


def may(user: User, action: Action) -> bool:
    """Whether ``user``'s role may do ``action``; a user acting through a read-only API
    token (``read_only_scope``, set by the API's door) may only do READ_ACTIONS."""
    if getattr(user, "read_only_scope", False) and action not in READ_ACTIONS:
        return False
    return user.role == ADMIN or user.role in PERMISSIONS[action]


def require(user: User, action: Action) -> None:
    """Forbidden (403) unless ``user``'s role may do ``action``."""
    if not may(user, action):
        if getattr(user, "read_only_scope", False):
            raise Forbidden(f"this API token is read-only ({action})")
        raise Forbidden(f"your role may not do this ({action})")


def scope_allows(read_only: bool, method: str) -> bool:
    """Whether a token of this scope may send a request of ``method``."""
    return not read_only or method in SAFE_METHODS


def require_results(user: User, campaign: Campaign) -> None:
    """Forbidden (403) unless ``user`` may read this campaign's results: a member appraisal's
    name members beside their grades, so they need READ_APPRAISAL as well."""
    require(user, Action.READ_RESULTS)
    if campaign.kind == MEMBER_APPRAISAL:
        require(user, Action.READ_APPRAISAL)


def run_campaign_action(kind: str) -> Action:
    """The action that runs a campaign of ``kind`` (its cards, opening and closing)."""
    return RUN_CAMPAIGN[kind]


def ancestors_and_self(session: Session, organisation_id: int) -> list[int]:
    chain, current = [], organisation_id
    while current is not None and len(chain) < MAX_DEPTH:
        chain.append(current)
        current = session.scalar(select(Organisation.parent_id).where(Organisation.id == current))
    return chain


def can_see(session: Session, user: User, organisation_id: int) -> bool:
    if user.role == ADMIN:
        return True
    if user.organisation_id is None:
        return False
    if user.role == SECRETARY:
        return organisation_id == user.organisation_id
    if user.role == REVIEWER:
        return user.organisation_id in ancestors_and_self(session, organisation_id)
    return False


def subtree_ids(session: Session, root_id: int, kind: str | None = None) -> set[int]:
    """Every organisation below ``root_id`` (of ``kind`` only, when given), itself included:
    one query per level."""
    found, frontier = {root_id}, {root_id}
    while frontier:
        below = select(Organisation.id).where(Organisation.parent_id.in_(frontier))
        if kind is not None:
            below = below.where(Organisation.kind == kind)
        children = set(session.scalars(below))
        frontier = children - found
        found |= frontier
    return found


def visible_organisation_ids(session: Session, user: User) -> set[int] | None:
    """The ids ``user`` may see, or None for all (an admin)."""
    if user.role == ADMIN:
        return None
    if user.organisation_id is None:
        return set()
    if user.role == SECRETARY:
        return {user.organisation_id}
    return subtree_ids(session, user.organisation_id)


def visible_campaigns(session: Session, user: User, kind: str | None = None) -> Select:
    """A query of the campaigns ``user`` may see (of ``kind`` only), newest first."""
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if kind is not None:
        query = query.where(Campaign.kind == kind)
    return _within_scope(session, user, query, Campaign.organisation_id)


def listed(query: Select) -> Select:
    """``query`` without deactivated organisations: a deactivated branch leaves this year's
    lists, the committee summary and the choices for new campaigns; its pages and its past
    years stay readable by id (get_organisation does not filter)."""
    return query.where(Organisation.active.is_(True))


def visible_organisations(
    session: Session, user: User, kind: str | None = None, deactivated: bool = False
) -> Select:
    """A query of the organisations ``user`` may see (of ``kind`` only), in id order; the
    deactivated ones only with ``deactivated`` (the admin's page, which reactivates them)."""
    query = select(Organisation).order_by(Organisation.id)
    if not deactivated:
        query = listed(query)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return _within_scope(session, user, query, Organisation.id)


def _within_scope(session: Session, user: User, query: Select, organisation_id) -> Select:
    visible = visible_organisation_ids(session, user)
    return query if visible is None else query.where(organisation_id.in_(visible))


def get_organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    """The organisation if ``user`` may see it; otherwise NotFound, as if it were absent."""
    in_range = 0 < organisation_id <= MAX_ID
    organisation = session.get(Organisation, organisation_id) if in_range else None
    if organisation is None or not can_see(session, user, organisation.id):
        raise NotFound("not found")
    return organisation


def get_campaign(session: Session, user: User, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
    if campaign is None or not can_see(session, user, campaign.organisation_id):
        raise NotFound("not found")
    return campaign
