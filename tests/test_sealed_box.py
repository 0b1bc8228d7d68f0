"""The sealed ballot box, attacked with raw SQL and raw bytes against the real database.

While a campaign is open a vote is only an encrypted envelope; closing opens the envelopes
in one shuffled transaction. What an attacker found on main must find nothing here: the
PostgreSQL ``xmin`` join of a ballot to its choice, the choices in SQLite's WAL file, the
order of voting in the rows' physical order, the day of a late voter.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from appraisal_helpers import roll
from helpers import ballot_form, cast, counted_choices, envelopes, votes_counted
from poll_helpers import answer, poll_campaign
from sqlalchemy import inspect, text

from survey import campaigns
from survey.ballotbox import sealing
from survey.core.errors import AlreadyAnswered, MissingKey
from survey.core.security import ballot_token
from survey.core.transactions import run_in_transaction
from survey.models import Ballot, Campaign, Envelope, PollDevice, Receipt

BACKEND = os.environ.get("SURVEY_TEST_DATABASE", "sqlite")
REASON = "办事排队太久-独一无二的理由"
CHOICE_TABLES = ("counts", "complaints")
SOURCES = ("ballots", "receipts", "poll_hits", "poll_devices")
postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="xmin is PostgreSQL's")
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="the WAL file is SQLite's")


# The branch meeting's two kinds of campaign: the same box must hold for both.
MEETING_KINDS = ("member_review", "member_appraisal")
meeting_kinds = pytest.mark.parametrize("kind", MEETING_KINDS)


def meeting_campaign(make, kind: str, branch=None, **fields):
    """An open campaign of ``kind``; a member appraisal of a 6-member roll."""
    branch = branch or make.organisation()
    if kind == "member_appraisal":
        roll(make, branch, 6)
    return make.campaign(branch, kind=kind, **fields)


def vote(campaign, grade: str) -> dict[int, str]:
    """One ballot's answers: the headline of a review, every member's row of an appraisal."""
    if campaign.kind == "member_appraisal":
        return {q.id: grade for q in campaign.questions}
    return {campaign.headline.id: grade}


def vote_over_http(client, token: str, choice: str, **extra):
    page = client.get(f"/b/{token}").text
    rows = set(re.findall(r'name="(m_\d+)"', page))  # an appraisal: every member's row
    fields = {key: choice for key in rows} if rows else {"choice": choice}
    data = ballot_form(page) | fields | extra
    answered = client.post(f"/b/{token}", data=data)
    assert answered.status_code == 303, answered.status_code
    return answered


def cast_everything_over_http(app, make, kind="member_review"):
    """A branch meeting's campaign of ``kind``, a public poll with a reason and a resident
    code, all by HTTP."""
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    branch = make.organisation()
    review = meeting_campaign(make, kind, branch)
    grades = ["excellent", "competent", "basically_competent", "incompetent"] * 2
    for card, grade in zip(make.ballots(review, 8), grades, strict=True):
        vote_over_http(app.test_client(), ballot_token(card.id), grade)
    poll = poll_campaign(make, branch)
    for choice in ("satisfied", "basically_satisfied", "dissatisfied"):
        assert answer(app.test_client(), poll.slug, choice, reason=REASON).status_code == 303
    (resident,) = make.ballots(poll, 1, "resident")
    vote_over_http(app.test_client(), ballot_token(resident.id), "dissatisfied", reason=REASON)
    return review, poll


def xmin_links(db) -> dict[str, int]:
    """Rows of a choice-holding table that share a transaction id with a ballot, receipt,
    poll hit or poll device: what named every choice on main."""
    db.session.rollback()
    found = {}
    for source in SOURCES:
        for target in CHOICE_TABLES:
            found[f"{source}~{target}"] = db.session.scalar(
                text(f"SELECT count(*) FROM {source} s JOIN {target} t ON t.xmin = s.xmin")
            )
    return found


@postgres_only
@meeting_kinds
def test_no_transaction_id_joins_a_ballot_device_or_hit_to_a_choice(app, make, db, kind):
    review, poll = cast_everything_over_http(app, make, kind)
    joins = xmin_links(db)
    assert set(joins.values()) == {0}
    print(f'FIGURES xmin_open: {{"joins_tried": {len(joins)}, "rows_found": 0}}')
    assert envelopes(db) == 12
    make.close(review)
    make.close(poll)
    assert votes_counted(db) == 12  # the choices are there as counts, unjoinable
    assert set(xmin_links(db).values()) == {0}
    db.session.rollback()
    named = db.session.execute(
        text("SELECT b.code, c.choice FROM ballots b JOIN counts c ON c.xmin = b.xmin")
    ).all()
    assert named == []


@pytest.fixture
def private_app(app, tmp_path):
    """An app on its own fresh SQLite file, so that its raw bytes hold only this test (its
    context is pushed over the shared app's: ``make`` and ``db.session`` write to it)."""

    from survey import create_app
    from survey.core.database import upgrade
    from survey.core.extensions import db

    path = tmp_path / "instance" / "survey.sqlite"
    path.parent.mkdir()
    private = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEYS": ["private-key"],
        }
    )
    private.instance_path = str(path.parent)
    private.test_client_class = app.test_client_class
    with private.app_context():
        upgrade()
        yield private, db, path
        db.session.remove()
        db.engine.dispose()


