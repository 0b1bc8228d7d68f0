"""counts only: a closed campaign keeps counts and each 不满意 alone on its row

The responses and answers of closed campaigns are added into ``counts`` (question x choice
x respondent class, x inside/outside/unknown on a poll's headline question) and each
不满意 headline answer becomes a ``complaints`` row (its reason alone, inserted in a random
order; it keeps its response's random id, so that findings and the audit log still name
it). Classes are merged into ``all`` where one had fewer than 5 votes (the default
SMALL_GROUP_THRESHOLD; the sealed tallies are merged the same way, in a table written anew).
Then the per-ballot tables are dropped. ``verifications`` now points at ``complaints``.

On SQLite the deleted rows' bytes stay in free pages until ``VACUUM``, which cannot run in
a transaction: survey.core.database.upgrade runs it after upgrading.

Downgrade restores the schema only: the ballots are gone for good (that is the point), and
the findings go with their complaints.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:45:00

"""

import secrets
from collections import Counter, defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SMALL_GROUP = 5  # SURVEY's default SMALL_GROUP_THRESHOLD, as of this revision
MERGED, NO_GEO, COMPLAINT = "all", "none", "dissatisfied"


def _create_counts_and_complaints():
    op.create_table(
        "counts",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("respondent_class", sa.String(length=16), nullable=False),
        sa.Column("geo", sa.String(length=8), nullable=False),
        sa.Column("choice", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_counts_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_counts_question_id_questions")
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            "question_id",
            "respondent_class",
            "geo",
            "choice",
            name=op.f("pk_counts"),
        ),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_complaints_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_campaign_id"), "complaints", ["campaign_id"])
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(sa.Column("votes_counted", sa.Integer(), nullable=True))


def _verifications_table(key: str, target: str):
    op.create_table(
        "verifications",
        sa.Column(key, sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("verified_by", sa.String(length=120), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            [key], [f"{target}.id"], name=op.f(f"fk_verifications_{key}_{target}")
        ),
        sa.PrimaryKeyConstraint(key, name=op.f("pk_verifications")),
    )


def _votes(conn) -> dict[int, dict[str, dict]]:
    """campaign id -> response id -> {class, geo, answers [(question id, choice, text)]}."""
    votes: dict[int, dict[str, dict]] = defaultdict(dict)
    for rid, campaign_id, cls, geo in conn.execute(
        sa.text("SELECT id, campaign_id, respondent_class, geo FROM responses")
    ):
        votes[campaign_id][rid] = {"class": cls, "geo": geo, "answers": []}
    for rid, campaign_id, qid, choice, text in conn.execute(
        sa.text(
            "SELECT a.response_id, r.campaign_id, a.question_id, a.choice, a.text "
            "FROM answers a JOIN responses r ON r.id = a.response_id"
        )
    ):
        votes[campaign_id][rid]["answers"].append((qid, choice, text))
    return votes


def _count_campaign(conn, campaign_id: int, ballots: dict[str, dict]) -> None:
    headline = conn.execute(
        sa.text("SELECT id FROM questions WHERE campaign_id = :c AND position = 0"),
        {"c": campaign_id},
    ).scalar()
    sizes = Counter(vote["class"] for vote in ballots.values())
    split = len(sizes) <= 1 or min(sizes.values()) >= SMALL_GROUP
    counts: Counter = Counter()
    complaints = []
    for rid, vote in ballots.items():
        cls = vote["class"] if split else MERGED
        for qid, choice, text in vote["answers"]:
            on_headline = qid == headline
            counts[(qid, cls, (vote["geo"] or NO_GEO) if on_headline else NO_GEO, choice)] += 1
            if on_headline and choice == COMPLAINT:
                complaints.append({"id": rid, "campaign_id": campaign_id, "reason": text or None})
    if counts:
        conn.execute(
            sa.text(
                "INSERT INTO counts (campaign_id, question_id, respondent_class, geo, choice, n) "
                "VALUES (:c, :q, :cls, :geo, :choice, :n)"
            ),
            [
                {"c": campaign_id, "q": q, "cls": cls, "geo": geo, "choice": choice, "n": n}
                for (q, cls, geo, choice), n in sorted(counts.items())
            ],
        )
    secrets.SystemRandom().shuffle(complaints)
    if complaints:
        conn.execute(
            sa.text(
                "INSERT INTO complaints (id, campaign_id, reason) VALUES (:id, :campaign_id, :reason)"
            ),
            complaints,
        )
    conn.execute(
        sa.text("UPDATE campaigns SET votes_counted = :n WHERE id = :c"),
        {"n": len(ballots), "c": campaign_id},
    )
    return split


def _rebuild_tallies(conn, merged: set[int]) -> None:
    """The sealed headline tallies, those of ``merged`` campaigns by class no more. The table
    is written anew rather than its rows deleted: a deleted row stays in its page (a
    PostgreSQL dead tuple, kept while any snapshot may see it) until the page is rewritten;
    a dropped table's file is gone (SQLite's pages: VACUUM after upgrading)."""
    sums: Counter = Counter()
    for campaign_id, cls, choice, n in conn.execute(
        sa.text("SELECT campaign_id, respondent_class, choice, n FROM tallies")
    ):
        sums[(campaign_id, MERGED if campaign_id in merged else cls, choice)] += n
    op.drop_table("tallies")
    op.create_table(
        "tallies",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("respondent_class", sa.String(length=16), nullable=False),
        sa.Column("choice", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_tallies_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "respondent_class", "choice", name=op.f("pk_tallies")
        ),
    )
    if sums:
        conn.execute(
            sa.text("INSERT INTO tallies VALUES (:c, :cls, :choice, :n)"),
            [
                {"c": c, "cls": cls, "choice": ch, "n": n}
                for (c, cls, ch), n in sorted(sums.items())
            ],
        )


def upgrade():
    _create_counts_and_complaints()
    conn = op.get_bind()
    merged = {
        campaign_id
        for campaign_id, ballots in _votes(conn).items()
        if not _count_campaign(conn, campaign_id, ballots)
    }
    _rebuild_tallies(conn, merged)
    # closed campaigns without a vote: zero counted (the tally reads it)
    conn.execute(
        sa.text(
            "UPDATE campaigns SET votes_counted = 0 WHERE status = 'closed' AND votes_counted IS NULL"
        )
    )
    found = conn.execute(
        sa.text("SELECT response_id, result, note, verified_by, verified_at FROM verifications")
    ).all()
    op.drop_table("verifications")
    _verifications_table("complaint_id", "complaints")
    if found:
        conn.execute(
            sa.text(
                "INSERT INTO verifications (complaint_id, result, note, verified_by, verified_at) "
                "VALUES (:rid, :result, :note, :by, :at)"
            ),
            [
                {"rid": rid, "result": result, "note": note, "by": by, "at": at}
                for rid, result, note, by, at in found
            ],
        )
    op.drop_table("answers")
    op.drop_table("responses")  # its index goes with it


def downgrade():
    op.create_table(
        "responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("respondent_class", sa.String(length=16), nullable=False),
        sa.Column("geo", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_responses_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
    )
    op.create_index(op.f("ix_responses_campaign_id"), "responses", ["campaign_id"])
    op.create_table(
        "answers",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_answers_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name=op.f("fk_answers_response_id_responses")
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_answers")),
    )
    op.drop_table("verifications")
    _verifications_table("response_id", "responses")
    # not a batch: rebuilding campaigns under its tallies' foreign keys fails on SQLite;
    # ALTER TABLE ... DROP COLUMN is in SQLite since 3.35 and in PostgreSQL
    op.execute("ALTER TABLE campaigns DROP COLUMN votes_counted")
    op.drop_index(op.f("ix_complaints_campaign_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_table("counts")
