"""The scrutineers (监票人) hold the key: a meeting's ballot box is sealed to the campaign's own
public key, and only k of the n scrutineer cards open it. Attacked like on main, with SQL
against the real database: the xmin join and every server key open nothing; after close no
trace of the private key or of a card is left in the database, its files or the instance."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from helpers import bearer, cast, envelopes, votes_counted
from sqlalchemy import text
from test_sealed_box import MEETING_KINDS, meeting_campaign, private_app, raw_bytes, vote

from survey import campaigns
from survey.ballotbox import scrutineers, sealing, shares
from survey.core.errors import BrokenEnvelope, Conflict, MissingKey, ScrutineersNeeded
from survey.models import Campaign, Envelope

__all__ = ["private_app"]  # a fixture, used below

BACKEND = os.environ.get("SURVEY_TEST_DATABASE", "sqlite")
meeting_kinds = pytest.mark.parametrize("kind", MEETING_KINDS)


def sealed_meeting(make, kind="member_review", **fields):
    """An open campaign sealed by its scrutineers (cards printed at opening: make.cards)."""
    return meeting_campaign(make, kind, sealing="scrutineers", **fields)


@pytest.fixture
def meeting(make, db):
    """Factory of open scrutineer-sealed campaigns with votes cast: (campaign, its cards)."""

    def build(kind="member_review", grades=("excellent", "competent", "incompetent"), **f):
        campaign = sealed_meeting(make, kind, **f)
        for card, grade in zip(make.ballots(campaign, len(grades)), grades, strict=True):
            cast(db.session, card.id, vote(campaign, grade))
        db.session.rollback()
        return db.session.get(Campaign, campaign.id), make.cards[campaign.id]

    return build


def test_a_meeting_is_sealed_by_its_scrutineers_and_a_poll_by_the_server_by_default(make):
    branch = make.organisation()
    review = campaigns.create_campaign(
        make.session, "t", branch, kind="member_review", year=2026, title="评议"
    )
    poll = campaigns.create_campaign(
        make.session, "t", branch, kind="public_satisfaction", year=2026, title="满意度"
    )
    assert (review.sealing, review.scrutineers_k, review.scrutineers_n) == ("scrutineers", 2, 3)
    assert (poll.sealing, poll.scrutineers_k, poll.public_key) == ("server", None, None)
    with pytest.raises(Exception, match="1 <= k <= n <= 9"):
        campaigns.create_campaign(
            make.session,
            "t",
            branch,
            kind="member_review",
            year=2026,
            title="x",
            scrutineers_k=4,
            scrutineers_n=3,
        )
    make.session.rollback()


def test_an_envelope_sealed_to_the_public_key_opens_with_the_private_key_only():
    seed = bytes(range(16))
    key = sealing.private_key_from_seed(seed, 5)
    public = sealing.public_bytes(key)
    payload = {"class": "full", "geo": None, "answers": [[1, "excellent", None]]}
    kid, blob = sealing.seal_to(public, 5, payload, rows=1)
    assert kid.startswith("v2.") and blob[0] == 2  # versioned: key id prefix, first byte
    assert sealing.unseal_with(key, 5, kid, blob) == payload
    other = sealing.private_key_from_seed(bytes(16), 5)
    with pytest.raises(BrokenEnvelope):
        sealing.unseal_with(other, 5, kid, blob)
    with pytest.raises(BrokenEnvelope):  # moved to another campaign
        sealing.unseal_with(sealing.private_key_from_seed(seed, 6), 6, kid, blob)
    long = payload | {"answers": [[1, "basically_competent", "长" * 500]]}
    assert len(sealing.seal_to(public, 5, long, rows=1)[1]) == len(blob)  # one size


def test_the_opener_opens_old_server_envelopes_and_new_ones_side_by_side(app):
    payload = {"class": "full", "geo": None, "answers": [[1, "competent", None]]}
    with app.app_context():
        old_kid, old_blob = sealing.seal(9, payload)  # version 1: the server's key
        key = sealing.private_key_from_seed(b"s" * 16, 9)
        new_kid, new_blob = sealing.seal_to(sealing.public_bytes(key), 9, payload)
        unseal = sealing.opener(9, key)
        assert unseal(old_kid, old_blob) == unseal(new_kid, new_blob) == payload
        with pytest.raises(BrokenEnvelope, match="scrutineers' cards"):
            sealing.opener(9)(new_kid, new_blob)


@meeting_kinds
def test_close_is_refused_with_none_or_one_of_two_of_three_cards_and_changes_nothing(
    meeting, db, client, make, kind
):
    campaign, cards = meeting(kind)
    secretary = make.user("sec", "secretary", campaign.organisation)
    url = f"/api/v1/campaigns/{campaign.id}/close"
    for given in ([], cards[:1], cards[2:], [cards[0], "not a card"]):
        answer = client.post(url, json={"scrutineer_codes": given}, headers=bearer(secretary))
        assert answer.status_code == 409, given
        assert answer.json["error"]["code"] == "scrutineers_needed"
    assert "code 2:" in answer.json["error"]["message"]
    wrong = client.post(url, json={"scrutineer_codes": "1"}, headers=bearer(secretary))
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "scrutineer_codes"
    bare = client.post(url, headers=bearer(secretary))  # no body at all
    assert bare.status_code == 409 and bare.json["error"]["code"] == "scrutineers_needed"
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "open"
    assert envelopes(db, campaign.id) == 3 and votes_counted(db) == 0


@pytest.mark.parametrize("pair", list(itertools.combinations(range(3), 2)))
def test_close_with_any_two_of_three_cards_counts_the_votes(meeting, db, client, make, pair):
    campaign, cards = meeting()
    secretary = make.user("sec", "secretary", campaign.organisation)
    codes = [cards[i] for i in pair]
    answer = client.post(
        f"/api/v1/campaigns/{campaign.id}/close",
        json={"scrutineer_codes": codes},
        headers=bearer(secretary),
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "closed"
    tally = client.get(f"/api/v1/campaigns/{campaign.id}/tally", headers=bearer(secretary))
    counts = tally.json["counts"]
    assert (counts["excellent"], counts["competent"], counts["incompetent"]) == (1, 1, 1)
    assert envelopes(db, campaign.id) == 0


def test_a_server_sealed_campaign_ignores_the_codes(make, db, client):
    campaign = make.campaign(make.organisation(), sealing="server")
    (card,) = make.ballots(campaign, 1)
    cast(db.session, card.id, {campaign.headline.id: "excellent"})
    secretary = make.user("sec", "secretary", campaign.organisation)
    answer = client.post(
        f"/api/v1/campaigns/{campaign.id}/close",
        json={"scrutineer_codes": ["whatever"]},
        headers=bearer(secretary),
    )
    assert answer.status_code == 200 and answer.json["status"] == "closed"


def test_open_over_the_api_answers_the_cards_once_and_only_the_public_key_is_kept(make, db, client):
    branch = make.organisation()
    secretary = make.user("sec", "secretary", branch)
    made = client.post(
        "/api/v1/campaigns",
        json={
            "organisation_id": branch.id,
            "year": 2026,
            "kind": "member_review",
            "title": "评议",
            "scrutineers": {"k": 3, "n": 5},
        },
        headers=bearer(secretary),
    )
    assert made.status_code == 201, made.json
    assert made.json["sealing"] == "scrutineers" and made.json["scrutineers"] == {"k": 3, "n": 5}
    campaign_id = made.json["id"]
    client.post(
        f"/api/v1/campaigns/{campaign_id}/ballots", json={"count": 4}, headers=bearer(secretary)
    )
    opened = client.post(f"/api/v1/campaigns/{campaign_id}/open", headers=bearer(secretary))
    assert opened.status_code == 200
    cards = opened.json["scrutineer_cards"]
    assert [c["holder"] for c in cards] == [1, 2, 3, 4, 5]
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign_id)
    key = scrutineers.private_key(campaign, [c["code"] for c in cards[2:]])
    assert sealing.public_bytes(key) == campaign.public_key
    with pytest.raises(ScrutineersNeeded):
        scrutineers.private_key(campaign, [c["code"] for c in cards[:2]])


def test_printing_again_before_the_first_vote_voids_the_earlier_cards_and_after_is_refused(
    make, db
):
    campaign = sealed_meeting(make)
    first = make.cards[campaign.id]
    again = scrutineers.print_cards(db.session, "t", campaign)
    db.session.commit()
    with pytest.raises(ScrutineersNeeded) as voided:
        scrutineers.private_key(campaign, first[:2])
    assert {r["reason"] for r in voided.value.detail["cards"]} == {"other_campaign"}
    (card,) = make.ballots(campaign, 1)
    cast(db.session, card.id, vote(campaign, "excellent"))
    with pytest.raises(Conflict, match="cannot be reprinted"):
        scrutineers.print_cards(db.session, "t", db.session.get(Campaign, campaign.id))
    db.session.rollback()
    make.cards[campaign.id] = [c.code for c in again]
    make.close(db.session.get(Campaign, campaign.id))
    assert votes_counted(db, campaign.id) == 1


def test_no_vote_is_taken_by_a_scrutineer_campaign_whose_cards_were_never_printed(make, db):
    from survey.campaigns import life

    campaign = campaigns.create_campaign(
        db.session, "t", make.organisation(), kind="member_review", year=2026, title="x"
    )
    life._transition(db.session, "t", campaign, life.CampaignStatus.OPEN)  # beneath the rule
    db.session.commit()
    (card,) = make.ballots(campaign, 1)
    with pytest.raises(Conflict, match="never printed"):
        cast(db.session, card.id, vote(campaign, "excellent"))
    assert envelopes(db, campaign.id) == 0


@pytest.mark.skipif(BACKEND != "postgres", reason="xmin is PostgreSQL's")
@meeting_kinds
def test_the_xmin_join_and_every_server_key_open_nothing_of_a_scrutineer_box(
    app, meeting, db, kind
):
    """main's attack: a cast's ballot UPDATE and envelope INSERT share xmin; join them and
    unseal with the server's keys. Here the join still pairs them, but nothing opens."""
    campaign, _cards = meeting(kind, grades=("excellent", "competent", "incompetent") * 4)
    pairs = db.session.execute(
        text(
            "SELECT b.code, e.key_id, e.sealed FROM ballots b JOIN envelopes e "
            "ON e.xmin = b.xmin WHERE b.campaign_id = :c"
        ),
        {"c": campaign.id},
    ).all()
    assert len(pairs) == 12  # the physical link is there ...
    keys = [*app.config["SECRET_KEYS"], "test-key-new", "test-key-old", "dev"]
    named = 0
    for _code, kid, blob in pairs:
        for key in keys:
            try:
                sealing.unseal(campaign.id, kid, bytes(blob), keys=[key])
                named += 1
            except (MissingKey, BrokenEnvelope):
                pass
        with pytest.raises(BrokenEnvelope):
            sealing.opener(campaign.id)(kid, bytes(blob))
    assert named == 0  # ... and opens nothing
    print(f'FIGURES xmin_scrutineers: {{"pairs_joined": {len(pairs)}, "named": {named}}}')


