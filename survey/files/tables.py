"""The sheet-building pieces of every file this service writes: a table (title rows, header,
rows, percent columns), written as a workbook or as a CSV Excel opens, every text cell safe
from being run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from survey.files.sheet_style import HEADER_ROW, grid, print_setup, title_block

PERCENT = "0.0%"


@dataclass
class Table:
    """One sheet (or one CSV): a title row, a header row, rows; percent columns by index."""

    sheet: str
    title: list[list]  # the title row, then the unit and the day
    header: list[str]
    rows: list[list] = field(default_factory=list)
    percent: tuple[int, ...] = ()
    widths: tuple[int, ...] = ()
    note: str | None = None  # said instead of rows (the small-group rule)


def local_date(moment: datetime | None, timezone: str, lang: str) -> str:
    """The day of ``moment`` (naive UTC, as stored; now when None) in the organisation's
    time zone: 2026年12月31日, or 2026-12-31 in English."""
    moment = (moment or datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC)
    day = moment.astimezone(ZoneInfo(timezone)).date()
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def title_rows(
    organisation: str, subject: str, form: str, day: str, lang: str = "zh"
) -> list[list[str]]:
    """As on the paper form: the subject and the form's name (no space between Chinese
    words: 第一党支部2025年度……测评汇总表), then the unit and the day."""
    joiner = " " if lang == "en" else ""
    return [[f"{subject}{joiner}{form}"], [organisation, day]]


def table_csv(table: Table) -> str:
    """A title row, a header row and the rows; shares as percentages with one decimal."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly only with a BOM
    writer = _FormulaSafeWriter(csv.writer(out))
    writer.writerows(table.title)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(
            [
                f"{cell:.1%}" if i in table.percent and cell is not None else _blank(cell)
                for i, cell in enumerate(row)
            ]
        )
    if table.note:
        writer.writerow([table.note])
    return out.getvalue()


def _blank(cell):
    return "" if cell is None else cell


def workbook(tables) -> bytes:
    """Each table a sheet: a bold title row, a bold frozen header, widths, percent cells."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.sheet)
        title_block(sheet, table.title, max(len(table.header), len(table.widths), 3))
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(row)
        if table.note:
            sheet.append([table.note])
        grid(sheet, len(table.header))
        if table.note:  # a line under the table, across its width (as the paper form's 注)
            sheet.merge_cells(
                start_row=sheet.max_row,
                start_column=1,
                end_row=sheet.max_row,
                end_column=len(table.header),
            )
        for i in table.percent:
            for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=i + 1, max_col=i + 1):
                cell.number_format = PERCENT
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"  # the title and header stay in view
        for i, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        print_setup(sheet, landscape=sum(table.widths) > 90)
    _neutralise_formulas(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_rows(header: list[str], rows: list[list]) -> bytes:
    """A plain ruled sheet with a bold frozen header (the import templates), every column
    on one printed page."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    grid(sheet, len(header), header_row=1)
    for i in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 16
    sheet.freeze_panes = "A2"
    print_setup(sheet, landscape=len(header) > 5, header_row=1)
    _neutralise_formulas(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A spreadsheet reads a cell that starts with one of these as a formula (or, after a tab or
# CR, as a new cell that may): OWASP's advice is to prefix a single quote, shown as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """``value`` unchanged unless it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _FormulaSafeWriter:
    """A ``csv.writer`` whose every text cell goes through ``formula_safe``."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([formula_safe(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def _neutralise_formulas(book) -> None:
    """Every text cell of the workbook escaped and stored as a string, never a formula
    (openpyxl makes any text that starts with "=" a formula)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = formula_safe(cell.value)
                    cell.data_type = "s"
