"""Campaign life: draft -> open -> closed, the tally and the sealed result snapshot."""

from __future__ import annotations

import hashlib
import json
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import appraisal, polls
from survey.ballotbox import counting, responses, scrutineers
from survey.core import digests, qr
from survey.core.converters import check_year
from survey.core.errors import (
    AlreadyClosed,
    AlreadyOpen,
    Conflict,
    Invalid,
    NoCards,
    TooFewCards,
)
from survey.core.scales import (
    CAMPAIGN_KINDS,
    CARD_KINDS,
    MASSES_MEETING,
    MEMBER_APPRAISAL,
    MEMBER_REVIEW,
    REPRESENTATIVES,
    SATISFACTION,
)
from survey.models import (
    Ballot,
    Campaign,
    CampaignStatus,
    Organisation,
    Question,
    Tally,
)
from survey.models.base import utcnow
from survey.polls import complaints
from survey.staff import audit

GEOFENCES = ("off", "flag", "require")
HEADLINE = {
    MEMBER_REVIEW: ("overall", "How do you rate the work of this branch this year?"),
    SATISFACTION: ("overall", "How satisfied are you with this branch's service?"),
}


def create_campaign(
    session: Session,
    actor: str,
    organisation: Organisation,
    *,
    kind: str,
    year: int,
    title: str,
    geofence: str = "off",
    eligible_full: int | None = None,
    eligible_probationary: int | None = None,
    extra_questions: list[tuple[str, str]] = (),
    all_rows_required: bool = True,
    top_grade_cap_percent: int | None = None,
    sealing: str | None = None,
    scrutineers_k: int | None = None,
    scrutineers_n: int | None = None,
    representatives: str | None = None,
) -> Campaign:
    """A draft campaign with its headline question and any extra indicator items; a member
    appraisal with one question per member of the branch's roll instead. ``sealing``: who
    holds the key of its ballot box, fixed here (a meeting's scrutineers by default, k of n;
    the server for a public poll). ``representatives``: who a 群众代表 meeting invites
    (masses by default; that kind only)."""
    check_year(year)
    if kind not in CAMPAIGN_KINDS:
        raise Invalid(f"kind must be one of {', '.join(CAMPAIGN_KINDS)}", field="kind")
    representatives = _representatives(kind, representatives)
    if organisation.kind != "branch":
        raise Invalid("campaigns belong to a branch", field="organisation_id")
    if organisation.active is False:  # None: made in this transaction, not yet flushed
        raise Invalid("this branch is deactivated", field="organisation_id")
    if geofence not in GEOFENCES:
        raise Invalid("geofence must be off, flag or require", field="geofence")
    scale = CAMPAIGN_KINDS[kind]
    sealing = sealing or (scrutineers.SCRUTINEERS if kind in CARD_KINDS else scrutineers.SERVER)
    k, n = scrutineers.check_settings(sealing, scrutineers_k, scrutineers_n)
    campaign = Campaign(
        sealing=sealing,
        crypto=digests.current_mode(),
        scrutineers_k=k,
        scrutineers_n=n,
        organisation=organisation,
        kind=kind,
        year=year,
        title=title,
        status=CampaignStatus.DRAFT,
        geofence=geofence,
        eligible_full=eligible_full,
        eligible_probationary=eligible_probationary,
        slug=secrets.token_urlsafe(8) if kind == "public_satisfaction" else None,
        representatives=representatives,
    )
    if kind == MEMBER_APPRAISAL:
        return _create_appraisal(session, actor, campaign, all_rows_required, top_grade_cap_percent)
    key, prompt = HEADLINE[scale]
    questions = [(key, prompt), *extra_questions]
    if len({k for k, _ in questions}) != len(questions):
        raise Invalid("question keys must be unique", field="questions")
    for position, (qkey, qprompt) in enumerate(questions):
        campaign.questions.append(
            Question(position=position, key=qkey, prompt=qprompt, scale=scale)
        )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor,
        "campaign.create",
        campaign,
        kind=kind,
        year=year,
        title=title,
        sealing=sealing,
        **({"representatives": representatives} if representatives else {}),
    )
    return campaign


