"""Password login with back-off: the credentials check, and what a success or a failure
leaves in the audit log, the metrics and the server log.

Each attempt is counted against the account and the client's address before the password is
checked (backend.auth.throttle); while either's back-off delay runs the password is not
even checked. The argon2 check (~50 ms) runs with no transaction open, so a login never
holds row locks across it.
"""

from __future__ import annotations

import logging

from backend.audit.interface import AuditService
from backend.auth.identity import BACKING_OFF, GENERIC_FAILURE, LOGGER_NAME, Clock, UserDirectory, actor_of
from backend.auth.models import LoginThrottleState
from backend.auth.throttle import BACKOFF_ALERTS, DEFERRED_ATTEMPTS, Attempt, Counted, LoginThrottle, Scope
from backend.platform.db import Database
from backend.platform.errors import TooManyRequests, Unauthenticated
from backend.platform.unit_of_work import UnitOfWork
from backend.users.interface import UserOut

log = logging.getLogger(LOGGER_NAME)


class PasswordLogin:
    def __init__(
        self, db: Database, audit: AuditService, users: UserDirectory, throttle: LoginThrottle, clock: Clock
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._throttle = throttle
        self._clock = clock

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
            raise TooManyRequests(BACKING_OFF, retry_after_seconds=attempt.deferred_for)
        user = self._users.verify_credentials(email, password)
        if user is not None:
            return self._login_succeeded(user, attempt, client_ip)
        # Looked up for the audit trail only, and on every failure alike, so an unknown
        # email and a wrong password still cost the same.
        self._login_failed(self._users.find_id_by_email(email), attempt, client_ip)
        raise Unauthenticated(GENERIC_FAILURE)

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
        log.info("login succeeded", extra={"subject_user_id": user.id})
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
