"""会议记录: the place, time and attendance of a campaign's meeting, printed in the minutes

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:00:00

A table of its own, one row per campaign: the campaigns table is left alone (rebuilding it is
refused on SQLite while other tables reference it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_records",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("absent", sa.String(500), nullable=True),
        sa.Column("guests", sa.String(500), nullable=True),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_meeting_records_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_meeting_records")),
    )


def downgrade():
    op.drop_table("meeting_records")
