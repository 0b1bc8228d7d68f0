"""Imports from Excel: organisations (admins) and a branch's member roll (secretaries).

A file is read whole and checked row by row first; any bad row refuses the whole file with
every bad row named as Excel numbers it (header = 1). A clean file is applied by the caller
in one transaction (``apply_*`` only flush). Uploads are XLSX (opened read-only) or CSV in
UTF-8 with or without a BOM; anything else is refused with a message, never a 500.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.errors import Invalid
from survey.files import xlsx_guard
from survey.files.import_words import DOMAIN_NAMES, message
from survey.models import Organisation
from survey.rules import DOMAINS
from survey.staff import accounts

MAX_ROWS = 5000
MAX_COLUMNS = 30
MAX_NAME = 100
HEADER_SEARCH = 10  # rows looked through for the header row
DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
REQUIRED = {"name", "kind", "member_class"}

ORGANISATION_HEADERS = {
    "名称": "name",
    "类型": "kind",
    "上级组织": "parent",
    "领域": "domain",
    "成立日期": "founded_on",
    "面向社会": "public_facing",
    "纬度": "lat",
    "经度": "lon",
    "服务半径米": "radius_m",
}
ENGLISH_ORGANISATION = ("name", "kind", "parent", "domain", "founded_on", "public_facing")
ENGLISH_ORGANISATION += ("lat", "lon", "radius_m")
KINDS = {"党委": "committee", "党支部": "branch", "committee": "committee", "branch": "branch"}
YES = {"是": True, "否": False, "yes": True, "no": False, "true": True, "false": False}
YES |= {"y": True, "n": False, "1": True, "0": False}


class Unreadable(Invalid):
    """Not a real XLSX or CSV file (a 400 with a message in the reader's language)."""

    def __init__(self, code: str, lang: str = "zh", **params):
        super().__init__(message(code, lang, **params), field="file")


@dataclass
class Checked:
    """The rows to apply, or the problems as ``(row number, code, params)``."""

    rows: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str, dict]] = field(default_factory=list)
    unreadable: str | None = None  # the whole file could not be read
    ignored: list[str] = field(default_factory=list)  # headers of the columns left out
    duplicates: list[dict] = field(default_factory=list)  # names twice: to be confirmed

    def bad(self, number: int, code: str, **params) -> None:
        self.problems.append((number, code, params))

    def report(self, lang: str) -> list[str]:
        if self.unreadable:
            return [self.unreadable]
        return [
            message("row", lang, n=n, reason=message(c, lang, **p)) for n, c, p in self.problems
        ]


