"""audit: an index on the action, for the log read by action (newest first)

The admin's payments page lists the latest changes to bank details: six actions, each the
latest 100 events of that action. Without an index each was a scan of the log from its newest
row back (135,000 events in the large data set: 45 ms each, 260 ms for the page; growing
with the log). The index's entries end with the primary key in InnoDB and in SQLite, so
"of this action, newest first" reads the index backwards and stops at the limit.

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_action", "audit_events", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_action", table_name="audit_events")
