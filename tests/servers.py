"""Real processes for the tests that need them: a dedicated database, gunicorn on a free port,
a private redis-server, and phones (HTTP clients with their own cookie jar).

Every server binds 127.0.0.1 on a port the OS hands out; readiness is polled (bounded), never
slept for; everything started is stopped by its own handle. The shared PostgreSQL and Redis
are never stopped: an outage is simulated on a throw-away database of our own.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from gunicorn import version_info as gunicorn_version
from helpers import ballot_form
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BACKEND = os.environ.get("SURVEY_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "Correct horse battery 7"  # meets the shipped password policy (3 kinds of 4)
# Where the fault tests also keep their figures (pytest's own tmp dirs are pruned).
FIGURES = Path(os.environ["SURVEY_TEST_FIGURES"]) if os.environ.get("SURVEY_TEST_FIGURES") else None
# What a dropped connection looks like to a client (a worker killed mid-request).
BROKEN = (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError)
SEED = """
import json, sys
from survey import campaigns, create_app
from survey.ballotbox import ballots
from survey.staff import accounts, tokens
from survey.core.extensions import db
from survey.models import Organisation
from survey.core.security import ballot_token

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    from survey.core.database import upgrade
    upgrade()
    branch = Organisation(name="社区党支部", kind="branch")
    db.session.add(branch)
    out = {"ballots": {}, "campaigns": {}, "polls": {}}
    for name, count in spec.get("ballots", {}).items():
        campaign = campaigns.create_campaign(
            db.session, "test", branch, kind="member_review", year=2026, title=name,
            sealing="server",  # these servers test deployment; scrutineers: test_scrutineers
        )
        cards = ballots.generate_ballots(db.session, "test", campaign, count)
        campaigns.open_campaign(db.session, "test", campaign)  # a meeting opens with cards
        out["campaigns"][name] = campaign.id
        out["ballots"][name] = {ballot_token(card.id): card.id for card in cards}
    for name in spec.get("polls", []):
        poll = campaigns.create_campaign(
            db.session, "test", branch, kind="public_satisfaction", year=2026, title=name
        )
        campaigns.open_campaign(db.session, "test", poll)
        out["campaigns"][name] = poll.id
        out["polls"][name] = poll.slug
    accounts.create_user(
        db.session, "test", username="admin", role="admin", organisation=None, password=sys.argv[2]
    )
    out["api_token"] = tokens.create(db.session, "test", username="admin")
    db.session.commit()
    print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_listening(process, port: int, name: str, logs, seconds: float = 10) -> None:
    """Wait until ``process`` (a service started by a test) listens on ``port``; fail with
    its ``logs()`` if it exits first, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not listening(port):
        if process.poll() is not None:
            raise AssertionError(f"{name} exited: {logs()}")
        assert time.monotonic() < deadline, f"{name} did not listen in {seconds:g} s"
        time.sleep(0.05)


def needed(reason: str) -> None:
    """Skip, except under CI where a missing service is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: under CI that is a failure")
    pytest.skip(reason)


@contextmanager
def dedicated_database(directory: Path):
    """A database of our own on the backend under test: a SQLite file, or a throw-away
    PostgreSQL database (dropped afterwards, even after a simulated outage)."""
    if BACKEND != "postgres":
        yield f"sqlite:///{directory / 'server.sqlite'}"
        return
    url = make_url(POSTGRES_URL)
    name = f"survey_srv_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env(database_url: str, secret: str, **extra: str) -> dict[str, str]:
    """The process environment of a server: ours without any SURVEY_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    return env | {"SURVEY_DATABASE_URL": database_url, "SURVEY_SECRET_KEYS": secret} | extra


def seed(env: dict[str, str], ballots: dict[str, int], polls: list[str]) -> dict:
    """Upgrade the schema and create open campaigns, cards, polls and an admin with a token.

    Returns ``{"ballots": {name: {token: id}}, "campaigns": {name: id}, "polls": {name: slug},
    "api_token": …}``.
    """
    spec = json.dumps({"ballots": ballots, "polls": polls})
    done = subprocess.run(
        [sys.executable, "-c", SEED, spec, PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


class Gunicorn:
    """gunicorn (sync workers) on a free port; its log (stderr) goes to a file."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = log.open("wb")
        command = [str(BIN / "gunicorn"), "--workers", str(workers), "--graceful-timeout", "3"]
        if gunicorn_version >= (25,):  # its control socket is one path in $HOME for every run
            command.append("--no-control-socket")
        command += ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._log
        )
        self.workers = workers

    def wait_ready(self, path: str = "/", timeout: float = 30) -> None:
        """Poll ``path`` until it answers below 500 and every worker is up (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log()[-2000:]}"
            assert time.monotonic() < deadline, f"gunicorn not ready in {timeout} s"
            try:
                if Phone(self.base).request(path, timeout=5)[0] < 500 and self.booted():
                    return
            except BROKEN:
                pass
            time.sleep(0.05)

    def booted(self) -> bool:
        """Every worker has loaded the app (each logs its boot before importing it, so
        count the live children and let one request through each)."""
        return len(self.worker_pids()) == self.workers

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] not in "ZX":
                pids.append(int(stat.parent.name))
        return pids

    def kill_a_worker(self) -> int:
        pid = secrets.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Quick shutdown, reaped in the background: the master takes a second to notice, and
        nobody needs to wait for it (every server has its own port and log)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


@contextmanager
def gunicorn(env: dict[str, str], log: Path, ready_path: str = "/", workers: int = 2):
    server = Gunicorn(env, log, workers)
    try:
        server.wait_ready(ready_path)
        yield server
    finally:
        server.stop()


class Redis:
    """A private redis-server on a free port, nothing saved; killed by its own pid."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            needed("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer in 10 s"
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def keys(self) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"DBSIZE\r\n")
            return int(s.recv(32).strip().lstrip(b":"))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def redis_server():
    server = Redis()
    try:
        yield server
    finally:
        server.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Phone:
    """A browser with its own cookie jar; answers are (status, body, headers)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None):
        self.base = base
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # straight to 127.0.0.1, whatever the env says
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect,
        )

    def request(self, path: str, data=None, timeout: float = 30, method: str | None = None):
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
        call = urllib.request.Request(self.base + path, data, self.headers, method=method)
        try:
            with self.opener.open(call, timeout=timeout) as answer:
                return answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as refusal:
            return refusal.code, refusal.read().decode(), refusal.headers


def api(base: str, token: str, method: str, path: str) -> tuple[int, dict]:
    """A JSON API call with a Bearer token."""
    phone = Phone(base, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    status, body, _ = phone.request(f"/api/v1{path}", b"{}" if method == "POST" else None)
    return status, json.loads(body) if body.strip().startswith("{") else {}


def close(base: str, token: str, campaign_id: int) -> None:
    """Close the campaign through the API, as the secretary does."""
    status, body = api(base, token, "POST", f"/campaigns/{campaign_id}/close")
    assert status == 200, (status, body)


def close_and_count(base: str, token: str, campaign_id: int) -> dict:
    """Close the campaign and read its tally: the stored votes are counted once closed
    (whatever the storage while open)."""
    close(base, token, campaign_id)
    status, tally = api(base, token, "GET", f"/campaigns/{campaign_id}/tally")
    assert status == 200, (status, tally)
    return tally


def ballot_statuses(database_url: str, ids: list[str]) -> dict[str, str]:
    """Each card's status as stored (issued / used / void), read straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status FROM ballots")).all()
    finally:
        engine.dispose()
    wanted = set(ids)
    return {row.id: row.status for row in rows if row.id in wanted}


