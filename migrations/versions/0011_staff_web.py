"""organisations.active: an organisation deactivated on the web leaves the lists and takes no
new campaign (its history stays)

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-27 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("active")
