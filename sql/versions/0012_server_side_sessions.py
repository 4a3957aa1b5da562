"""Server-side sessions (auth_sessions) and login back-off instead of lockout

auth_sessions: one row per portal login and per API login (an API session's id is its
refresh-token family id). Portal cookies and access tokens carry the id and every request
checks the row, so logout, refresh-token reuse, a password change and disabling an account
end sessions at once. Refresh families alive now get their session row here, so API clients
keep refreshing; access tokens minted before this revision carry no session id and are
refused (their clients refresh), and existing portal cookies have no session (their users
sign in again).

revoked_access_tokens goes: a logout now ends the token's whole session.

login_throttle: the lockout window becomes a leaking failure count (window_started_at ->
counted_at) and the lockout a back-off delay before the next attempt (locked_until ->
retry_at).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _rename(batch: BatchOperations, old: str, new: str, *, nullable: bool) -> None:
    batch.alter_column(old, new_column_name=new, existing_type=sa.DateTime(), existing_nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_auth_sessions_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    op.create_index("ix_auth_sessions_expires_at", "auth_sessions", ["expires_at"])
    # Every family none of whose tokens was revoked (a revocation always takes the whole
    # family) becomes a live API session lasting as long as its newest token.
    op.execute(
        "INSERT INTO auth_sessions (id, user_id, kind, created_at, expires_at) "
        "SELECT family_id, MIN(user_id), 'api', MIN(issued_at), MAX(expires_at) "
        "FROM refresh_tokens GROUP BY family_id HAVING COUNT(revoked_at) = 0"
    )

    op.drop_table("revoked_access_tokens")

    op.drop_index("ix_login_throttle_window_started_at", table_name="login_throttle")
    with op.batch_alter_table("login_throttle") as batch:
        _rename(batch, "window_started_at", "counted_at", nullable=False)
        _rename(batch, "locked_until", "retry_at", nullable=True)
    op.create_index("ix_login_throttle_counted_at", "login_throttle", ["counted_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_counted_at", table_name="login_throttle")
    with op.batch_alter_table("login_throttle") as batch:
        _rename(batch, "counted_at", "window_started_at", nullable=False)
        _rename(batch, "retry_at", "locked_until", nullable=True)
    op.create_index("ix_login_throttle_window_started_at", "login_throttle", ["window_started_at"])

    op.create_table(
        "revoked_access_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_revoked_access_tokens"),
    )
    op.create_index("ix_revoked_access_tokens_expires_at", "revoked_access_tokens", ["expires_at"])

    op.drop_table("auth_sessions")
