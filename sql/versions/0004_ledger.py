"""ledger: chain heads, accounts, balances, journal entries, postings, idempotency keys, outbox

Amounts and balances are scaled BIGINTs (backend.platform.orm.ScaledDecimal(6)): signed, debit
positive, in millionths of the commodity (cash or units).

Journal entries and postings are append-only. Triggers refuse every UPDATE and DELETE on
both tables, on MariaDB (SIGNAL SQLSTATE '45000') and on SQLite (RAISE(ABORT)); a
correction is a new reversing entry. Only someone who can drop the triggers (a DBA) can
rewrite the books, and `python app.py ledger verify` then names the first entry whose hash
or balance no longer adds up. Creating triggers on a MariaDB with binary logging needs the
SUPER privilege or log_bin_trust_function_creators=1 for the migrating user.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from sql.append_only import ACTIONS, create_trigger_sql, drop_trigger_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

APPEND_ONLY_TABLES = ("ledger_journal_entries", "ledger_postings")


def upgrade() -> None:
    op.create_table(
        "ledger_chain_heads",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("ledger_version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", name="pk_ledger_chain_heads"),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=True),
        sa.Column("account_key", sa.String(64), nullable=False),
        sa.Column("commodity", sa.String(8), nullable=False),
        sa.Column("may_go_negative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_accounts"),
        sa.UniqueConstraint("pool_id", "account_key", "commodity", name="uq_ledger_accounts_pool_key"),
    )
    op.create_index("ix_ledger_accounts_pool_investor", "ledger_accounts", ["pool_id", "investor_id"])
    op.create_table(
        "ledger_balances",
        sa.Column("account_id", _BIGINT, autoincrement=False, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("last_entry_id", _BIGINT, nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_ledger_balances"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name="fk_ledger_balances_account_id_ledger_accounts"
        ),
    )
    op.create_index("ix_ledger_balances_pool_id", "ledger_balances", ["pool_id"])
    op.create_table(
        "ledger_journal_entries",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_type", sa.String(32), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reverses_entry_id", _BIGINT, nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_journal_entries"),
        sa.UniqueConstraint("pool_id", "seq", name="uq_ledger_journal_entries_pool_seq"),
        sa.UniqueConstraint("reverses_entry_id", name="uq_ledger_journal_entries_reverses_entry_id"),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["ledger_journal_entries.id"],
            name="fk_ledger_journal_entries_reverses",
        ),
    )
    op.create_index(
        "ix_ledger_journal_entries_pool_date", "ledger_journal_entries", ["pool_id", "effective_date"]
    )
    op.create_index(
        "ix_ledger_journal_entries_pool_type", "ledger_journal_entries", ["pool_id", "entry_type"]
    )
    op.create_table(
        "ledger_postings",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("entry_id", _BIGINT, nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("account_id", _BIGINT, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_postings"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_journal_entries.id"],
            name="fk_ledger_postings_entry_id_ledger_journal_entries",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name="fk_ledger_postings_account_id_ledger_accounts"
        ),
    )
    op.create_index("ix_ledger_postings_entry_id", "ledger_postings", ["entry_id"])
    op.create_index("ix_ledger_postings_pool_entry", "ledger_postings", ["pool_id", "entry_id"])
    op.create_index("ix_ledger_postings_account_id", "ledger_postings", ["account_id"])
    op.create_table(
        "ledger_idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner_token", sa.String(32), nullable=False),
        sa.Column("entry_id", _BIGINT, nullable=True),
        sa.Column("response", _LONG_TEXT, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key_digest", name="pk_ledger_idempotency_keys"),
    )
    op.create_index("ix_ledger_idempotency_keys_expires_at", "ledger_idempotency_keys", ["expires_at"])
    op.create_table(
        "ledger_outbox",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", _BIGINT, nullable=True),
        sa.Column("payload", _LONG_TEXT, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_outbox"),
        sa.UniqueConstraint("event_id", name="uq_ledger_outbox_event_id"),
    )
    op.create_index("ix_ledger_outbox_unpublished", "ledger_outbox", ["published_at", "id"])

    for table in APPEND_ONLY_TABLES:
        for action in ACTIONS:
            op.execute(create_trigger_sql(op.get_bind().dialect.name, table, action))


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        for action in ACTIONS:
            op.execute(drop_trigger_sql(table, action))
    for table in (
        "ledger_outbox",
        "ledger_idempotency_keys",
        "ledger_postings",
        "ledger_journal_entries",
        "ledger_balances",
        "ledger_accounts",
        "ledger_chain_heads",
    ):
        op.drop_table(table)
