"""ledger_entry_details becomes append-only, like the entries and postings it explains

An entry's workings (dealing price, units, allocations, waterfall tiers, high-water mark)
are what the investor flows, the waterfall's cumulative tiers and the performance-fee
high-water mark are read from, so rewriting one would change figures an investor sees
without touching a hashed posting. The same triggers as on entries and postings
(sql/append_only.py) refuse UPDATE and DELETE on both backends.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from sql.append_only import ACTIONS, create_trigger_sql, drop_trigger_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLE = "ledger_entry_details"


def upgrade() -> None:
    for action in ACTIONS:
        op.execute(create_trigger_sql(op.get_bind().dialect.name, TABLE, action))


def downgrade() -> None:
    for action in ACTIONS:
        op.execute(drop_trigger_sql(TABLE, action))
