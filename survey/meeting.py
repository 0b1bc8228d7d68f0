"""The secretary's meeting kit: indicator presets, printable cards, lost-card replacement,
turnout for the projector and the reading of a sealed result snapshot (docs/design.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import ballots, campaigns, codes, qr
from survey.errors import Conflict, Invalid, NotFound
from survey.models import Ballot, Campaign
from survey.scales import SCALES

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


def indicator_questions(keys) -> list[tuple[str, str]]:
    unknown = [k for k in keys if k not in INDICATORS]
    if unknown:
        raise Invalid("unknown indicator", field="indicators")
    return [(key, INDICATORS[key]) for key in INDICATORS if key in keys]


def printable_ballots(session: Session, campaign: Campaign) -> list[Ballot]:
    """Every unused card of a draft campaign, in code order.

    Only before voting opens: a sheet reprinted during the meeting without the cards just
    used would tell the secretary who has voted, and when. Cards generated while open are
    printed from the answer that made them (``replace_lost_card``, ``generate_ballots``).
    """
    if campaign.status != "draft":
        raise Conflict("the sheet of cards is printable only before voting opens")
    return list(
        session.scalars(
            select(Ballot)
            .where(Ballot.campaign_id == campaign.id, Ballot.status == "issued")
            .order_by(Ballot.ballot_class, Ballot.code)
        )
    )


def cards(issued: list[Ballot], link) -> list[Card]:
    """Cards for ``issued`` ballots; ``link(ballot_id)`` gives the absolute ballot URL."""
    result = []
    for ballot in issued:
        if ballot.status != "issued":
            raise Conflict("only an unused ballot can be printed")
        url = link(ballot.id)
        result.append(Card(codes.display(ballot.code), ballot.ballot_class, url, qr.svg(url)))
    return result


def replace_lost_card(session: Session, actor: str, campaign: Campaign, typed: str) -> Ballot:
    """Void the unused card with short code ``typed`` and issue one of the same class."""
    code = codes.normalise(typed)
    if code is None:
        raise Invalid("not a short code", field="code")
    lost = session.scalar(
        select(Ballot).where(Ballot.campaign_id == campaign.id, Ballot.code == code)
    )
    if lost is None:
        raise NotFound("no card of this campaign has that code")
    if campaign.status == "closed":
        raise Conflict("the campaign is closed")
    ballots.void_ballot(session, actor, lost)
    (replacement,) = ballots.generate_ballots(session, actor, campaign, 1, lost.ballot_class)
    return replacement


def turnout(session: Session, campaign: Campaign) -> dict:
    """Cast against the eligible roll (against issued cards when there is no roll)."""
    counts = campaigns.ballot_counts(session, campaign.id)
    expected = campaign.eligible_total
    return {
        "status": campaign.status,
        "cast": counts["cast"],
        "issued": counts["issued"],
        "expected": expected if expected is not None else counts["issued"],
        "roll": expected is not None,
    }


def reading(snapshot: dict) -> dict:
    """What the results and the minutes show, read from the sealed snapshot only."""
    eligible = None
    if (
        snapshot.get("eligible_full") is not None
        or snapshot.get("eligible_probationary") is not None
    ):
        eligible = (snapshot.get("eligible_full") or 0) + (
            snapshot.get("eligible_probationary") or 0
        )
    cast = snapshot["cast"]
    return {
        "eligible": eligible,
        # 应到会人数: half or fewer present is not a valid meeting (docs/design.md "quorum")
        "quorum_met": None if not eligible else cast * 2 > eligible,
        "turnout_percent": round(100 * cast / eligible) if eligible else None,
        "reconciliation": {
            "issued": snapshot["issued"] + snapshot["void"],
            "returned": cast,
            "valid": snapshot["responses"],
            "void": snapshot["void"],
            "unreturned": snapshot["issued"] - cast,
        },
        "questions": [
            {**q, "bars": bars(q["counts"]) if q["counts"] is not None else None}
            for q in snapshot.get("questions", [])
        ],
        "by_class": snapshot.get("by_class"),
    }


def bars(counts: dict[str, int]) -> list[dict]:
    """Bar lengths in percent of the largest count, and each choice's share of the total."""
    total = sum(counts.values())
    peak = max(counts.values(), default=0) or 1
    return [
        {
            "choice": choice,
            "count": n,
            "length": round(100 * n / peak, 1),
            "share": round(100 * n / total) if total else 0,
        }
        for choice, n in counts.items()
    ]


def scale_of(campaign: Campaign) -> tuple[str, ...]:
    return SCALES[campaign.headline.scale]
