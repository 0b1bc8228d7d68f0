"""Real faults against real processes: gunicorn with 2 sync workers on the database under test.

Workers killed with SIGKILL mid-vote, a thousand racing submissions, a PostgreSQL database
that drops every connection and refuses new ones, a database that cannot write, and the
rate limiter's Redis killed under load. Each test prints its figures (``pytest -s``) and
keeps them in ``<basetemp>/figures.json``; docs/reliability.md quotes the last run.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import ballot_form, envelopes
from servers import (
    BACKEND,
    BROKEN,
    POSTGRES_URL,
    Phone,
    api,
    assert_calm_log,
    ballot_statuses,
    close_and_count,
    gunicorn,
    report,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

gunicorn_test = pytest.mark.gunicorn
KILLS = 5


def assert_spent_equals_stored(url: str, env_data: dict, base: str, name: str, seen_303) -> dict:
    """After closing: every card answered 303 is spent, and spent cards == stored votes."""
    tokens = env_data["ballots"][name]
    statuses = ballot_statuses(url, list(tokens.values()))
    used = {token for token, ballot_id in tokens.items() if statuses[ballot_id] == "used"}
    tally = close_and_count(base, env_data["api_token"], env_data["campaigns"][name])
    assert seen_303 <= used, "a card answered 303 is not spent"
    assert tally["cast"] == len(used) == tally["responses"], (tally, len(used))
    return {"spent": len(used), "stored": tally["responses"]}


@gunicorn_test
def test_a_thousand_racing_submissions_spend_each_card_once(seeded, server, tmp_path_factory):
    url, _env, data, _dir = seeded
    tokens = list(data["ballots"]["race"])
    phones = [(token, Phone(server.base)) for token in tokens for _ in range(2)]
    taps = 4  # two phones per card, each tapping four times: 1,000 submissions

    def open_ballot(pair):
        token, phone = pair
        status, html, _ = phone.request(f"/b/{token}")
        assert status == 200, status
        return token, phone, ballot_form(html) | {"choice": "competent"}

    with ThreadPoolExecutor(8) as pool:
        forms = list(pool.map(open_ballot, phones))
    # a card's eight posts are queued side by side, so that they race each other
    posts = [form for form in forms for _ in range(taps)]
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda f: (f[0], f[1].request(f"/b/{f[0]}", f[2])[0]), posts))
    seconds = time.monotonic() - started
    per_card = defaultdict(list)
    for token, status in answers:
        per_card[token].append(status)
    # The winning phone's four taps all land on its receipt (one cast, three same-form
    # retries); the other phone's four are 409: one vote a card, never two.
    assert {t: sorted(s) for t, s in per_card.items()} == {
        t: [303] * taps + [409] * taps for t in tokens
    }
    seen = {token for token, status in answers if status == 303}
    counts = assert_spent_equals_stored(url, data, server.base, "race", seen)
    assert counts["stored"] == len(tokens)
    report(
        tmp_path_factory,
        "race",
        submissions=len(posts),
        cards=len(tokens),
        statuses=dict(Counter(s for _, s in answers)),
        seconds=round(seconds, 1),
        **counts,
    )


@gunicorn_test
def test_killing_workers_mid_vote_loses_no_vote_and_doubles_none(seeded, server, tmp_path_factory):
    url, _env, data, _dir = seeded
    tokens = list(data["ballots"]["kill"])
    done, broken, lock = [0], Counter(), threading.Lock()
    # kill -9 a worker each time this share of the cards is done, all while votes run
    thresholds = [int(len(tokens) * share) for share in (0.1, 0.25, 0.4, 0.55, 0.7)]

    def member(token: str):
        """Vote; a dropped connection is retried as a browser does: the same form sent again
        (a bounded number of times), so a receipt lost with its worker is shown on the retry."""
        phone, form, outcome = Phone(server.base), None, "broken"
        for _ in range(5):
            try:
                if form is None:
                    status, html, _ = phone.request(f"/b/{token}", timeout=20)
                    if status != 200:
                        outcome = status
                        break
                    form = ballot_form(html) | {"choice": "excellent"}
                outcome = phone.request(f"/b/{token}", form, timeout=20)[0]
                break
            except BROKEN as exc:
                with lock:
                    broken[type(exc).__name__] += 1
        with lock:
            done[0] += 1
        return token, outcome

    killed = []

    def killer():
        deadline = time.monotonic() + 120
        while len(killed) < KILLS and time.monotonic() < deadline:
            if done[0] >= thresholds[len(killed)] and server.worker_pids():
                killed.append(server.kill_a_worker())
            time.sleep(0.005)

    thread = threading.Thread(target=killer)
    thread.start()
    with ThreadPoolExecutor(6) as pool:
        outcomes = dict(pool.map(member, tokens))
    thread.join(timeout=130)
    assert len(killed) == KILLS, killed
    # a receipt lost with its worker is shown when the same form is sent again: never a 409
    assert set(outcomes.values()) == {303}, Counter(outcomes.values())
    seen = {token for token, status in outcomes.items() if status == 303}
    counts = assert_spent_equals_stored(url, data, server.base, "kill", seen)
    assert counts["spent"] == len(tokens)
    report(
        tmp_path_factory,
        "kill",
        casts=len(seen),
        workers_killed=len(killed),
        dropped_connections=sum(broken.values()),
        refused_on_retry=Counter(outcomes.values())[409],
        **counts,
    )


@pytest.fixture
def postgres_admin():
    engine = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def terminate_backends(admin, name: str) -> None:
    """Every session of the database ended, waiting (up to 5 s each) until it has: a bare
    pg_terminate_backend only signals, and a request made at once could still find its
    pooled connection alive, then lose it mid-query (a 503 where the test expects a read)."""
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )


def log_since(server, mark: int) -> str:
    return server.log()[mark:]


@gunicorn_test
@pytest.mark.skipif(BACKEND != "postgres", reason="a database server outage: PostgreSQL")
def test_a_database_outage_is_answered_503_and_service_resumes_by_itself(
    seeded, server, postgres_admin, tmp_path_factory
):
    url, _env, data, _dir = seeded
    name = make_url(url).database
    tokens = list(data["ballots"]["outage"])
    answers, stop = [], threading.Event()
    mark = len(server.log())

    def load(worker: int):
        """Members vote; one refused tries the same card again a moment later (bounded)."""
        for token in tokens[worker::4]:
            for _attempt in range(100):
                if stop.is_set():
                    return
                phone = Phone(server.base)
                status, html, headers = phone.request(f"/b/{token}", timeout=20)
                if status == 200:
                    form = ballot_form(html) | {"choice": "excellent"}
                    status, html, headers = phone.request(f"/b/{token}", form, timeout=20)
                answers.append((time.monotonic(), token, status, headers.get("Retry-After"), html))
                if status != 503:
                    break
                time.sleep(0.1)

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(load, i) for i in range(4)]
        time.sleep(0.5)
        with postgres_admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        terminate_backends(postgres_admin, name)
        outage_start = time.monotonic()
        time.sleep(2)
        campaign = f"/campaigns/{data['campaigns']['outage']}"
        status, body = api(server.base, data["api_token"], "GET", campaign)
        bearer = {"Authorization": f"Bearer {data['api_token']}"}
        api_headers = Phone(server.base, bearer).request(f"/api/v1{campaign}")[2]
        ready_during = Phone(server.base).request("/readyz")[0]  # a load balancer's check
        with postgres_admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        outage_end = time.monotonic()
        back = wait_for_ballot_page(server.base, tokens[-1], timeout=15)
        ready_after = Phone(server.base).request("/readyz")[0]
        time.sleep(1)
        stop.set()
        for future in running:
            future.result()
    assert status == 503 and body["error"]["code"] == "unavailable", (status, body)
    assert api_headers.get("Retry-After") == "5"
    assert (ready_during, ready_after) == (503, 200)  # /readyz: out while down, back after
    statuses = Counter(a[2] for a in answers)
    assert 500 not in statuses, statuses
    during = [a for a in answers if outage_start + 0.2 < a[0] < outage_end]
    assert during and all(a[2] == 503 for a in during), Counter(a[2] for a in during)
    refused = [a for a in answers if a[2] == 503]
    assert all(a[3] == "5" and 'data-reason="unavailable"' in a[4] for a in refused)
    assert all(a[2] in (200, 303) for a in answers if a[0] > outage_end + back)
    # "nothing was recorded" was true: every card refused 503 was cast later, never a 409
    refused_tokens = {a[1] for a in refused}
    final = {a[1]: a[2] for a in answers}
    assert refused_tokens and all(final[token] == 303 for token in refused_tokens)
    log = log_since(server, mark)
    assert_calm_log(log, data)
    outage_lines = [line for line in log.splitlines() if "database unavailable" in line]
    assert len(outage_lines) >= len(refused)
    noise = [line for line in log.splitlines() if "survey.request" not in line]  # 1 a request
    assert len(noise) <= len(outage_lines) + 10
    seen = {a[1] for a in answers if a[2] == 303}
    counts = assert_spent_equals_stored(url, data, server.base, "outage", seen)
    report(
        tmp_path_factory,
        "postgres_outage",
        requests=len(answers),
        statuses=dict(statuses),
        refused_then_cast=len(refused_tokens),
        during_outage=len(during),
        outage_seconds=round(outage_end - outage_start, 1),
        back_after_seconds=round(back, 2),
        log_lines=len(noise),
        server_errors=statuses[500],
        **counts,
    )


def wait_for_ballot_page(base: str, token: str, timeout: float) -> float:
    """Seconds until the ballot page answers 200 again (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if Phone(base).request(f"/b/{token}", timeout=10)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the service did not resume within {timeout} s")


@pytest.fixture
def read_only(seeded, server, postgres_admin_if_any, tmp_path):
    """The seeded database, unable to write: on SQLite a server that opens the file
    read-only; on PostgreSQL the running server's sessions, dropped, come back read-only."""
    url, env, data, directory = seeded
    if BACKEND == "postgres":
        name = make_url(url).database
        with postgres_admin_if_any.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        terminate_backends(postgres_admin_if_any, name)
        try:
            yield server
        finally:
            with postgres_admin_if_any.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
            terminate_backends(postgres_admin_if_any, name)
    else:
        path = make_url(url).database
        ro_env = env | {"SURVEY_DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true"}
        with gunicorn(ro_env, tmp_path / "ro.log") as running:
            yield running


@pytest.fixture
def postgres_admin_if_any():
    if BACKEND != "postgres":
        yield None
        return
    engine = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@gunicorn_test
def test_a_database_that_cannot_write_answers_503_and_says_nothing_was_recorded(
    seeded, read_only, tmp_path_factory
):
    url, _env, data, _dir = seeded
    token = next(iter(data["ballots"]["read_only"]))
    mark = len(read_only.log())
    phone = Phone(read_only.base, {"Accept-Language": "en"})
    status, html, _ = phone.request(f"/b/{token}")
    assert status == 200  # reading still works
    form = ballot_form(html) | {"choice": "excellent"}
    status, html, headers = phone.request(f"/b/{token}", form)
    assert status == 503 and 'data-reason="read_only"' in html
    assert "Nothing was recorded" in html and "administrator" in html
    closing = f"/campaigns/{data['campaigns']['read_only']}/close"
    status, body = api(read_only.base, data["api_token"], "POST", closing)
    assert status == 503 and body["error"]["code"] == "read_only", body
    chinese = Phone(read_only.base)
    chinese_html = chinese.request(f"/b/{token}")[1]
    form = ballot_form(chinese_html) | {"choice": "excellent"}
    assert "没有记录任何内容" in chinese.request(f"/b/{token}", form)[1]
    log = read_only.log()[mark:]
    assert_calm_log(log, data)
    assert len([line for line in log.splitlines() if "database read_only" in line]) == 3
    assert ballot_statuses(url, list(data["ballots"]["read_only"].values())) == {
        ballot_id: "issued" for ballot_id in data["ballots"]["read_only"].values()
    }
    report(tmp_path_factory, "read_only", ballot_post=503, api_post=503, server_errors=0)


# In process, on either database: the same answers, without the servers.


class Dropped(Exception):
    """What psycopg raises for a connection the server closed."""

    sqlstate = None


def test_a_dropped_connection_answers_503_page_and_json_with_one_calm_log_line(
    app, make, monkeypatch, caplog
):
    from sqlalchemy.exc import OperationalError

    from survey.api import util as api_util
    from survey.ballotbox import ballots
    from survey.core.security import ballot_token

    campaign = make.campaign(make.organisation())
    token = ballot_token(make.ballots(campaign)[0].id)
    admin = make.user("admin", "admin")

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {"id": "secret-ballot-id"}, Dropped("server closed"))

    monkeypatch.setattr(ballots, "ballot_page", down)  # the ballot page's one read
    monkeypatch.setattr(api_util, "load_campaign", down)
    page = app.test_client().get(f"/b/{token}?lang=en")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page.text and "Nothing was recorded" in page.text
    answer = app.test_client().get(
        f"/api/v1/campaigns/{campaign.id}", headers={"Authorization": f"Bearer {admin.api_token}"}
    )
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json["error"]["code"] == "unavailable"
    lines = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(lines) == 2 and not any(r.exc_info for r in lines)
    assert "secret-ballot-id" not in caplog.text and token not in caplog.text


