"""the reviewer's further facts of an assessment (facts.toml): a JSON object per branch and year

The 软弱涣散 mark of a year, the committee's term end, the overall assessment rank and every
domain standard's figures live here. Organisation.weak stays as the old standing mark, read
only for a year whose assessment says nothing about it.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-28 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.drop_column("facts")
