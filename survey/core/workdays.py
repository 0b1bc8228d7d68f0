"""Working days (工作日) in mainland China: Monday to Friday, less the public holidays, plus
the adjusted working days (调休上班) on a weekend, as the State Council's General Office
publishes them each November for the year after (国务院办公厅关于某年部分节假日安排的通知).

The table holds the years whose notice the product was built with: 2025 (国办发明电〔2024〕12号,
12 November 2024) and 2026 (4 November 2025). For a year not in the table (2027 until its
notice is added here) only weekends are rest days: docs/rules.md says so. Dates are local
dates in the organisation's time zone.
"""

from __future__ import annotations

from datetime import date, timedelta


def _days(year: int, *spans: tuple[tuple[int, int], tuple[int, int]]) -> frozenset[date]:
    found = set()
    for (m1, d1), (m2, d2) in spans:
        day, last = date(year, m1, d1), date(year, m2, d2)
        while day <= last:
            found.add(day)
            day += timedelta(days=1)
    return frozenset(found)


HOLIDAYS: dict[int, frozenset[date]] = {
    2025: _days(
        2025,
        ((1, 1), (1, 1)),  # 元旦
        ((1, 28), (2, 4)),  # 春节
        ((4, 4), (4, 6)),  # 清明节
        ((5, 1), (5, 5)),  # 劳动节
        ((5, 31), (6, 2)),  # 端午节
        ((10, 1), (10, 8)),  # 国庆节、中秋节
    ),
    2026: _days(
        2026,
        ((1, 1), (1, 3)),  # 元旦
        ((2, 15), (2, 23)),  # 春节
        ((4, 4), (4, 6)),  # 清明节
        ((5, 1), (5, 5)),  # 劳动节
        ((6, 19), (6, 21)),  # 端午节
        ((9, 25), (9, 27)),  # 中秋节
        ((10, 1), (10, 7)),  # 国庆节
    ),
}
"""Public holidays with the days moved to join them (放假调休), by year."""

WORKING_WEEKENDS: dict[int, frozenset[date]] = {
    2025: frozenset(date(2025, m, d) for m, d in ((1, 26), (2, 8), (4, 27), (9, 28), (10, 11))),
    2026: frozenset(
        date(2026, m, d) for m, d in ((1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))
    ),
}
"""Saturdays and Sundays worked in exchange (调休上班), by year."""


def has_table(year: int) -> bool:
    """Whether ``year``'s holidays are known here (else only weekends rest)."""
    return year in HOLIDAYS


def is_working_day(day: date) -> bool:
    if day in WORKING_WEEKENDS.get(day.year, ()):
        return True
    if day in HOLIDAYS.get(day.year, ()):
        return False
    return day.weekday() < 5


def last_working_day(start: date, count: int) -> date:
    """The ``count``-th working day counted from ``start`` (``start`` itself the first when it
    is a working day): a Thursday and 5 working days end on the next Wednesday."""
    if count < 1:
        raise ValueError("count is at least one")
    day, seen = start, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)