def test_a_failed_rate_limit_count_keeps_the_answer_and_its_receipt(app, make, db, monkeypatch):
    from poll_helpers import answer, poll_campaign

    from survey.core.extensions import limiter

    poll = poll_campaign(make, make.organisation())
    app.config["POLL_MIN_FILL_SECONDS"] = 0

    def redis_gone(*_args, **_kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # the answer is counted once accepted, before it is stored: Redis dies at that moment,
    # the worker counts in its memory instead and the answer is taken (one log line)
    monkeypatch.setattr(limiter.limiter, "hit", redis_gone)
    response = answer(app.test_client(), poll.slug)
    assert response.status_code == 303
    assert envelopes(db, poll.id) == 1  # stored (sealed while the poll is open), and said so


def test_a_session_whose_connection_died_is_dropped_without_failing_the_answer(
    app, client, monkeypatch
):
    """A server restart can kill the connection under a request: the teardown's ROLLBACK then
    fails too, which turned an answered 503 into a 500 (1 outage run in 2, before)."""
    from sqlalchemy.exc import OperationalError

    from survey.core.extensions import db

    real_remove, failures = db.session.remove, []

    def dying_remove():
        if not failures:
            failures.append("ROLLBACK")
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))
        return real_remove()

    monkeypatch.setattr(db.session, "remove", dying_remove)
    assert client.get("/").status_code == 200
    assert failures == ["ROLLBACK"]
    assert client.get("/").status_code == 200  # the next request gets a fresh session
