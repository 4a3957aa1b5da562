"""pools: AUTOINCREMENT on SQLite, so a deleted pool's id is never given to a new pool

Without it SQLite hands out max(rowid) + 1, so deleting the newest pool gives its id to the
next one, and anything another service still kept under that id would have been inherited.
(MariaDB's InnoDB never reuses an AUTO_INCREMENT value.) SQLite only takes AUTOINCREMENT in
CREATE TABLE, so the table is rebuilt; the foreign keys that point at it are checked at
commit (defer_foreign_keys), once the rebuilt table has the same ids again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table(
        "pools", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.alter_column("id", autoincrement=True)


def downgrade() -> None:
    """Nothing to undo: AUTOINCREMENT only stops ids being reused."""