def raw_bytes(path) -> bytes:
    files = (Path(path), Path(f"{path}-wal"))
    return b"".join(name.read_bytes() for name in files if name.exists())


@sqlite_only
@meeting_kinds
def test_no_choice_or_reason_is_in_the_sqlite_files_while_open(private_app, make, kind):
    app, db, path = private_app
    review, poll = cast_everything_over_http(app, make, kind)
    assert os.path.exists(f"{path}-wal")
    on_disk = raw_bytes(path)
    for secret in (b"excellent", b"incompetent", b"dissatisfied", REASON.encode()):
        assert secret not in on_disk, secret
    print(f'FIGURES wal_scan: {{"bytes_scanned": {len(on_disk)}, "choices_found": 0}}')
    make.close(review)
    make.close(poll)
    # the same reading sees the plain answers once the box is opened
    assert REASON.encode() in raw_bytes(path) and b"incompetent" in raw_bytes(path)


@sqlite_only
def test_database_files_are_readable_by_the_owner_only(private_app, make):
    app, db, path = private_app
    make.organisation()
    for name in (path, f"{path}-wal", f"{path}-shm"):
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name


def test_the_instance_folder_is_private(app):
    from survey import create_app

    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert stat.S_IMODE(os.stat(fresh.instance_path).st_mode) == 0o700


def physical_order(db) -> list[str]:
    """Each complaint's text in the order the rows sit in the table (rowid / ctid)."""
    db.session.rollback()
    order = "rowid" if BACKEND == "sqlite" else "ctid"
    return list(db.session.scalars(text(f"SELECT reason FROM complaints ORDER BY {order}")))


def spearman(xs: list[int], ys: list[int]) -> float:
    n = len(xs)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True)) / (n * (n * n - 1))


def test_the_rows_order_after_close_says_nothing_of_the_order_of_voting(app, make, db):
    """300 不满意, each told apart by its text: the complaints' physical order is a shuffle
    (|rho| < 0.25 is over 4 standard deviations of a true shuffle; insertion order gives 1)."""
    n = 300
    campaign = make.campaign(make.organisation(), kind="public_satisfaction")
    headline = campaign.headline.id
    for i, card in enumerate(make.ballots(campaign, n, "resident")):
        cast(db.session, card.id, {headline: "dissatisfied"}, {headline: f"vote-{i:04d}"})
    make.close(campaign)
    stored = physical_order(db)
    assert sorted(stored) == [f"vote-{i:04d}" for i in range(n)]
    cast_index = [int(label.removeprefix("vote-")) for label in stored]
    rho = spearman(list(range(n)), cast_index)
    assert abs(rho) < 0.25, rho
    print(f'FIGURES rank_correlation: {{"casts": {n}, "rho": {rho:.3f}}}')


@meeting_kinds
def test_a_stolen_database_without_the_keys_opens_no_envelope(app, make, db, kind):
    campaign = meeting_campaign(make, kind)
    headline = campaign.headline.id
    cards = make.ballots(campaign, 3)
    cast(db.session, cards[0].id, vote(campaign, "excellent"))
    cast(db.session, cards[1].id, vote(campaign, "basically_competent"), {headline: "长" * 500})
    cast(db.session, cards[2].id, vote(campaign, "incompetent"))
    db.session.rollback()
    rows = db.session.execute(select_envelopes(campaign.id)).all()
    assert len({len(blob) for _kid, blob in rows}) == 1  # the length tells nothing either
    for kid, blob in rows:
        with pytest.raises(MissingKey):
            sealing.unseal(campaign.id, kid, blob, keys=["a guessed key"])
        assert kid != sealing.server_key_id("a guessed key", campaign.crypto)
        assert "test-key-new" not in kid
        assert sealing.server_key_id("test-key-new", campaign.crypto) == kid
        payload = sealing.unseal(campaign.id, kid, blob)  # the server, with its key
        assert payload["answers"][0][0] == headline
    # the key is the campaign's: an envelope moved to another campaign does not open
    with pytest.raises(Exception, match="does not decrypt"):
        sealing.unseal(campaign.id + 1, rows[0][0], rows[0][1])


