"""ledger: the shard directory (pool -> shard database) and the moving mark on a chain head

`pool_shards` lives in the global keyspace and maps each placed pool to the shard database
holding its books, with the state of a move (ledger.shards). `ledger_chain_heads.moving_to`
is the move's mark in a shard's own books: set, writes for the pool are refused there, which
a writer reads under the chain-head lock it takes first. Both stay empty while the platform
runs on one database (docs/scaling.md).

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger_chain_heads", sa.Column("moving_to", sa.String(64), nullable=True))
    op.create_table(
        "pool_shards",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shard", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("moved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("pool_id", name="pk_pool_shards"),
    )


def downgrade() -> None:
    op.drop_table("pool_shards")
    with op.batch_alter_table("ledger_chain_heads") as batch:
        batch.drop_column("moving_to")
