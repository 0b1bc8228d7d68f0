"""What a closed campaign keeps of its votes: counts, and each 不满意 alone on its row.

Closing decrypts the envelopes in memory (responses.open_envelopes) and hands the votes to
``store_counts``: no row written here is a ballot. A ballot's answers are added into counts
per question x choice x respondent class (x inside/outside/unknown on a public poll's
headline question), so that neither the physical order of rows (SQLite ``rowid``,
PostgreSQL ``ctid``) nor their content joins two answers of one ballot; a 不满意 answer to
the headline question becomes a ``Complaint`` row with a random id and its reason, in a
random order, with nothing else beside it.

Small groups: the split by class is kept only where every class present has at least
``small_group`` votes; otherwise the classes are merged into ``all`` at close, so that a
scheme counting only full members cannot read the probationary members' grades by
difference. Where the geo split of a poll's headline would leave a place under the
threshold it is kept all the same (it is one answer, never a ballot) -- the extra
questions carry no geo at all, so a lone resident outside the radius has no pattern.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from survey.core.scales import SCALES
from survey.models import Campaign, Complaint, Count, Question

MERGED = "all"  # the respondent class of counts whose classes were merged at close
NO_GEO = "none"  # member campaigns, extra questions, one-time resident codes
COMPLAINT = "dissatisfied"


def kept_classes(votes: Iterable[dict], small_group: int) -> bool:
    """True when the split by class may be kept: one class only, or every class present
    has at least ``small_group`` votes (a lone probationary vote would otherwise show)."""
    sizes = Counter(vote["class"] for vote in votes)
    return len(sizes) <= 1 or min(sizes.values()) >= small_group


def store_counts(session: Session, campaign_id: int, votes: list[dict], small_group: int) -> None:
    """Add ``votes`` (decrypted envelopes) into ``counts`` and ``complaints`` rows."""
    questions = session.execute(
        select(Question.id, Question.position, Question.scale).where(
            Question.campaign_id == campaign_id
        )
    ).all()
    headline = next((q for q in questions if q.position == 0), None)
    split = kept_classes(votes, small_group)
    counts: Counter = Counter()
    complaints = []
    for vote in votes:
        cls = vote["class"] if split else MERGED
        for question_id, choice, text in vote["answers"]:
            on_headline = headline is not None and question_id == headline.id
            geo = _geo(vote) if on_headline else NO_GEO
            counts[(question_id, cls, geo, choice)] += 1
            if on_headline and choice == COMPLAINT:
                complaints.append(text or None)
    rows = [
        {
            "campaign_id": campaign_id,
            "question_id": question_id,
            "respondent_class": cls,
            "geo": geo,
            "choice": choice,
            "n": n,
        }
        for (question_id, cls, geo, choice), n in sorted(counts.items())
    ]
    if rows:
        session.execute(insert(Count), rows)
    store_complaints(session, campaign_id, complaints)


def _geo(vote: dict) -> str:
    return vote.get("geo") or NO_GEO


def store_complaints(session: Session, campaign_id: int, reasons: list[str | None]) -> None:
    """One row per 不满意 answer, random ids, inserted in a random order."""
    secrets.SystemRandom().shuffle(reasons)
    rows = [
        {"id": secrets.token_hex(16), "campaign_id": campaign_id, "reason": reason}
        for reason in reasons
    ]
    if rows:
        session.execute(insert(Complaint), rows)


def answer_counts(session: Session, campaign: Campaign) -> dict[str, dict[str, int]]:
    """Counts per question key and choice (every class and place added), every choice of
    the scale present."""
    rows = session.execute(
        select(Question.key, Count.choice, func.sum(Count.n))
        .join(Count, Count.question_id == Question.id)
        .where(Question.campaign_id == campaign.id)
        .group_by(Question.key, Count.choice)
    ).all()
    counts = {q.key: dict.fromkeys(SCALES[q.scale], 0) for q in campaign.questions}
    for key, choice, n in rows:
        counts[key][choice] = int(n)
    return counts


def class_counts(session: Session, campaign: Campaign) -> dict[str, dict[str, int]]:
    """Headline counts by respondent class (``all`` where the classes were merged)."""
    rows = session.execute(
        select(Count.respondent_class, Count.choice, func.sum(Count.n))
        .where(Count.campaign_id == campaign.id, Count.question_id == campaign.headline.id)
        .group_by(Count.respondent_class, Count.choice)
    ).all()
    split: dict[str, dict[str, int]] = {}
    for cls, choice, n in rows:
        split.setdefault(cls, dict.fromkeys(SCALES[campaign.headline.scale], 0))[choice] = int(n)
    return split


def geo_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    """Headline answers by place: inside / outside / unknown, ``none`` for resident codes."""
    rows = session.execute(
        select(Count.geo, func.sum(Count.n))
        .where(Count.campaign_id == campaign.id, Count.question_id == campaign.headline.id)
        .group_by(Count.geo)
    ).all()
    return {geo: int(n) for geo, n in rows}
