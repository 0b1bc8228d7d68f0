"""Whole percentages of a distribution that add up to exactly 100."""

from __future__ import annotations


def whole_percents(counts: list[int]) -> list[int]:
    """Each count's share in whole percent, by largest remainder (Hamilton's method): the
    floors first, then one point each to the largest remainders until the total is 100.
    Rounding each share alone shows 33 + 33 + 33 = 99 or 17 + 17 + 67 = 101 on one page.
    Ties go to the earlier count (the scale's order). All zero: all 0."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    floors = [100 * n // total for n in counts]
    remainders = [100 * n % total for n in counts]
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], i))
    for i in order[: 100 - sum(floors)]:
        floors[i] += 1
    return floors
