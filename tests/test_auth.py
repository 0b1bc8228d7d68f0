"""Staff sign-in: sessions, throttling, safe redirects, scoped home page."""

import pytest
from helpers import csrf_from, sign_in


@pytest.fixture
def staff(make):
    committee, first, second, foreign = make.tree()
    make.campaign(first, title="第一支部评议")
    make.campaign(second, title="第二支部评议")
    make.campaign(foreign, title="外单位评议")
    return {
        "secretary": make.user("secretary", "secretary", first),
        "reviewer": make.user("reviewer", "reviewer", committee),
    }


def test_staff_pages_send_strangers_to_sign_in(client, staff):
    answer = client.get("/staff/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_secretary_signs_in_and_sees_only_their_branch(client, staff):
    answer = sign_in(client, "secretary")
    assert answer.status_code == 303
    home = client.get("/staff/")
    assert "第一支部评议" in home.text
    assert "第二支部评议" not in home.text and "外单位评议" not in home.text


def test_a_reviewer_sees_their_committee_subtree(client, staff):
    sign_in(client, "reviewer")
    home = client.get("/staff/")
    assert "第一支部评议" in home.text and "第二支部评议" in home.text
    assert "外单位评议" not in home.text


def test_wrong_password_is_refused_with_a_readable_page(client, staff):
    answer = sign_in(client, "secretary", "wrong")
    assert answer.status_code == 401 and "<form" in answer.text
    assert client.get("/staff/").status_code == 302


def test_guessing_from_one_address_is_throttled_with_429(client, staff):
    # a different name each time: the per-account lock (tests/test_attacks.py) stays out
    statuses = [sign_in(client, f"name{i}", f"guess{i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_next_never_redirects_off_site(client, staff):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = sign_in(client, "secretary", next_=target)
        assert answer.headers["Location"].endswith("/staff/"), target
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").text)})


def test_sign_out_ends_the_session(client, staff):
    sign_in(client, "secretary")
    home = client.get("/staff/")
    client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert client.get("/staff/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, staff):
    answer = sign_in(client, "secretary")
    session = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert session and "HttpOnly" in session[0] and "SameSite=Lax" in session[0]
