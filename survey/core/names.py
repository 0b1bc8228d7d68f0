"""How an appraisal freezes the name of a member whose name the roll holds twice (同名党员).

The ballot's question and the sealed snapshot keep the name as it was frozen, in Chinese
(赵磊（2015年入党）, or 赵磊（2） by roll order), and so does an erased name (已删除成员#7): a
sealed text is never rewritten but by an erasure. A page or
a file reads it back in its parts (``parse``) and says it in the reader's language
(survey.core.labels.member_label, survey.files.export_words.member_word).
"""

from __future__ import annotations

import re
from typing import NamedTuple

BY_YEAR, BY_NUMBER = "（{year}年入党）", "（{number}）"
ERASED_MEMBER = "已删除成员#{id}"  # the name personal-data erasure leaves
LABELLED = re.compile(r"(?P<name>.+)（(?:(?P<year>\d{4})年入党|(?P<number>\d{1,3}))）")
ERASED = re.compile(r"已删除成员#(?P<id>\d+)")


class FrozenName(NamedTuple):
    """A name as an appraisal froze it: the name, and what tells it apart from another."""

    name: str
    year: int | None = None
    number: int | None = None
    erased: int | None = None  # the id of the member whose name was erased


def parse(shown: str) -> FrozenName:
    """``赵磊（2015年入党）`` is 赵磊 who joined in 2015, ``赵磊（2）`` the second 赵磊 on the
    roll, ``已删除成员#7`` the erased name of member 7; any other text is a plain name."""
    if erased := ERASED.fullmatch(shown):
        return FrozenName(shown, erased=int(erased["id"]))
    match = LABELLED.fullmatch(shown)
    if match is None:
        return FrozenName(shown)
    year, number = match["year"], match["number"]
    return FrozenName(match["name"], int(year) if year else None, int(number) if number else None)
