from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
