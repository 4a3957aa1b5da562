"""Authentication: password login with back-off, sessions, access and refresh tokens, logout.

Every answer to a client is one of three generic messages, whatever actually went wrong;
the real reason goes to the audit log and the server log, never back over the wire
(backend.auth.identity).

Each operation is a few short transactions rather than one long one: the argon2 check
(~50 ms) runs with no transaction open, and no transaction is open while another service
is called, so a login never holds row locks or two pooled connections at once.

Every signed-in party has a server-side session row (backend.auth.sessions): the portal's
cookie carries its id, an access token carries it as `sid` (an API login's session is its
refresh-token family). Each request checks the row, so logout, refresh-token reuse, a
password change and disabling the account end sessions at once, not at cookie or token
expiry.

The service holds the sessions and identities itself; password login lives in
backend.auth.login, an API login's token pairs (issue, refresh, logout) in
backend.auth.token_pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from backend.audit.interface import AuditService
from backend.auth.access_check import access_tokens, actor_of_live_session, verified_claims
from backend.auth.checked_sessions import CheckedSessions, always, is_someone, reused
from backend.auth.devices import DeviceBook, NewDevice, SignInDevice
from backend.auth.identity import LOGGER_NAME, Clock, UserDirectory, actor_of
from backend.auth.login import PasswordLogin
from backend.auth.password_resets import PasswordResets, ResetMailer
from backend.auth.refresh_tokens import RefreshTokenStore
from backend.auth.schemas import TokenPair
from backend.auth.sessions import SessionKind, SessionStore
from backend.auth.throttle import LoginThrottle
from backend.auth.token_pairs import TokenPairs
from backend.auth.tokens import KeyRing
from backend.platform.actors import Actor
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.users.interface import UserOut

log = logging.getLogger(LOGGER_NAME)


class DatabaseAuthService:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        settings: Settings,
        *,
        keys: KeyRing,
        users: UserDirectory,
        clock: Clock = utcnow,
        on_new_device: NewDevice | None = None,
        on_password_reset: ResetMailer | None = None,
        checked: CheckedSessions | None = None,
    ) -> None:
        self._db = db
        self._checked = checked
        self._devices = DeviceBook(db, clock, on_new_device)
        self._audit = audit
        self._users = users
        self._clock = clock
        self._throttle = LoginThrottle(
            free_account_failures=settings.login_max_failures_per_account,
            free_ip_failures=settings.login_max_failures_per_ip,
            max_delay_seconds=settings.login_lockout_seconds,
        )
        self._access = access_tokens(keys, settings)
        self._refresh = RefreshTokenStore(settings.refresh_token_ttl_seconds)
        self._sessions = SessionStore()
        # An API session must outlive every token of its family, whichever lives longer.
        api_session_ttl = max(self._refresh.ttl, timedelta(seconds=settings.access_token_ttl_seconds))
        self._login = PasswordLogin(db, audit, users, self._throttle, clock)
        self._resets = PasswordResets(
            db,
            audit,
            users,
            clock,
            ttl=timedelta(seconds=settings.password_reset_ttl_seconds),
            mailer=on_password_reset,
        )
        self._token_pairs = TokenPairs(
            db,
            audit,
            users,
            clock,
            access=self._access,
            refresh=self._refresh,
            sessions=self._sessions,
            api_session_ttl=api_session_ttl,
        )

    # -- login ----------------------------------------------------------------------------

    def authenticate(
        self, email: str, password: str, client_ip: str | None, device: SignInDevice | None = None
    ) -> UserOut:
        """The user for these credentials. Unauthenticated for any wrong credential (one
        message for all), TooManyRequests while the account's or the address's back-off
        delay runs (the password is then not even checked). A sign-in from a `device` the
        person has not used before warns them (devices.py)."""
        user = self._login.authenticate(email, password, client_ip)
        if device is not None:
            self._devices.recognise(user.id, device, client_ip)
        return user

    def login_for_tokens(
        self, email: str, password: str, client_ip: str | None, device: SignInDevice | None = None
    ) -> TokenPair:
        return self.issue_tokens(self.authenticate(email, password, client_ip, device))

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
        """Whether `session_id` is a live session of `user_id`: checked on every request (or
        reused while `checked` allows: backend.auth.checked_sessions)."""
        key = ("session", session_id, user_id)
        return reused(self._checked, key, lambda: self._session_is_live_now(session_id, user_id), bool)

    def _session_is_live_now(self, session_id: str, user_id: int) -> bool:
        # The primary, never a replica: a logout answered by another server must bite on
        # the very next request, not after replication catches up.
        with ReadView(self._db, primary=True) as view:
            live = self._sessions.is_live(view.session, session_id, user_id, self._clock())
        if not live:
            # Someone still holds a cookie or token of an ended session: worth a trace.
            log.info("session refused: ended or unknown", extra={"subject_user_id": user_id})
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
        log.info(
            "sessions revoked", extra={"subject_user_id": user_id, "reason": reason, "sessions": sessions}
        )
        return sessions

    # -- password resets -----------------------------------------------------------------

    def request_password_reset(self, actor: Actor, user_id: int) -> UserOut:
        """Admin: email the user a one-time link to choose a new password (password_resets.py)."""
        return self._resets.request(actor, user_id)

    def request_own_password_reset(self, email: str) -> None:
        """Anyone (the login page's "Forgot password?"): a reset link to the active account with
        this sign-in address, if any, a few per hour at most. Returns nothing either way."""
        self._resets.request_own(email)

    def reset_password(self, token: str, new_password: str) -> None:
        """Whoever holds a live reset link: the account's new password; the link is spent and
        every session of the account ends. ValidationFailed (field "token") for any bad link."""
        self._resets.use(token, new_password)

    # -- tokens ---------------------------------------------------------------------------

    def issue_tokens(self, user: UserOut) -> TokenPair:
        """A new API session: an access token and the first refresh token of its family."""
        return self._token_pairs.issue_tokens(user)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Trade a refresh token for a new pair. The old token is spent; presenting a spent
        token again means two parties hold it, so its whole family is revoked (RFC 9700 §4.14),
        and with it the session, so the access tokens minted from it stop working too."""
        return self._token_pairs.refresh(refresh_token)

    # -- logout ---------------------------------------------------------------------------

    def logout(self, access_token: str | None, refresh_token: str | None) -> None:
        """End the access token's session: every access token minted for it and its whole
        refresh family. A refresh token of another family of the same user is ended too; one
        belonging to someone other than the access token's user is left alone; an unknown or
        already revoked one is no error (logout is idempotent).
        """
        self._token_pairs.logout(access_token, refresh_token)

    # -- identities -----------------------------------------------------------------------

    def actor_from_access_token(self, token: str) -> Actor:
        """The actor a Bearer token speaks for; Unauthenticated with one message otherwise.
        The token is verified every time; its session and user checks may be reused."""
        claims = verified_claims(token, self._clock(), self._access)

        def check() -> Actor:
            return actor_of_live_session(claims, session_check=self._session_check, users=self._users)

        return reused(self._checked, ("token", claims.session_id, claims.user_id), check, always)

    def _session_check(self, session_id: str, user_id: int) -> Callable[[], bool]:
        live = self._session_is_live_now(session_id, user_id)
        return lambda: live

    def actor_for_user_id(self, user_id: int) -> Actor | None:
        """The actor behind a portal session, or None when the user is gone or disabled."""

        def check() -> Actor | None:
            user = self._users.active_user(user_id)
            return actor_of(user) if user else None

        return reused(self._checked, ("user", user_id), check, is_someone)

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
                + self._resets.purge(uow.session, now)
            )
            uow.commit()
        log.info("expired auth state purged", extra={"rows": removed})
        return removed
