"""Parsing of ids and years from URLs and query strings."""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # INTEGER columns on PostgreSQL; SQLite's are wider but ids never get there
_DIGITS = re.compile(r"[0-9]{1,10}")


class BoundedInt(IntegerConverter):
    """``<int:…>`` limited to 1..MAX_ID: anything else is a 404 like any unknown id."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw: str | None) -> int | None:
    """An ASCII id in range, or None (``isdigit`` accepts "²", which ``int`` refuses)."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_year(raw: str | None) -> int | None:
    value = parse_id(raw)
    return value if value is not None and 2000 <= value <= 2100 else None
