"""The audit log in words: each entry as a sentence in the reader's language.

Who (the account's name, not ``web:王芳``), what (one sentence per action kind), which campaign
by its title and which organisation by its name, and the values in words (组织评定：优秀, not
``organisation_grade: excellent``). Never a voter, never a ballot's use: the log holds neither.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core import labels
from survey.core.timezone import localdate, localtime
from survey.models import (
    Assessment,
    AuditEntry,
    Campaign,
    Complaint,
    Organisation,
    Title,
    User,
)
from survey.models.notice import Notice, Objection
from survey.models.scheme import CommitteeScheme
from survey.rules import SCHEMES
from survey.staff.audit_details import details

# action -> its sentence; %(who)s and the names below are filled in by ``say``
SENTENCES = {
    "api_token.create": _l("%(who)s created the API token “%(name)s” of %(account)s"),
    "api_token.revoke": _l("%(who)s revoked the API token “%(name)s” of %(account)s"),
    "api_token.revoke_all": _l("%(who)s revoked all %(count)s API tokens of %(account)s"),
    "appraisal.final_grade": _l(
        "%(who)s set the final grade of %(name)s in “%(campaign)s”: %(grade)s"
    ),
    "assessment.save": _l("%(who)s saved the %(year)s assessment of %(organisation)s"),
    "audit.prune": _l("%(who)s removed %(count)s audit entries older than %(date)s"),
    "ballot.void": _l("%(who)s cancelled ballot %(code)s of “%(campaign)s”"),
    "ballots.generate": _l("%(who)s issued %(count)s ballots (%(class)s) for “%(campaign)s”"),
    "campaign.closes_on": _l("%(who)s set the closing date of “%(campaign)s” to %(date)s"),
    "campaign.create": _l("%(who)s created “%(campaign)s” (%(kind)s) for %(organisation)s"),
    "campaign.daily_ceiling": _l(
        "%(who)s limited “%(campaign)s” to %(count)s answers per network address a day"
    ),
    "campaign.scrutineer_cards": _l(
        "%(who)s printed the scrutineers' key cards of “%(campaign)s” (%(k)s of %(n)s open it)"
    ),
    "campaign.update": _l("%(who)s changed the settings of “%(campaign)s”"),
    "campaign.meeting_record": _l(
        "%(who)s recorded the place and attendance of “%(campaign)s” for its minutes"
    ),
    "campaign.open": _l("%(who)s opened “%(campaign)s”"),
    "campaign.closed": _l("%(who)s closed “%(campaign)s” and sealed its results"),
    "members.import": _l(
        "%(who)s imported the roll of %(organisation)s: %(full)s full and %(probationary)s "
        "probationary members"
    ),
    "members.edit": _l("%(who)s edited the roll entry of %(name)s"),
    "members.remove": _l("%(who)s removed %(name)s from the roll"),
    "member.erase": _l("%(who)s erased a member's personal data (now shown as %(placeholder)s)"),
    "notice.publish": _l(
        "%(who)s published the %(year)s public notice of %(organisation)s (%(count)s branches, "
        "%(days)s working days)"
    ),
    "objection.check": _l("%(who)s checked an objection to %(organisation)s: %(result)s"),
    "objection.dismiss_flood": _l(
        "%(who)s found %(count)s objections to the notice of %(organisation)s unfounded at "
        "once, as a flood"
    ),
    "organisation.approves_probationary": _l(
        "%(who)s recorded whether %(organisation)s approves probationary members: %(value)s"
    ),
    "organisation.create": _l("%(who)s created the organisation %(organisation)s (%(kind)s)"),
    "organisation.update": _l("%(who)s saved the details of %(organisation)s"),
    "rating.weak_override": _l(
        "%(who)s let %(organisation)s be rated in %(year)s despite last year's weak and lax mark"
    ),
    "rating.weak_override_withdrawn": _l(
        "%(who)s withdrew the %(year)s exception to last year's weak and lax mark of "
        "%(organisation)s"
    ),
    "response.verify": _l("%(who)s checked a dissatisfied answer of “%(campaign)s”: %(result)s"),
    "scheme.choose": _l("%(who)s chose the rating scheme %(scheme)s for %(organisation)s"),
    "scheme.save": _l(
        "%(who)s saved the rating scheme %(scheme)s (version %(version)s) of %(organisation)s"
    ),
    "title.grant": _l("%(who)s granted %(organisation)s the %(year)s title"),
    "title.revoke": _l("%(who)s revoked the title of %(organisation)s"),
    "user.activate": _l("%(who)s reactivated the account %(account)s"),
    "user.create": _l("%(who)s created the account %(account)s (%(role)s)"),
    "user.deactivate": _l("%(who)s deactivated the account %(account)s"),
    "user.erase": _l("%(who)s erased the personal data of the account %(account)s"),
    "user.role_change": _l("%(who)s changed the role of %(account)s to %(role)s"),
    "user.password_change": _l("%(who)s changed their own password"),
    "user.password_reset": _l("%(who)s set a new password for %(account)s"),
    "user.sign_in": _l("%(who)s signed in"),
    "user.sign_in_failed": _l("A sign-in as %(name)s was refused (wrong name or password)"),
    "user.sign_out": _l("%(who)s signed out"),
}

CAMPAIGN_KINDS = {
    "member_review": _l("members' review of the branch"),
    "member_appraisal": _l("members' appraisal of each member"),
    "public_satisfaction": _l("residents' satisfaction poll"),
}
RESULTS = {"verified": _l("verified"), "unfounded": _l("unfounded")}


@dataclass
class Said:
    """One entry in words: its sentence and its values, each as 名称：值."""

    sentence: str
    details: list[str] = field(default_factory=list)


class _Values(dict):
    def __missing__(self, key):
        return "—"


@dataclass
class Names:
    """The names the entries of one page point to, read in one query per table."""

    campaigns: dict[int, Campaign] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)
    owners: dict[tuple[str, str], tuple[int | None, int | None]] = field(default_factory=dict)


# table -> (model, its organisation column); rows read for the organisation they belong to
_OWNED = {
    "assessments": (Assessment, Assessment.organisation_id),
    "titles": (Title, Title.organisation_id),
    "notices": (Notice, Notice.committee_id),
    "objections": (Objection, Objection.organisation_id),
    "committee_schemes": (CommitteeScheme, CommitteeScheme.committee_id),
}


def _int_ids(entries, *types) -> set[int]:
    return {
        int(e.object_id)
        for e in entries
        if e.object_type in types and (e.object_id or "").isdigit()
    }


def names(session: Session, entries: list[AuditEntry]) -> Names:
    found = Names()
    complaint_ids = {  # random ids, not numbers
        e.object_id for e in entries if e.object_type in ("complaints", "responses") and e.object_id
    }
    complaints = dict(
        session.execute(
            select(Complaint.id, Complaint.campaign_id).where(Complaint.id.in_(complaint_ids))
        ).all()
    )
    campaign_ids = _int_ids(entries, "campaigns") | set(complaints.values())
    for campaign in session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids))):
        found.campaigns[campaign.id] = campaign
    for key, campaign_id in complaints.items():
        for kind in ("complaints", "responses"):
            found.owners[(kind, str(key))] = (campaign_id, None)
    for table, (model, column) in _OWNED.items():
        ids = _int_ids(entries, table)
        for row_id, org_id in session.execute(select(model.id, column).where(model.id.in_(ids))):
            found.owners[(table, str(row_id))] = (None, org_id)
    users = session.execute(
        select(User.id, User.username).where(User.id.in_(_int_ids(entries, "users")))
    )
    found.accounts = dict(users.all())
    org_ids = _int_ids(entries, "organisations")
    org_ids |= {c.organisation_id for c in found.campaigns.values()}
    org_ids |= {org for _c, org in found.owners.values() if org is not None}
    org_ids |= {
        v for e in entries for k, v in (e.detail or {}).items() if k.endswith("_id") and v
    } | {b for e in entries for b in (e.detail or {}).get("branches") or [] if isinstance(b, int)}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    )
    found.organisations = dict(rows.all())
    return found


def actor_name(actor: str) -> str:
    """``web:王芳`` -> 王芳; the API and the server's command line are named as such."""
    kind, _sep, name = actor.partition(":")
    if kind == "web" and name:
        return name
    if kind == "api" and name:
        return _("%(name)s (through the API)", name=name)
    if kind == "cli":
        return _("The server's command line")  # a sentence begins with who
    return actor


