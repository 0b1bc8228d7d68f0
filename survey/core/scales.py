"""Answer scales (docs/rules.md §1), in the order a ballot shows them."""

from __future__ import annotations

MEMBER_REVIEW = "member_review"
SATISFACTION = "satisfaction"
MEMBER_APPRAISAL = "member_appraisal"  # 民主评议党员: the kind; its rows use the four grades

SCALES: dict[str, tuple[str, ...]] = {
    # 优秀 / 合格 / 基本合格 / 不合格
    MEMBER_REVIEW: ("excellent", "competent", "basically_competent", "incompetent"),
    # 满意 / 基本满意 / 不满意
    SATISFACTION: ("satisfied", "basically_satisfied", "dissatisfied"),
}

# Campaign kind -> the scale of its questions. A member appraisal asks one question per
# member of the roll, each on the four grades (docs/rules.md §1).
CAMPAIGN_KINDS = {
    "member_review": MEMBER_REVIEW,
    "public_satisfaction": SATISFACTION,
    MEMBER_APPRAISAL: MEMBER_REVIEW,
}
# The kinds whose ballots are printed on cards for a branch meeting (full / probationary).
MEETING_KINDS = ("member_review", MEMBER_APPRAISAL)
