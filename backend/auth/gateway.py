"""The auth service as an app server (the API gateway and the portal) reaches it when it runs in
its own process: its gRPC client, with the two checks every request makes done here.

An access token is verified here, with the same keys (every app server holds the JWT key
directory: the portal's sign-in needs it already), and its two live checks go out together: the
session at the auth service, the user at the user service. Through the auth service they were
one after the other, a hop inside a hop, on the path of every API request. A portal session's
user is looked up at the user service directly, which is all the auth service did with it. The
check itself is backend.auth.access_check's, the auth service's own, so both answer alike.

With `checked` (REDIS_URL set) a check that passed is reused for a few seconds until any user
or session changes (backend.auth.checked_sessions): the token itself is verified every time;
the auth service in process reuses its checks the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from backend.auth.access_check import ActiveUsers, actor_of_live_session, verified_claims
from backend.auth.checked_sessions import CheckedSessions, always, is_someone, reused
from backend.auth.identity import Clock, actor_of
from backend.auth.rpc import AuthServiceClient
from backend.auth.tokens import AccessTokens
from backend.platform.actors import Actor
from backend.platform.orm import utcnow
from backend.platform.rpc.credentials import InternalTokens


class GatewayAuthClient(AuthServiceClient):
    checks_together = True
    """False sends the session's check and waits for it before looking the user up: for a test
    whose services all share one database connection, which serves one thread at a time."""

    def __init__(
        self,
        target: str,
        tokens: InternalTokens,
        *,
        access: AccessTokens,
        users: Callable[[], ActiveUsers],
        clock: Clock = utcnow,
        read_timeout: float = 5.0,
        write_timeout: float = 30.0,
        checked: CheckedSessions | None = None,
    ) -> None:
        super().__init__(target, tokens, read_timeout=read_timeout, write_timeout=write_timeout)
        self._access = access
        self._users = users  # reached late: the user service may be built after this client
        self._clock = clock
        self._checked = checked

    @property
    def reuses_checks(self) -> bool:
        return self._checked is not None

    def actor_from_access_token(self, token: str) -> Actor:
        claims = verified_claims(token, self._clock(), self._access)

        def check() -> Actor:
            return actor_of_live_session(claims, session_check=self._start_session_check, users=self._users())

        return reused(self._checked, ("token", claims.session_id, claims.user_id), check, always)

    def actor_for_user_id(self, user_id: int) -> Actor | None:
        def check() -> Actor | None:
            user = self._users().active_user(user_id)
            return actor_of(user) if user else None

        return reused(self._checked, ("user", user_id), check, is_someone)

    def session_is_live(self, session_id: str, user_id: int) -> bool:
        """A portal request's check of its session (the API's is in actor_from_access_token)."""
        key = ("session", session_id, user_id)
        return reused(self._checked, key, lambda: self._session_is_live_at_service(session_id, user_id), bool)

    def _session_is_live_at_service(self, session_id: str, user_id: int) -> bool:
        return bool(super().session_is_live(session_id, user_id))

    def _start_session_check(self, session_id: str, user_id: int) -> Callable[[], bool]:
        if not self.checks_together:
            live = self._session_is_live_at_service(session_id, user_id)
            return lambda: live
        return cast(Callable[[], bool], self._start("session_is_live", (session_id, user_id), {}))
