"""members: the roll of a branch, imported from Excel; it pre-fills the eligible counts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("member_class", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("members") as batch_op:
        batch_op.create_index("ix_members_organisation_id", ["organisation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_index("ix_members_organisation_id")
    op.drop_table("members")
