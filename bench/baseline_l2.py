"""L2: the ceiling of a cast -- bare Flask and the raw driver, the same GET+POST shape.

GET /b/<id> reads the ballot row and returns a page with a nonce; POST spends it with one
conditional UPDATE and stores one row, in one transaction. ``BENCH_L2_URL`` is a SQLAlchemy
URL (sqlite:///path or postgresql+psycopg://...); the raw driver is used beneath it.
"""

from __future__ import annotations

import os
import secrets
import sqlite3

from flask import Flask, abort, redirect, request

app = Flask(__name__)
URL = os.environ["BENCH_L2_URL"]
SQLITE = URL.startswith("sqlite")
MARK = "?" if SQLITE else "%s"


_DB = []  # one connection per worker process (sync workers: one request at a time), as a pool


def connection():
    if not _DB:
        if SQLITE:
            db = sqlite3.connect(URL.split("///", 1)[1], timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
        else:
            import psycopg

            db = psycopg.connect(URL.replace("postgresql+psycopg", "postgresql"), autocommit=True)
        _DB.append(db)
    return _DB[0]


@app.get("/b/<ballot_id>")
def page(ballot_id):
    row = (
        connection()
        .execute(f"SELECT status FROM ballots WHERE id = {MARK}", (ballot_id,))
        .fetchone()
    )
    if row is None:
        abort(404)
    nonce = secrets.token_urlsafe(16)
    return (
        '<form method="post"><input type="hidden" name="csrf_token" value="x">'
        f'<input type="hidden" name="nonce" value="{nonce}">'
        '<input type="radio" name="choice" value="excellent"></form>'
    )


@app.post("/b/<ballot_id>")
def cast(ballot_id):
    db = connection()
    db.execute("BEGIN IMMEDIATE" if SQLITE else "BEGIN")
    used = db.execute(
        f"UPDATE ballots SET status = 'used' WHERE id = {MARK} AND status = 'issued'",
        (ballot_id,),
    ).rowcount
    if used != 1:
        db.execute("ROLLBACK")
        abort(409)
    code = secrets.token_hex(5)
    db.execute(
        f"INSERT INTO bench_l2 (code, choice) VALUES ({MARK}, {MARK})",
        (code, request.form.get("choice", "")),
    )
    db.execute("COMMIT")
    return redirect(f"/receipt/{code}", code=303)
