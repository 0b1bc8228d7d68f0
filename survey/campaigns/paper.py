"""Paper ballots (纸质票): a teller enters the marks of a paper ballot under its short code.

A member without a smartphone votes on a paper ballot carrying their card's short code. After
voting the tellers (计票人/监票人) type each paper ballot -- the code and the marks -- and
``enter_paper_ballot`` spends the card exactly as a phone cast does: the same conditional
``UPDATE`` (survey/ballotbox/ballots.py ``spend_ballot``, one-time across both channels),
the same sealed envelope, the same receipt. Only the card's ``channel`` says ``paper``.

The order of refusals: the code (unknown 404, void 409, used 409, not open 403), then the
marks (400 naming the first bad field), then the spend, which refuses again under a race.
Nothing is written before the marks are read; a refusal after the spend raises, and the
door's rollback leaves the card unused. No audit entry names the code: the envelopes'
order would pair with the entries' order (docs/secrecy.md "Paper ballots").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import appraisal
from survey.ballotbox import ballots, responses
from survey.core import codes
from survey.core.errors import AlreadyUsed, Invalid, NotFound, NotOpen, VoidCard
from survey.models import Ballot, Campaign, CampaignStatus

PAPER = "paper"
MAX_TYPED = 40


def find_card(session: Session, campaign: Campaign, typed: str) -> Ballot:
    """This campaign's card with the short code ``typed``; a card carrying two ballots may be
    typed as printed (``7KD2-QX9M / P3RT-8WHN``): the code of this campaign's ballot is taken.
    NotFound when no card of this campaign has it (a code of another campaign reads as absent)."""
    parts = [part for part in re.split(r"[/／]", (typed or "")[:MAX_TYPED]) if part.strip()]
    wanted = [code for code in (codes.normalise(part) for part in parts) if code]
    if not wanted:
        raise Invalid("not a short code", field="code")
    found = session.scalar(
        select(Ballot).where(Ballot.campaign_id == campaign.id, Ballot.code.in_(wanted))
    )
    if found is None:
        raise NotFound("no card of this campaign has that code")
    return found


def check_card(ballot: Ballot, campaign: Campaign) -> None:
    """The phone's refusals for a card, in its order (void is 409 on paper)."""
    if campaign.status != CampaignStatus.OPEN:
        raise NotOpen(status=campaign.status)
    if ballot.status == "void":
        raise VoidCard()
    if ballot.status == "used":
        raise AlreadyUsed()


def read_marks(campaign: Campaign, marks: Mapping[str, str | None]) -> dict[int, str]:
    """Question id -> choice from the marks as typed (question key -> choice)."""
    if appraisal.is_appraisal(campaign):
        answers, missing = appraisal.read_rows(campaign, marks)
        if not answers:
            raise Invalid("a paper ballot needs at least one row graded", field="answers")
        if missing and appraisal.must_answer_all(campaign):
            raise Invalid("every row needs one of the four grades", field=missing[0])
        return answers
    return responses.validate_answers(campaign, marks)


def enter_paper_ballot(
    session: Session, campaign: Campaign, typed: str, marks: Mapping[str, str | None]
) -> str:
    """Spend the card ``typed`` on paper and seal its marks; returns the receipt code."""
    card = find_card(session, campaign, typed)
    check_card(card, campaign)
    answers = read_marks(campaign, marks)
    extra = set(marks) - {q.key for q in campaign.questions}
    if extra:
        raise Invalid("no question of this ballot has that key", field=sorted(extra)[0])
    receipt = codes.new_code(10)
    shape, ballot_class = ballots.spend_ballot(session, card.id, None, receipt, channel=PAPER)
    return ballots.store_cast(session, card.id, shape, ballot_class, answers, {}, receipt)