def _representatives(kind: str, given: str | None) -> str | None:
    """Who a 群众代表 meeting invites (its label, chosen at creation); other kinds invite
    nobody and ignore it (an optional field of the API's body, as for the appraisal's)."""
    if kind != MASSES_MEETING:
        return None
    if given is None:
        return REPRESENTATIVES[0]
    if given not in REPRESENTATIVES:
        raise Invalid(
            f"representatives must be one of {', '.join(REPRESENTATIVES)}", field="representatives"
        )
    return given


def _create_appraisal(
    session: Session, actor: str, campaign: Campaign, all_rows: bool, cap: int | None
) -> Campaign:
    if cap is not None and not 0 <= cap <= 100:
        raise Invalid(
            "the cap on 优秀 is a percentage from 0 to 100", field="top_grade_cap_percent"
        )
    campaign.all_rows_required, campaign.top_grade_cap_percent = bool(all_rows), cap
    session.add(campaign)
    session.flush()
    rows = appraisal.freeze_roll(session, campaign)
    audit.record(
        session,
        actor,
        "campaign.create",
        campaign,
        kind=campaign.kind,
        year=campaign.year,
        title=campaign.title,
        appraisees=len(rows),
        all_rows_required=campaign.all_rows_required,
        top_grade_cap_percent=cap,
    )
    return campaign


def same_year(session: Session, organisation: Organisation, kind: str, year: int) -> list[Campaign]:
    """Campaigns of this branch, kind and year already made: a second one is usually a
    mistake (a double click, a colleague's), so the pages ask before making it."""
    return list(
        session.scalars(
            select(Campaign).where(
                Campaign.organisation_id == organisation.id,
                Campaign.kind == kind,
                Campaign.year == year,
            )
        )
    )


def update_draft(
    session: Session,
    actor: str,
    campaign: Campaign,
    *,
    title: str,
    eligible_full: int | None,
    eligible_probationary: int | None,
    extra_questions: list[tuple[str, str]] = (),
    **appraisal_settings,
) -> None:
    """Change a draft's title, roll and indicator items (an appraisal: its settings, and
    its rows read again from the roll when asked); once open the ballot is fixed."""
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("only a draft campaign can be edited", status=str(campaign.status))
    title = title.strip()
    if not title:
        raise Invalid("a title is needed", field="title")
    campaign.title = title
    campaign.eligible_full, campaign.eligible_probationary = eligible_full, eligible_probationary
    if campaign.kind == MEMBER_APPRAISAL:
        _update_appraisal_draft(session, actor, campaign, **appraisal_settings)
        return
    wanted = dict(extra_questions)
    for question in list(campaign.questions[1:]):
        if question.key not in wanted:
            campaign.questions.remove(question)
    kept = {q.key for q in campaign.questions}
    scale = campaign.headline.scale
    for key, prompt in extra_questions:
        if key not in kept:
            campaign.questions.append(Question(key=key, prompt=prompt, scale=scale, position=0))
    order = [campaign.headline.key] + [key for key, _ in extra_questions]
    for question in campaign.questions:
        question.position = order.index(question.key)
    session.flush()
    audit.record(
        session,
        actor,
        "campaign.update",
        campaign,
        title=title,
        eligible_full=eligible_full,
        eligible_probationary=eligible_probationary,
        questions=order,
    )


def _update_appraisal_draft(
    session: Session,
    actor: str,
    campaign: Campaign,
    *,
    all_rows_required: bool = True,
    top_grade_cap_percent: int | None = None,
    reread_roll: bool = False,
) -> None:
    if top_grade_cap_percent is not None and not 0 <= top_grade_cap_percent <= 100:
        raise Invalid("the cap is a percentage from 0 to 100", field="excellent_cap_percent")
    campaign.all_rows_required = bool(all_rows_required)
    campaign.top_grade_cap_percent = top_grade_cap_percent
    if reread_roll:
        appraisal.refreeze_roll(session, campaign)
    session.flush()
    audit.record(
        session,
        actor,
        "campaign.update",
        campaign,
        title=campaign.title,
        eligible_full=campaign.eligible_full,
        eligible_probationary=campaign.eligible_probationary,
        appraisees=len(campaign.questions),
        all_rows_required=campaign.all_rows_required,
        top_grade_cap_percent=top_grade_cap_percent,
    )


