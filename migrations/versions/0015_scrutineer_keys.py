"""scrutineer keys: a campaign's sealing mode, its k of n, and its public key only

Campaigns made before this revision were sealed by the server's keys: they stay "server".

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 15:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(
            sa.Column("sealing", sa.String(length=16), nullable=False, server_default="server")
        )
        batch_op.add_column(sa.Column("scrutineers_k", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scrutineers_n", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("public_key", sa.LargeBinary(), nullable=True))
        batch_op.create_check_constraint("sealing", "sealing IN ('server', 'scrutineers')")


def downgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_constraint("sealing", type_="check")
        batch_op.drop_column("public_key")
        batch_op.drop_column("scrutineers_n")
        batch_op.drop_column("scrutineers_k")
        batch_op.drop_column("sealing")
