"""Exports of a closed campaign: the tally and the anonymous responses, never a ballot."""

from __future__ import annotations

import csv
import io
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey import campaigns
from survey.models import Campaign, Response


def anonymous_rows(
    session: Session, campaign: Campaign, small_group: int
) -> tuple[list[str], list[list[str]]]:
    """One row per response: the choice per question and, where every class is
    at least ``small_group`` strong, the class (a lone probationary member stays hidden).

    Rows are sorted by their content, not stored order, so that the file's order says
    nothing about who voted when. Fewer than ``small_group`` responses give no rows.
    """
    questions = campaign.questions
    responses = session.scalars(
        select(Response)
        .where(Response.campaign_id == campaign.id)
        .options(selectinload(Response.answers))
    )
    rows, classes = [], Counter()
    for response in responses:
        by_question = {a.question_id: a for a in response.answers}
        classes[response.respondent_class] += 1
        cells = [response.respondent_class]  # no day: a late voter would stand out
        cells += [by_question[q.id].choice if q.id in by_question else "" for q in questions]
        rows.append(cells)
    if len(rows) < small_group:
        return [], []
    header = ["class", *[q.key for q in questions]]
    if min(classes.values()) < small_group:
        header, rows = header[1:], [row[1:] for row in rows]
    rows.sort()
    return header, rows


def campaign_csv(session: Session, campaign: Campaign, small_group: int = 5) -> str:
    tally = campaigns.tally(session, campaign, reveal=True, small_group=small_group)
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly only with a BOM
    writer = _FormulaSafeWriter(csv.writer(out))
    writer.writerow(["campaign", campaign.id, campaign.title, campaign.year, campaign.status])
    writer.writerow(["issued", tally["issued"], "cast", tally["cast"], "void", tally["void"]])
    for question in tally["questions"]:
        for choice, n in (question["counts"] or {}).items():
            writer.writerow(["count", question["key"], choice, n])
    writer.writerow([])
    header, rows = anonymous_rows(session, campaign, small_group)
    if header:
        writer.writerow(header)
        writer.writerows(rows)
    else:
        writer.writerow([f"responses are listed only from {small_group} on (small-group rule)"])
    return out.getvalue()


def campaign_xlsx(session: Session, campaign: Campaign, small_group: int = 5) -> bytes:
    """The same content as the CSV, as an Excel workbook: a tally sheet and a responses sheet."""
    from openpyxl import Workbook

    tally = campaigns.tally(session, campaign, reveal=True, small_group=small_group)
    book = Workbook()
    sheet = book.active
    sheet.title = "tally"
    sheet.append(["campaign", campaign.id, campaign.title, campaign.year, campaign.status])
    sheet.append(["issued", tally["issued"], "cast", tally["cast"], "void", tally["void"]])
    sheet.append(["question", "choice", "count"])
    for question in tally["questions"]:
        for choice, n in (question["counts"] or {}).items():
            sheet.append([question["key"], choice, n])
    responses = book.create_sheet("responses")
    header, rows = anonymous_rows(session, campaign, small_group)
    if header:
        responses.append(header)
        for row in rows:
            responses.append(row)
    else:
        responses.append([f"responses are listed only from {small_group} on (small-group rule)"])
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
