"""Answer scales (docs/rules.md §1), in the order a ballot shows them."""

from __future__ import annotations

MEMBER_REVIEW = "member_review"
SATISFACTION = "satisfaction"

SCALES: dict[str, tuple[str, ...]] = {
    # 优秀 / 合格 / 基本合格 / 不合格
    MEMBER_REVIEW: ("excellent", "competent", "basically_competent", "incompetent"),
    # 满意 / 基本满意 / 不满意
    SATISFACTION: ("satisfied", "basically_satisfied", "dissatisfied"),
}

CAMPAIGN_KINDS = {"member_review": MEMBER_REVIEW, "public_satisfaction": SATISFACTION}
