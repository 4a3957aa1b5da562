"""payouts: investors' bank accounts for payouts (each change a new row, verified by a second
person), the payouts each distribution or redemption owes, the pain.001 files that pay them,
and the statement line that confirms each

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "payment_payout_accounts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("account_name", sa.String(length=140), nullable=False),
        sa.Column("iban_sealed", sa.String(length=255), nullable=False),
        sa.Column("iban_masked", sa.String(length=12), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("verified_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_payout_accounts"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_payment_payout_accounts_investor", "payment_payout_accounts", ["investor_id", "status"]
    )
    op.create_table(
        "payment_payouts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("source_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("hold_reason", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column("released_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_payouts"),
        sa.UniqueConstraint("source_entry_id", "investor_id", name="uq_payment_payouts_entry_investor"),
        sa.UniqueConstraint("end_to_end_id", name="uq_payment_payouts_end_to_end"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payment_payouts_pool", "payment_payouts", ["pool_id", "status"])
    op.create_index("ix_payment_payouts_investor", "payment_payouts", ["investor_id"])
    op.create_table(
        "payment_payout_batches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("execution_date", sa.Date(), nullable=False),
        sa.Column("payouts", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_payout_batches"),
        sa.UniqueConstraint("message_id", name="uq_payment_payout_batches_message"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("payment_statement_lines") as batch:
        batch.add_column(sa.Column("payout_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_statement_lines") as batch:
        batch.drop_column("payout_id")
    op.drop_table("payment_payout_batches")
    op.drop_index("ix_payment_payouts_investor", table_name="payment_payouts")
    op.drop_index("ix_payment_payouts_pool", table_name="payment_payouts")
    op.drop_table("payment_payouts")
    op.drop_index("ix_payment_payout_accounts_investor", table_name="payment_payout_accounts")
    op.drop_table("payment_payout_accounts")
