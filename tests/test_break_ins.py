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


# -- 7. the QR cache: no pairing on disk, pruned by age, a campaign's codes gone at close ----


def cached_files(app) -> dict[str, str]:
    import os

    from survey.core import qr

    with app.app_context():
        root = qr.shared_folder()
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as text:
                found[os.path.relpath(path, root)] = text.read()
    return found


def test_a_sheet_of_cards_carrying_two_ballots_leaves_no_pairing_on_disk(
    app, org, make, db, client, auth
):
    import re

    from appraisal_helpers import appraisal

    from survey.core import qr

    review = make.campaign(org["first"], status="draft")
    second = appraisal(make, org["first"], 3, status="draft")
    make.ballots(review, 12)
    make.ballots(second, 12)
    qr.cache_clear()
    before = set(cached_files(app).values())
    auth.login("secretary")
    client.get(f"/staff/campaigns/{review.id}")
    held = qr._svg.cache_info().currsize
    sheet = client.get(f"/staff/campaigns/{review.id}/cards/both")
    assert sheet.status_code == 200
    printed = re.findall(r"<svg[^>]*class=\"qr\".*?</svg>", sheet.text)
    assert len(printed) == 12
    written = set(cached_files(app).values()) - before
    assert not [code for code in printed if code in written]  # 12/12 pairs were on disk
    assert qr._svg.cache_info().currsize == held  # nor kept in the worker's memory


def test_a_campaigns_codes_are_filed_together_and_gone_at_close(app, org, make, db, client, auth):
    import os

    from survey.core import qr

    campaign = make.campaign(org["first"], status="draft")
    make.ballots(campaign, 3)
    auth.login("secretary")
    assert client.get(f"/staff/campaigns/{campaign.id}/cards").status_code == 200
    with app.app_context():
        folder = os.path.join(qr.shared_folder(), f"c{campaign.id}")
    assert len([n for n in os.listdir(folder) if n.endswith(".svg")]) == 3
    from survey.campaigns import life
    from survey.core.transactions import run_in_transaction

    run_in_transaction(db.session, lambda: life.open_campaign(db.session, "t", campaign))
    make.close(campaign)
    assert not os.path.exists(folder)


def test_the_qr_cache_forgets_codes_unused_for_a_week(tmp_path):
    import os
    import time

    from survey.core import qr

    group = tmp_path / "c7"
    group.mkdir()
    for folder in (tmp_path, group):
        for name, age in (("old.svg", qr.MAX_AGE_S + 60), ("new.svg", 60), ("t.tok", 8 * 86400)):
            path = folder / name
            path.write_text("<svg/>")
            os.utime(path, (time.time() - age, time.time() - age))
    assert qr.prune(str(tmp_path)) == 4
    assert sorted(p.name for p in tmp_path.rglob("*.*")) == ["new.svg", "new.svg"]
    for path in group.iterdir():
        path.unlink()
    qr.prune(str(tmp_path))
    assert not group.exists()  # an emptied campaign folder goes too


@pytest.mark.parametrize(
    "args",
    [
        ["create-user", "li\udcff", "--role", "admin", "--password", "long enough"],
        ["create-user", "li", "--role", "admin", "--password", "long\udcffenough"],
        ["create-api-token", "nobody\udcff"],
    ],
    ids=["name", "password", "token-user"],
)
def test_a_command_line_argument_that_is_not_utf8_is_refused_naming_it(runner, db, args):
    """Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape)."""
    from survey.models import User

    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "not valid UTF-8 text" in result.output, result.output
    assert not isinstance(result.exception, UnicodeEncodeError)
    db.session.rollback()
    assert db.session.query(User).count() == 0
