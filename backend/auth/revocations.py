"""Access tokens refused before their expiry (logout), by jti.

Kept only until the token's own expiry: after that the signature check refuses it anyway,
so the table stays as small as the number of logouts in one access-token lifetime.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.auth.models import RevokedAccessToken
from backend.auth.rows import affected_rows, insert_if_absent
from backend.auth.tokens import AccessClaims


class AccessTokenRevocations:
    @staticmethod
    def is_revoked(session: Session, jti: str) -> bool:
        # A primary-key probe: this runs on every authenticated API request.
        return session.scalar(select(RevokedAccessToken.jti).where(RevokedAccessToken.jti == jti)) is not None

    @staticmethod
    def revoke(session: Session, claims: AccessClaims, now: datetime) -> None:
        # Idempotent: logging out twice, or two logouts racing, is not an error.
        insert_if_absent(
            session,
            RevokedAccessToken,
            {
                "jti": claims.jti,
                "user_id": claims.user_id,
                "revoked_at": now,
                "expires_at": claims.expires_at,
            },
        )

    @staticmethod
    def purge(session: Session, now: datetime) -> int:
        result = session.execute(
            delete(RevokedAccessToken)
            .where(RevokedAccessToken.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result)
