"""members.joined_on: 入党时间 as a branch office's roster gives it (optional)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 19:00:00

Kept when a roster has the column; it tells two members of one name apart on the
appraisal ballot (赵磊（2015年入党）). A roll imported before this revision has none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("joined_on")