def traces(campaign, codes: list[str]) -> list[bytes]:
    """Every form the secret could take on disk: the private key, its seed, each share's
    bytes and each card's code as printed and as typed."""
    key = scrutineers.private_key(campaign, codes)
    read = [scrutineers._read(campaign, code) for code in codes]
    seed = shares.combine(read[:2])
    found = [key.private_bytes_raw(), seed]
    for _holder, share in read:
        found.append(share)
    for code in codes:
        found += [code.encode(), code.replace("-", "").encode()]
    return found + [t.hex().encode() for t in found[: 2 + len(read)]]


def postgres_text(db) -> bytes:
    tables = db.session.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ).all()
    dump = b""
    for table in tables:
        rows = db.session.scalars(text(f'SELECT t::text FROM "{table}" t')).all()
        dump += "\n".join(rows).encode()
    return dump


def instance_bytes(app) -> bytes:
    return b"".join(p.read_bytes() for p in Path(app.instance_path).rglob("*") if p.is_file())


@meeting_kinds
def test_after_close_no_trace_of_the_key_or_a_card_is_in_the_database_or_instance(
    app, meeting, db, make, kind
):
    campaign, cards = meeting(kind)
    secrets_on_disk = traces(campaign, cards)
    make.close(campaign)
    db.session.rollback()
    haystack = instance_bytes(app)
    haystack += postgres_text(db) if BACKEND == "postgres" else raw_bytes(db.engine.url.database)
    assert votes_counted(db, campaign.id) == 3  # the box was opened
    for secret in secrets_on_disk:
        assert secret not in haystack, secret
    print(f'FIGURES key_traces: {{"bytes_searched": {len(haystack)}, "found": 0}}')


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite file and its WAL")
def test_no_trace_of_the_key_in_a_private_sqlite_file_and_wal(private_app, make):
    app, db, path = private_app
    campaign = sealed_meeting(make)
    for card in make.ballots(campaign, 3):
        cast(db.session, card.id, vote(campaign, "competent"))
    cards = make.cards[campaign.id]
    db.session.rollback()
    secrets_on_disk = traces(db.session.get(Campaign, campaign.id), cards)
    make.close(db.session.get(Campaign, campaign.id))
    assert os.path.exists(f"{path}-wal")
    haystack = raw_bytes(path) + instance_bytes(app)
    assert b"competent" in haystack  # the box was opened and is readable ...
    for secret in secrets_on_disk:
        assert secret not in haystack, secret  # ... but holds no key