def stored_responses(database_url: str, campaign_id: int) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = text("SELECT COALESCE(votes_counted, 0) FROM campaigns WHERE id = :c")
            return conn.execute(query, {"c": campaign_id}).scalar_one()
    finally:
        engine.dispose()


# One seeded database for every server test module of a run: seeding (schema, cards, scrypt
# hashes) costs seconds, the servers started on it a second each.
CLOSE_RACE_CARDS = 300  # each of the ten trials: 300 casts racing one close
SPEC = {
    "ballots": {"race": 125, "kill": 100, "outage": 150, "read_only": 6, "redis": 40}
    # tests/test_close_race.py: ten campaigns, each closed while its cards are cast
    | {f"close-race-{n}": CLOSE_RACE_CARDS for n in range(10)},
    "polls": ["redis", "hammer-memory", "hammer-redis", "near-memory", "near-redis"]
    + [f"close-poll-{n}" for n in range(10)],
}
_SHARED: dict = {}
# The servers' poll settings: a smaller limit and fill time than the defaults (60 a minute,
# 2 s) to send fewer requests and wait less; the short-code and sign-in limits are as shipped.
POLL_LIMIT = 30
FILL_SECONDS = 0.5
LIMITS_ENV = {
    "SURVEY_POLL_RATE_LIMIT": f"{POLL_LIMIT} per minute",
    "SURVEY_POLL_MIN_FILL_SECONDS": str(FILL_SECONDS),
}


def shared_seed(tmp_path_factory):
    """A generator for a session fixture: (database URL, env, seeded ids), made once."""
    if "value" in _SHARED:
        yield _SHARED["value"]
        return
    directory = tmp_path_factory.mktemp("servers")
    with dedicated_database(directory) as url:
        env = server_env(url, secrets.token_urlsafe(32))
        _SHARED["value"] = (url, env, seed(env, **SPEC), directory)
        try:
            yield _SHARED["value"]
        finally:
            _SHARED.clear()


def shared_server(seeded, log_name: str = "plain.log", extra_env: dict | None = None):
    """A generator for a session fixture: one gunicorn on the seeded database for every
    module that asks (started once; stopped at the end of the run)."""
    if log_name in _SHARED:
        yield _SHARED[log_name]
        return
    _url, env, _data, directory = seeded
    with gunicorn(env | LIMITS_ENV | (extra_env or {}), directory / log_name) as server:
        _SHARED[log_name] = server
        try:
            yield server
        finally:
            del _SHARED[log_name]


def report(tmp_path_factory, name: str, **figures) -> None:
    """Print a test's figures (``pytest -s``) and keep them in ``<basetemp>/figures.json``."""
    print(f"\nFIGURES {name}: {json.dumps(figures, ensure_ascii=False)}")
    for path in (tmp_path_factory.getbasetemp() / "figures.json", FIGURES):
        if path is None:
            continue
        known = json.loads(path.read_text()) if path.exists() else {}
        known[f"{BACKEND}:{name}"] = figures
        path.write_text(json.dumps(known, indent=1, ensure_ascii=False))


def vote(base: str, token: str, choice: str = "excellent") -> int:
    """A member's phone: the ballot page, then the form with its CSRF token."""
    phone = Phone(base)
    status, html, _ = phone.request(f"/b/{token}", timeout=20)
    if status != 200:
        return status
    return phone.request(f"/b/{token}", ballot_form(html) | {"choice": choice})[0]


def assert_calm_log(log: str, data: dict) -> None:
    """No traceback, and no ballot id or token (SQL parameters, URLs) anywhere."""
    assert "Traceback" not in log
    for name in data["ballots"]:
        for token, ballot_id in data["ballots"][name].items():
            assert ballot_id not in log and token not in log