def _transition(session: Session, actor: str, campaign: Campaign, target: CampaignStatus) -> None:
    current = CampaignStatus(campaign.status)
    if current == target:
        already = AlreadyOpen if target == CampaignStatus.OPEN else AlreadyClosed
        raise already(f"the campaign is {current} already", status=str(current))
    if target not in current.next_states():
        raise Conflict(f"a {current} campaign cannot become {target}", status=str(current))
    # Conditional update: two staff pressing "close" at once change the state once.
    changed = session.execute(
        Campaign.__table__.update()
        .where(Campaign.id == campaign.id, Campaign.status == current)
        .values(status=target)
    ).rowcount
    if changed != 1:
        raise Conflict("the campaign changed meanwhile; reload and try again")
    session.refresh(campaign)
    audit.record(session, actor, f"campaign.{target}", campaign)


# Not a threshold of the five rating documents: a secrecy floor. A branch is set up where
# there are 3 full members or more (《中国共产党支部工作条例（试行）》第五条), and with fewer cards
# than that each vote of a meeting is as good as signed.
MIN_CARDS = 3


def open_campaign(session: Session, actor: str, campaign: Campaign) -> list[scrutineers.Card]:
    """Open voting. A meeting's campaign (member review, member appraisal) opens with at
    least MIN_CARDS cards generated: opened without, nobody could vote (a public poll is
    answered at its link), and with one or two cards each vote is as good as signed.
    A scrutineer-sealed campaign whose scrutineer cards were not printed gets its key pair
    now: the cards are returned, to be shown once (else an empty list)."""
    if campaign.status == CampaignStatus.DRAFT and campaign.kind in CARD_KINDS:
        issued = ballot_counts(session, campaign.id)["issued"]
        if not issued:
            raise NoCards("generate the cards before opening a meeting's campaign")
        if issued < MIN_CARDS:
            raise TooFewCards(
                f"a secret ballot needs at least {MIN_CARDS} cards (a branch has at least "
                f"three members); {issued} generated: with fewer, each vote would be known",
                issued=issued,
                needed=MIN_CARDS,
            )
    _transition(session, actor, campaign, CampaignStatus.OPEN)
    campaign.opened_at = utcnow()
    if campaign.sealing == scrutineers.SCRUTINEERS and campaign.public_key is None:
        return scrutineers.print_cards(session, actor, campaign)
    return []


def close_campaign(
    session: Session,
    actor: str,
    campaign: Campaign,
    small_group: int = 5,
    scrutineer_codes: list[str] | None = None,
) -> None:
    """Close, open the ballot box, then seal the result snapshot and its SHA-256.

    One transaction: the status update holds off new casts, every sealed envelope is
    decrypted in memory into counts (classes merged under ``small_group``) and deleted
    (responses.open_envelopes), and the tally is sealed. A retired key (MissingKey) raises,
    and the caller's rollback leaves the campaign open with its envelopes. A
    scrutineer-sealed campaign needs k of its ``scrutineer_codes`` (ScrutineersNeeded before
    anything changes); its key lives in this call only."""
    unseal = None
    if campaign.status == CampaignStatus.OPEN:  # else the transition says why not
        unseal = scrutineers.opener(campaign, scrutineer_codes)
    _transition(session, actor, campaign, CampaignStatus.CLOSED)
    campaign.closed_at = utcnow()
    session.flush()
    campaign.votes_counted = responses.open_envelopes(
        session, campaign.id, small_group, unseal=unseal
    )
    snapshot = tally(session, campaign, reveal=True, small_group=small_group)
    campaign.snapshot = snapshot
    campaign.snapshot_sha256 = snapshot_digest(snapshot)
    seal_tallies(session, campaign)
    qr.forget_group(campaign.id)  # its printed cards' codes: no file outlives the vote


