"""a public poll's daily ceiling of answers from one address, raised by the committee

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-04 16:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER (no batch): rebuilding campaigns is refused on SQLite while rows of other
    # tables reference them.
    op.add_column("campaigns", sa.Column("answers_per_address_day", sa.Integer(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE campaigns DROP COLUMN answers_per_address_day")
        return
    op.drop_column("campaigns", "answers_per_address_day")
