"""ledger: one row per run of the books' verification, read by /metrics

`app.py ledger verify` (and the scheduled task) recomputes every hash and balance; each run
is recorded here so that every process can report when the books were last verified and
whether they held (ledger.verify_metrics), and an alert can say when they were not. A row a
run; the index finds the latest run over the whole books (pool_id NULL) in one dive.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_verify_runs",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("pools", sa.Integer(), nullable=False),
        sa.Column("entries", _BIGINT, nullable=False),
        sa.Column("breaks", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_verify_runs"),
    )
    op.create_index("ix_ledger_verify_runs_scope_finished", "ledger_verify_runs", ["pool_id", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_verify_runs_scope_finished", table_name="ledger_verify_runs")
    op.drop_table("ledger_verify_runs")
