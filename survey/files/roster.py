"""A branch's member roll read from a roster as a branch office makes one.

The header row is found under a title row (merged or not) and blank rows; columns the roll
does not use (序号, 性别, 联系电话 …) are left out and named; 类别 is read in its usual short
forms (正式/预备); names lose the spaces a typist put inside a Chinese name ("李　明" is 李明)
and keep one between the parts of a Latin one. Two rows of one name, or a name already on
the roll the file is added to, are named and imported only once the secretary confirms.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.core.errors import Invalid
from survey.files.import_words import message
from survey.files.imports import MAX_NAME, Checked, cell_text, read_records
from survey.models import Organisation
from survey.models.member import Member
from survey.staff import audit

MEMBER_HEADERS = {
    "姓名": "name",
    "党员姓名": "name",
    "类别": "member_class",
    "党员类别": "member_class",
    "人员类别": "member_class",
    "入党时间": "joined_on",
    "入党日期": "joined_on",
}
ENGLISH = ("name", "member_class", "joined_on")
CLASSES = {
    "正式党员": "full",
    "预备党员": "probationary",
    "正式": "full",
    "预备": "probationary",
    "full": "full",
    "probationary": "probationary",
}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(?:(\d{1,2})\s*日?)?)?")


def member_name(value) -> str:
    """A name as the roll keeps it: no space inside a Chinese name, one inside a Latin one."""
    text = cell_text(value)
    return re.sub(r"\s+", "" if CJK.search(text) else " ", text).strip()


def member_class(value) -> str | None:
    return CLASSES.get(re.sub(r"\s+", "", cell_text(value)).lower())


def joined_on(value) -> date | None:
    """入党时间 from a cell: a date, or text as 2015-07-01, 2015年7月1日, 2015.07 (the 1st of
    the month when no day is given). Raises ValueError for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = MONTH.fullmatch(cell_text(value))
    if match is None:
        raise ValueError(value)
    year, month, day = match.groups()
    return date(int(year), int(month), int(day or 1))


def file_digest(data: bytes) -> str:
    """What the secretary's confirmation names: the checked file, byte for byte."""
    return hashlib.sha256(data).hexdigest()


def check_members(rows: list[list], lang: str = "zh", on_roll=()) -> Checked:
    """The roster's rows checked; ``on_roll``, the names already on the roll the file is
    added to (none when it replaces the roll)."""
    checked = Checked()
    numbers: list[int] = []
    records = read_records(rows, MEMBER_HEADERS, ENGLISH, checked, lang, ignore_unknown=True)
    for number, record in records:
        row = _member(number, record, checked)
        if row is not None:
            checked.rows.append(row)
            numbers.append(number)
    checked.duplicates = _duplicates(checked.rows, numbers, list(on_roll))
    return checked


def _member(number: int, record: dict, checked: Checked) -> dict | None:
    before = len(checked.problems)
    name = member_name(record.get("name"))
    if not name:
        checked.bad(number, "member_name_missing")
    elif len(name) > MAX_NAME:
        checked.bad(number, "member_name_too_long", n=MAX_NAME)
    kind = member_class(record.get("member_class"))
    if kind is None:
        checked.bad(number, "bad_class", value=cell_text(record.get("member_class")))
    joined = None
    if cell_text(record.get("joined_on")):
        try:
            joined = joined_on(record.get("joined_on"))
        except ValueError:
            checked.bad(number, "bad_joined_on", value=cell_text(record.get("joined_on")))
    if len(checked.problems) > before:
        return None
    return {"name": name, "member_class": kind, "joined_on": joined}


def _duplicates(rows: list[dict], numbers: list[int], on_roll: list[str]) -> list[dict]:
    where: dict[str, list[int]] = defaultdict(list)
    for row, number in zip(rows, numbers, strict=True):
        where[row["name"]].append(number)
    return [
        {"name": name, "rows": found, "on_roll": on_roll.count(name)}
        for name, found in where.items()
        if len(found) + on_roll.count(name) > 1
    ]


def duplicate_lines(checked: Checked, lang: str) -> list[str]:
    """One line per name held twice: the rows it is on, and how often the roll has it."""
    lines = []
    for item in checked.duplicates:
        rows = (
            "、".join(str(n) for n in item["rows"])
            if lang == "zh"
            else ", ".join(str(n) for n in item["rows"])
        )
        line = message("duplicate_rows", lang, name=item["name"], rows=rows)
        if item["on_roll"]:
            line += message("duplicate_on_roll", lang, n=item["on_roll"])
        lines.append(line)
    return lines


def ignored_line(checked: Checked, lang: str) -> str | None:
    if not checked.ignored:
        return None
    joiner = "、" if lang == "zh" else ", "
    return message("ignored_columns", lang, names=joiner.join(checked.ignored))


def rows_to_payload(rows: list[dict]) -> list[list]:
    """Checked rows as plain JSON, for the confirmation form (signed by the door)."""
    return [
        [r["name"], r["member_class"], r["joined_on"].isoformat() if r["joined_on"] else None]
        for r in rows
    ]


def rows_from_payload(items: list[list]) -> list[dict]:
    return [
        {
            "name": name,
            "member_class": kind,
            "joined_on": date.fromisoformat(joined) if joined else None,
        }
        for name, kind, joined in items
    ]


def active_members(session: Session, branch_id: int) -> list[Member]:
    """The branch's roll in roll order."""
    return list(
        session.scalars(
            select(Member)
            .where(Member.organisation_id == branch_id, Member.active.is_(True))
            .order_by(Member.id)
        )
    )


def apply_members(
    session: Session,
    actor: str,
    branch: Organisation,
    rows: list[dict],
    step=None,
    append: bool = False,
) -> int:
    """The branch's active roll replaced by ``rows`` (the old one kept, inactive), or
    (``append``) ``rows`` added after it."""
    if branch.kind != "branch":
        raise Invalid("a member roll belongs to a branch", field="organisation_id")
    if not append:
        session.execute(
            update(Member)
            .where(Member.organisation_id == branch.id, Member.active.is_(True))
            .values(active=False)
        )
    for row in rows:
        session.add(Member(organisation_id=branch.id, active=True, **row))
        if step is not None:
            step()
    session.flush()
    full, probationary = roll_counts(session, branch.id)
    detail = {"full": full, "probationary": probationary}
    if append:
        detail["added"] = len(rows)
    audit.record(session, actor, "members.import", branch, **detail)
    return len(rows)


def roll_counts(session: Session, branch_id: int) -> tuple[int, int]:
    """(full, probationary) members on the branch's active roll."""
    classes = session.scalars(
        select(Member.member_class).where(
            Member.organisation_id == branch_id, Member.active.is_(True)
        )
    ).all()
    return classes.count("full"), classes.count("probationary")
