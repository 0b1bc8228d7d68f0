"""The audit log as CSV, for an auditor or an archive: every field, with its chain hashes,
so the copy can be verified away from the service. Times in UTC (ISO 8601). The last
column says each entry as the audit page does, in the reader's language."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import islice

from sqlalchemy.orm import Session

from survey.files.tables import formula_safe
from survey.staff.audit_reading import chain_rows
from survey.staff.audit_words import names, say

HEADER = (
    "id",
    "at_utc",
    "actor",
    "action",
    "object_type",
    "object_id",
    "detail",
    "algorithm",
    "prev_hash",
    "entry_hash",
    "sentence",
)

BATCH = 500


class _Line:
    def write(self, text: str) -> str:
        return text


def audit_csv_lines(session: Session) -> Iterator[str]:
    """The CSV one line at a time, oldest entry first (a year's log is not held in memory).
    A text cell a spreadsheet would run as a formula (a user name typed at sign-in) is
    prefixed with a quote."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(HEADER)
    stream = chain_rows(session)
    while rows := list(islice(stream, BATCH)):
        found = names(session, rows)
        for row in rows:
            yield writer.writerow(_cells(row, say(row, found)))


def _cells(row, said) -> list:
    sentence = "；".join([said.sentence, *said.details]) if said.details else said.sentence
    return [
        row.id,
        row.at.isoformat(timespec="microseconds") if row.at else "",
        formula_safe(row.actor),
        row.action,
        row.object_type,
        row.object_id or "",
        formula_safe(json.dumps(row.detail or {}, ensure_ascii=False, sort_keys=True)),
        row.algorithm,
        row.prev_hash,
        row.entry_hash,
        formula_safe(sentence),
    ]
