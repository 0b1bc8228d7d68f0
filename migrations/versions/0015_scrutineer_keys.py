"""scrutineer keys: a campaign's sealing mode, its k of n, and its public key only

Campaigns made before this revision were sealed by the server's keys: they stay "server".

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 15:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


SEALING_CHECK = "sealing IN ('server', 'scrutineers')"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Plain ALTERs, the check on the new column itself: a batch would rebuild campaigns,
        # and its DROP TABLE is refused while rows of other tables reference a campaign.
        op.execute(
            "ALTER TABLE campaigns ADD COLUMN sealing VARCHAR(16) DEFAULT 'server' NOT NULL "
            f"CONSTRAINT ck_campaigns_sealing CHECK ({SEALING_CHECK})"
        )
        op.add_column("campaigns", sa.Column("scrutineers_k", sa.Integer(), nullable=True))
        op.add_column("campaigns", sa.Column("scrutineers_n", sa.Integer(), nullable=True))
        op.add_column("campaigns", sa.Column("public_key", sa.LargeBinary(), nullable=True))
        return
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(
            sa.Column("sealing", sa.String(length=16), nullable=False, server_default="server")
        )
        batch_op.add_column(sa.Column("scrutineers_k", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scrutineers_n", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("public_key", sa.LargeBinary(), nullable=True))
        batch_op.create_check_constraint("sealing", SEALING_CHECK)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":  # SQLite >= 3.35 drops a column and its check
        for column in ("public_key", "scrutineers_n", "scrutineers_k", "sealing"):
            op.execute(f"ALTER TABLE campaigns DROP COLUMN {column}")
        return
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_constraint("sealing", type_="check")
        batch_op.drop_column("public_key")
        batch_op.drop_column("scrutineers_n")
        batch_op.drop_column("scrutineers_k")
        batch_op.drop_column("sealing")
