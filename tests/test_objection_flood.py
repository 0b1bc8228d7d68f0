"""Objection stuffing: a fresh cookie jar per request filed 60 of 70 objections a minute from
one address. Now each address gets a few a notice (counted in the limiter's shared storage:
Redis in production), and a reviewer dismisses a flood in one action, marked in the log."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_from
from limits import parse
from notice_helpers import object_to, published

from survey.core.extensions import limiter
from survey.models import AuditEntry, Objection


@pytest.fixture(autouse=True)
def quick(app):
    app.config["POLL_MIN_FILL_SECONDS"] = 0


def from_address(app, number: int):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
    return client


def test_a_fresh_cookie_jar_per_objection_is_stopped_after_three_a_minute(app, db, org):
    item = published(db, org["committee"], [org["first"]])
    statuses = [
        object_to(from_address(app, 1), item.slug, org["first"].id).status_code for _ in range(10)
    ]
    assert statuses == [303] * 3 + [429] * 7
    assert object_to(from_address(app, 2), item.slug, org["first"].id).status_code == 303
    db.session.rollback()
    assert db.session.query(Objection).count() == 4


def test_a_refused_objection_says_when_to_try_again(app, db, org):
    app.config["OBJECTION_RATE_LIMIT"] = "1 per minute"
    item = published(db, org["committee"], [org["first"]])
    object_to(from_address(app, 3), item.slug, org["first"].id)
    refused = object_to(from_address(app, 3), item.slug, org["first"].id)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"


def test_the_counts_live_in_the_limiters_shared_storage(app, db, org):
    item = published(db, org["committee"], [org["first"]])
    for _ in range(2):
        object_to(from_address(app, 4), item.slug, org["first"].id)
    key = (app.config["RATELIMIT_KEY_PREFIX"], "objection", "198.51.100.4", item.slug)
    _, remaining = limiter.limiter.get_window_stats(parse("3 per minute"), *key)
    assert remaining == 1


def flooded(app, db, org, count=5):
    item = published(db, org["committee"], [org["first"]])
    for number in range(count):
        answer = object_to(from_address(app, 10 + number), item.slug, org["first"].id)
        assert answer.status_code == 303
    db.session.rollback()
    return item, [o.id for o in db.session.query(Objection).order_by(Objection.id)]


def test_the_reviewer_dismisses_a_flood_in_one_action_marked_in_the_log(auth, app, client, db, org):
    item, ids = flooded(app, db, org)
    auth.login("reviewer")
    page = client.get(f"/staff/notices/{item.id}")
    assert f'action="/staff/notices/{item.id}/flood"' in page.text  # the button's form
    assert len(re.findall(r'name="objection"[^>]*form="flood"', page.text)) == 5
    answer = client.post(
        f"/staff/notices/{item.id}/flood",
        data={"csrf_token": csrf_from(page.text), "objection": ids[:4], "note": "同一机器刷屏"},
    )
    assert answer.status_code == 303
    db.session.rollback()
    results = [o.result for o in db.session.query(Objection).order_by(Objection.id)]
    assert results == ["unfounded"] * 4 + [None]
    entry = db.session.query(AuditEntry).filter_by(action="objection.dismiss_flood").one()
    assert '"count": 4' in entry.detail or entry.detail.get("count") == 4


def test_a_flood_dismissal_needs_a_note_and_a_choice_and_a_reviewer(auth, app, client, db, org):
    item, ids = flooded(app, db, org, count=2)
    auth.login("reviewer")
    token = csrf_from(client.get(f"/staff/notices/{item.id}").text)
    url = f"/staff/notices/{item.id}/flood"
    assert client.post(url, data={"csrf_token": token, "objection": ids}).status_code == 400
    assert client.post(url, data={"csrf_token": token, "note": "x"}).status_code == 400
    auth.logout()
    auth.login("secretary")
    data = {"csrf_token": token, "objection": ids, "note": "x"}
    assert client.post(url, data=data).status_code in (400, 403)
    db.session.rollback()
    assert {o.result for o in db.session.query(Objection)} == {None}


WORKER = r"""
import json, re, sys
from datetime import timedelta
from survey import create_app
from survey.core.extensions import db
app = create_app()
with app.app_context():
    if sys.argv[1] == "seed":
        from survey.core.database import upgrade
        from survey.rating import notice
        from survey.staff import accounts
        upgrade()
        committee = accounts.create_organisation(db.session, "t", name="党委", kind="committee")
        branch = accounts.create_organisation(
            db.session, "t", name="第一党支部", kind="branch", parent=committee
        )
        contact = notice.Contact("王芳", "0477-8581234", "办公室")
        item = notice.publish(db.session, "t", committee, 2026, [branch.id], contact, 5)
        db.session.commit()
        print(json.dumps([item.slug, branch.id]))
        sys.exit(0)
slug, branch, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
statuses = []
for _ in range(count):  # a fresh cookie jar each time, one address
    client = app.test_client()
    page = client.get(f"/n/{slug}")
    form = dict(re.findall(r'name="(csrf_token|issued)"[^>]*value="([^"]+)"', page.text))
    data = form | {"branch": branch, "reason": "同一理由", "website": ""}
    statuses.append(client.post(f"/n/{slug}", data=data).status_code)
print(json.dumps(statuses))
"""


@pytest.mark.gunicorn  # starts a redis-server and three app processes
def test_two_processes_share_the_objection_limit_on_redis(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from servers import redis_server

    with redis_server() as redis:
        env = os.environ | {
            "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path}/notice.db",
            "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
            "SURVEY_SECRET_KEYS": "a-key-for-two-workers",
            "SURVEY_REDIS_URL": redis.url,
            "SURVEY_POLL_MIN_FILL_SECONDS": "0",
        }

        def run(*args):
            done = subprocess.run(
                [sys.executable, "-c", WORKER, *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            return json.loads(done.stdout.strip().splitlines()[-1])

        slug, branch = run("seed")
        first = run("object", slug, str(branch), "2")  # one worker
        second = run("object", slug, str(branch), "68")  # another, the same minute
        assert first == [303, 303]
        assert second == [303] + [429] * 67  # 3 of 70 in all, counted in Redis
        assert redis.keys() > 0
