"""Identity (身份鉴别): the password policy names the rule a weak password breaks, on every
door; old passwords keep working; staff sessions end when idle and at an absolute time; sign-ins
and refused sign-ins are audited, and the staff home shows the last one."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, csrf_from, sign_in
from sqlalchemy import text

from survey.core.config import DEFAULTS
from survey.core.errors import Invalid


def _ship_policy(app):
    """The shipped policy (the suite's fixtures relax the kinds of character to two)."""
    app.config["PASSWORD_MIN_LENGTH"] = DEFAULTS["PASSWORD_MIN_LENGTH"]
    app.config["PASSWORD_MIN_CLASSES"] = DEFAULTS["PASSWORD_MIN_CLASSES"]


@pytest.fixture
def default_policy(app):
    _ship_policy(app)
    return app


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1-Ab1-Ab1", "length"),  # 11 characters
        ("all lower case words", "classes"),  # two kinds: letters and spaces
        ("Li.Ming-2026", "username"),
        ("Qwerty123456", "common"),
    ],
)
def test_a_weak_password_is_refused_naming_the_rule(default_policy, password, rule):
    from survey.staff.passwords import check_password

    with pytest.raises(Invalid) as refused:
        check_password(password, "li.ming-2026")
    assert refused.value.detail["rule"] == rule


def test_a_strong_password_passes_at_the_bounds(default_policy):
    from survey.staff.passwords import check_password

    check_password("Dang-zhibu-2026", "li")  # 15 characters, four kinds
    check_password("Ab1-Ab1-Ab1x", "li")  # exactly 12
    check_password("abcdefgh1234-", "li")  # exactly three kinds


def test_the_policy_follows_its_settings(monkeypatch):
    from survey import create_app
    from survey.staff.passwords import check_password

    monkeypatch.setenv("SURVEY_PASSWORD_MIN_LENGTH", "16")
    app = create_app({"TESTING": True, "SECRET_KEYS": ["k"]})
    with app.app_context():
        with pytest.raises(Invalid):
            check_password("Dang-zhibu-2026", "li")  # 15 < 16
        check_password("Dang-zhibu-2026!", "li")


def test_the_cli_names_the_rule(default_policy, runner):
    args = ["create-user", "root", "--role", "admin", "--password", "qwerty123456"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "at least 3 of" in result.output
    args[-1] = "Qwerty123456"
    assert "10,000 most common" in runner.invoke(args=args).output
    args[-1] = "Dang-zhibu-2026"
    assert runner.invoke(args=args).exit_code == 0


def test_the_admin_reset_page_names_the_rule_in_chinese(app, make, auth, client):
    make.user("admin", "admin")
    other = make.user("other", "admin")
    _ship_policy(app)
    auth.login("admin")
    url = f"/staff/admin/users/{other.id}/password?lang=zh"
    token = csrf_from(client.get(url).text)
    answer = client.post(url, data={"csrf_token": token, "password": "short"})
    assert answer.status_code == 400 and "密码至少需要12个字符" in answer.text
    answer = client.post(url, data={"csrf_token": token, "password": "Qwerty123456"})
    assert answer.status_code == 400 and "最常用的一万个密码" in answer.text


def test_the_password_change_names_the_rule(app, make, auth, client):
    make.user("li", "admin")
    _ship_policy(app)
    auth.login("li")
    token = csrf_from(client.get("/password").text)
    data = {"csrf_token": token, "old_password": PASSWORD, "new_password": "li"}
    answer = client.post("/password?lang=zh", data={**data, "repeat": "li"})
    assert answer.status_code == 400 and "密码至少需要12个字符" in answer.text
    weak = "only lower case"
    answer = client.post(
        "/password?lang=en",
        data={**data, "new_password": weak, "repeat": weak},
    )
    assert answer.status_code == 400 and "at least 3 of the four kinds" in answer.text


def test_an_old_weak_password_keeps_signing_in(app, make, db, client):
    from werkzeug.security import generate_password_hash

    user = make.user("old", "admin")
    _ship_policy(app)
    user.password_hash = generate_password_hash("old-short", "pbkdf2:sha256:1000")
    db.session.commit()
    assert sign_in(client, "old", "old-short").status_code == 303


def _clock(monkeypatch, start=1_000_000):
    from survey.staff import sign_in as module

    now = {"t": start}
    monkeypatch.setattr(module, "_now", lambda: now["t"])
    return now


def test_a_session_idle_past_its_limit_ends(make, auth, client, monkeypatch):
    now = _clock(monkeypatch)
    make.user("li", "admin")
    auth.login("li")
    now["t"] += 29 * 60
    assert client.get("/staff/").status_code == 200
    now["t"] += 29 * 60  # 29 minutes after the last request: still within the idle limit
    assert client.get("/staff/").status_code == 200
    now["t"] += 31 * 60
    answer = client.get("/staff/")
    assert answer.status_code == 302 and "/login" in answer.location


def test_a_busy_session_ends_at_its_absolute_limit(app, make, auth, client, monkeypatch):
    now = _clock(monkeypatch)
    make.user("li", "admin")
    auth.login("li")
    for _step in range(12 * 3):  # a request every 20 minutes for 12 hours
        now["t"] += 20 * 60
        assert client.get("/staff/").status_code == 200
    now["t"] += 20 * 60
    assert client.get("/staff/").status_code == 302


def test_the_idle_limit_follows_its_setting(app, make, auth, client, monkeypatch):
    app.config["SESSION_IDLE_MINUTES"] = 5
    now = _clock(monkeypatch)
    make.user("li", "admin")
    auth.login("li")
    now["t"] += 6 * 60
    assert client.get("/staff/").status_code == 302


def test_sign_ins_and_outs_are_audited_with_the_address_and_never_the_password(make, db, client):
    make.user("li", "admin")
    assert sign_in(client, "li", "wrong guess 1").status_code == 401
    assert sign_in(client, "=nobody", "wrong guess 2").status_code == 401
    assert sign_in(client, "li").status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").text)})
    db.session.rollback()
    rows = db.session.execute(
        text("SELECT action, actor, object_id, detail FROM audit_entries ORDER BY id")
    ).all()
    actions = [r.action for r in rows]
    assert actions[-4:] == [
        "user.sign_in_failed",
        "user.sign_in_failed",
        "user.sign_in",
        "user.sign_out",
    ]
    assert "=nobody" in str(rows[-3].detail) and rows[-3].object_id is None
    assert "127.0.0.1" in str(rows[-2].detail)
    everything = str(rows)
    assert "wrong guess" not in everything and PASSWORD not in everything


def test_the_staff_home_shows_the_last_sign_in_and_the_failures_since(make, client):
    make.user("li", "admin")
    assert sign_in(client, "li").status_code == 303
    assert "这是记录中的首次登录" in client.get("/staff/?lang=zh").text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").text)})
    sign_in(client, "li", "wrong guess 1")
    sign_in(client, "li", "wrong guess 2")
    assert sign_in(client, "li").status_code == 303
    page = client.get("/staff/?lang=zh").text
    assert "上次登录：" in page and "127.0.0.1" in page and "北京时间" in page
    assert "此后本账号登录失败2次" in page


def test_a_session_cookie_without_stamps_is_signed_out(make, auth, client):
    """A cookie from before the limits (no sign-in time) gets no fresh twelve hours."""
    make.user("li", "admin")
    auth.login("li")
    with client.session_transaction() as cookie:
        del cookie["signed_in_at"]
    answer = client.get("/staff/")
    assert answer.status_code == 302 and "/login" in answer.location
