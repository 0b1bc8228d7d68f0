"""Health checks, the request log line and the production start checks (in-process)."""

from __future__ import annotations

import json
import logging
import secrets

import pytest

from survey import create_app
from survey.core.config import ProductionError
from survey.core.logs import JsonLines


def test_healthz_answers_without_the_database(client, app, monkeypatch):
    def broken(*_a, **_k):
        raise AssertionError("healthz must not touch the database")

    monkeypatch.setattr("survey.views.ops._database", broken)
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json == {"status": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_answers_200_when_the_database_answers(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "checks": {"database": "ok", "database_writes": "ok"}}
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_reports_redis_down_as_degraded_and_answers_200(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # the discard port: nobody answers
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["status"] == "degraded"
    assert answer.json["checks"]["database"] == "ok"
    assert answer.json["checks"]["redis"].startswith("degraded")
    assert "error" not in answer.json


@pytest.fixture
def refusing_writes(db):
    """Every transaction of the pool refuses writes, as the server would: PostgreSQL's
    READ ONLY transaction (SQLSTATE 25006), SQLite's query_only (a read-only database)."""
    from sqlalchemy import event

    postgres = db.engine.dialect.name == "postgresql"

    def begin(conn):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY" if postgres else "PRAGMA query_only = ON")

    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "begin", begin)
    yield
    event.remove(db.engine, "begin", begin)
    db.session.remove()
    db.engine.dispose()


def test_readyz_notices_a_database_that_refuses_writes(client, refusing_writes):
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json["status"] == "degraded"
    assert answer.json["checks"]["database"] == "ok"
    assert answer.json["checks"]["database_writes"].startswith("read_only")


def test_readyz_answers_503_when_the_database_is_down(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("survey.views.ops.db.session.execute", down)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["database"] == "unavailable (Exception)"


def test_a_request_is_logged_by_its_route_pattern_never_its_path(client, caplog):
    token = "NOT-A-REAL-TOKEN-abcdef"
    with caplog.at_level(logging.INFO, logger="survey.request"):
        client.get(f"/b/{token}")
        client.get(f"/receipt/{token}")
        client.get(f"/nowhere/{token}")
    lines = [r for r in caplog.records if r.name == "survey.request"]
    assert [r.route for r in lines] == ["/b/<token>", "/receipt/<code>", "<unmatched>"]
    assert all(r.status == 404 and r.method == "GET" and r.ms >= 0 for r in lines)
    assert token not in caplog.text


def test_json_lines_carry_the_request_fields():
    record = logging.LogRecord(
        "survey.request", logging.INFO, "", 0, "GET /b/<token> 404", (), None
    )
    record.method, record.route, record.status, record.ms = "GET", "/b/<token>", 404, 1.5
    line = json.loads(JsonLines().format(record))
    assert line["route"] == "/b/<token>" and line["status"] == 404 and line["ms"] == 1.5


@pytest.fixture(autouse=True)
def _root_logger_kept():
    """An app built outside TESTING configures the root logger: put it back for the suite."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _start(monkeypatch, tmp_path, **env):
    for name in ("SURVEY_SECRET_KEYS", "SURVEY_DATABASE_URL", "SURVEY_SINGLE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app()


def test_production_refuses_to_start_without_secret_keys(monkeypatch, tmp_path):
    with pytest.raises(ProductionError, match="SURVEY_SECRET_KEYS"):
        _start(
            monkeypatch,
            tmp_path,
            SURVEY_ENV="production",
            SURVEY_DATABASE_URL="postgresql+psycopg://db/survey",
        )


def test_production_refuses_sqlite_unless_single_host(monkeypatch, tmp_path):
    key = secrets.token_urlsafe(48)
    with pytest.raises(ProductionError, match="SURVEY_SINGLE_HOST=1"):
        _start(monkeypatch, tmp_path, SURVEY_ENV="production", SURVEY_SECRET_KEYS=key)
    app = _start(
        monkeypatch,
        tmp_path,
        SURVEY_ENV="production",
        SURVEY_SECRET_KEYS=key,
        SURVEY_SINGLE_HOST="1",
    )
    assert app.config["SECRET_KEY"] == key


def test_development_starts_without_keys_or_postgres(monkeypatch, tmp_path):
    app = _start(monkeypatch, tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


class Statements:
    """SQL statements the app sends, counted by a ``before_cursor_execute`` listener."""

    def __init__(self, engine):
        self.engine, self.count, self.kinds = engine, 0, {}

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._seen)
        self.count = 0
        return self

    def _seen(self, _conn, _cursor, statement, *_args):
        self.count += 1
        kind = statement.split(None, 1)[0].upper()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def __exit__(self, *_exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_statements_per_cast_and_per_poll_answer_stay_few(app, db, make):
    """The figures of docs/deploy.md ("scale on paper"); a bound so that a regression that
    multiplies the queries of the busiest path fails here."""
    from helpers import ballot_form
    from poll_helpers import answer as answer_poll

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    branch = make.organisation("社区党支部")
    campaign = make.campaign(branch)
    cards = make.ballots(campaign, 10)
    poll = make.campaign(branch, kind="public_satisfaction", title="满意度测评")
    from survey.core.security import ballot_token

    figures = {}
    with Statements(db.engine) as page:
        phones = []
        for card in cards:
            phone = app.test_client()
            phones.append((phone, ballot_form(phone.get(f"/b/{ballot_token(card.id)}").text)))
    with Statements(db.engine) as casts:
        for card, (phone, form) in zip(cards, phones, strict=True):
            sent = phone.post(f"/b/{ballot_token(card.id)}", data=form | {"choice": "excellent"})
            assert sent.status_code == 303
    with Statements(db.engine) as polls:
        for _ in range(10):
            assert answer_poll(app.test_client(), poll.slug).status_code == 303
    with Statements(db.engine) as close:
        make.close(campaign)
    figures = {
        "ballot_page": page.count / 10,
        "cast": casts.count / 10,
        "poll_page_and_answer": polls.count / 10,
        "close_10_votes": close.count,
        "cast_kinds": casts.kinds,
        "backend": db.engine.dialect.name,
    }
    print(f"\nFIGURES statements: {figures}")
    assert figures["cast"] <= 20 and figures["poll_page_and_answer"] <= 30, figures
