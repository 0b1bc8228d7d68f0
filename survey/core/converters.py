"""Ids and years: their bounds, the URL converters and the validators, written once."""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

from survey.core.errors import Invalid

MAX_ID = 2**31 - 1  # INTEGER columns on PostgreSQL; SQLite's are wider but ids never get there
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a campaign, an assessment or a title may name
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
    return value if value is not None and FIRST_YEAR <= value <= LAST_YEAR else None


def check_year(year: object, field: str = "year") -> int:
    """The one validator of a rating year, for every service that takes one."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"{field} must be a year between {FIRST_YEAR} and {LAST_YEAR}", field=field)
    return year


def year_arg(raw: str | None, default: int) -> int:
    """``?year=``: ``default`` when absent; anything but a year in range is a 400."""
    if raw is None or raw == "":
        return default
    year = parse_year(raw)
    if year is None:
        raise Invalid(f"year must be a year between {FIRST_YEAR} and {LAST_YEAR}", field="year")
    return year


class YearConverter(IntegerConverter):
    """``<year:…>`` in a URL: a year outside the bounds names nothing, so 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        super().__init__(map, *args, min=FIRST_YEAR, max=LAST_YEAR, **kwargs)