def seal_tallies(session: Session, campaign: Campaign) -> None:
    """Store the headline counts by class of a closed campaign (read by the ratings). A
    member appraisal has no headline: its per-member counts are in the snapshot only."""
    if appraisal.is_appraisal(campaign):
        return
    for cls, counts in class_counts(session, campaign).items():
        session.add_all(
            Tally(campaign_id=campaign.id, respondent_class=cls, choice=choice, n=n)
            for choice, n in counts.items()
            if n
        )


def snapshot_digest(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def ballot_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Cards by state; ``paper``: how many of the cast came back as paper ballots entered by
    the tellers (the rest by phone). Counted on the cards, never on the votes: no count
    splits a choice by channel (docs/secrecy.md "Paper ballots")."""
    rows = session.execute(
        select(Ballot.status, Ballot.channel, func.count())
        .where(Ballot.campaign_id == campaign_id)
        .group_by(Ballot.status, Ballot.channel)
    ).all()
    by_status = dict.fromkeys(("issued", "used", "void"), 0)
    paper = 0
    for status, channel, n in rows:
        by_status[status] += n
        if status == "used" and channel == "paper":
            paper += n
    return {
        "issued": by_status["issued"] + by_status["used"],
        "cast": by_status["used"],
        "void": by_status["void"],
        "paper": paper,
    }


def class_counts(session: Session, campaign: Campaign) -> dict[str, dict[str, int]]:
    """Headline counts split by respondent class (full / probationary / resident / public,
    or ``all`` where the small-group rule merged them at close)."""
    return counting.class_counts(session, campaign)


def tally(
    session: Session, campaign: Campaign, *, reveal: bool | None = None, small_group: int = 5
) -> dict:
    """Turnout always; counts only once closed (``reveal`` forces either way).

    Small-group disclosure: with fewer than ``small_group`` responses the extra questions
    show no breakdown, and the split by class is given only when every class reaches it,
    so that no vote can be traced back by elimination.
    """
    if reveal is None:
        reveal = campaign.status == CampaignStatus.CLOSED
    if reveal and campaign.status == CampaignStatus.CLOSED and campaign.snapshot is not None:
        # Read what the close sealed: a closed campaign's votes never change, and the join
        # over a million answers took seconds a request (bench/). Complaints are verified
        # after the close: those counts are read afresh.
        result = dict(campaign.snapshot)
        if campaign.kind in complaints.JUDGED_KINDS:
            result.update(complaints.complaint_counts(session, campaign) or {})
        return result
    # While open the votes are sealed envelopes; after close, counts.
    count = responses.envelope_count(session, campaign.id) + (campaign.votes_counted or 0)
    result = {
        "id": campaign.id,
        "status": campaign.status,
        "kind": campaign.kind,
        "year": campaign.year,
        "organisation_id": campaign.organisation_id,
        **ballot_counts(session, campaign.id),
        "responses": count,
        "eligible_full": campaign.eligible_full,
        "eligible_probationary": campaign.eligible_probationary,
    }
    if reveal and appraisal.is_appraisal(campaign):
        result["appraisees"] = appraisal.row_counts(session, campaign, count, small_group)
    elif reveal:
        per_question = counting.answer_counts(session, campaign)
        result["counts"] = per_question[campaign.headline.key]
        hide = count < small_group
        result["questions"] = [
            {
                "key": q.key,
                "prompt": q.prompt,
                "counts": None if hide and q.position > 0 else per_question[q.key],
            }
            for q in campaign.questions
        ]
        split = class_counts(session, campaign)
        if counting.MERGED not in split and all(
            sum(c.values()) >= small_group for c in split.values()
        ):
            result["by_class"] = split
        if campaign.kind in complaints.JUDGED_KINDS:
            result.update(complaints.complaint_counts(session, campaign) or {})
        if campaign.kind == "public_satisfaction":
            result["geo"] = polls.geo_counts(session, campaign)
    return result
