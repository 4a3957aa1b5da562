"""ledger_accounts: an index by investor, for the pools an investor has accounts in

The only index led with the pool, so "which pools is this investor in" (an investor's
holdings, a manager's check of whose contact details they may read) skipped through every
pool's part of the index.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ledger_accounts_investor_pool", "ledger_accounts", ["investor_id", "pool_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_accounts_investor_pool", table_name="ledger_accounts")
