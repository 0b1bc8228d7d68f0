"""Criteria read from the votes: `vote_share` (members, quorum) and `complaints` (public)."""

from __future__ import annotations

from dataclasses import dataclass

from .evidence import Evidence, MemberEvidence, PublicEvidence
from .results import Criterion, make_criterion, once, share
from .schemes import Scheme
from .vocabulary import Complaints, VoteShare


def not_in_scheme(key: str, scheme: Scheme) -> Criterion:
    """The criterion for a rule `scheme` does not use."""
    return make_criterion(
        key,
        "not_applicable",
        source=scheme.source_when_absent(key),
        reason=f"not a criterion of scheme {scheme.key}",
    )


# Said when a scheme counts full members only (count_probationary = false) and the close
# merged the classes (one had fewer votes than the small-group threshold): a figure got by
# subtracting the probationary votes would reveal them.
UNSPLIT = "full members' grades not counted apart: classes merged under the small-group rule"


def _counted(tally: MemberEvidence, count_probationary: bool) -> tuple[int, int]:
    """(excellent, participants) over the ballot classes the scheme counts."""
    if count_probationary:
        return (
            tally.excellent_full + tally.excellent_probationary + tally.excellent_merged,
            tally.participants_full + tally.participants_probationary + tally.participants_merged,
        )
    return tally.excellent_full, tally.participants_full


def _unsplit(tally: MemberEvidence, count_probationary: bool) -> bool:
    """A scheme counting full members only, over tallies merged at close: no figure."""
    return not count_probationary and tally.participants_merged > 0


def vote_share(item: VoteShare, evidence: Evidence, scheme: Scheme) -> Criterion:
    if item.figure == "attendance":
        return _attendance(item, evidence, scheme)
    return _excellent(item, evidence)


def _excellent(item: VoteShare, evidence: Evidence) -> Criterion:
    """党员评议: excellent × d ≥ n × participants (90 % 以上 includes 90 %).

    The evidence never splits the counts by class: the split of a branch with one
    probationary member would show that member's grade (small-group disclosure)."""
    bound = item.bound
    threshold = once(
        item, "threshold", lambda: {"excellent_share": {bound.op: bound.value.to_dict()}}
    )
    tally = evidence.members
    if tally is None:
        return make_criterion(
            item.key,
            "pending",
            source=item.source,
            threshold=threshold,
            reason="no member review this year",
            label=item.label,
        )
    if _unsplit(tally, item.count_probationary):
        return make_criterion(
            item.key,
            "pending",
            source=item.source,
            threshold=threshold,
            evidence={"campaign_ids": list(tally.campaign_ids), "count_probationary": False},
            reason=UNSPLIT,
            label=item.label,
        )
    excellent, participants = _counted(tally, item.count_probationary)
    if participants == 0:
        outcome, reason = "pending", "no member took part"
    elif bound.holds(excellent, participants):
        outcome, reason = "pass", None
    else:
        outcome, reason = "fail", f"excellent share below {bound.value}"
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value={
            "excellent": excellent,
            "participants": participants,
            "excellent_share": share(excellent, participants),
        },
        threshold=threshold,
        evidence={
            "campaign_ids": list(tally.campaign_ids),
            "count_probationary": item.count_probationary,
        },
        reason=reason,
        label=item.label,
    )


def _attendance(item: VoteShare, evidence: Evidence, scheme: Scheme) -> Criterion:
    """应到会人数: participants above the bound of the roll, else pending ("quorum not
    reached"). Without a roll, or without a member review in the scheme, it does not apply."""
    tally, probationary = evidence.members, item.count_probationary
    if scheme.members is None:
        return not_in_scheme(item.key, scheme)
    given = tally is not None and (
        tally.eligible_full is not None
        or (probationary and tally.eligible_probationary is not None)
    )
    if tally is None or not given:
        return make_criterion(
            item.key,
            "not_applicable",
            source=item.source,
            reason="no eligible roll given",
            label=item.label,
        )
    roll = (tally.eligible_full or 0) + ((tally.eligible_probationary or 0) if probationary else 0)
    if _unsplit(tally, probationary):
        return make_criterion(
            item.key,
            "pending",
            source=item.source,
            threshold=once(item, "threshold", lambda: _attendance_threshold(item)),
            evidence={"campaign_ids": list(tally.campaign_ids), "count_probationary": False},
            reason=UNSPLIT,
            label=item.label,
        )
    _, present = _counted(tally, probationary)
    reached = item.bound.holds(present, roll)
    return make_criterion(
        item.key,
        "pass" if reached else "pending",
        source=item.source,
        value={"participants": present, "roll": roll, "participant_share": share(present, roll)},
        threshold=once(item, "threshold", lambda: _attendance_threshold(item)),
        evidence={"campaign_ids": list(tally.campaign_ids), "count_probationary": probationary},
        reason=None if reached else "quorum not reached",
        label=item.label,
    )


def _attendance_threshold(item: VoteShare) -> dict[str, object]:
    return {"participant_share": {item.bound.op: item.bound.value.to_dict()}}


