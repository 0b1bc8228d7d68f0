"""the sealed ballot box: envelopes, no day on responses or receipts, retry nonces

While a campaign is open its votes are stored as encrypted envelopes (survey/sealing.py)
and opened, shuffled, into responses when it closes. Responses and receipts lose their
``created_on`` day. Ballots and poll devices keep an HMAC of the form's one-time nonce and
the receipt, so that the same form sent again is shown its receipt.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "envelopes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_envelopes_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_envelopes")),
    )
    with op.batch_alter_table("envelopes") as batch_op:
        batch_op.create_index(batch_op.f("ix_envelopes_campaign_id"), ["campaign_id"])
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_column("created_on")
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.drop_column("created_on")
    with op.batch_alter_table("ballots") as batch_op:
        batch_op.add_column(sa.Column("retry_hmac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("receipt_code", sa.String(length=16), nullable=True))
    with op.batch_alter_table("poll_devices") as batch_op:
        batch_op.add_column(sa.Column("nonce_hmac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("receipt_code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(
            "uq_poll_devices_nonce_hmac", ["campaign_id", "nonce_hmac"]
        )


def downgrade():
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM envelopes")).scalar():
        raise RuntimeError(
            "open campaigns hold sealed envelopes: close them before downgrading, "
            "or their votes would be lost"
        )
    with op.batch_alter_table("poll_devices") as batch_op:
        batch_op.drop_constraint("uq_poll_devices_nonce_hmac", type_="unique")
        batch_op.drop_column("receipt_code")
        batch_op.drop_column("nonce_hmac")
    with op.batch_alter_table("ballots") as batch_op:
        batch_op.drop_column("receipt_code")
        batch_op.drop_column("retry_hmac")
    for table in ("receipts", "responses"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "created_on", sa.Date(), nullable=False, server_default=sa.func.current_date()
                )
            )
    with op.batch_alter_table("envelopes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_envelopes_campaign_id"))
    op.drop_table("envelopes")