def select_envelopes(campaign_id: int):
    return text("SELECT key_id, sealed FROM envelopes WHERE campaign_id = :c").bindparams(
        c=campaign_id
    )


@meeting_kinds
def test_spent_ballots_equal_envelopes_while_open_and_responses_after_close(app, make, db, kind):
    campaign = meeting_campaign(make, kind)
    cards = make.ballots(campaign, 7)
    for card in cards[:5]:
        cast(db.session, card.id, vote(campaign, "competent"))
    spent = db.session.query(Ballot).filter_by(campaign_id=campaign.id, status="used").count()
    assert spent == envelopes(db, campaign.id) == 5
    assert votes_counted(db) == 0
    assert campaigns.tally(db.session, campaign)["responses"] == 5  # turnout while open
    make.close(campaign)
    db.session.rollback()
    assert votes_counted(db, campaign.id) == 5 and envelopes(db) == 0
    assert db.session.query(Receipt).count() == 5


def test_a_closed_appraisal_keeps_exact_counts_and_no_per_ballot_table(make, db):
    """Each voter grades every member alike (voter 0 all 优秀, voter 1 all 不合格, …): after
    the close each member's counts are exact, and no table holds a row per ballot."""
    campaign = meeting_campaign(make, "member_appraisal")
    styles = ["excellent", "incompetent", "basically_competent", "competent"] * 3
    for card, grade in zip(make.ballots(campaign, len(styles)), styles, strict=True):
        cast(db.session, card.id, vote(campaign, grade))
    make.close(campaign)
    assert votes_counted(db, campaign.id) == len(styles)  # turnout is exact
    for question in campaign.questions:
        mine = counted_choices(db, campaign.id, question.id)
        assert mine == {g: styles.count(g) for g in set(styles)}
    tables = set(inspect(db.engine).get_table_names())
    assert not {"responses", "answers"} & tables


@meeting_kinds
def test_a_retired_key_leaves_the_campaign_open_with_a_clear_error(app, make, db, runner, kind):
    campaign = meeting_campaign(make, kind)
    (card,) = make.ballots(campaign, 1)
    cast(db.session, card.id, vote(campaign, "excellent"))
    app.config["SECRET_KEYS"] = ["a-brand-new-key"]
    warned = runner.invoke(args=["init-db"])
    assert f"open campaign {campaign.id} has 1 votes sealed" in warned.output
    session = db.session
    with pytest.raises(MissingKey):
        run_in_transaction(
            session,
            lambda: campaigns.close_campaign(session, "test", session.get(Campaign, campaign.id)),
        )
    session.rollback()
    assert session.get(Campaign, campaign.id).status == "open"
    assert envelopes(db) == 1 and votes_counted(db) == 0
    app.config["SECRET_KEYS"] = ["a-brand-new-key", "test-key-new"]  # put the old key back
    assert "sealed" not in runner.invoke(args=["init-db"]).output
    make.close(db.session.get(Campaign, campaign.id))
    assert votes_counted(db, campaign.id) == 1


def test_closing_by_api_with_a_retired_key_answers_409_json(app, make, db, client):
    from helpers import bearer

    committee, branch, *_ = make.tree()
    admin = make.user("admin", "admin")
    campaign = make.campaign(branch)
    (card,) = make.ballots(campaign, 1)
    cast(db.session, card.id, {campaign.headline.id: "excellent"})
    app.config["SECRET_KEYS"] = ["a-brand-new-key"]
    closed = client.post(f"/api/v1/campaigns/{campaign.id}/close", headers=bearer(admin))
    assert closed.status_code == 409
    assert closed.get_json()["error"]["code"] == "missing_key"
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "open"


def test_dropping_the_device_cookie_does_not_let_one_form_answer_again(app, make, db):
    """Found on main: one form's CSRF token and fill stamp, posted again without the device
    cookie, stored 120 answers a minute."""
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    poll = poll_campaign(make, make.organisation())
    client = app.test_client()
    page = client.get(f"/p/{poll.slug}")
    from helpers import csrf_from
    from poll_helpers import issued_from

    data = {"csrf_token": csrf_from(page.text), "issued": issued_from(page.text)}
    data |= {"choice": "satisfied", "website": ""}
    first = client.post(f"/p/{poll.slug}", data=data)
    assert first.status_code == 303
    answers = []
    for _ in range(5):
        client.delete_cookie("poll_device")  # a new device each time
        answers.append(client.post(f"/p/{poll.slug}", data=data))
    # the taken form's nonce is its idempotency key (static/keep.js resends it): the same
    # receipt again, never a second answer
    assert {(a.status_code, a.headers.get("Location")) for a in answers} == {
        (303, first.headers["Location"])
    }
    other = app.test_client()  # another browser replaying the stamp
    other.get(f"/p/{poll.slug}")
    assert other.post(f"/p/{poll.slug}", data=data).headers["Location"] == first.headers["Location"]
    # a fresh stamp of that first device's form, posted from elsewhere, is refused as before
    fresh = {"issued": issued_from(client.get(f"/p/{poll.slug}").text)}
    assert other.post(f"/p/{poll.slug}", data=data | fresh).status_code == 400
    assert envelopes(db, poll.id) == 1


