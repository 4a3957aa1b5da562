"""ledger: entry details (how a posting rule worked out each entry's figures)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "ledger_entry_details",
        sa.Column("entry_id", _BIGINT, autoincrement=False, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(32), nullable=False),
        sa.Column("details", _LONG_TEXT, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_journal_entries.id"], name="fk_ledger_entry_details_entry"
        ),
        sa.PrimaryKeyConstraint("entry_id", name="pk_ledger_entry_details"),
    )
    op.create_index("ix_ledger_entry_details_pool_type", "ledger_entry_details", ["pool_id", "entry_type"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entry_details_pool_type", table_name="ledger_entry_details")
    op.drop_table("ledger_entry_details")
