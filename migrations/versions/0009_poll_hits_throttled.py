"""poll_hits.throttled: answers the per-address limit refused, counted for the anomaly view

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("poll_hits") as batch_op:
        batch_op.add_column(
            sa.Column("throttled", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("poll_hits") as batch_op:
        batch_op.drop_column("throttled")
