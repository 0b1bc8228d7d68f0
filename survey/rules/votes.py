"""Criteria read from the votes: member review (members, quorum) and public judgement."""

from __future__ import annotations

from .evidence import Evidence, MemberEvidence, PublicEvidence
from .results import Criterion, make_criterion, share
from .schemes import PublicRule, Scheme


def not_in_scheme(key: str, scheme: Scheme) -> Criterion:
    """The criterion for a rule `scheme` does not use."""
    return make_criterion(
        key,
        "not_applicable",
        source=scheme.source_when_absent(key),
        reason=f"not a criterion of scheme {scheme.key}",
    )


def _counted(tally: MemberEvidence, count_probationary: bool) -> tuple[int, int]:
    """(excellent, participants) over the ballot classes the scheme counts."""
    if count_probationary:
        return (
            tally.excellent_full + tally.excellent_probationary,
            tally.participants_full + tally.participants_probationary,
        )
    return tally.excellent_full, tally.participants_full


def _member_evidence(tally: MemberEvidence, count_probationary: bool) -> dict[str, object]:
    """What was read, never split by class: the split of a branch with one probationary
    member would show that member's grade (small-group disclosure, DESIGN.md)."""
    return {"campaign_ids": list(tally.campaign_ids), "count_probationary": count_probationary}


def members(evidence: Evidence, scheme: Scheme) -> Criterion:
    """党员评议: excellent × d ≥ n × participants (90 % 以上 includes 90 %)."""
    rule = scheme.members
    if rule is None:
        return not_in_scheme("members", scheme)
    minimum = rule.minimum
    threshold = {"excellent_share": {"min": minimum.to_dict()}}
    tally = evidence.members
    if tally is None:
        return make_criterion(
            "members",
            "pending",
            source=rule.source,
            threshold=threshold,
            reason="no member review this year",
        )
    excellent, participants = _counted(tally, rule.count_probationary)
    value = {
        "excellent": excellent,
        "participants": participants,
        "excellent_share": share(excellent, participants),
    }
    read = _member_evidence(tally, rule.count_probationary)
    if participants == 0:
        outcome, reason = "pending", "no member took part"
    elif excellent * minimum.denominator >= minimum.numerator * participants:
        outcome, reason = "pass", None
    else:
        outcome, reason = "fail", f"excellent share below {minimum}"
    return make_criterion(
        "members",
        outcome,
        source=rule.source,
        value=value,
        threshold=threshold,
        evidence=read,
        reason=reason,
    )


def quorum(evidence: Evidence, scheme: Scheme) -> Criterion:
    """应到会人数: more than half of the roll took part, else pending ("quorum not reached").

    Counts the same ballot classes as the members share. Without a roll it does not apply.
    """
    rule, members_rule, tally = scheme.quorum, scheme.members, evidence.members
    if rule is None or members_rule is None:
        return not_in_scheme("quorum", scheme)
    probationary = members_rule.count_probationary
    given = tally is not None and (
        tally.eligible_full is not None
        or (probationary and tally.eligible_probationary is not None)
    )
    if tally is None or not given:
        return make_criterion(
            "quorum", "not_applicable", source=rule.source, reason="no eligible roll given"
        )
    roll = (tally.eligible_full or 0) + ((tally.eligible_probationary or 0) if probationary else 0)
    _, present = _counted(tally, probationary)
    reached = present * rule.more_than.denominator > rule.more_than.numerator * roll
    return make_criterion(
        "quorum",
        "pass" if reached else "pending",
        source=rule.source,
        value={"participants": present, "roll": roll, "participant_share": share(present, roll)},
        threshold={"participant_share": {"more_than": rule.more_than.to_dict()}},
        evidence={"campaign_ids": list(tally.campaign_ids), "count_probationary": probationary},
        reason=None if reached else "quorum not reached",
    )


def _public_fails(rule: PublicRule, polls: PublicEvidence) -> bool:
    """Whether the verified answers alone already break the rule (final, whatever is unchecked)."""
    if rule.maximum is None:  # any_verified
        return polls.verified > 0
    return polls.verified * rule.maximum.denominator > rule.maximum.numerator * polls.responses


def _public_value(polls: PublicEvidence) -> dict[str, object]:
    return {
        "responses": polls.responses,
        "dissatisfied": polls.dissatisfied,
        "verified": polls.verified,
        "unfounded": polls.unfounded,
        "unchecked": polls.unchecked,
        "verified_share": share(polls.verified, polls.responses),
    }


def public(evidence: Evidence, scheme: Scheme) -> Criterion:
    """群众评判 under the scheme's rule ("rate" or "any_verified").

    A failure of the verified answers is final; otherwise pending while any dissatisfied
    answer is unchecked. With no responses, a branch without public-facing functions is
    exempt (it has no service radius, 服务半径, to poll: 001 工作指南 §五(二)3, and 001
    §五(二)4 exempts such branches from the social evaluation) and any other is pending.
    A branch without public-facing functions that did poll is judged on its answers.
    """
    rule = scheme.public
    if rule is None:
        return not_in_scheme("public", scheme)
    if rule.maximum is None:
        threshold: dict[str, object] = {"verified": {"max": 0}}
    else:
        threshold = {"verified_share": {"max": rule.maximum.to_dict()}}
    polls = evidence.public
    value = None if polls is None or not polls.responses else _public_value(polls)
    read = {"campaign_ids": list(polls.campaign_ids) if polls else [], "rule": rule.kind}
    if polls is not None and polls.open_polls:
        read["open_polls"] = list(polls.open_polls)
        if rule.maximum is None and polls.verified:  # any verified complaint is final
            outcome, reason = "fail", "verified dissatisfied answers break the rule"
        else:  # a rate is not known before every poll of the year is closed
            outcome, reason = "pending", "a poll of the year is still open"
    elif polls is None or polls.responses == 0:
        if not evidence.organisation.public_facing:
            outcome, reason = "exempt", "branch has no public-facing functions"
        else:
            outcome, reason = "pending", "no public poll" if polls is None else "no responses"
    elif _public_fails(rule, polls):
        outcome, reason = "fail", "verified dissatisfied answers break the rule"
    elif polls.unchecked:
        outcome, reason = "pending", "dissatisfied answers not yet checked"
    else:
        outcome, reason = "pass", None
    return make_criterion(
        "public",
        outcome,
        source=rule.source,
        value=value,
        threshold=threshold,
        evidence=read,
        reason=reason,
    )