def test_the_cli_closes_with_k_codes_and_refuses_fewer(meeting, runner, db):
    campaign, cards = meeting()
    refused = runner.invoke(args=["close", str(campaign.id), "--code", cards[0]])
    assert refused.exit_code != 0
    assert "closing needs 2 good scrutineer cards" in refused.output
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "open"
    closed = runner.invoke(args=["close", str(campaign.id), "--code", cards[2], "--code", cards[0]])
    assert closed.exit_code == 0, closed.output
    assert f"Campaign {campaign.id} closed" in closed.output
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "closed"
    assert db.session.query(Envelope).count() == 0 and votes_counted(db, campaign.id) == 3


@pytest.mark.skipif(BACKEND != "postgres", reason="dead tuples and xmin are PostgreSQL's")
@meeting_kinds
def test_after_close_the_dead_envelopes_still_pair_with_cards_but_nothing_opens_them(
    app, meeting, db, make, kind
):
    """main's attack after close: the envelopes deleted by the close stay as dead tuples (and
    in the WAL) with the xmin of the cast that wrote them, so each pairs with its card. Here
    the pairing is still there, but what it pairs is sealed to a key that no longer exists:
    every blob the dead tuples (or the WAL) could hold -- taken here while the box was open,
    a superset of them -- opens with no server key and no opener."""
    campaign, cards = meeting(kind, grades=("excellent", "competent", "incompetent") * 2)
    taken = db.session.execute(  # what a DBA copies: each card joined to its envelope by xmin
        text(
            "SELECT b.xmin::text, e.key_id, e.sealed FROM ballots b JOIN envelopes e "
            "ON e.xmin = b.xmin WHERE b.campaign_id = :c"
        ),
        {"c": campaign.id},
    ).all()
    assert len(taken) == 6
    make.close(campaign)
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        pages = conn.execute(
            text("SELECT pg_relation_size('envelopes') / current_setting('block_size')::int")
        ).scalar()
        dead = {
            str(xmin)
            for n in range(pages)
            for (xmin,) in conn.execute(
                text(
                    "SELECT t_xmin FROM heap_page_items(get_raw_page('envelopes', :n)) "
                    "WHERE t_xmax <> 0"
                ),
                {"n": n},
            )
        }
    paired = [row for row in taken if row[0] in dead]
    assert paired, "the dead tuples are there: the physical pairing survives the close"
    keys = [*app.config["SECRET_KEYS"], "test-key-new", "test-key-old", "dev"]
    opened = 0
    for _xmin, kid, blob in taken:
        for key in keys:
            try:
                sealing.unseal(campaign.id, kid, bytes(blob), keys=[key])
                opened += 1
            except (MissingKey, BrokenEnvelope):
                pass
        with pytest.raises((MissingKey, BrokenEnvelope)):
            sealing.opener(campaign.id)(kid, bytes(blob))
    assert opened == 0
    print(f'FIGURES dead_tuples: {{"paired": {len(paired)}, "opened": {opened}}}')
