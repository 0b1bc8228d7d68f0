"""Staff passwords: the date each was set (for the optional expiry)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 19:00:00

SURVEY_PASSWORD_MAX_AGE_DAYS (0, off, by default) makes a sign-in with an older password
change it first; an account's password set before this revision counts from the account's
creation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch copy of ``users`` would
# drop the table the API tokens' foreign keys name, which SQLite refuses while they exist.
def upgrade():
    op.add_column("users", sa.Column("password_set_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("users", "password_set_at")
