"""The secretary's meeting kit: indicator presets, printable cards, lost-card replacement,
turnout for the projector and the reading of a sealed result snapshot (docs/design.md)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.ballotbox import ballots
from survey.campaigns import life
from survey.core import codes, qr
from survey.core.errors import Conflict, Invalid, NotFound
from survey.core.scales import MEETING_KINDS, MEMBER_APPRAISAL, SCALES
from survey.core.shares import whole_percents
from survey.models import Ballot, Campaign

# The five "强" of the 最强党支部 standard (seeds 000 §二 and 001 “五强”标准), offered as
# optional indicator items beside the headline grade.
INDICATORS = {
    "political": "政治功能强",
    "team": "队伍建设强",
    "life": "组织生活强",
    "role": "作用发挥强",
    "masses": "群众工作强",
}


@dataclass(frozen=True)
class Card:
    code: str
    ballot_class: str
    url: str
    svg: str
    also: str | None = None  # a card carrying two ballots: the second campaign's title


def indicator_questions(keys) -> list[tuple[str, str]]:
    unknown = [k for k in keys if k not in INDICATORS]
    if unknown:
        raise Invalid("unknown indicator", field="indicators")
    return [(key, INDICATORS[key]) for key in INDICATORS if key in keys]


def printable_ballots(session: Session, campaign: Campaign) -> list[Ballot]:
    """Every unused card of a campaign that no one has voted in yet, in code order.

    A draft's sheet, and the same full sheet again once voting is open until the first
    card is used (the secretary who opened before printing is not stuck). After the first
    vote, never: a sheet without the cards just used would tell who has voted, and when.
    One statement reads both the used and the unused cards, so that a vote committed in
    between cannot leave its card silently missing from the sheet.
    """
    if campaign.status not in ("draft", "open"):
        raise Conflict("the sheet of cards is printable only before the first vote")
    rows = session.scalars(
        select(Ballot)
        .where(Ballot.campaign_id == campaign.id, Ballot.status.in_(("issued", "used")))
        .order_by(Ballot.ballot_class, Ballot.code)
    ).all()
    if any(ballot.status == "used" for ballot in rows):
        raise Conflict("the sheet of cards is printable only before the first vote")
    return list(rows)


def cards(issued: list[Ballot], link) -> list[Card]:
    """Cards for ``issued`` ballots; ``link(ballot_id)`` gives the absolute ballot URL."""
    result = []
    for ballot in issued:
        if ballot.status != "issued":
            raise Conflict("only an unused ballot can be printed")
        url = link(ballot.id)
        code = qr.svg(url, group=ballot.campaign_id)
        result.append(Card(codes.display(ballot.code), ballot.ballot_class, url, code))
    return result


def partner(session: Session, campaign: Campaign) -> Campaign | None:
    """The member appraisal held at the same meeting as this branch review (same branch and
    year, and like it still a draft or both open), the newest if there are several; None if
    there is none."""
    if campaign.kind != "member_review" or campaign.status not in ("draft", "open"):
        return None
    return session.scalar(
        select(Campaign)
        .where(
            Campaign.organisation_id == campaign.organisation_id,
            Campaign.year == campaign.year,
            Campaign.kind == MEMBER_APPRAISAL,
            Campaign.status == campaign.status,
        )
        .order_by(Campaign.id.desc())
        .limit(1)
    )


def paired_cards(session: Session, first: Campaign, second: Campaign, link) -> list[Card]:
    """One card per member carrying a ballot of each campaign: ``link(first_id, second_id)``
    opens the first and, after its receipt, offers the second. The two ballots are paired
    at random within each class, here, for the printer: no column ever holds the pair.
    Printable while neither campaign has a used card (``printable_ballots``)."""
    ones, twos = printable_ballots(session, first), printable_ballots(session, second)
    result = []
    for ballot_class in ballots.MEMBER_CLASSES:
        mine = [b for b in ones if b.ballot_class == ballot_class]
        theirs = [b for b in twos if b.ballot_class == ballot_class]
        if len(mine) != len(theirs):
            raise Conflict("both campaigns need as many cards of each class", reason="counts")
        secrets.SystemRandom().shuffle(theirs)
        result += [
            paired_card(one, two, second.title, link) for one, two in zip(mine, theirs, strict=True)
        ]
    return result


def paired_card(one: Ballot, two: Ballot, second_title: str, link) -> Card:
    url = link(one.id, two.id)
    code = f"{codes.display(one.code)} / {codes.display(two.code)}"
    # never cached: the link names both ballots, and a file of it would pair them on disk
    return Card(code, one.ballot_class, url, qr.svg(url, cache=False), second_title)


def card_ballots(session: Session, typed: str) -> list[Ballot]:
    """The ballots of the card whose code(s) a person typed, in the card's order; [] if none.

    One code opens its ballot. A card carrying two ballots prints ``7KD2-QX9M / P3RT-8WHN``:
    typed together (any separator, or none) they give the branch review first, then the
    member appraisal, if they are the two ballots of one meeting; any other pair is no card.
    """
    cleaned = re.sub(r"[\s/／,，;；、|_-]", "", typed)
    if len(cleaned) != 16:
        found = ballots.find_by_code(session, typed)
        return [found] if found is not None else []
    pair = [ballots.find_by_code(session, cleaned[:8]), ballots.find_by_code(session, cleaned[8:])]
    if None in pair:
        return []
    pair.sort(key=lambda ballot: ballot.campaign.kind != "member_review")
    one, two = (ballot.campaign for ballot in pair)
    same_meeting = (one.organisation_id, one.year) == (two.organisation_id, two.year)
    if not same_meeting or {one.kind, two.kind} != set(MEETING_KINDS):
        return []
    return pair


def second_ballot(session: Session, campaign: Campaign) -> Campaign | None:
    """The member appraisal open at the same meeting as this branch review: a card may
    carry a ballot of it after the review's. None for any other campaign."""
    if campaign.kind != "member_review":
        return None
    return next((c for c in meeting_partners(session, campaign) if c.status == "open"), None)