def _yes(value) -> str:
    return _("yes") if value else _("no")


def _when(value) -> str:
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return localtime(value)
    return localdate(value) if isinstance(value, date) else "—"


def _place(entry: AuditEntry, found: Names) -> tuple[Campaign | None, str]:
    """The entry's campaign (if any) and organisation's name."""
    campaign = None
    org_id = None
    if entry.object_type == "campaigns" and (entry.object_id or "").isdigit():
        campaign = found.campaigns.get(int(entry.object_id))
    elif entry.object_type == "organisations" and (entry.object_id or "").isdigit():
        org_id = int(entry.object_id)
    else:
        campaign_id, org_id = found.owners.get((entry.object_type, entry.object_id), (None, None))
        campaign = found.campaigns.get(campaign_id) if campaign_id else None
    if campaign is not None:
        org_id = campaign.organisation_id
    if entry.object_type == "users" and org_id is None:
        return None, ""
    return campaign, found.organisations.get(org_id, "") if org_id else ""


def _scheme(key) -> str:
    if not key:
        return _("the committee above's scheme")
    preset = SCHEMES.get(str(key).split("@", 1)[0])
    return preset.title if preset is not None and "@" not in str(key) else str(key)


def say(entry: AuditEntry, found: Names) -> Said:
    """The entry as a sentence, with its values in words."""
    detail = entry.detail or {}
    campaign, organisation = _place(entry, found)
    user_id = int(entry.object_id) if (entry.object_id or "").isdigit() else None
    values = _Values(
        who=actor_name(entry.actor),
        campaign=campaign.title if campaign is not None else _("a campaign since removed"),
        organisation=organisation or _("an organisation since removed"),
        account=found.accounts.get(user_id, "—") if entry.object_type == "users" else "—",
    )
    for key in (
        "count",
        "year",
        "name",
        "code",
        "full",
        "probationary",
        "days",
        "k",
        "n",
        "placeholder",
    ):
        if detail.get(key) is not None:
            values[key] = detail[key]
    values["count"] = detail.get("count", detail.get("ceiling", values["count"]))
    values["name"] = detail.get("name", detail.get("username", values["name"]))
    if entry.action == "campaign.create" or entry.action == "organisation.create":
        kind = detail.get("kind", "")
        values["kind"] = CAMPAIGN_KINDS.get(kind) or labels.kind_label(kind)
    if entry.action == "notice.publish":
        values["count"] = len(detail.get("branches") or [])
    if entry.action in ("user.create", "user.role_change"):
        values["role"] = labels.role_label(detail.get("role", ""))
    values["class"] = labels.class_label(detail.get("ballot_class", "full"))
    values["grade"] = labels.choice_label(detail.get("grade", ""))
    values["result"] = RESULTS.get(detail.get("result"), "—")
    values["value"] = _yes(detail.get("value"))
    values["date"] = _when(detail.get("closes_on") or detail.get("before"))
    values["scheme"] = _scheme(detail.get("scheme", detail.get("key")))
    values["version"] = detail.get("version", "—")
    template = SENTENCES.get(entry.action)
    if template is None:  # a kind recorded before this page knew it: said plainly
        return Said(_("%(who)s made a change", who=values["who"]))
    return Said(str(template) % values, details(entry.action, detail, found))


def say_all(session: Session, entries: list[AuditEntry]) -> dict[int, Said]:
    found = names(session, entries)
    return {entry.id: say(entry, found) for entry in entries}


def campaigns_in(session: Session, organisation_ids: set[int] | None) -> dict[int, list]:
    """The campaigns the filter offers, by organisation: (id, title), newest first."""
    query = select(Campaign.id, Campaign.title, Campaign.organisation_id).order_by(
        Campaign.year.desc(), Campaign.id.desc()
    )
    if organisation_ids is not None:
        query = query.where(Campaign.organisation_id.in_(organisation_ids or [-1]))
    grouped: dict[int, list] = defaultdict(list)
    for row in session.execute(query):
        grouped[row.organisation_id].append((row.id, row.title))
    return grouped
