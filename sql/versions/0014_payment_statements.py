"""payment statements and reconciliation: imported bank statement files and their lines
(matched, or queued for a person), unique per pool and bank reference so a re-import adds
nothing; reconciliation runs and the differences they found

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "payment_statement_imports",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("imported_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_statement_imports"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "payment_statement_lines",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("import_id", _ID, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("entry_reference", sa.String(length=120), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("is_return", sa.Boolean(), nullable=False),
        sa.Column("remittance", sa.String(length=500), nullable=False),
        sa.Column("payer_name", sa.String(length=140), nullable=True),
        sa.Column("counterparty_account", sa.String(length=12), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=64), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_statement_lines"),
        sa.ForeignKeyConstraint(
            ["import_id"], ["payment_statement_imports.id"], name="fk_payment_statement_lines_import"
        ),
        sa.UniqueConstraint("pool_id", "entry_reference", name="uq_payment_statement_lines_entry"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payment_statement_lines_status", "payment_statement_lines", ["pool_id", "status"])
    op.create_table(
        "payment_reconciliation_runs",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("gateway_entries", sa.Integer(), nullable=False),
        sa.Column("statement_lines", sa.Integer(), nullable=False),
        sa.Column("payments_checked", sa.Integer(), nullable=False),
        sa.Column("gateway_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_reconciliation_runs"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "payment_reconciliation_differences",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_reconciliation_differences"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_reconciliation_runs.id"], name="fk_payment_reconciliation_differences_run"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_payment_reconciliation_differences_run", "payment_reconciliation_differences", ["run_id"]
    )


def downgrade() -> None:
    op.drop_index(
        "ix_payment_reconciliation_differences_run", table_name="payment_reconciliation_differences"
    )
    op.drop_table("payment_reconciliation_differences")
    op.drop_table("payment_reconciliation_runs")
    op.drop_index("ix_payment_statement_lines_status", table_name="payment_statement_lines")
    op.drop_table("payment_statement_lines")
    op.drop_table("payment_statement_imports")