def read_table(data: bytes, filename: str, lang: str = "zh") -> list[list]:
    """The rows of the first sheet of an XLSX, or of a CSV, as lists of cells."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, lang)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise Unreadable("not_xlsx", lang)
    if not filename.lower().endswith((".csv", ".txt")):
        raise Unreadable("not_table", lang)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable("not_utf8", lang) from None
    if "\x00" in text:
        raise Unreadable("not_table", lang)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) > MAX_ROWS + 1:
        raise Unreadable("too_many_rows", lang, n=MAX_ROWS)
    return rows


def _read_xlsx(data: bytes, lang: str) -> list[list]:
    from openpyxl import load_workbook

    try:
        xlsx_guard.check_package(data)
    except xlsx_guard.TooLarge as exc:
        raise Unreadable(exc.code, lang, **exc.params) from None
    except (zipfile.BadZipFile, expat.ExpatError, EOFError, ValueError, NotImplementedError):
        raise Unreadable("not_xlsx", lang) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise Unreadable("not_xlsx", lang) from None
    except Exception:  # openpyxl raises its own errors for a damaged package: all one answer
        raise Unreadable("not_xlsx", lang) from None
    rows = []
    try:
        for row in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise Unreadable("too_many_rows", lang, n=MAX_ROWS)
    except Unreadable:
        raise
    except Exception:  # a damaged sheet inside a sound package
        raise Unreadable("not_xlsx", lang) from None
    finally:
        book.close()
    return rows


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_name(cell) -> str:
    """A header as written, without its note in brackets or any space: "姓 名" is 姓名."""
    return re.sub(r"\s+", "", re.sub(r"[（(].*", "", cell_text(cell)))


def _header_index(rows: list[list], headers: dict[str, str], english) -> int:
    """The header row: the first of the first HEADER_SEARCH rows naming a required column
    (a title row, merged or not, and blank rows may stand above it); the first row if none."""
    wanted = {zh for zh, key in headers.items() if key in REQUIRED} | (REQUIRED & set(english))
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        if any(header_name(cell).lower() in wanted for cell in row):
            return index
    return 0


def read_records(
    rows: list[list],
    headers: dict[str, str],
    english,
    checked: Checked,
    lang: str,
    ignore_unknown: bool = False,
):
    """(row number, {field: cell}) for each non-empty row under the header row; unknown
    headers are problems, or (``ignore_unknown``) listed in ``checked.ignored``."""
    if not rows:
        checked.bad(1, "no_header")
        return []
    top = _header_index(rows, headers, english)
    names = [header_name(h) for h in rows[top]]
    keys = []
    for column, name in enumerate(names, start=1):
        key = headers.get(name) or (name.lower() if name.lower() in english else None)
        if name and key is None and ignore_unknown:
            checked.ignored.append(name)
        elif name and key is None:
            checked.bad(top + 1, "unknown_header", column=column, name=name)
        keys.append(key)
    for key in dict.fromkeys(k for k in headers.values() if k in REQUIRED and k not in keys):
        zh = next(zh for zh, k in headers.items() if k == key)
        checked.bad(top + 1, "missing_header", name=zh)
    records = []
    for number, row in enumerate(rows[top + 1 :], start=top + 2):
        record = {key: cell for key, cell in zip(keys, row, strict=False) if key}
        if any(cell_text(v) for v in record.values()):
            records.append((number, record))
    if not records and not checked.problems:
        checked.bad(2, "no_rows")
    return records


def check_organisations(session: Session, rows: list[list], lang: str = "zh") -> Checked:
    checked = Checked()
    records = read_records(rows, ORGANISATION_HEADERS, ENGLISH_ORGANISATION, checked, lang)
    existing = dict(session.execute(select(Organisation.name, Organisation.kind)).all())
    seen: dict[str, str] = {}
    for number, record in records:
        found = _organisation(number, record, checked, existing, seen)
        if found is not None:
            seen[found["name"]] = found["kind"]
            checked.rows.append(found)
    return checked


def _organisation(number, record, checked, existing, seen) -> dict | None:
    before = len(checked.problems)
    name = cell_text(record.get("name"))
    if not name:
        checked.bad(number, "name_missing")
    elif len(name) > 200:
        checked.bad(number, "name_too_long", n=200)
    elif name in existing or name in seen:
        checked.bad(number, "name_taken", name=name)
    kind = KINDS.get(cell_text(record.get("kind")).lower())
    if kind is None:
        checked.bad(number, "bad_kind", value=cell_text(record.get("kind")))
    parent = cell_text(record.get("parent")) or None
    if parent is not None and {**existing, **seen}.get(parent) != "committee":
        checked.bad(number, "bad_parent", name=parent)
    elif parent is None and kind == "branch":
        checked.bad(number, "parent_missing")
    domain = _domain(number, cell_text(record.get("domain")), checked)
    founded_on = _date(number, record.get("founded_on"), checked)
    public = cell_text(record.get("public_facing")).lower()
    if public and public not in YES:
        checked.bad(number, "bad_yes_no", value=public)
    area = _area(number, record, checked)
    if len(checked.problems) > before:
        return None
    return {
        "name": name,
        "kind": kind,
        "parent": parent,
        "domain": domain,
        "founded_on": founded_on,
        "public_facing": YES.get(public, True),
        "service_area": area,
    }


def _domain(number: int, value: str, checked: Checked) -> str | None:
    if not value:
        return None
    domain = DOMAIN_NAMES.get(value) or (value.lower() if value.lower() in DOMAINS else None)
    if domain is None:
        checked.bad(number, "bad_domain", value=value)
    return domain


def _date(number: int, value, checked: Checked) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DAY.fullmatch(cell_text(value))
    try:
        return (
            date(*(int(g) for g in match.groups())) if match else _bad_date(number, value, checked)
        )
    except ValueError:
        return _bad_date(number, value, checked)


def _bad_date(number: int, value, checked: Checked) -> None:
    checked.bad(number, "bad_date", value=cell_text(value))


def _area(number: int, record: dict, checked: Checked) -> tuple[float, float, int] | None:
    cells = [cell_text(record.get(k)) for k in ("lat", "lon", "radius_m")]
    if not any(cells):
        return None
    if not all(cells):
        checked.bad(number, "area_incomplete")
        return None
    try:
        lat, lon, radius = float(cells[0]), float(cells[1]), float(cells[2])
    except ValueError:
        checked.bad(number, "area_not_number")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        checked.bad(number, "area_out_of_range")
    elif not (radius.is_integer() and 1 <= radius <= accounts.MAX_RADIUS_M):
        checked.bad(number, "bad_radius", n=accounts.MAX_RADIUS_M)
    else:
        return lat, lon, int(radius)
    return None


def apply_organisations(session: Session, actor: str, rows: list[dict], step=None) -> int:
    """Create the checked organisations in file order (a parent before its branches)."""
    by_name = {o.name: o for o in session.scalars(select(Organisation))}
    for row in rows:
        organisation = accounts.create_organisation(
            session,
            actor,
            name=row["name"],
            kind=row["kind"],
            parent=by_name.get(row["parent"]) if row["parent"] else None,
            domain=row["domain"],
            founded_on=row["founded_on"],
            public_facing=row["public_facing"],
            service_area=row["service_area"],
        )
        by_name[organisation.name] = organisation
        if step is not None:
            step()
    return len(rows)


def template_xlsx(kind: str) -> bytes:
    """A workbook with the header row and one example row, to fill in."""
    from survey.files.tables import workbook_rows

    if kind == "organisations":
        header = list(ORGANISATION_HEADERS)
        example = [
            "示例第一党支部",
            "党支部",
            "示例党委",
            "社区",
            "2021-07-01",
            "是",
            40.8,
            111.7,
            500,
        ]
    else:
        header, example = ["姓名", "类别"], ["张三", "正式党员"]
    return workbook_rows(header, [example])
