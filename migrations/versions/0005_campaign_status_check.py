"""a campaign's status is one of draft, open, closed (CampaignStatus)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:15:00

"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ('draft', 'open', 'closed')"


def upgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.create_check_constraint("status", STATUS_CHECK)


def downgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_constraint("ck_campaigns_status", type_="check")
