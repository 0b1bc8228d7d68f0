"""Password expiry (身份鉴别, optional): off by default, as NIST SP 800-63B advises; with
SURVEY_PASSWORD_MAX_AGE_DAYS set, a sign-in with an older password may do nothing but change
it, and a new password lets the session go anywhere again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, csrf_from, sign_in
from sqlalchemy import update

from survey.models import User
from survey.models.base import utcnow

NEW = "a brand new long secret"


@pytest.fixture
def old_password(make, db):
    """A reviewer whose password was set 400 days ago."""
    committee = make.organisation("机关党委", "committee")
    user = make.user("reviewer", "reviewer", committee)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(password_set_at=utcnow() - timedelta(days=400))
    )
    db.session.commit()
    return user


def test_expiry_is_off_by_default_and_an_old_password_signs_in(app, client, old_password):
    assert app.config["PASSWORD_MAX_AGE_DAYS"] == 0
    answer = sign_in(client, "reviewer")
    assert answer.status_code == 303 and not answer.headers["Location"].endswith("/password")
    assert client.get("/staff/").status_code == 200


def test_with_expiry_on_an_old_password_must_be_changed_before_anything_else(
    app, client, db, old_password
):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    answer = sign_in(client, "reviewer")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/password")
    for url in ("/staff/", "/staff/audit", "/ratings/", "/staff/tokens"):
        held = client.get(url)
        assert held.status_code == 303 and held.headers["Location"].endswith("/password"), url
    page = client.get("/password?lang=zh")
    assert page.status_code == 200 and "超过90天" in page.text
    data = {
        "csrf_token": csrf_from(page.text),
        "old_password": PASSWORD,
        "new_password": NEW,
        "repeat": NEW,
    }
    assert client.post("/password", data=data).status_code == 303
    assert client.get("/staff/").status_code == 200
    db.session.rollback()
    assert utcnow() - db.session.get(User, old_password.id).password_set_at < timedelta(minutes=5)


def test_with_expiry_on_a_recent_password_signs_in_as_usual(app, client, make):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    committee = make.organisation("机关党委", "committee")
    make.user("reviewer", "reviewer", committee)  # its password is set now
    answer = sign_in(client, "reviewer")
    assert not answer.headers["Location"].endswith("/password")
    assert client.get("/staff/").status_code == 200


def test_a_password_from_before_its_date_was_kept_counts_from_the_account(app, db, make):
    from survey.staff.accounts import password_expired

    committee = make.organisation("机关党委", "committee")
    user = make.user("reviewer", "reviewer", committee)
    user.password_set_at, user.created_at = None, utcnow() - timedelta(days=100)
    assert password_expired(user, 90) and not password_expired(user, 0)
    assert not password_expired(user, 120)


def test_the_setting_comes_from_the_environment(monkeypatch):
    from survey import create_app

    monkeypatch.setenv("SURVEY_PASSWORD_MAX_AGE_DAYS", "180")
    app = create_app({"TESTING": True, "SECRET_KEYS": ["k"]})
    assert app.config["PASSWORD_MAX_AGE_DAYS"] == 180
