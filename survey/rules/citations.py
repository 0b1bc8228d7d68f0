"""A criterion's ``source`` as a reader cites it, and where the clause is in the seed's text.

The schemes write sources in a short key, ``"001 工作指南 §五(二)3"`` (seed number, the
document's short name within the seed, the section path); a page reads it as
《工作指南》第五部分（二）3, and the link to the seed's text lands on the clause, marked. The
seed texts are OCR with their own spacing, full-width digits and odd dots, so the clause is
found by a tolerant match of its part numbers, heading by heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    title: str  # as a reader cites it, without the 《》
    within: str = ""  # a part of the document, e.g. 附件2, written after the title
    start: str = ""  # a whole line (spaces removed) where its text starts in the seed


DOCUMENTS: dict[tuple[str, str], Document] = {
    ("000", ""): Document("鄂尔多斯市市场监督管理局“最强党支部”建设工作实施方案"),
    ("001", "2号指导意见"): Document(
        "关于“五化协同、大抓基层”的指导意见", "", "关于“五化协同、大抓基层”的指导意见"
    ),
    ("001", "4号方案"): Document(
        "筑牢新时代北疆基层战斗堡垒建设“最强党支部”方案", "", "筑牢新时代北疆基层战斗堡垒"
    ),
    ("001", "工作指南"): Document("工作指南", "", "工作指南"),
    ("001", "附件2"): Document("工作指南", "附件2", "附件2"),
    ("002", ""): Document("创建平顶山市机关“四强”党支部实施方案"),
    ("003", ""): Document("赤峰工业职业技术学院建设“最强党支部”工作方案"),
    ("004", ""): Document("关于推进市级机关党组织示范化建设的意见"),
    ("004", "附件"): Document("关于推进市级机关党组织示范化建设的意见", "附件", "附件"),
}
"""Each seed's documents by the short name its sources use, in one place (sources.py names
the seeds)."""

NUMERALS = "一二三四五六七八九十"
_PART = re.compile(rf"^([{NUMERALS}]+)?((?:\([{NUMERALS}]+\))*)(\d+)?(.*)$")
_SOURCE = re.compile(r"^(\d{3})\s*(.*)$")
# What follows an item's number: a dot or 、, or the OCR's private-use dot (U+1001B0).
_AFTER_ITEM = "(?=[.、,，\ue000-\uf8ff\U00100000-\U0010ffff])"


@dataclass(frozen=True)
class Citation:
    number: str | None  # the seed, None for a note that cites no seed (e.g. 应到会人数)
    document: Document | None
    section: str  # "五(二)3", or "任务清单1", or the note
    key: str  # the source as the scheme writes it, for the link's ?clause=

    def text(self, chinese: bool = True) -> str:
        if self.document is None:
            return self.section if chinese else self.key
        title = f"《{self.document.title}》{self.document.within}"
        if not self.section:
            return title
        if not chinese:
            return f"{title} §{self.section}"
        return f"{title}{part_words(self.section)}"


def part_words(section: str) -> str:
    """ "五(二)3" -> 第五部分（二）3; "三 第二阶段" -> 第三部分 第二阶段; "任务清单1" stays."""
    top, subs, item, rest = _PART.match(section).groups()
    if not top and not subs:
        return section if not item else f"{item}{rest}"
    words = f"第{top}部分" if top else ""
    words += subs.replace("(", "（").replace(")", "）")
    return words + (item or "") + rest


def cite(source: str) -> list[Citation]:
    """Every clause a criterion's ``source`` names, in its order (``;`` between them)."""
    found = []
    for piece in (p.strip() for p in (source or "").split(";")):
        if not piece:
            continue
        matched = _SOURCE.match(piece)
        if matched is None:
            found.append(Citation(None, None, piece, piece))
            continue
        number, rest = matched.groups()
        name, _, section = rest.partition("§")
        name, section = name.strip(), section.strip()
        if (number, name) not in DOCUMENTS and " " in name:  # "附件 任务清单1"
            name, _, more = name.partition(" ")
            section = f"{more.strip()} {section}".strip()
        document = DOCUMENTS.get((number, name))
        if document is None:  # a short name this table lacks: cited as written
            found.append(Citation(None, None, piece, piece))
            continue
        found.append(Citation(number, document, section, piece))
    return found


def cite_text(source: str, chinese: bool = True) -> str:
    """A whole ``source`` in words, its clauses joined."""
    return ("；" if chinese else "; ").join(c.text(chinese) for c in cite(source))


# ---- the clause in the seed's text -------------------------------------------------------


def _key(line: str) -> str:
    """A line as compared: NFKC (full-width digits and brackets), no spaces, no # marks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)).lstrip("#")


def _top(key: str, numeral: str | None = None) -> bool:
    found = re.match(rf"^([{NUMERALS}]+)、", key)
    return found is not None and (numeral is None or found.group(1) == numeral)


def _sub(key: str, numeral: str | None = None) -> bool:
    found = re.match(rf"^\(([{NUMERALS}]+)\)", key)
    return found is not None and (numeral is None or found.group(1) == numeral)


def _item(key: str, number: str | None = None) -> bool:
    found = re.match(rf"^(\d+){_AFTER_ITEM}", key)
    return found is not None and (number is None or found.group(1) == number)


def _span(keys, start, end, is_heading, is_any) -> tuple[int, int] | None:
    for i in range(start, end):
        if is_heading(keys[i]):
            stop = next((j for j in range(i + 1, end) if is_any(keys[j])), end)
            return i, stop
    return None


def _region(keys: list[str], number: str, document: Document) -> tuple[int, int]:
    """The lines of ``document`` within its seed: from its start line to the next document's."""
    if not document.start:
        return 0, len(keys)
    starts = sorted(
        next((i for i, k in enumerate(keys) if k == d.start), len(keys))
        for (n, _), d in DOCUMENTS.items()
        if n == number and d.start
    )
    begin = next((i for i, k in enumerate(keys) if k == document.start), 0)
    end = next((s for s in starts if s > begin), len(keys))
    return begin, end


def locate(text: str, citation: Citation) -> tuple[int, int] | None:
    """The clause as character offsets into ``text`` (from its heading to the next heading of
    its level), the deepest part found; None when not even its first part is found."""
    if citation.document is None:
        return None
    lines = text.splitlines(keepends=True)
    keys = [_key(line) for line in lines]
    start, end = _region(keys, citation.number, citation.document)
    if not citation.section:  # a whole part such as 附件: its heading line
        return _offsets(lines, (start, start + 1)) if citation.document.start else None
    top, subs, item, _rest = _PART.match(_key(citation.section)).groups()
    if not (top or subs or item):  # "任务清单1": the list's item 1
        item = next(iter(re.findall(r"(\d+)$", citation.section)), None)
    span = None
    for wanted, test in (
        (top, _top),
        *((s, _sub) for s in re.findall(rf"\(([{NUMERALS}]+)\)", subs or "")),
        (item, _item),
    ):
        if not wanted:
            continue
        found = _span(keys, start, end, lambda k, w=wanted, t=test: t(k, w), test)
        if found is None:
            break
        span = start, end = found
    return None if span is None else _offsets(lines, span)


def _offsets(lines: list[str], span: tuple[int, int]) -> tuple[int, int]:
    """Lines ``span`` (first, past the last) as character offsets."""
    return sum(map(len, lines[: span[0]])), sum(map(len, lines[: span[1]]))
