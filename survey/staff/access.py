"""Who may do what, and who may see which organisation: the one place both are decided.

Every door -- the staff pages, the JSON API and the CLI -- asks ``require(user, action)``
before it acts and reads ``visible_*`` before it lists. The three administrators are apart
(三员分立): the 系统管理员 (sysadmin) runs organisations and the secretaries' and reviewers'
accounts and sees every organisation; the 安全管理员 (secadmin) roles, API tokens, password
resets and activation; the 审计管理员 (auditor) reads, verifies and exports the audit log and
nothing else. A legacy ``admin`` holds sysadmin and secadmin until it is split. A secretary
sees only their branch; a reviewer their committee's subtree (docs/design.md).
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
SYSADMIN, SECADMIN, AUDITOR = "sysadmin", "secadmin", "auditor"
# 三员分立: an account holds at most one of these (User.role is one value).
ADMIN_ROLES = (SYSADMIN, SECADMIN, AUDITOR)
ROLES = (*ADMIN_ROLES, SECRETARY, REVIEWER, ADMIN)
# The legacy ``admin`` (before 三员分立): sysadmin and secadmin at once, until split.
HOLDS = {ADMIN: frozenset({SYSADMIN, SECADMIN})}


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
    # Every organisation in scope (the sysadmin's view); the others see their own, or none.
    SEE_ALL_ORGANISATIONS = "organisations.see_all"
    # 安全管理员: an account's role, anyone's API tokens, password resets, (de)activation.
    MANAGE_ROLES = "roles.manage"
    MANAGE_TOKENS = "tokens.manage"
    RESET_PASSWORDS = "passwords.reset"
    ACTIVATE_USERS = "users.activate"
    # The audit log: a reviewer reads their committee's subtree; the 审计管理员 the whole
    # log, its hash chain's verdict and its export.
    READ_AUDIT = "audit.read"
    READ_WHOLE_AUDIT = "audit.read_all"
    # Until the three administrators exist, any one of them may create the missing ones.
    FOUND_ADMINS = "admins.found"


# The one table of which role may do which action. The sysadmin keeps what the single
# admin of earlier versions could do with campaigns (docs/design.md: "an admin sees all");
# the secadmin and the auditor have only their own rows.
_S, _R, _SYS = SECRETARY, REVIEWER, SYSADMIN
PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.MANAGE_ORGANISATIONS: frozenset({_SYS}),
    Action.MANAGE_USERS: frozenset({_SYS}),
    Action.RUN_MEMBER_REVIEW: frozenset({_S, _SYS}),
    Action.RUN_PUBLIC_POLL: frozenset({_S, _R, _SYS}),
    Action.RUN_MEMBER_APPRAISAL: frozenset({_S, _SYS}),
    Action.RUN_MASSES_MEETING: frozenset({_S, _R, _SYS}),
    Action.READ_APPRAISAL: frozenset({_S, _R, _SYS}),
    Action.GRADE_MEMBERS: frozenset({_S, _R, _SYS}),
    Action.READ_RESULTS: frozenset({_S, _R, _SYS}),
    Action.VERIFY_COMPLAINTS: frozenset({_R, _SYS}),
    Action.READ_ANOMALIES: frozenset({_R, _SYS}),
    Action.RAISE_POLL_CEILING: frozenset({_R, _SYS}),
    Action.ASSESS: frozenset({_R, _SYS}),
    Action.MANAGE_TITLES: frozenset({_R, _SYS}),
    Action.READ_RATINGS: frozenset({_S, _R, _SYS}),
    Action.READ_SUMMARIES: frozenset({_R, _SYS}),
    Action.ENTER_PAPER_BALLOTS: frozenset({_S, _R, _SYS}),
    Action.READ_ROLL: frozenset({_S, _R, _SYS}),
    Action.MANAGE_ROLL: frozenset({_S, _SYS}),
    Action.SEE_ALL_ORGANISATIONS: frozenset({_SYS}),
    Action.MANAGE_ROLES: frozenset({SECADMIN}),
    Action.MANAGE_TOKENS: frozenset({SECADMIN}),
    Action.RESET_PASSWORDS: frozenset({SECADMIN}),
    Action.ACTIVATE_USERS: frozenset({SECADMIN}),
    Action.READ_AUDIT: frozenset({_R, AUDITOR}),
    Action.READ_WHOLE_AUDIT: frozenset({AUDITOR}),
    Action.FOUND_ADMINS: frozenset(ADMIN_ROLES),
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


def roles_of(role: str) -> frozenset[str]:
    """The roles ``role`` stands for: itself, or for the legacy admin sysadmin + secadmin."""
    return HOLDS.get(role, frozenset({role}))


def role_may(role: str, action: Action) -> bool:
    """Whether the role table lets ``role`` do ``action``."""
    return bool(roles_of(role) & PERMISSIONS[action])


def may(user: User, action: Action) -> bool:
    """Whether ``user``'s role may do ``action``; a user acting through a read-only API
    token (``read_only_scope``, set by the API's door) may only do READ_ACTIONS."""
    if getattr(user, "read_only_scope", False) and action not in READ_ACTIONS:
        return False
    return role_may(user.role, action)


def may_give_role(user: User, role: str, missing: frozenset[str]) -> bool:
    """Whether ``user`` may create an account of ``role`` (or give it): a secretary's or a
    reviewer's by the sysadmin; an administrator's by the secadmin, or, while some of the
    three are ``missing``, by any administrator (the first one founds the others). The
    legacy ``admin`` is made by the CLI only."""
    if role in (SECRETARY, REVIEWER):
        return may(user, Action.MANAGE_USERS)
    if role in ADMIN_ROLES:
        return may(user, Action.MANAGE_ROLES) or (
            role in missing and may(user, Action.FOUND_ADMINS)
        )
    return False


def missing_admin_roles(session: Session) -> frozenset[str]:
    """The administrators' roles no active account holds yet (a legacy admin holds two)."""
    held = session.scalars(select(User.role).where(User.active.is_(True)).distinct())
    present = frozenset().union(*(roles_of(role) for role in held))
    return frozenset(ADMIN_ROLES) - present


# What brings an account to the administrators' (Accounts) page.
ADMIN_PAGE_ACTIONS = (
    Action.MANAGE_ORGANISATIONS,
    Action.MANAGE_USERS,
    Action.MANAGE_ROLES,
    Action.RESET_PASSWORDS,
    Action.ACTIVATE_USERS,
)


def administers(session: Session, user: User) -> bool:
    """Whether ``user`` has anything to do on the Accounts page: an action of it, or, while
    some of the three administrators are missing, founding them (FOUND_ADMINS)."""
    if any(may(user, action) for action in ADMIN_PAGE_ACTIONS):
        return True
    return may(user, Action.FOUND_ADMINS) and bool(missing_admin_roles(session))


def legacy_admins(session: Session) -> list[str]:
    """The active accounts still of the legacy ``admin`` role (to be split: 请分设三员)."""
    query = select(User.username).where(User.role == ADMIN, User.active.is_(True))
    return list(session.scalars(query.order_by(User.id)))


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
    if role_may(user.role, Action.SEE_ALL_ORGANISATIONS):
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
    """The ids ``user`` may see, or None for all (the sysadmin); none for the secadmin and
    the auditor."""
    if role_may(user.role, Action.SEE_ALL_ORGANISATIONS):
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
