"""An API login's token pairs: issuing the first pair of a new API session, trading a refresh
token for the next pair, and logout.

An API session is its refresh-token family: one session row and one family share an id, and
every access token minted for it carries that id as `sid`. A refresh token is spent when
used; presenting a spent one again means two parties hold it, so the whole family and its
session are revoked (RFC 9700 §4.14).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from backend.audit.interface import AuditService
from backend.auth.identity import GENERIC_FAILURE, INVALID_TOKEN, LOGGER_NAME, Clock, UserDirectory, actor_of
from backend.auth.refresh_tokens import RefreshTokenStore, RefreshTokenView
from backend.auth.schemas import TokenPair
from backend.auth.sessions import SessionKind, SessionStore
from backend.auth.tokens import AccessClaims, AccessTokens, InvalidToken
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Unauthenticated
from backend.platform.unit_of_work import UnitOfWork
from backend.users.interface import UserOut

log = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class _Issued:
    pair: TokenPair
    refresh: RefreshTokenView
    access: AccessClaims


class TokenPairs:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserDirectory,
        clock: Clock,
        *,
        access: AccessTokens,
        refresh: RefreshTokenStore,
        sessions: SessionStore,
        api_session_ttl: timedelta,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._clock = clock
        self._access = access
        self._refresh = refresh
        self._sessions = sessions
        self._api_session_ttl = api_session_ttl

    def issue_tokens(self, user: UserOut) -> TokenPair:
        """A new API session: an access token and the first refresh token of its family."""
        current = self._users.active_user(user.id)
        if current is None:
            raise Unauthenticated(GENERIC_FAILURE)
        actor = actor_of(current)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            session_id = self._sessions.open(
                uow.session, current.id, SessionKind.API, self._clock(), self._api_session_ttl
            )
            issued = self._issue(uow, current, session_id, parent=None)
            self._audit.record(
                uow.session,
                actor,
                "tokens.issued",
                "user",
                current.id,
                after={"refresh_family": issued.refresh.family_id, "access_jti": issued.access.jti},
            )
            uow.commit()
        return issued.pair

    def refresh(self, refresh_token: str) -> TokenPair:
        """Trade a refresh token for a new pair. The old token is spent; presenting a spent
        token again means two parties hold it, so its whole family is revoked (RFC 9700 §4.14),
        and with it the session, so the access tokens minted from it stop working too."""
        with UnitOfWork(self._db) as uow:
            presented = self._refresh.find(uow.session, refresh_token)
        if presented is None:
            log.info("refresh refused: unknown token")
            raise Unauthenticated(INVALID_TOKEN)
        if not presented.usable(self._clock()):
            if presented.used_at is not None and presented.revoked_at is None:
                with UnitOfWork(self._db) as uow:
                    self._revoke_for_reuse(uow, presented)
                    uow.commit()
            else:
                log.info("refresh refused: token expired or revoked", extra={"refresh_id": presented.id})
            raise Unauthenticated(INVALID_TOKEN)
        user = self._users.active_user(presented.user_id)
        with UnitOfWork(self._db, f"user:{presented.user_id}") as uow:
            now = self._clock()
            if user is None:
                revoked = self._end_family(uow, presented.family_id, "user_inactive")
                self._audit.record(
                    uow.session,
                    None,
                    "refresh.refused_inactive_user",
                    "user",
                    presented.user_id,
                    after={"refresh_family": presented.family_id, "revoked_tokens": revoked},
                )
                uow.commit()
                raise Unauthenticated(INVALID_TOKEN)
            if not self._sessions.extend(uow.session, presented.family_id, now, now + self._api_session_ttl):
                # The session was ended (everywhere-logout, password change): its family
                # goes with it, whatever state its tokens were left in.
                self._refresh.revoke_family(uow.session, presented.family_id, now, "session_ended")
                uow.commit()
                log.info("refresh refused: session ended", extra={"refresh_id": presented.id})
                raise Unauthenticated(INVALID_TOKEN)
            if not self._refresh.claim(uow.session, presented.id, now):
                # Spent or revoked between our look and our claim: a concurrent refresh won.
                latest = self._refresh.find(uow.session, refresh_token)
                if latest is not None and latest.used_at is not None and latest.revoked_at is None:
                    self._revoke_for_reuse(uow, latest)
                    uow.commit()
                raise Unauthenticated(INVALID_TOKEN)
            actor = actor_of(user)
            issued = self._issue(uow, user, presented.family_id, parent=presented)
            self._audit.record(
                uow.session,
                actor,
                "token.refreshed",
                "user",
                user.id,
                before={"refresh_token_id": presented.id},
                after={
                    "refresh_token_id": issued.refresh.id,
                    "refresh_family": issued.refresh.family_id,
                    "access_jti": issued.access.jti,
                },
            )
            uow.commit()
        return issued.pair

    def _end_family(self, uow: UnitOfWork, family_id: str, reason: str) -> int:
        """Revoke a refresh family and the session it is (same id); the tokens revoked."""
        now = self._clock()
        self._sessions.revoke(uow.session, family_id, now, reason)
        return self._refresh.revoke_family(uow.session, family_id, now, reason)

    def _revoke_for_reuse(self, uow: UnitOfWork, presented: RefreshTokenView) -> None:
        revoked = self._end_family(uow, presented.family_id, "reuse")
        # Whoever presented it may be the thief or the victim: no actor is claimed.
        self._audit.record(
            uow.session,
            None,
            "refresh.reuse_detected",
            "user",
            presented.user_id,
            before={"refresh_family": presented.family_id, "family_revoked": False},
            after={
                "refresh_family": presented.family_id,
                "family_revoked": True,
                "revoked_tokens": revoked,
                "presented_token_id": presented.id,
            },
        )
        log.warning(
            "refresh token reuse: family and its session revoked",
            extra={"subject_user_id": presented.user_id, "refresh_family": presented.family_id},
        )

    def _issue(
        self, uow: UnitOfWork, user: UserOut, session_id: str, *, parent: RefreshTokenView | None
    ) -> _Issued:
        now = self._clock()
        access = self._access.issue(user.id, Role(user.role), now, session_id=session_id)
        secret, refresh = self._refresh.issue(uow.session, user.id, session_id, now, parent=parent)
        pair = TokenPair(access_token=access.token, refresh_token=secret, expires_in=self._access.ttl_seconds)
        return _Issued(pair, refresh, access.claims)

    def logout(self, access_token: str | None, refresh_token: str | None) -> None:
        """End the access token's session: every access token minted for it and its whole
        refresh family. A refresh token of another family of the same user is ended too; one
        belonging to someone other than the access token's user is left alone; an unknown or
        already revoked one is no error (logout is idempotent).
        """
        claims: AccessClaims | None = None
        if access_token is not None:
            try:
                claims = self._access.verify(access_token, self._clock())
            except InvalidToken as exc:
                log.info("logout refused: access token invalid", extra={"reason": str(exc)})
                raise Unauthenticated(INVALID_TOKEN) from None
        user = self._users.active_user(claims.user_id) if claims else None
        with UnitOfWork(self._db, f"user:{claims.user_id}" if claims else None) as uow:
            family = self._refresh.find(uow.session, refresh_token) if refresh_token else None
            if family is not None and claims is not None and family.user_id != claims.user_id:
                family = None
            subject_id = claims.user_id if claims else family.user_id if family else None
            if subject_id is None:
                return
            ended = {claims.session_id} if claims else set()
            if family is not None:
                ended.add(family.family_id)
            revoked = sum(self._end_family(uow, session_id, "logout") for session_id in sorted(ended))
            actor: Actor | None = None  # a bare refresh token proves possession, not identity
            if user is not None:
                actor = actor_of(user)
            elif claims is not None:
                actor = Actor(user_id=claims.user_id, role=claims.role, label=f"user:{claims.user_id}")
            self._audit.record(
                uow.session,
                actor,
                "logout",
                "user",
                subject_id,
                after={
                    "access_jti": claims.jti if claims else None,
                    "refresh_family": family.family_id if family else None,
                    "sessions_ended": sorted(ended),
                    "revoked_refresh_tokens": revoked,
                },
            )
            uow.commit()
