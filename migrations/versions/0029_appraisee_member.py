"""appraisees.member_id: the roll row an appraisal's row was made from

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 05:30:00

Personal-data export and erasure found a member's appraisal rows by name, which took the
rows of a second member of that name too and missed a name the ballot labels
(赵磊（2015年入党）). Existing rows are linked where the branch holds exactly one member of
that name (or, for a labelled name, of that name and year of joining); the rest stay
unlinked rather than guess.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

BY_YEAR = re.compile(r"(?P<name>.+)（(?P<year>\d{4})年入党）")


def upgrade():
    with op.batch_alter_table("appraisees") as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_appraisees_member_id_members"), "members", ["member_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_appraisees_member_id"), ["member_id"])
    _link_existing_rows(op.get_bind())


def _link_existing_rows(conn) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT a.id, a.name, c.organisation_id FROM appraisees a "
            "JOIN campaigns c ON c.id = a.campaign_id"
        )
    ).all()
    members = conn.execute(sa.text("SELECT id, organisation_id, name, joined_on FROM members"))
    roll: dict[tuple[int, str], list[tuple[int, object]]] = {}
    for member_id, branch_id, name, joined in members:
        roll.setdefault((branch_id, name), []).append((member_id, joined))
    for row_id, name, branch_id in rows:
        found = [m for m, _ in roll.get((branch_id, name), [])]
        labelled = BY_YEAR.fullmatch(name)
        if not found and labelled:
            year = labelled["year"]
            found = [
                m
                for m, joined in roll.get((branch_id, labelled["name"]), [])
                if joined is not None and str(joined)[:4] == year
            ]
        if len(found) == 1:
            conn.execute(
                sa.text("UPDATE appraisees SET member_id = :m WHERE id = :id").bindparams(
                    m=found[0], id=row_id
                )
            )


def downgrade():
    with op.batch_alter_table("appraisees") as batch_op:
        batch_op.drop_index(op.f("ix_appraisees_member_id"))
        batch_op.drop_constraint(op.f("fk_appraisees_member_id_members"), type_="foreignkey")
        batch_op.drop_column("member_id")
