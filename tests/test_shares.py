"""Whole percentages of one distribution add up to 100 (largest remainder)."""

import pytest

from survey.campaigns import meeting
from survey.core.shares import whole_percents


@pytest.mark.parametrize(
    "counts, shares",
    [
        ([1, 1, 4], [17, 17, 66]),  # rounded alone: 17 + 17 + 67 = 101
        ([1, 1, 1], [34, 33, 33]),  # rounded alone: 99
        ([5, 1], [83, 17]),
        ([7, 0, 0], [100, 0, 0]),
        ([0, 0], [0, 0]),
    ],
)
def test_whole_percents_add_up_to_100_by_largest_remainder(counts, shares):
    assert whole_percents(counts) == shares


def test_the_result_bars_shares_add_up_to_100():
    bars = meeting.bars({"excellent": 1, "competent": 1, "incompetent": 4})
    assert sum(b["share"] for b in bars) == 100