def _breaks(item: Complaints, total: _Totals) -> list[str]:
    """The clauses the verified answers alone already break (final, whatever is unchecked).
    With no answer counted (a notice only) the rate is 0 of 0 unless one was verified."""
    broken = []
    if item.any_verified and total.verified > 0:
        broken.append(item.any_source or item.source)
    limit = item.rate_max
    if limit is not None:
        if total.verified * limit.denominator > limit.numerator * total.responses:
            broken.append(item.rate_source or item.source)
    return broken


def _threshold(item: Complaints) -> dict[str, object]:
    threshold: dict[str, object] = {}
    if item.any_verified:
        threshold["verified"] = {"max": 0}
    if item.rate_max is not None:
        threshold["verified_share"] = {"max": item.rate_max.to_dict()}
    return threshold


def _public_value(
    polls: PublicEvidence | None, record: _Record, total: _Totals
) -> dict[str, object]:
    """The polls' own figures and, where a reviewer recorded 公示 or 访谈, theirs;
    `verified_share` is every channel's verified 不满意 over every answer counted."""
    value: dict[str, object] = {}
    if polls is not None and polls.responses:
        value |= {
            "responses": polls.responses,
            "dissatisfied": polls.dissatisfied,
            "verified": polls.verified,
            "unfounded": polls.unfounded,
            "unchecked": polls.unchecked,
        }
        if polls.meeting_responses:
            value |= {
                "meeting_responses": polls.meeting_responses,
                "meeting_dissatisfied": polls.meeting_dissatisfied,
            }
    if record.notice or record.interviews or record.verified:
        value |= {
            "public_notice_held": record.notice,
            "public_interviews": record.interviews,
            "public_channel_verified": record.verified,
        }
    if total.responses:
        value["verified_share"] = share(total.verified, total.responses)
    value["channels"] = total.channels
    return value


def _rule_name(item: Complaints) -> str:
    if item.any_verified and item.rate_max is not None:
        return "any_verified+rate"
    return "any_verified" if item.any_verified else "rate"


def complaints(item: Complaints, evidence: Evidence, scheme: Scheme) -> Criterion:
    """群众评判, for every branch (000 §四(三), 001 工作指南 §五(二)3, 003 §三(一)3: no branch is
    exempt; only 社会评价 is): any verified 不满意 and/or a verified rate above the bound fails,
    counted across every channel -- the public polls (and any campaign the database counts as
    one, e.g. 群众代表 voting with one-time cards at the meeting) and the reviewer's record of
    公示 and 访谈 (facts public_notice_held, public_interviews, public_channel_verified).

    A failure of the verified answers is final; otherwise pending while any dissatisfied
    answer is unchecked or a poll of the year is open, and pending while no channel at all is
    recorded for the year.
    """
    polls = evidence.public
    record = _recorded(evidence)
    total = _Totals.of(polls, record)
    read: dict[str, object] = {
        "campaign_ids": list(polls.campaign_ids) if polls else [],
        **(
            {"meeting_campaign_ids": list(polls.meeting_campaign_ids)}
            if polls is not None and polls.meeting_campaign_ids
            else {}
        ),
        "channels": total.channels,
        "rule": once(item, "rule", lambda: _rule_name(item)),
    }
    broken = _breaks(item, total) if total.channels else []
    if polls is not None and polls.open_polls:
        read["open_polls"] = list(polls.open_polls)
        if item.any_verified and total.verified:  # one verified complaint is final
            broken = [item.any_source or item.source]
        else:
            broken = []
        outcome, reason = (
            ("fail", None) if broken else ("pending", "a poll of the year is still open")
        )
    elif not total.channels:
        outcome, reason = "pending", "no channel of public judgement recorded"
    elif broken:
        outcome, reason = "fail", None
    elif total.unchecked:
        outcome, reason = "pending", "dissatisfied answers not yet checked"
    else:
        outcome, reason = "pass", None
    if broken:
        read["broken"] = broken
        reason = "verified dissatisfied answers break the rule"
    return make_criterion(
        item.key,
        outcome,
        source=item.source,
        value=_public_value(polls, record, total) if total.channels else None,
        threshold=once(item, "threshold", lambda: _threshold(item)),
        evidence=read,
        reason=reason,
        label=item.label,
    )


@dataclass(frozen=True, slots=True)
class _Record:
    """What a reviewer recorded of 公示 and 访谈 for the year."""

    notice: bool
    interviews: int
    verified: int


def _recorded(evidence: Evidence) -> _Record:
    assessment = evidence.assessment
    if assessment is None:
        return _Record(False, 0, 0)
    return _Record(
        assessment.fact("public_notice_held") is True,
        assessment.fact("public_interviews") or 0,
        assessment.fact("public_channel_verified") or 0,
    )


@dataclass(frozen=True, slots=True)
class _Totals:
    """Every channel together: the answers counted and the verified 不满意 across channels."""

    channels: list[str]
    responses: int
    verified: int
    unchecked: int

    @classmethod
    def of(cls, polls: PublicEvidence | None, record: _Record) -> _Totals:
        channels = list(polls.channels) if polls is not None else []
        if record.notice:
            channels.append("notice")
        if record.interviews:
            channels.append("interviews")
        answered = polls.responses if polls else 0
        return cls(
            channels,
            answered + record.interviews,
            (polls.verified if polls else 0) + record.verified,
            polls.unchecked if polls else 0,
        )
