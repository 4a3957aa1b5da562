"""payments: payment requests per capital call, payments, their transitions, gateway events,
the gateway's customer per investor, each pool's collection account (its IBAN sealed)

No column holds a card number, a CVV or a full bank account number: the gateway keeps them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "payment_requests",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=25), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("amount_received", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_requests"),
        sa.UniqueConstraint("source_entry_id", "investor_id", name="uq_payment_requests_entry_investor"),
        sa.UniqueConstraint("reference", name="uq_payment_requests_reference"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payment_requests_pool", "payment_requests", ["pool_id", "due_date"])
    op.create_index("ix_payment_requests_investor", "payment_requests", ["investor_id"])
    op.create_table(
        "payments",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("request_id", _ID, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("rail", sa.String(length=20), nullable=False),
        sa.Column("attempt_key", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("gateway_payment_id", sa.String(length=64), nullable=True),
        sa.Column("method_token", sa.String(length=64), nullable=True),
        sa.Column("bank_reference", sa.String(length=64), nullable=True),
        sa.Column("applied", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("posted_amount", sa.BigInteger(), nullable=False),
        sa.Column("posting_round", sa.Integer(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("awaiting_approval", sa.Boolean(), nullable=False),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["request_id"], ["payment_requests.id"], name="fk_payments_request"),
        sa.UniqueConstraint("gateway_payment_id", name="uq_payments_gateway_payment"),
        sa.UniqueConstraint("attempt_key", name="uq_payments_attempt_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payments_request", "payments", ["request_id"])
    op.create_table(
        "payment_transitions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("payment_id", _ID, nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("cause", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_transitions"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_payment_transitions_payment"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_payment_transitions_payment", "payment_transitions", ["payment_id"])
    op.create_table(
        "payment_gateway_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_payment_gateway_events"),
    )
    op.create_table(
        "payment_customers",
        sa.Column("investor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gateway_customer_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("investor_id", name="pk_payment_customers"),
    )
    op.create_table(
        "pool_collection_accounts",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_name", sa.String(length=140), nullable=False),
        sa.Column("iban_sealed", sa.String(length=255), nullable=False),
        sa.Column("iban_masked", sa.String(length=12), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", name="pk_pool_collection_accounts"),
    )


def downgrade() -> None:
    op.drop_table("pool_collection_accounts")
    op.drop_table("payment_customers")
    op.drop_table("payment_gateway_events")
    op.drop_index("ix_payment_transitions_payment", table_name="payment_transitions")
    op.drop_table("payment_transitions")
    op.drop_index("ix_payments_request", table_name="payments")
    op.drop_table("payments")
    op.drop_index("ix_payment_requests_investor", table_name="payment_requests")
    op.drop_index("ix_payment_requests_pool", table_name="payment_requests")
    op.drop_table("payment_requests")
