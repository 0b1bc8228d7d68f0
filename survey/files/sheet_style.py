"""How an exported sheet looks on paper: the title block, the ruled table, the print setup
(survey/files/exports.py fills the sheets; this only styles them, as the paper forms are)."""

from __future__ import annotations

HEADER_ROW = 3


def title_block(sheet, title: list[list], columns: int) -> None:
    """The subject across the table, centred and large; the unit left and the day right."""
    from openpyxl.styles import Alignment, Font

    (subject,), (unit, day) = title
    sheet.append([subject])
    sheet.append([unit, *[None] * (columns - 2), day])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns - 1)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.cell(2, columns).alignment = Alignment(horizontal="right")
    sheet.row_dimensions[1].height = 24


def print_setup(sheet, landscape: bool, header_row: int = HEADER_ROW) -> None:
    """Printed as the paper form: one page wide, the title and header on every page."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"1:{header_row}"


def grid(sheet, columns: int, header_row: int = HEADER_ROW) -> None:
    """Ruled as the paper form: every cell of the header and the rows in a thin border,
    the header bold and centred (wrapped when long), text cells wrapped at their width."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in sheet.iter_rows(min_row=header_row, max_col=columns):
        for cell in row:
            cell.border = border
            if cell.row == header_row:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif isinstance(cell.value, str):
                cell.alignment = Alignment(vertical="center", wrap_text=True)
            else:
                cell.alignment = Alignment(horizontal="center", vertical="center")