def test_a_form_nonce_is_spent_once_even_from_another_device(app, make, db):
    from helpers import answer as answer_poll

    poll = poll_campaign(make, make.organisation())
    fields = dict(reason=None, geo="unknown", ip_hash="0" * 16, ua_hash="0" * 16)
    answers = {poll.headline.id: "satisfied"}
    answer_poll(db.session, poll, answers, device="a" * 64, nonce_hmac="n" * 64, **fields)
    with pytest.raises(AlreadyAnswered):
        answer_poll(db.session, poll, answers, device="b" * 64, nonce_hmac="n" * 64, **fields)
    assert envelopes(db) == 1 and db.session.query(PollDevice).count() == 1


def test_the_same_poll_form_sent_again_is_shown_its_receipt(app, make, db):
    from poll_helpers import poll_form

    app.config["POLL_MIN_FILL_SECONDS"] = 0
    poll = poll_campaign(make, make.organisation())
    client = app.test_client()
    spare = poll_form(client, poll.slug)
    data = poll_form(client, poll.slug) | {"choice": "satisfied", "website": ""}
    first = client.post(f"/p/{poll.slug}", data=data)
    retry = client.post(f"/p/{poll.slug}", data=data)
    assert first.status_code == retry.status_code == 303
    assert retry.headers["Location"] == first.headers["Location"]
    other = spare | {"choice": "satisfied", "website": ""}
    assert client.post(f"/p/{poll.slug}", data=other).status_code == 409
    assert envelopes(db) == 1


def test_the_export_is_counts_with_no_day_column(app, make, db):
    from survey.files.exports import tally_table

    campaign = make.campaign(make.organisation())
    for card in make.ballots(campaign, 5):
        cast(db.session, card.id, {campaign.headline.id: "excellent"})
    make.close(campaign)
    table = tally_table(db.session, db.session.get(Campaign, campaign.id), 5, "en", "UTC")
    assert table.header == ["Question", "Choice", "Count", "Share"]
    assert [row[2] for row in table.rows if row[1] == "Excellent"] == [5]


@meeting_kinds
def test_audit_passes_a_clean_campaign_and_fails_a_tampered_one(app, make, db, runner, kind):
    campaign = meeting_campaign(make, kind)
    cards = make.ballots(campaign, 6)
    for card in cards[:5]:
        cast(db.session, card.id, vote(campaign, "excellent"))
    opened = runner.invoke(args=["audit", str(campaign.id)])
    assert opened.exit_code == 0, opened.output
    assert "open: envelopes == ballots spent" in opened.output
    make.close(campaign)
    clean = runner.invoke(args=["audit", str(campaign.id)])
    assert clean.exit_code == 0, clean.output
    assert "FAIL" not in clean.output and "snapshot matches" in clean.output
    db.session.rollback()
    first = campaign.questions[0].id  # the headline, or the first member's row
    db.session.execute(
        text("UPDATE counts SET n = n - 1 WHERE question_id = :q AND n > 0").bindparams(q=first)
    )
    db.session.execute(
        text("UPDATE campaigns SET votes_counted = votes_counted - 1 WHERE id = :c").bindparams(
            c=campaign.id
        )
    )
    db.session.commit()
    tampered = runner.invoke(args=["audit", str(campaign.id)])
    assert tampered.exit_code != 0
    assert "FAIL votes stored == ballots spent" in tampered.output
    recount = "member" if kind == "member_appraisal" else "headline"
    assert f"FAIL {recount} counts recounted == snapshot" in tampered.output
    assert runner.invoke(args=["audit", "999999"]).exit_code != 0


@meeting_kinds
def test_audit_fails_an_open_campaign_missing_an_envelope(app, make, db, runner, kind):
    campaign = meeting_campaign(make, kind)
    for card in make.ballots(campaign, 3):
        cast(db.session, card.id, vote(campaign, "excellent"))
    db.session.rollback()
    victim = db.session.query(Envelope).first().id
    db.session.execute(text("DELETE FROM envelopes WHERE id = :e").bindparams(e=victim))
    db.session.commit()
    result = runner.invoke(args=["audit", str(campaign.id)])
    assert result.exit_code == 1
    assert "FAIL open: envelopes == ballots spent" in result.output
