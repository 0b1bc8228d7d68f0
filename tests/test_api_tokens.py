"""API tokens have a life: a name, an expiry (90 days unless told), a read-only scope that
gets 403 on writes, a list and a revoke button for their owner and the admin, revocation on
a password reset or change, and the last day (never the time) they were used."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from helpers import csrf_from
from sqlalchemy import Date, inspect

from survey.models import ApiToken
from survey.models.base import utcnow


@pytest.fixture
def world(make):
    committee, first, _, _ = make.tree()
    return {
        "committee": committee,
        "first": first,
        "admin": make.user("root", "admin"),
        "secretary": make.user("sec", "secretary", first),
        "other": make.user("sec2", "secretary", first),
    }


BRANCH = {}


@pytest.fixture(autouse=True)
def _branch(world):
    BRANCH["path"] = f"/api/v1/organisations/{world['first'].id}"


def api(client, token, method="get", path=None, **kwargs):
    path = path or BRANCH["path"]
    return getattr(client, method)(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def new_token(runner, *options, user="sec") -> str:
    made = runner.invoke(args=["create-api-token", user, *options])
    assert made.exit_code == 0, made.output
    return made.output.strip().splitlines()[-1]


def campaign_body(world):
    return {
        "organisation_id": world["first"].id,
        "year": 2026,
        "kind": "public_satisfaction",
        "title": "测评",
    }


def test_a_token_expires_after_90_days_unless_told(runner, db, world):
    new_token(runner, "--label", "报表")
    new_token(runner, "--days", "7")
    db.session.rollback()
    made = db.session.query(ApiToken).filter(ApiToken.user_id == world["secretary"].id)
    lives = sorted((row.expires_at - utcnow()).days for row in made if row.name != "")
    assert lives[-2:] == [89, 89] and lives[0] == 6  # the fixture's, the default's; 7 days
    assert {row.name for row in made} >= {"报表"}


def test_an_expired_token_is_401(runner, client, db, world):
    token = new_token(runner)
    assert api(client, token).status_code == 200
    db.session.rollback()
    row = db.session.query(ApiToken).order_by(ApiToken.id.desc()).first()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer = api(client, token)
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorised"


def test_a_read_only_token_reads_and_gets_403_on_writes(runner, client, world):
    token = new_token(runner, "--read-only")
    assert api(client, token).status_code == 200
    written = api(client, token, "post", "/api/v1/campaigns", json=campaign_body(world))
    assert written.status_code == 403
    assert "read-only" in written.get_json()["error"]["message"]
    full = new_token(runner)
    assert (
        api(client, full, "post", "/api/v1/campaigns", json=campaign_body(world)).status_code == 201
    )


def test_the_role_table_refuses_a_read_only_user_every_change(world):
    from survey.staff import access

    user = world["admin"]
    user.read_only_scope = True
    assert access.may(user, access.Action.READ_RESULTS)
    assert not access.may(user, access.Action.RUN_PUBLIC_POLL)
    assert not access.may(user, access.Action.MANAGE_USERS)
    user.read_only_scope = False
    assert access.may(user, access.Action.MANAGE_USERS)


def test_the_cli_prints_the_token_last_and_refuses_a_bad_life(runner, world):
    made = runner.invoke(args=["create-api-token", "sec", "--days", "0"])
    assert made.exit_code != 0 and "1 to 366 days" in made.output
    made = runner.invoke(args=["create-api-token", "sec", "--read-only", "--days", "30"])
    assert "read-only, 30 days" in made.output
    assert len(made.output.strip().splitlines()[-1]) >= 40


def test_the_last_use_is_a_day_stamped_once(runner, client, db, world):
    token = new_token(runner, "--label", "stamped")
    db.session.rollback()
    assert db.session.query(ApiToken).filter_by(name="stamped").one().last_used_on is None
    api(client, token)
    api(client, token)
    db.session.rollback()
    used = db.session.query(ApiToken).filter_by(name="stamped").one().last_used_on
    assert isinstance(used, date) and not isinstance(used, datetime)
    columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("api_tokens")}
    assert isinstance(columns["last_used_on"], Date)


def test_a_password_reset_revokes_the_users_tokens(auth, client, db, world):
    token = world["secretary"].api_token
    other = world["other"].api_token
    auth.login("root")
    url = f"/staff/admin/users/{world['secretary'].id}/password"
    form = client.get(url)
    answer = client.post(
        url, data={"csrf_token": csrf_from(form.text), "password": "a new long password"}
    )
    assert answer.status_code == 303, answer.text
    assert api(client, token).status_code == 401
    assert api(client, other).status_code == 200


def test_a_password_change_revokes_the_own_tokens(auth, client, world):
    token = world["secretary"].api_token
    auth.login("sec")
    form = client.get("/password")
    answer = client.post(
        "/password",
        data={
            "csrf_token": csrf_from(form.text),
            "old_password": "correct horse battery",
            "new_password": "another long password",
            "repeat": "another long password",
        },
    )
    assert answer.status_code == 303, answer.text
    assert api(client, token).status_code == 401


def token_rows(html: str) -> list[str]:
    import re

    return re.findall(r'data-token="(\d+)"', html)


def test_the_owner_lists_and_revokes_their_own_tokens_only(auth, client, db, world):
    auth.login("sec")
    page = client.get("/staff/tokens")
    assert page.status_code == 200 and 'href="/staff/tokens"' in page.text
    mine = db.session.query(ApiToken).filter_by(user_id=world["secretary"].id).one()
    theirs = db.session.query(ApiToken).filter_by(user_id=world["other"].id).one()
    assert token_rows(page.text) == [str(mine.id)]
    assert f'action="/staff/tokens/{mine.id}/revoke"' in page.text  # the button
    token = csrf_from(page.text)
    refused = client.post(f"/staff/tokens/{theirs.id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    done = client.post(f"/staff/tokens/{mine.id}/revoke", data={"csrf_token": token})
    assert done.status_code == 303
    assert api(client, world["secretary"].api_token).status_code == 401
    assert api(client, world["other"].api_token).status_code == 200


def test_the_admin_lists_and_revokes_every_token(auth, client, db, world):
    auth.login("root")
    page = client.get("/staff/tokens")
    assert len(token_rows(page.text)) == 3 and "sec2" in page.text
    theirs = db.session.query(ApiToken).filter_by(user_id=world["other"].id).one()
    done = client.post(
        f"/staff/tokens/{theirs.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 303
    assert api(client, world["other"].api_token).status_code == 401
    db.session.rollback()
    from survey.models import AuditEntry

    actions = [e.action for e in db.session.query(AuditEntry)]
    assert "api_token.revoke" in actions


def test_0016_gives_old_tokens_90_days_and_downgrades(app, fresh_database_url):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from survey import create_app
    from survey.core.database import migrations
    from survey.core.extensions import db

    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEYS": ["k"]}
    )
    migrations(fresh)
    with fresh.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, role, active, created_at, session_version)"
                    " VALUES (1, 'old', 'admin', :yes, CURRENT_TIMESTAMP, 0)"
                ).bindparams(yes=True)
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, user_id, token_hash, created_at)"
                    " VALUES (1, 1, 'h', CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT name, read_only, expires_at FROM api_tokens")).one()
        expires = row[2] if isinstance(row[2], datetime) else datetime.fromisoformat(row[2])
        assert row[0] == "" and not row[1]
        assert 89 <= (expires - utcnow()).days <= 90
        downgrade(revision="0018")
        from sqlalchemy import inspect as inspect_

        columns = {c["name"] for c in inspect_(db.engine).get_columns("api_tokens")}
        assert "expires_at" not in columns and "read_only" not in columns
        db.session.remove()
        db.engine.dispose()


def test_a_write_stamps_the_day_in_its_own_commit(runner, client, db, world):
    token = new_token(runner, "--label", "writer")
    made = api(client, token, "post", "/api/v1/campaigns", json=campaign_body(world))
    assert made.status_code == 201
    db.session.rollback()
    assert db.session.query(ApiToken).filter_by(name="writer").one().last_used_on is not None
