"""ledger_journal_entries: the pool-and-type index carries the effective date

The first and the last date a deal was struck (forward pricing reads both on every deal,
under the pool's lock) were a MIN and a MAX over every subscription and redemption of the
pool, each a row read per deal: the longer the pool's history, the longer every other
writer of the pool waited. With the date in the index each is an index dive per type that
stops at its first row standing. The old (pool_id, entry_type) index is its prefix.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ledger_journal_entries_pool_type_date",
        "ledger_journal_entries",
        ["pool_id", "entry_type", "effective_date"],
    )
    op.drop_index("ix_ledger_journal_entries_pool_type", table_name="ledger_journal_entries")


def downgrade() -> None:
    op.create_index(
        "ix_ledger_journal_entries_pool_type", "ledger_journal_entries", ["pool_id", "entry_type"]
    )
    op.drop_index("ix_ledger_journal_entries_pool_type_date", table_name="ledger_journal_entries")
