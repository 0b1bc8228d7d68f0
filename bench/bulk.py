"""Bulk rows for the bench's big builds, through the raw driver inside the session's own
transaction: COPY on PostgreSQL, one ``executemany`` on SQLite. The ORM's unit of work
(and even Core's per-row defaults) made the 10,000-branch build take 75-82 s a database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def rows_in(session, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``, uncommitted."""
    raw = session.connection().connection.driver_connection
    names = ", ".join(columns)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur:  # the rows are made consistent: no per-row FK trigger
            cur.execute("SET LOCAL session_replication_role = replica")
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
