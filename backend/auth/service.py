"""Authentication: password login with back-off, sessions, access and refresh tokens, logout.

Every answer to a client is one of three generic messages, whatever actually went wrong;
the real reason goes to the audit log and the server log, never back over the wire.

Each operation is a few short transactions rather than one long one: the argon2 check
(~50 ms) runs with no transaction open, and no transaction is open while another service
is called, so a login never holds row locks or two pooled connections at once.

Every signed-in party has a server-side session row (backend.auth.sessions): the portal's
cookie carries its id, an access token carries it as `sid` (an API login's session is its
refresh-token family). Each request checks the row, so logout, refresh-token reuse, a
password change and disabling the account end sessions at once, not at cookie or token
expiry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from backend.audit.service import AuditService
from backend.auth.models import LoginThrottleState
from backend.auth.refresh_tokens import RefreshTokenStore, RefreshTokenView
from backend.auth.schemas import TokenPair
from backend.auth.sessions import SessionKind, SessionStore
from backend.auth.throttle import BACKOFF_ALERTS, DEFERRED_ATTEMPTS, Attempt, Counted, LoginThrottle, Scope
from backend.auth.tokens import AccessClaims, AccessTokens, InvalidToken, KeyRing
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.platform.errors import TooManyRequests, Unauthenticated
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from backend.users.schemas import UserOut

log = logging.getLogger(__name__)

_GENERIC_FAILURE = "invalid email or password"
_INVALID_TOKEN = "invalid or expired token"  # noqa: S105 - a message, not a secret
_BACKING_OFF = "too many failed login attempts; try again after the Retry-After delay"

Clock = Callable[[], datetime]


class UserDirectory(Protocol):
    """What authentication needs from the user service (UserService provides it)."""

    def verify_credentials(self, email: str, password: str) -> UserOut | None: ...

    def find_id_by_email(self, email: str) -> int | None: ...

    def active_user(self, user_id: int) -> UserOut | None: ...


@dataclass(frozen=True)
class _Issued:
    pair: TokenPair
    refresh: RefreshTokenView
    access: AccessClaims


class AuthService:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        settings: Settings,
        *,
        keys: KeyRing,
        users: UserDirectory,
        clock: Clock = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._clock = clock
        self._throttle = LoginThrottle(
            free_account_failures=settings.login_max_failures_per_account,
            free_ip_failures=settings.login_max_failures_per_ip,
            max_delay_seconds=settings.login_lockout_seconds,
        )
        self._access = AccessTokens(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        )
        self._refresh = RefreshTokenStore(settings.refresh_token_ttl_seconds)
        self._sessions = SessionStore()
        # An API session must outlive every token of its family, whichever lives longer.
        self._api_session_ttl = max(
            self._refresh.ttl, timedelta(seconds=settings.access_token_ttl_seconds)
        )

    # -- login ----------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, client_ip: str | None) -> UserOut:
        """The user for these credentials. Unauthenticated for any wrong credential (one
        message for all), TooManyRequests while the account's or the address's back-off
        delay runs (the password is then not even checked)."""
        email = email.strip().lower()
        subjects = self._throttle.subjects(email, client_ip)
        with UnitOfWork(self._db) as uow:
            uow.write_first(LoginThrottleState.__tablename__, "failures")
            attempt = self._throttle.claim(uow.session, subjects, self._clock())
            if attempt.deferred_for is None:
                uow.commit()  # a deferred attempt is rolled back: it leaves no trace
        if attempt.deferred_for is not None:
            for scope in attempt.deferred_by:
                DEFERRED_ATTEMPTS.labels(scope.value).inc()
            log.info(
                "login deferred: backing off",
                extra={"account": subjects[0].key[:12], "retry_after": attempt.deferred_for},
            )
            raise TooManyRequests(_BACKING_OFF, retry_after_seconds=attempt.deferred_for)
        user = self._users.verify_credentials(email, password)
        if user is not None:
            return self._login_succeeded(user, attempt, client_ip)
        # Looked up for the audit trail only, and on every failure alike, so an unknown
        # email and a wrong password still cost the same.
        self._login_failed(self._users.find_id_by_email(email), attempt, client_ip)
        raise Unauthenticated(_GENERIC_FAILURE)

    def login_for_tokens(self, email: str, password: str, client_ip: str | None) -> TokenPair:
        return self.issue_tokens(self.authenticate(email, password, client_ip))

    def _login_succeeded(self, user: UserOut, attempt: Attempt, client_ip: str | None) -> UserOut:
        actor = actor_of(user)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            uow.write_first(LoginThrottleState.__tablename__, "failures")
            cleared = self._throttle.settle_success(uow.session, attempt, self._clock())
            self._audit.record(
                uow.session,
                actor,
                "login.succeeded",
                "user",
                user.id,
                before={"failed_attempts": cleared},
                after={"failed_attempts": 0, "client_ip": client_ip},
            )
            uow.commit()
        log.info("login succeeded", extra={"user_id": user.id})
        return user

    def _login_failed(self, account_id: int | None, attempt: Attempt, client_ip: str | None) -> None:
        # The attempt was counted as a failure before the password check; what is left is
        # to say so in the audit log, and to raise the alarm when the delay has grown large.
        account = attempt.of(Scope.ACCOUNT)
        address = attempt.of(Scope.IP)
        if account is None:  # pragma: no cover - every attempt names an account
            raise RuntimeError("login attempt counted without its account")
        # An email with no account is named by its hash: what people type there is
        # sometimes their password.
        target = (
            ("user", str(account_id))
            if account_id is not None
            else ("login_subject", account.subject.key[:32])
        )
        with UnitOfWork(self._db) as uow:
            self._audit.record(
                uow.session,
                None,
                "login.failed",
                *target,
                before={"failed_attempts": account.failures_before},
                after={
                    "failed_attempts": account.failures,
                    # The user service does not say whether a known account's password was
                    # wrong or the account is disabled; the audit log shows disables anyway.
                    "reason": "unknown_account" if account_id is None else "bad_credentials",
                    "client_ip": client_ip,
                    "ip_failed_attempts": address.failures if address else None,
                    "retry_after": max(c.retry_after for c in attempt.counted),
                },
            )
            for counted in attempt.counted:
                if self._throttle.is_alert(counted):
                    self._raise_backoff_alert(uow, counted, target)
            uow.commit()
        log.info("login failed", extra={"account": account.subject.key[:12], "known": account_id is not None})

    def _raise_backoff_alert(
        self, uow: UnitOfWork, counted: Counted, account_target: tuple[str, str]
    ) -> None:
        scope = counted.subject.scope
        target = account_target if scope is Scope.ACCOUNT else ("client_ip", counted.subject.label)
        self._audit.record(
            uow.session,
            None,
            "login.backoff_alert",
            *target,
            after={
                "scope": scope.value,
                "failed_attempts": counted.failures,
                "retry_after": counted.retry_after,
            },
        )
        BACKOFF_ALERTS.labels(scope.value).inc()
        # Named by user id, hash prefix (unknown email) or address: never the typed email.
        log.warning(
            "login back-off at alert level: someone keeps guessing",
            extra={
                "scope": scope.value,
                "object_type": target[0],
                "object_id": target[1],
                "failed_attempts": counted.failures,
                "retry_after": counted.retry_after,
            },
        )

    # -- portal sessions ------------------------------------------------------------------

    def start_portal_session(self, user_id: int, ttl_seconds: int) -> str:
        """A new portal session for an authenticated user: its id, for the signed cookie."""
        with UnitOfWork(self._db, f"user:{user_id}") as uow:
            session_id = self._sessions.open(
                uow.session, user_id, SessionKind.PORTAL, self._clock(), timedelta(seconds=ttl_seconds)
            )
            uow.commit()
        return session_id

    def session_is_live(self, session_id: str, user_id: int) -> bool:
        """Whether `session_id` is a live session of `user_id`: checked on every request."""
        # The primary, never a replica: a logout answered by another server must bite on
        # the very next request, not after replication catches up.
        with UnitOfWork(self._db) as uow:
            live = self._sessions.is_live(uow.session, session_id, user_id, self._clock())
        if not live:
            # Someone still holds a cookie or token of an ended session: worth a trace.
            log.info("session refused: ended or unknown", extra={"user_id": user_id})
        return live

    def end_session(self, actor: Actor, session_id: str | None) -> None:
        """A portal sign-out: the session's row is revoked, so a copy of the cookie taken
        before is refused from the next request on."""
        with UnitOfWork(self._db, actor.reader_key) as uow:
            ended = (
                self._sessions.revoke(uow.session, session_id, self._clock(), "logout")
                if session_id is not None
                else False
            )
            self._audit.record(
                uow.session,
                actor,
                "session.logged_out",
                "user",
                actor.user_id,
                after={"session_ended": ended},
            )
            uow.commit()

    def revoke_user_sessions(self, user_id: int, reason: str, actor: Actor | None = None) -> int:
        """End every session of a user, portal and API, and revoke all their refresh tokens
        (a password change, a disabled account). Idempotent; returns the sessions ended."""
        with UnitOfWork(self._db, f"user:{user_id}") as uow:
            sessions, tokens = self._sessions.revoke_user(uow.session, user_id, self._clock(), reason)
            self._audit.record(
                uow.session,
                actor,
                "sessions.revoked",
                "user",
                user_id,
                after={"reason": reason, "sessions": sessions, "refresh_tokens": tokens},
            )
            uow.commit()
        log.info("sessions revoked", extra={"user_id": user_id, "reason": reason, "sessions": sessions})
        return sessions

    # -- tokens ---------------------------------------------------------------------------

    def issue_tokens(self, user: UserOut) -> TokenPair:
        """A new API session: an access token and the first refresh token of its family."""
        current = self._users.active_user(user.id)
        if current is None:
            raise Unauthenticated(_GENERIC_FAILURE)
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
            raise Unauthenticated(_INVALID_TOKEN)
        if not presented.usable(self._clock()):
            if presented.used_at is not None and presented.revoked_at is None:
                with UnitOfWork(self._db) as uow:
                    self._revoke_for_reuse(uow, presented)
                    uow.commit()
            else:
                log.info("refresh refused: token expired or revoked", extra={"token_id": presented.id})
            raise Unauthenticated(_INVALID_TOKEN)
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
                raise Unauthenticated(_INVALID_TOKEN)
            if not self._sessions.extend(uow.session, presented.family_id, now, now + self._api_session_ttl):
                # The session was ended (everywhere-logout, password change): its family
                # goes with it, whatever state its tokens were left in.
                self._refresh.revoke_family(uow.session, presented.family_id, now, "session_ended")
                uow.commit()
                log.info("refresh refused: session ended", extra={"token_id": presented.id})
                raise Unauthenticated(_INVALID_TOKEN)
            if not self._refresh.claim(uow.session, presented.id, now):
                # Spent or revoked between our look and our claim: a concurrent refresh won.
                latest = self._refresh.find(uow.session, refresh_token)
                if latest is not None and latest.used_at is not None and latest.revoked_at is None:
                    self._revoke_for_reuse(uow, latest)
                    uow.commit()
                raise Unauthenticated(_INVALID_TOKEN)
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
            extra={"user_id": presented.user_id, "refresh_family": presented.family_id},
        )

    def _issue(
        self, uow: UnitOfWork, user: UserOut, session_id: str, *, parent: RefreshTokenView | None
    ) -> _Issued:
        now = self._clock()
        access = self._access.issue(user.id, Role(user.role), now, session_id=session_id)
        secret, refresh = self._refresh.issue(uow.session, user.id, session_id, now, parent=parent)
        pair = TokenPair(access_token=access.token, refresh_token=secret, expires_in=self._access.ttl_seconds)
        return _Issued(pair, refresh, access.claims)

    # -- logout ---------------------------------------------------------------------------

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
                raise Unauthenticated(_INVALID_TOKEN) from None
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

    # -- identities -----------------------------------------------------------------------

    def actor_from_access_token(self, token: str) -> Actor:
        """The actor a Bearer token speaks for; Unauthenticated with one message otherwise."""
        try:
            claims = self._access.verify(token, self._clock())
        except InvalidToken as exc:
            log.info("access token refused", extra={"reason": str(exc)})
            raise Unauthenticated(_INVALID_TOKEN) from None
        if not self.session_is_live(claims.session_id, claims.user_id):
            raise Unauthenticated(_INVALID_TOKEN)
        user = self._users.active_user(claims.user_id)
        if user is None:
            log.info("access token refused", extra={"reason": "user inactive", "user_id": claims.user_id})
            raise Unauthenticated(_INVALID_TOKEN)
        # The role comes from the user record, not the claim: a demotion bites at once.
        return actor_of(user)

    def actor_for_user_id(self, user_id: int) -> Actor | None:
        """The actor behind a portal session, or None when the user is gone or disabled."""
        user = self._users.active_user(user_id)
        return actor_of(user) if user else None

    # -- housekeeping ---------------------------------------------------------------------

    def purge_expired(self) -> int:
        """Delete state that can no longer matter (for a periodic task): expired refresh
        tokens and sessions, and back-off rows whose failures have all leaked away."""
        with UnitOfWork(self._db) as uow:
            now = self._clock()
            removed = (
                self._refresh.purge(uow.session, now)
                + self._sessions.purge(uow.session, now)
                + self._throttle.purge(uow.session, now)
            )
            uow.commit()
        log.info("expired auth state purged", extra={"rows": removed})
        return removed


def actor_of(user: UserOut) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), label=f"user:{user.email}")
