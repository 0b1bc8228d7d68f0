"""Behind Debian's PgBouncer in transaction pooling (SURVEY_DATABASE_POOLER=transaction).

Two app hosts (two gunicorns) of three sync workers each share one PgBouncer whose pool
holds two server connections: every transaction may run on either server connection,
after any other worker's. The schema is migrated and seeded through it; phones cast from
many threads on both hosts, residents answer a poll, the secretary closes and reads the
tally: every card spent is a vote stored and counted, no error anywhere, and PostgreSQL
never saw more than the pool's two connections. The same load without the setting shows
why it is there: psycopg prepares a statement it has run five times on "its" connection,
and the next transaction, on another server connection, fails on it.
"""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import pytest
from helpers import ballot_form, csrf_from
from pgbouncer import PgBouncer
from poll_helpers import issued_from
from servers import (
    BACKEND,
    Gunicorn,
    Phone,
    assert_calm_log,
    ballot_statuses,
    close_and_count,
    dedicated_database,
    report,
    seed,
    server_env,
    stored_responses,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.gunicorn
POOL = 2  # server connections: fewer than the six workers, so they are shared
HOSTS, WORKERS, PHONES = 2, 3, 8
CARDS = {"pooled": 120, "unpooled": 60}
RESIDENTS = 4
POOLED = {"SURVEY_DATABASE_POOLER": "transaction"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if BACKEND != "postgres":
        pytest.skip("PgBouncer pools PostgreSQL connections (SURVEY_TEST_DATABASE=postgres)")
    directory = tmp_path_factory.mktemp("pgbouncer")
    bouncer = PgBouncer(pool=POOL)
    try:
        with dedicated_database(directory) as direct:
            pooled = bouncer.url(make_url(direct).database)
            env = server_env(pooled, secrets.token_urlsafe(32), SURVEY_POLL_MIN_FILL_SECONDS="0.2")
            data = seed(env | POOLED, CARDS, ["pooled-poll"])  # migrations through the pool too
            yield SimpleNamespace(env=env, data=data, direct=direct, bouncer=bouncer, dir=directory)
    finally:
        bouncer.stop()


@contextmanager
def app_hosts(stack, name: str, extra: dict):
    """Two gunicorns of WORKERS each on the same PgBouncer."""
    with ExitStack() as started:
        hosts = []
        for n in range(HOSTS):
            host = Gunicorn(stack.env | extra, stack.dir / f"{name}{n}.log", workers=WORKERS)
            started.callback(host.stop)
            hosts.append(host)
        for host in hosts:
            host.wait_ready("/healthz", timeout=90)  # a shared, loaded machine
        yield hosts


class ServerConnections:
    """The most backends PostgreSQL held for the database while the load ran (sampled)."""

    def __init__(self, direct: str):
        self.engine = create_engine(direct.rsplit("/", 1)[0] + "/postgres")
        self.database = make_url(direct).database
        self.most, self.done = 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND backend_type = "
            "'client backend'"
        )
        with self.engine.connect() as conn:
            while not self.done.is_set():
                self.most = max(self.most, conn.execute(query, {"d": self.database}).scalar_one())
                conn.rollback()
                time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.done.set()
        self.thread.join(timeout=5)
        self.engine.dispose()


def cast_all(hosts, tokens: list[str]) -> list[int]:
    """Every card cast from PHONES threads, alternately on each host: the POSTs' statuses.

    The members open their ballots first and send them after (a meeting votes together):
    each worker then runs cast after cast, and psycopg's count of a statement's runs (which
    a ROLLBACK, as at the end of every page, resets) reaches its threshold of five."""
    phones = [Phone(hosts[n % HOSTS].base) for n in range(len(tokens))]

    def page(n: int) -> dict:
        status, html, _ = phones[n].request(f"/b/{tokens[n]}", timeout=20)
        assert status == 200, status
        return ballot_form(html) | {"choice": "excellent"}

    def send(n: int, form: dict) -> int:
        return phones[n].request(f"/b/{tokens[n]}", form, timeout=20)[0]

    with ThreadPoolExecutor(PHONES) as pool:
        forms = list(pool.map(page, range(len(tokens))))
        return list(pool.map(send, range(len(tokens)), forms))


def answer_poll(base: str, slug: str) -> int:
    phone = Phone(base)
    status, html, _ = phone.request(f"/p/{slug}")
    if status != 200:
        return status
    form = {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}
    time.sleep(0.3)  # the poll's minimum fill time
    return phone.request(f"/p/{slug}", form | {"choice": "satisfied"})[0]


def test_two_hosts_cast_close_and_answer_through_transaction_pooling(stack, tmp_path_factory):
    data = stack.data
    tokens = list(data["ballots"]["pooled"])
    with app_hosts(stack, "pooled", POOLED) as hosts, ServerConnections(stack.direct) as seen:
        started = time.monotonic()
        statuses = cast_all(hosts, tokens)
        seconds = time.monotonic() - started
        slug = data["polls"]["pooled-poll"]
        answers = [answer_poll(hosts[n % HOSTS].base, slug) for n in range(RESIDENTS)]
        tally = close_and_count(hosts[0].base, data["api_token"], data["campaigns"]["pooled"])
        logs = "".join(host.log() for host in hosts)
    assert statuses == [303] * len(tokens)
    assert answers == [303] * RESIDENTS
    spent = ballot_statuses(stack.direct, list(data["ballots"]["pooled"].values()))
    assert list(spent.values()).count("used") == len(tokens)  # spent ...
    stored = stored_responses(stack.direct, data["campaigns"]["pooled"])
    assert stored == tally["cast"] == tally["responses"] == len(tokens)  # ... == stored
    assert 0 < seen.most <= POOL, f"PostgreSQL saw {seen.most} connections, the pool has {POOL}"
    assert "prepared statement" not in logs
    assert_calm_log(logs, data)
    report(
        tmp_path_factory,
        "pgbouncer_transaction_pool",
        casts=len(tokens),
        seconds=round(seconds, 1),
        casts_per_s=round(len(tokens) / seconds, 1),
        app_workers=HOSTS * WORKERS,
        most_server_connections=seen.most,
    )


def test_without_the_setting_psycopg_prepares_and_transaction_pooling_breaks_it(stack):
    """Why SURVEY_DATABASE_POOLER=transaction exists: the same hosts without it."""
    data = stack.data
    tokens = list(data["ballots"]["unpooled"])
    with app_hosts(stack, "unpooled", {}) as hosts:
        statuses = cast_all(hosts, tokens)
        logs = "".join(host.log() for host in hosts)
    failed = [s for s in statuses if s != 303]
    assert failed, "no cast failed: psycopg's preparation did not meet transaction pooling"
    assert "prepared statement" in logs
    # a failed cast rolled back whole: no card spent without its vote stored
    spent = ballot_statuses(stack.direct, list(data["ballots"]["unpooled"].values()))
    assert list(spent.values()).count("used") == statuses.count(303)
