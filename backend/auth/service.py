"""Authentication: password login with throttling, access and refresh tokens, logout.

Every answer to a client is one of three generic messages, whatever actually went wrong;
the real reason goes to the audit log and the server log, never back over the wire.

Each operation is a few short transactions rather than one long one: the argon2 check
(~50 ms) runs with no transaction open, and no transaction is open while another service
is called, so a login never holds row locks or two pooled connections at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from backend.actors import Actor, Role
from backend.audit.service import AuditService
from backend.auth.models import LoginThrottleState
from backend.auth.refresh_tokens import RefreshTokenStore, RefreshTokenView
from backend.auth.revocations import AccessTokenRevocations
from backend.auth.schemas import TokenPair
from backend.auth.throttle import FailureOutcome, LoginThrottle, Scope, Subject
from backend.auth.tokens import AccessClaims, AccessTokens, InvalidToken, KeyRing
from backend.config import Settings
from backend.db import Database
from backend.errors import TooManyRequests, Unauthenticated
from backend.orm import utcnow
from backend.unit_of_work import UnitOfWork
from backend.users.schemas import UserOut

log = logging.getLogger(__name__)

_GENERIC_FAILURE = "invalid email or password"
_INVALID_TOKEN = "invalid or expired token"  # noqa: S105 - a message, not a secret
_LOCKED = "too many failed login attempts; try again later"

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
            max_account_failures=settings.login_max_failures_per_account,
            max_ip_failures=settings.login_max_failures_per_ip,
            lockout_seconds=settings.login_lockout_seconds,
        )
        self._access = AccessTokens(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        )
        self._refresh = RefreshTokenStore(settings.refresh_token_ttl_seconds)
        self._revocations = AccessTokenRevocations()

    # -- login ----------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, client_ip: str | None) -> UserOut:
        """The user for these credentials. Unauthenticated for any wrong credential (one
        message for all), TooManyRequests while the account or the address is locked."""
        email = email.strip().lower()
        subjects = self._throttle.subjects(email, client_ip)
        with UnitOfWork(self._db) as uow:
            wait = self._throttle.retry_after(uow.session, subjects, self._clock())
        if wait is not None:
            log.info(
                "login refused: locked out", extra={"account": subjects[0].key[:12], "retry_after": wait}
            )
            raise TooManyRequests(_LOCKED, retry_after_seconds=wait)
        user = self._users.verify_credentials(email, password)
        if user is not None:
            return self._login_succeeded(user, subjects, client_ip)
        # Looked up for the audit trail only, and on every failure alike, so an unknown
        # email and a wrong password still cost the same.
        self._login_failed(self._users.find_id_by_email(email), subjects, client_ip)
        raise Unauthenticated(_GENERIC_FAILURE)

    def login_for_tokens(self, email: str, password: str, client_ip: str | None) -> TokenPair:
        return self.issue_tokens(self.authenticate(email, password, client_ip))

    def _login_succeeded(self, user: UserOut, subjects: list[Subject], client_ip: str | None) -> UserOut:
        actor = actor_of(user)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            uow.write_first(LoginThrottleState.__tablename__, "failures")
            outcome = self._throttle.record_success(uow.session, subjects, self._clock())
            if outcome.retry_after is not None:
                # A concurrent failure locked the account while this password was checked.
                raise TooManyRequests(_LOCKED, retry_after_seconds=outcome.retry_after)
            self._audit.record(
                uow.session,
                actor,
                "login.succeeded",
                "user",
                user.id,
                before={"failed_attempts": outcome.cleared_failures},
                after={"failed_attempts": 0, "client_ip": client_ip},
            )
            uow.commit()
        log.info("login succeeded", extra={"user_id": user.id})
        return user

    def _login_failed(self, account_id: int | None, subjects: list[Subject], client_ip: str | None) -> None:
        with UnitOfWork(self._db) as uow:
            uow.write_first(LoginThrottleState.__tablename__, "failures")
            outcomes = self._throttle.record_failure(uow.session, subjects, self._clock())
            account = outcomes[0]
            # An email with no account is named by its hash: what people type there is
            # sometimes their password.
            target = (
                ("user", str(account_id))
                if account_id is not None
                else ("login_subject", account.subject.key[:32])
            )
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
                    "ip_failed_attempts": next(
                        (o.failures for o in outcomes if o.subject.scope is Scope.IP), None
                    ),
                },
            )
            for outcome in outcomes:
                if outcome.locked_until is not None:
                    self._record_lockout(uow, outcome, outcome.locked_until, target)
            uow.commit()
        log.info("login failed", extra={"account": subjects[0].key[:12], "known": account_id is not None})

    def _record_lockout(
        self,
        uow: UnitOfWork,
        outcome: FailureOutcome,
        locked_until: datetime,
        account_target: tuple[str, str],
    ) -> None:
        target = (
            account_target if outcome.subject.scope is Scope.ACCOUNT else ("client_ip", outcome.subject.label)
        )
        self._audit.record(
            uow.session,
            None,
            "login.locked_out",
            *target,
            before={"locked_until": None},
            after={
                "scope": outcome.subject.scope.value,
                "failed_attempts": outcome.failures,
                "locked_until": locked_until.isoformat(),
            },
        )
        log.warning("login locked out", extra={"scope": outcome.subject.scope.value, "object_id": target[1]})

    # -- tokens ---------------------------------------------------------------------------

    def issue_tokens(self, user: UserOut) -> TokenPair:
        """A new access token and the first refresh token of a new rotation family."""
        current = self._users.active_user(user.id)
        if current is None:
            raise Unauthenticated(_GENERIC_FAILURE)
        actor = actor_of(current)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            issued = self._issue(uow, current, parent=None)
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
        token again means two parties hold it, so its whole family is revoked (RFC 9700 §4.14)."""
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
                revoked = self._refresh.revoke_family(uow.session, presented.family_id, now, "user_inactive")
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
            if not self._refresh.claim(uow.session, presented.id, now):
                # Spent or revoked between our look and our claim: a concurrent refresh won.
                latest = self._refresh.find(uow.session, refresh_token)
                if latest is not None and latest.used_at is not None and latest.revoked_at is None:
                    self._revoke_for_reuse(uow, latest)
                    uow.commit()
                raise Unauthenticated(_INVALID_TOKEN)
            actor = actor_of(user)
            issued = self._issue(uow, user, parent=presented)
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

    def _revoke_for_reuse(self, uow: UnitOfWork, presented: RefreshTokenView) -> None:
        revoked = self._refresh.revoke_family(uow.session, presented.family_id, self._clock(), "reuse")
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
            "refresh token reuse: family revoked",
            extra={"user_id": presented.user_id, "refresh_family": presented.family_id},
        )

    def _issue(self, uow: UnitOfWork, user: UserOut, *, parent: RefreshTokenView | None) -> _Issued:
        now = self._clock()
        access = self._access.issue(user.id, Role(user.role), now)
        secret, refresh = self._refresh.issue(uow.session, user.id, now, parent=parent)
        pair = TokenPair(access_token=access.token, refresh_token=secret, expires_in=self._access.ttl_seconds)
        return _Issued(pair, refresh, access.claims)

    # -- logout ---------------------------------------------------------------------------

    def end_session(self, actor: Actor) -> None:
        """A portal sign-out. The signed cookie is simply cleared, so there is nothing to
        revoke here, but the state change belongs in the audit log like any other."""
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._audit.record(uow.session, actor, "session.logged_out", "user", actor.user_id)
            uow.commit()

    def logout(self, access_token: str | None, refresh_token: str | None) -> None:
        """Revoke the access token (until its expiry) and the refresh token's whole family.

        A refresh token belonging to someone other than the access token's user is left
        alone; an unknown or already revoked one is no error (logout is idempotent).
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
            now = self._clock()
            family = self._refresh.find(uow.session, refresh_token) if refresh_token else None
            if family is not None and claims is not None and family.user_id != claims.user_id:
                family = None
            subject_id = claims.user_id if claims else family.user_id if family else None
            if subject_id is None:
                return
            revoked = 0
            if family is not None:
                revoked = self._refresh.revoke_family(uow.session, family.family_id, now, "logout")
            if claims is not None:
                self._revocations.revoke(uow.session, claims, now)
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
        # The primary, never a replica: a logout answered by another server must bite on
        # the very next request, not after replication catches up.
        with UnitOfWork(self._db) as uow:
            revoked = self._revocations.is_revoked(uow.session, claims.jti)
        if revoked:
            log.info("access token refused", extra={"reason": "revoked", "user_id": claims.user_id})
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
        tokens and revocations, and throttle rows neither locked nor counting."""
        with UnitOfWork(self._db) as uow:
            now = self._clock()
            removed = (
                self._refresh.purge(uow.session, now)
                + self._revocations.purge(uow.session, now)
                + self._throttle.purge(uow.session, now)
            )
            uow.commit()
        log.info("expired auth state purged", extra={"rows": removed})
        return removed


def actor_of(user: UserOut) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), label=f"user:{user.email}")