def meeting_partners(session: Session, campaign: Campaign) -> list[Campaign]:
    """The other campaigns of the same meeting (branch, year, the other meeting kind) still
    taking votes or not yet open: a card may carry one ballot of each."""
    return list(
        session.scalars(
            select(Campaign).where(
                Campaign.organisation_id == campaign.organisation_id,
                Campaign.year == campaign.year,
                Campaign.kind.in_(MEETING_KINDS),
                Campaign.kind != campaign.kind,
                Campaign.status != "closed",
            )
        )
    )


def replace_lost_card(session: Session, actor: str, campaign: Campaign, typed: str) -> list[Ballot]:
    """Void the unused card with the short code ``typed`` and issue one of the same class;
    a card carrying two ballots is typed as printed (``7KD2-QX9M / P3RT-8WHN``): both are
    voided and replaced, the first in ``campaign``, the second in its meeting partner.
    The replacements in the order typed."""
    parts = [part for part in re.split(r"[/／]", typed) if part.strip()]
    wanted = [codes.normalise(part) for part in parts]
    if not 1 <= len(wanted) <= 2 or None in wanted:
        raise Invalid("not a short code", field="code")
    pool = [campaign] + (meeting_partners(session, campaign) if len(wanted) == 2 else [])
    lost = []
    for code in wanted:
        found = session.scalar(
            select(Ballot).where(Ballot.campaign_id.in_([c.id for c in pool]), Ballot.code == code)
        )
        if found is None:
            raise NotFound("no card of this campaign has that code")
        lost.append(found)
    if len({ballot.campaign_id for ballot in lost}) != len(lost):
        raise Invalid("the two codes of one card belong to two campaigns", field="code")
    if campaign.status == "closed":
        raise Conflict("the campaign is closed")
    replacements = []
    for ballot in lost:
        ballots.void_ballot(session, actor, ballot)
        replacements += ballots.generate_ballots(
            session, actor, ballot.campaign, 1, ballot.ballot_class
        )
    return replacements


def turnout(session: Session, campaign: Campaign) -> dict:
    """Cast against the eligible roll (against issued cards when there is no roll)."""
    counts = life.ballot_counts(session, campaign.id)
    expected = campaign.eligible_total
    return {
        "status": campaign.status,
        "cast": counts["cast"],
        "issued": counts["issued"],
        "expected": expected if expected is not None else counts["issued"],
        "roll": expected is not None,
    }


def reading(snapshot: dict, small_group: int = 5) -> dict:
    """What the results and the minutes show, read from the sealed snapshot only.

    Under ``small_group`` responses the pages show the threshold verdict (``below_threshold``)
    and no count: with three voters, "2 优秀, 1 合格" tells each of them the other two's grade."""
    eligible = None
    if (
        snapshot.get("eligible_full") is not None
        or snapshot.get("eligible_probationary") is not None
    ):
        eligible = (snapshot.get("eligible_full") or 0) + (
            snapshot.get("eligible_probationary") or 0
        )
    cast = snapshot["cast"]
    below = snapshot["responses"] < small_group
    return {
        "below_threshold": below,
        "eligible": eligible,
        # 应到会人数: half or fewer present is not a valid meeting (docs/design.md "quorum")
        "quorum_met": None if not eligible else cast * 2 > eligible,
        "turnout_percent": round(100 * cast / eligible) if eligible else None,
        "reconciliation": {
            # one figure everywhere: generated and not voided (life.ballot_counts); the void
            # cards are their own line
            "issued": snapshot["issued"],
            "returned": cast,
            "valid": snapshot["responses"],
            "void": snapshot["void"],
            "unreturned": snapshot["issued"] - cast,
        },
        "channels": channels(snapshot),
        "questions": [
            {**q, "bars": bars(q["counts"]) if q["counts"] is not None and not below else None}
            for q in snapshot.get("questions", [])
        ],
        "by_class": None if below else snapshot.get("by_class"),
    }


def channels(snapshot: dict) -> dict[str, int] | None:
    """How many ballots came back by phone and how many on paper (纸质票): cards, never
    choices, so shown whatever the group's size; None for a snapshot sealed before paper
    ballots existed."""
    if snapshot.get("paper") is None:
        return None
    return {"phone": snapshot["cast"] - snapshot["paper"], "paper": snapshot["paper"]}


def bars(counts: dict[str, int]) -> list[dict]:
    """Bar lengths in percent of the largest count, and each choice's share of the total in
    whole percent adding up to 100."""
    peak = max(counts.values(), default=0) or 1
    shares = whole_percents(list(counts.values()))
    return [
        {"choice": choice, "count": n, "length": round(100 * n / peak, 1), "share": share}
        for (choice, n), share in zip(counts.items(), shares, strict=True)
    ]


def scale_of(campaign: Campaign) -> tuple[str, ...]:
    return SCALES[campaign.headline.scale]
