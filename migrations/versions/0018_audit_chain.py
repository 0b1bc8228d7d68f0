"""audit chain (安全审计): each entry hashed with the one before it, and the chain's head

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-04 16:10:00

The entries already written get their chain here, oldest first, by the hash SURVEY_CRYPTO
names (SHA-256 unless it says ``sm``).
"""

import os

import sqlalchemy as sa
from alembic import op

from survey.core.digests import CRYPTO_MODES, GENESIS, audit_digest

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None

entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("detail", sa.JSON),
    sa.column("algorithm", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("entry_hash", sa.String),
)
chain = sa.table(
    "audit_chain",
    sa.column("id", sa.Integer),
    sa.column("last_id", sa.Integer),
    sa.column("last_hash", sa.String),
    sa.column("checkpoint_id", sa.Integer),
    sa.column("checkpoint_hash", sa.String),
)


def upgrade():
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("algorithm", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    last_id, last_hash = _chain_existing_entries()
    op.bulk_insert(
        chain,
        [
            {
                "id": 1,
                "last_id": last_id,
                "last_hash": last_hash,
                "checkpoint_id": 0,
                "checkpoint_hash": GENESIS,
            }
        ],
    )
    with op.batch_alter_table("audit_entries") as batch_op:
        for name, length in (("algorithm", 8), ("prev_hash", 64), ("entry_hash", 64)):
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)
    op.create_index("ix_audit_entries_object", "audit_entries", ["object_type", "object_id"])


def _chain_existing_entries() -> tuple[int, str]:
    connection = op.get_bind()
    algorithm = CRYPTO_MODES[os.environ.get("SURVEY_CRYPTO") or "international"]
    rows = connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all()
    last_id, previous = 0, GENESIS
    for row in rows:
        entry_hash = audit_digest(
            algorithm,
            entry_id=row["id"],
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            detail=row["detail"],
            prev_hash=previous,
        )
        connection.execute(
            entries.update()
            .where(entries.c.id == row["id"])
            .values(algorithm=algorithm, prev_hash=previous, entry_hash=entry_hash)
        )
        last_id, previous = row["id"], entry_hash
    return last_id, previous


def downgrade():
    op.drop_index("ix_audit_entries_object", table_name="audit_entries")
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("algorithm")
