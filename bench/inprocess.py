"""The figures measured inside one process: SQL statements per page and per cast (a
``before_cursor_execute`` counter, plus one per pool checkout when ``pool_pre_ping`` pings;
BEGIN counted apart, as transaction control like COMMIT),
the close of a sealed box beside a raw decrypt-and-insert of the same rows, and the tally
of the closed campaign."""

from __future__ import annotations

import collections
import statistics
import time

import seed
from load import hidden_fields
from sqlalchemy import event


class Counter:
    def __init__(self, engine):
        self.statements = self.checkouts = self.begins = 0
        self.seen = []
        self.ping = bool(engine.pool._pre_ping)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, _conn, _cursor, statement, *_args):
        # BEGIN is transaction control, as psycopg's own BEGIN (which this hook never sees)
        # and the COMMIT: counted apart, so that both databases count the same things.
        if statement.lstrip().upper().startswith("BEGIN"):
            self.begins += 1
        else:
            self.statements += 1
            self.seen.append(statement.split(None, 1)[0].upper())

    def _checkout(self, *_args):
        self.checkouts += 1

    def take(self) -> int:
        """Statements since the last take, counting a pre-ping's SELECT 1 per checkout."""
        total = self.statements + (self.checkouts if self.ping else 0)
        self.statements = self.checkouts = self.begins = 0
        self.seen = []
        return total


def statements(app, token: str) -> tuple[int, int]:
    from survey.core.extensions import db

    client = app.test_client()
    with app.app_context():
        counter = Counter(db.engine)
    page = client.get(f"/b/{token}")
    assert page.status_code == 200, page.status_code
    kinds = {"page": counter.seen[:], "page_begins": counter.begins}
    on_page = counter.take()
    form = hidden_fields(page.text) | {"choice": "excellent"}
    sent = client.post(f"/b/{token}", data=form)
    assert sent.status_code == 303, sent.status_code
    kinds |= {"cast": counter.seen[:], "cast_begins": counter.begins}
    return on_page, counter.take(), kinds


def raw_open(app, campaign_id: int) -> float:
    """The cheapest close: read, decrypt, count and insert the same counts with the raw
    driver, in one transaction that is then rolled back."""
    from survey.ballotbox import sealing
    from survey.core.extensions import db

    with app.app_context():
        keys = sealing.secret_keys()
        raw = db.engine.raw_connection()
        sqlite = db.engine.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        try:
            start = time.perf_counter()
            cur = raw.cursor()
            if sqlite:  # the product's SQLite connections begin by hand (survey/core/database.py)
                cur.execute("BEGIN IMMEDIATE")
            cur.execute(
                f"SELECT key_id, sealed FROM envelopes WHERE campaign_id = {mark}", (campaign_id,)
            )
            votes = [sealing.unseal(campaign_id, kid, bytes(b), keys) for kid, b in cur.fetchall()]
            counted = collections.Counter(
                (q, vote["class"], vote["geo"] or "none", c)
                for vote in votes
                for q, c, _t in vote["answers"]
            )
            cur.executemany(
                "INSERT INTO counts (campaign_id, question_id, respondent_class, geo, choice, n) "
                f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
                [(campaign_id, *key, n) for key, n in counted.items()],
            )
            cur.execute(f"DELETE FROM envelopes WHERE campaign_id = {mark}", (campaign_id,))
            elapsed = time.perf_counter() - start
        finally:
            raw.rollback()
            raw.close()
        return elapsed


def close(app, campaign_id: int) -> float:
    from survey import campaigns
    from survey.core.extensions import db
    from survey.models import Campaign

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        start = time.perf_counter()
        campaigns.close_campaign(db.session, "bench", campaign)
        db.session.commit()
        closed = time.perf_counter() - start
        db.session.remove()
        return closed


def tally(app, campaign_id: int) -> tuple[float, int]:
    """The median of 5 tallies of the closed campaign, as a request makes one: load the
    campaign, then ``tally``; and the SQL statements each took."""
    from survey import campaigns
    from survey.core.extensions import db
    from survey.models import Campaign

    with app.app_context():
        counter = Counter(db.engine)
        times = []
        for _ in range(5):
            db.session.remove()
            counter.take()
            start = time.perf_counter()
            campaign = db.session.get(Campaign, campaign_id)
            result = campaigns.tally(db.session, campaign)
            times.append(time.perf_counter() - start)
        db.session.remove()
        return statistics.median(times), counter.take() // 5, result


def poll_statements(app, slug: str) -> tuple[int, int, dict]:
    """Statements of a poll page and of its answer (the app as run.py serves it: the limit
    counted, never refused; no fill-time screen)."""
    from survey.core.extensions import db

    app.config.update(
        POLL_RATE_LIMIT="1000000 per minute", POLL_DAILY_LIMIT=10_000, POLL_MIN_FILL_SECONDS=0
    )
    client = app.test_client()
    with app.app_context():
        counter = Counter(db.engine)
    page = client.get(f"/p/{slug}")
    assert page.status_code == 200, page.status_code
    kinds = {"page": f"{counter.seen} + {counter.begins} BEGIN"}
    on_page = counter.take()
    form = hidden_fields(page.text) | {"choice": "satisfied", "website": ""}
    sent = client.post(f"/p/{slug}", data=form)
    assert sent.status_code == 303, sent.status_code
    kinds["answer"] = f"{counter.seen} + {counter.begins} BEGIN"
    return on_page, counter.take(), kinds


def figures(rows, kind, app, data, args, figure, only) -> None:
    if "statements" in only:
        on_page, on_cast, kinds = statements(app, data["tokens"][-1])
        page, cast = (f"{kinds[k]} + {kinds[k + '_begins']} BEGIN" for k in ("page", "cast"))
        figure(rows, "SQL statements per ballot page", kind, on_page, "stmts", 1,
               "(counted; limit: L2's GET, 1)", True, statements=page)  # fmt: skip
        figure(rows, "SQL statements per cast POST", kind, on_cast, "stmts", 4,
               "≤ 4 (BEGIN apart)", on_cast <= 4, statements=cast)  # fmt: skip
        on_page, on_answer, kinds = poll_statements(app, data["slug"])
        figure(rows, "SQL statements per poll page", kind, on_page, "stmts", 1,
               "(counted; limit: L2's GET, 1)", True, statements=kinds["page"])  # fmt: skip
        figure(rows, "SQL statements per poll answer POST", kind, on_answer, "stmts", 4,
               "(counted; limit: a cast's 4)", True, statements=kinds["answer"])  # fmt: skip
    if "close" in only:
        campaign_id = seed.sealed_campaign(app, data["branch"], args.votes)
        raw = raw_open(app, campaign_id)
        closed = close(app, campaign_id)
        figure(
            rows,
            f"close (open the box) of {args.votes} envelopes",
            kind,
            round(closed * 1000),
            "ms",
            round(raw * 1000),
            "≤ 3 × raw decrypt+insert",
            closed <= 3 * raw,
        )
    if "tally" in only:
        started = time.perf_counter()
        campaign_id = seed.opened_box(app, data["branch"], args.responses)
        built = time.perf_counter() - started
        closed = close(app, campaign_id)
        took, count, result = tally(app, campaign_id)
        assert sum(result["counts"].values()) == args.responses, result["counts"]
        figure(
            rows,
            f"tally of a closed campaign of {args.responses} responses",
            kind,
            round(took * 1000, 1),
            "ms",
            50,
            "≤ 50 ms",
            took <= 0.05,
            statements=count,
            close_ms=round(closed * 1000),
            build_s=round(built, 1),
        )
