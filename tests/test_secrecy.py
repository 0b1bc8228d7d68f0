"""No stored column or export joins a vote to a ballot (docs/design.md "Secrecy")."""

from helpers import cast, envelopes
from sqlalchemy import inspect

from survey.models import AuditEntry, Ballot, Complaint, Count, Envelope, Receipt

VOTE_TABLES = ("counts", "complaints", "receipts", "envelopes")


def test_no_vote_table_references_ballots(db):
    schema = inspect(db.engine)
    for table in VOTE_TABLES:
        for fk in schema.get_foreign_keys(table):
            assert fk["referred_table"] != "ballots", table
        for column in schema.get_columns(table):
            assert "ballot" not in column["name"], (table, column["name"])


def test_ballots_keep_no_time_of_use(db):
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("ballots")}
    # retry_hmac / receipt_code: the same form sent again finds its receipt (no choice);
    # channel: phone or paper (纸质票), set by the spend -- how the card came back, no time
    assert set(columns) == {
        "id",
        "campaign_id",
        "code",
        "ballot_class",
        "status",
        "issued_at",
        "retry_hmac",
        "receipt_code",
        "channel",
    }


def test_counts_complaints_receipts_and_envelopes_keep_no_time(db):
    schema = inspect(db.engine)
    columns = {c["name"]: str(c["type"]).upper() for c in schema.get_columns("counts")}
    # geo (public polls): only inside / outside / unknown, never coordinates
    assert set(columns) == {"campaign_id", "question_id", "respondent_class", "geo", "choice", "n"}
    assert columns["geo"] == "VARCHAR(8)"
    # a 不满意 and its reason, alone: no class, no place, no other answer
    assert {c["name"] for c in schema.get_columns("complaints")} == {"id", "campaign_id", "reason"}
    assert {c["name"] for c in schema.get_columns("receipts")} == {"code", "campaign_id"}
    envelope = {c["name"]: c for c in schema.get_columns("envelopes")}
    assert set(envelope) == {"id", "campaign_id", "key_id", "sealed"}
    assert str(envelope["id"]["type"]).upper() == "VARCHAR(32)"  # random, no sequence


def test_a_cast_leaves_nothing_that_points_back_to_the_ballot(app, make, db):
    campaign = make.campaign(make.organisation())
    cards = make.ballots(campaign, 2)
    receipt = cast(db.session, cards[0].id, {campaign.headline.id: "excellent"})
    assert envelopes(db) == 1
    envelope = db.session.query(Envelope).one()
    assert envelope.id not in (cards[0].id, cards[1].id) and len(envelope.id) == 32
    assert b"excellent" not in bytes(envelope.sealed)
    stored = db.session.get(Receipt, receipt)
    assert stored.campaign_id == campaign.id and not hasattr(stored, "response_id")
    for entry in db.session.query(AuditEntry):
        text = repr(entry.detail) + (entry.object_id or "")
        assert cards[0].id not in text and cards[0].code not in text
        assert entry.action != "ballot.cast"
    assert db.session.get(Ballot, cards[0].id).status == "used"
    make.close(campaign)
    db.session.rollback()
    kept = [(c.respondent_class, c.choice, c.n) for c in db.session.query(Count)]
    assert kept == [("full", "excellent", 1)]  # a count: no id, nothing to point back


def test_complaint_ids_are_random_and_unique(app, make, db):
    campaign = make.campaign(make.organisation(), kind="public_satisfaction")
    cards = make.ballots(campaign, 12, "resident")
    for card in cards:
        cast(db.session, card.id, {campaign.headline.id: "dissatisfied"})
    make.close(campaign)
    db.session.rollback()
    ids = [r.id for r in db.session.query(Complaint).order_by(Complaint.id)]
    assert len(set(ids)) == 12
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert not {i for i in ids} & {c.id for c in cards}
