"""What broke in on main this turn, each now refused with a clear answer: deep TOML and lone
surrogates (1), XLSX bombs (2)."""

from __future__ import annotations

import io

import pytest
from helpers import bearer, csrf_from

# -- 1. server errors: deep TOML, lone surrogates -------------------------------------------

DEEP_TOML = [
    "a = " + "[" * 600 + "]" * 600,
    "a = " + "{b = " * 600 + "1" + "}" * 600,
]


@pytest.mark.parametrize("text", DEEP_TOML, ids=["arrays", "inline-tables"])
def test_a_scheme_nested_600_deep_is_refused_naming_the_file(db, org, text):
    from survey.core.errors import Invalid
    from survey.rating import schemes_store

    with pytest.raises(Invalid) as refused:
        schemes_store.save(db.session, "t", org["committee"], text, "deep.toml")
    assert refused.value.message == "deep.toml: (file): arrays or tables nested too deeply"
    assert refused.value.detail["field"] == "text"


@pytest.mark.parametrize("text", DEEP_TOML, ids=["arrays", "inline-tables"])
def test_a_deep_scheme_uploaded_or_edited_on_the_page_is_a_400_page(auth, client, org, text):
    auth.login("reviewer")
    url = f"/ratings/committees/{org['committee'].id}/schemes"
    token = csrf_from(client.get(url).text)
    uploaded = client.post(
        f"{url}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "deep.toml")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 400 and "nested too deeply" in uploaded.text
    copied = client.post(
        f"{url}/copy", data={"csrf_token": token, "preset": "nmg-2020", "key": "ours"}
    )
    edited = client.post(copied.headers["Location"], data={"csrf_token": token, "text": text})
    assert edited.status_code == 400 and "ours.toml: (file): arrays or tables" in edited.text


@pytest.fixture
def admin(make):
    committee, first, _, _ = make.tree()
    return {"first": first, "user": make.user("root", "admin")}


def campaign_body(admin, **fields):
    body = {
        "organisation_id": admin["first"].id,
        "year": 2026,
        "kind": "public_satisfaction",
        "title": "测评",
        "questions": [{"key": "service", "prompt": "为民服务"}],
    }
    return body | fields


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": "测评\ud800"}, "title"),
        ({"questions": [{"key": "service", "prompt": "\udfff为民服务"}]}, "questions"),
        ({"title\ud83d": "x"}, "title\ufffd"),
    ],
    ids=["title", "prompt", "key"],
)
def test_a_lone_surrogate_in_the_json_is_a_400_naming_the_field(client, db, admin, fields, named):
    from survey.models import Campaign

    body = campaign_body(admin, **fields)
    answer = client.post("/api/v1/campaigns", json=body, headers=bearer(admin["user"]))
    assert answer.status_code == 400, answer.text
    error = answer.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] == named, error
    db.session.rollback()
    assert db.session.query(Campaign).count() == 0


def test_a_lone_surrogate_in_json_sent_to_a_page_is_a_readable_400(client, admin):
    answer = client.post("/login", json={"username": "\ud800"})
    assert answer.status_code == 400 and 'data-reason="invalid_text"' in answer.text


def test_a_surrogate_pair_is_ordinary_text(client, db, admin):
    body = campaign_body(admin, title="测评 \U0001f600")  # sent as "\ud83d\ude00"
    answer = client.post("/api/v1/campaigns", json=body, headers=bearer(admin["user"]))
    assert answer.status_code == 201, answer.text


# -- 6. receipt lookups: the short code's limit ----------------------------------------------


def test_guessing_receipts_is_stopped_with_429_like_short_codes(client, db, make, org):
    from helpers import cast

    campaign = make.campaign(org["first"])
    (card,) = make.ballots(campaign, 1)
    receipt = cast(db.session, card.id, {campaign.headline.id: "excellent"})
    code = getattr(receipt, "code", receipt)
    mine = [client.get(f"/receipt/{code}").status_code for _ in range(35)]
    assert mine == [200] * 35  # a member's own receipt, opened again and again, is not counted
    guesses = [client.get(f"/receipt/ZZZZZZZZ{i:02d}").status_code for i in range(32)]
    assert guesses == [404] * 30 + [429] * 2
    assert client.get(f"/receipt/{code}").status_code == 429
    other = client.get(f"/receipt/{code}", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200
