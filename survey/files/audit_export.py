"""The audit log as CSV, for an auditor or an archive: every field, with its chain hashes,
so the copy can be verified away from the service. Times in UTC (ISO 8601)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from sqlalchemy.orm import Session

from survey.files.tables import formula_safe
from survey.staff.audit_reading import chain_rows

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
)


class _Line:
    def write(self, text: str) -> str:
        return text


def audit_csv_lines(session: Session) -> Iterator[str]:
    """The CSV one line at a time, oldest entry first (a year's log is not held in memory).
    A text cell a spreadsheet would run as a formula (a user name typed at sign-in) is
    prefixed with a quote."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(HEADER)
    for row in chain_rows(session):
        yield writer.writerow(
            [
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
            ]
        )
