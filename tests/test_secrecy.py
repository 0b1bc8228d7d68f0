"""No stored column or export joins a vote to a ballot (DESIGN.md "Secrecy")."""

from datetime import date

from helpers import cast
from sqlalchemy import inspect

from survey.models import AuditEntry, Ballot, Receipt, Response

VOTE_TABLES = ("responses", "answers", "receipts")


def test_no_vote_table_references_ballots(db):
    schema = inspect(db.engine)
    for table in VOTE_TABLES:
        for fk in schema.get_foreign_keys(table):
            assert fk["referred_table"] != "ballots", table
        for column in schema.get_columns(table):
            assert "ballot" not in column["name"], (table, column["name"])


def test_ballots_keep_no_time_of_use(db):
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("ballots")}
    assert set(columns) == {"id", "campaign_id", "code", "ballot_class", "status", "issued_at"}


def test_responses_keep_only_the_day_and_a_random_id(db):
    columns = {
        c["name"]: str(c["type"]).upper() for c in inspect(db.engine).get_columns("responses")
    }
    # geo (public polls): only inside / outside / unknown, never coordinates
    assert set(columns) == {"id", "campaign_id", "respondent_class", "created_on", "geo"}
    assert columns["created_on"] == "DATE"
    assert columns["geo"] == "VARCHAR(8)"


def test_a_cast_leaves_nothing_that_points_back_to_the_ballot(app, make, db):
    campaign = make.campaign(make.organisation())
    cards = make.ballots(campaign, 2)
    receipt = cast(db.session, cards[0].id, {campaign.headline.id: "excellent"})
    db.session.rollback()
    response = db.session.query(Response).one()
    stored = db.session.get(Receipt, receipt)
    assert response.id not in (cards[0].id, cards[1].id)
    assert len(response.id) == 32 and response.created_on == date.today()
    assert stored.campaign_id == campaign.id and not hasattr(stored, "response_id")
    for entry in db.session.query(AuditEntry):
        text = repr(entry.detail) + (entry.object_id or "")
        assert cards[0].id not in text and cards[0].code not in text
        assert entry.action != "ballot.cast"
    assert db.session.get(Ballot, cards[0].id).status == "used"


def test_response_ids_are_random_and_unique(app, make, db):
    campaign = make.campaign(make.organisation())
    cards = make.ballots(campaign, 12)
    for card in cards:
        cast(db.session, card.id, {campaign.headline.id: "excellent"})
    db.session.rollback()
    ids = [r.id for r in db.session.query(Response).order_by(Response.id)]
    assert len(set(ids)) == 12
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert not {i for i in ids} & {c.id for c in cards}
