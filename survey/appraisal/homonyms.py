"""Two members of one name (同名党员) told apart wherever voters and staff read the roll."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

MAX_LABEL = 100  # Appraisee.name and Question.prompt hold the label
BY_YEAR, BY_NUMBER = "（{year}年入党）", "（{number}）"
LABELLED = re.compile(r"(?P<name>.+)（(?:(?P<year>\d{4})年入党|(?P<number>\d{1,3}))）")


class Label(NamedTuple):
    """A name as the ballot froze it, in parts: the name, and what tells it apart."""

    name: str
    year: int | None = None
    number: int | None = None


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


def parse(shown: str) -> Label:
    """A frozen name read back: ``赵磊（2015年入党）`` is 赵磊 who joined in 2015, ``赵磊（2）``
    the second 赵磊 on the roll; any other text is a plain name. The frozen text stays as it
    is (the ballot's question and the sealed snapshot hold it); only its reading changes."""
    match = LABELLED.fullmatch(shown)
    if match is None:
        return Label(shown)
    year, number = match["year"], match["number"]
    return Label(match["name"], int(year) if year else None, int(number) if number else None)
