"""Who an access token speaks for: the one check, made by the auth service in process and by
the gateway when the auth service is remote (backend.auth.gateway), so both answer alike.

Three things must hold: the JWT verifies (signature, algorithm, kid, claims, expiry), the
session it was minted for is live, and its user is active. The role is the user record's, not
the claim's, so a demotion bites at once. Every refusal is one generic message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from backend.auth.identity import INVALID_TOKEN, LOGGER_NAME, actor_of
from backend.auth.tokens import AccessClaims, AccessTokens, InvalidToken, KeyRing
from backend.platform.actors import Actor
from backend.platform.config import Settings
from backend.platform.errors import Unauthenticated
from backend.users.interface import UserOut

log = logging.getLogger(LOGGER_NAME)

SessionCheck = Callable[[str, int], Callable[[], bool]]
"""Starts checking that a session (id, user id) is live and returns the function that gives
the answer: a remote check runs while the user is looked up."""


class ActiveUsers(Protocol):
    def active_user(self, user_id: int) -> UserOut | None: ...


def access_tokens(keys: KeyRing, settings: Settings) -> AccessTokens:
    """The platform's access tokens, as every party that issues or checks them sees them."""
    return AccessTokens(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )


def verified_claims(token: str, now: datetime, access: AccessTokens) -> AccessClaims:
    """The claims of a token that verifies now (signature, algorithm, kid, claims, expiry);
    Unauthenticated(INVALID_TOKEN) otherwise. Nothing live is checked yet."""
    try:
        return access.verify(token, now)
    except InvalidToken as exc:
        log.info("access token refused", extra={"reason": str(exc)})
        raise Unauthenticated(INVALID_TOKEN) from None


def actor_of_live_session(claims: AccessClaims, *, session_check: SessionCheck, users: ActiveUsers) -> Actor:
    """The actor of verified `claims` whose session is live and whose user is active."""
    session_is_live = session_check(claims.session_id, claims.user_id)
    try:
        user = users.active_user(claims.user_id)
    finally:
        # Taken even when the lookup failed: a started call is always finished.
        live = session_is_live()
    if not live:
        raise Unauthenticated(INVALID_TOKEN)
    if user is None:
        log.info("access token refused", extra={"reason": "user inactive", "subject_user_id": claims.user_id})
        raise Unauthenticated(INVALID_TOKEN)
    return actor_of(user)
