"""The Done-when of the public poll against a REAL gunicorn with two workers.

Each phone is a separate cookie jar (``http.cookiejar``). One address hammering the poll
with fresh cookie jars is stopped before 200 answers, while 20 devices behind that same
address get through in a minute. Without Redis the limiter's counters live in each worker
(so two workers may accept up to twice the limit: documented); with ``SURVEY_REDIS_URL``
they are shared and the limit holds exactly across both workers.
"""

from __future__ import annotations

import http.cookiejar
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import csrf_from
from poll_helpers import issued_from

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = 60  # the default: 60 answers per minute per IP per poll
SEED = """
from survey import campaigns, create_app
from survey.extensions import db
from survey.models import Organisation
app = create_app()
with app.app_context():
    branch = Organisation(name="社区党支部", kind="branch")
    db.session.add(branch)
    slugs = []
    for title in ("hammer", "neighbours"):
        poll = campaigns.create_campaign(
            db.session, "test", branch, kind="public_satisfaction", year=2026, title=title
        )
        campaigns.open_campaign(db.session, "test", poll)
        slugs.append(poll.slug)
    db.session.commit()
    print(" ".join(slugs))
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Phone:
    """A browser with its own cookie jar."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # straight to 127.0.0.1, whatever the env says
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect,
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refusal:
            return refusal.code, refusal.read().decode()

    def open_poll(self, slug: str) -> dict:
        status, html = self.request(f"/p/{slug}")
        assert status == 200, status
        return {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}

    def answer(self, slug: str, form: dict, choice: str = "satisfied") -> int:
        return self.request(f"/p/{slug}", form | {"choice": choice})[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: under CI that is a failure")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}; the shared-counter test needs it")
    return client


@pytest.fixture
def server(tmp_path):
    """Start gunicorn (2 workers) on a fresh SQLite file; yields (base URL, slugs)."""
    started = []

    def start(redis_url: str | None = None, prefix: str = "survey"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
        env |= {
            "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'poll.sqlite'}",
            "SURVEY_SECRET_KEYS": secrets.token_urlsafe(32),
            "SURVEY_RATELIMIT_KEY_PREFIX": prefix,
        }
        if redis_url:
            env["SURVEY_REDIS_URL"] = redis_url
        flask = [str(BIN / "flask"), "--app", "survey", "init-db"]
        subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True
        )
        slugs = seeded.stdout.decode().split()
        port = free_port()
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not answers(base, slugs[0]):
            assert process.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
            time.sleep(0.2)
        return base, slugs

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def answers(base: str, slug: str) -> bool:
    try:
        return Phone(base).request(f"/p/{slug}")[0] == 200
    except urllib.error.URLError:
        return False


def hammer(base: str, slug: str, attempts: int = 200) -> list[int]:
    """One address, a fresh cookie jar per attempt (as a script without cookies does)."""
    phones = [Phone(base) for _ in range(attempts)]
    with ThreadPoolExecutor(8) as pool:
        forms = list(pool.map(lambda p: p.open_poll(slug), phones))
    time.sleep(2.1)  # the default minimum fill time
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda pf: pf[0].answer(slug, pf[1]), zip(phones, forms, strict=True)))


def neighbours(base: str, slug: str, count: int = 20) -> tuple[list[int], Phone, dict, dict]:
    phones = [Phone(base) for _ in range(count)]
    forms = [p.open_poll(slug) for p in phones]
    spare = phones[0].open_poll(slug)  # a second page opened on the first phone
    time.sleep(2.1)
    statuses = [p.answer(slug, f) for p, f in zip(phones, forms, strict=True)]
    return statuses, phones[0], forms[0], spare


def check_neighbours_and_dedupe(base: str, slug: str) -> None:
    statuses, phone, form, spare = neighbours(base, slug)
    assert statuses == [303] * 20
    assert phone.answer(slug, spare, "dissatisfied") == 409  # the same phone again
    assert phone.answer(slug, form, "dissatisfied") == 303  # the same form again: its receipt
    assert phone.request(f"/p/{slug}")[0] == 409


def test_memory_storage_per_worker_stops_a_burst_and_lets_neighbours_through(server):
    base, (hammered, shared) = server()
    statuses = hammer(base, hammered)
    accepted = statuses.count(303)
    assert set(statuses) == {303, 429}
    # counters are per worker: at least the limit, at most the limit in each of the two
    assert LIMIT <= accepted <= 2 * LIMIT < 200
    check_neighbours_and_dedupe(base, shared)


def test_redis_storage_shares_the_limit_between_both_workers(server):
    client = redis_client()
    prefix = f"survey-test-{secrets.token_hex(6)}"
    try:
        base, (hammered, shared) = server(REDIS_URL, prefix)
        statuses = hammer(base, hammered)
        assert statuses.count(303) == LIMIT
        assert statuses.count(429) == 200 - LIMIT
        check_neighbours_and_dedupe(base, shared)
        assert list(client.scan_iter(f"*{prefix}*")), "the counters were not kept in Redis"
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
