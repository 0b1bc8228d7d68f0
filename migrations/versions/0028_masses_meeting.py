"""who the representatives of a 群众代表 meeting campaign are (masses, teachers, service users)

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER (no batch): rebuilding campaigns is refused on SQLite while rows of other
    # tables reference them.
    op.add_column("campaigns", sa.Column("representatives", sa.String(16), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE campaigns DROP COLUMN representatives")
        return
    op.drop_column("campaigns", "representatives")
