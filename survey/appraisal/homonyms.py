"""Two members of one name (同名党员) told apart wherever voters and staff read the roll."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from survey.core.names import BY_NUMBER, BY_YEAR

MAX_LABEL = 100  # Appraisee.name and Question.prompt hold the label


def labels(members: Sequence) -> list[str]:
    """Each member's name as the ballot shows it, in roll order: a name the roll holds once
    as it is; a name held twice or more by the year each joined the Party (赵磊（2015年入党）)
    when every one of them has a year and no two share it, else by their order on the roll
    (赵磊（1）, 赵磊（2）)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, member in enumerate(members):
        groups[member.name].append(index)
    shown = [member.name for member in members]
    for name, indexes in groups.items():
        if len(indexes) < 2:
            continue
        years = [getattr(members[i].joined_on, "year", None) for i in indexes]
        by_year = None not in years and len(set(years)) == len(years)
        for number, (index, year) in enumerate(zip(indexes, years, strict=True), start=1):
            suffix = BY_YEAR.format(year=year) if by_year else BY_NUMBER.format(number=number)
            shown[index] = _label(name, suffix)
    return shown


def _label(name: str, suffix: str) -> str:
    return name[: MAX_LABEL - len(suffix)] + suffix


def homonyms(members: Sequence) -> set[str]:
    """The names held by more than one of ``members``."""
    seen: set[str] = set()
    twice: set[str] = set()
    for member in members:
        (twice if member.name in seen else seen).add(member.name)
    return twice
