"""documents: formal notices and statements issued to investors (the vault's index, each with
its SHA-256), every view and download of them, and the document an email attaches

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issue_key", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("kind", "pool_id", "investor_id", "issue_key", name="uq_documents_issue"),
    )
    op.create_index("ix_documents_investor", "documents", ["investor_id", "issued_on"])
    op.create_index("ix_documents_pool", "documents", ["pool_id", "issued_on"])
    op.create_table(
        "document_reads",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_document_reads_document", "document_reads", ["document_id", "user_id"])
    with op.batch_alter_table("notification_deliveries") as table:
        table.add_column(sa.Column("document_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_deliveries") as table:
        table.drop_column("document_id")
    op.drop_index("ix_document_reads_document", table_name="document_reads")
    op.drop_table("document_reads")
    op.drop_index("ix_documents_pool", table_name="documents")
    op.drop_index("ix_documents_investor", table_name="documents")
    op.drop_table("documents")
