"""Password resets by email: an admin (or, later, the person) asks; the person gets a one-time
link and chooses a new password with it.

The link's token is random (256 bits) and is kept only as its sha256, so a copy of the
database opens nobody's account. It works once, for Settings.password_reset_ttl_seconds, and a
newer request voids the ones before it: only the latest email counts. The token goes to the
notification service through the callback the container wires (an email to the account's own
address), and nowhere else: not the audit log, not the server log, not an in-app notice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.auth.identity import LOGGER_NAME, Clock, UserDirectory
from backend.auth.models import PasswordResetToken
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import (
    Conflict,
    DependencyUnavailable,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from backend.platform.unit_of_work import UnitOfWork
from backend.users.interface import PASSWORD_MAX, PASSWORD_MIN, UserOut

log = logging.getLogger(LOGGER_NAME)

ResetMailer = Callable[[int, int, str, datetime], None]
"""(user id, reset id, token, expires at): email the person their link (the notifications)."""

INVALID_LINK = (
    "this reset link is not valid any more (used, replaced by a newer one, or expired); ask for a new one"
)
SELF_SERVICE_MAX = 3
SELF_SERVICE_WINDOW = timedelta(hours=1)
"""Links the login page's "Forgot password?" sends one account at most, per window."""
MAX_TOKEN = 100
"""Characters a presented token may have (ours are 43); anything longer is not one of ours."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PasswordResets:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserDirectory,
        clock: Clock,
        *,
        ttl: timedelta,
        mailer: ResetMailer | None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._clock = clock
        self._ttl = ttl
        self._mailer = mailer

    def request(self, actor: Actor, user_id: int) -> UserOut:
        """Admin: email the user a new reset link (older ones stop working). The account keeps
        its password until the link is used. Audited: who asked, for whom, until when."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin may send a password reset")
        user = self._users.active_user(user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found, or disabled: enable the account first")
        if self._mailer is None:
            raise Conflict("password reset: no email is configured to send the link with")
        self._issue(actor, user_id, actor.reader_key)
        return user

    def request_own(self, email: str) -> None:
        """Anyone, from the login page: email a reset link to the account with this sign-in
        address, if an active one has it. Says nothing either way (the caller answers the same
        whatever happened), and sends at most SELF_SERVICE_MAX links per account per
        SELF_SERVICE_WINDOW, so the form cannot be used to flood someone's mailbox."""
        user_id = self._users.find_id_by_email(email[:254])
        user = self._users.active_user(user_id) if user_id is not None else None
        if user is None or self._mailer is None:
            return
        since = self._clock() - SELF_SERVICE_WINDOW
        with UnitOfWork(self._db) as uow:
            recent = uow.session.scalar(
                select(func.count())
                .select_from(PasswordResetToken)
                .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at >= since)
            )
        if int(recent or 0) >= SELF_SERVICE_MAX:
            log.info("password reset not sent: too many lately", extra={"subject_user_id": user.id})
            return
        # A failure is logged; the person is told the same as anyone, and may ask again.
        with contextlib.suppress(DependencyUnavailable):
            self._issue(None, user.id, f"user:{user.id}")

    def _issue(self, actor: Actor | None, user_id: int, reader_key: str) -> None:
        """A new link for the user (voiding the older ones), committed, then emailed."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        expires = now + self._ttl
        with UnitOfWork(self._db, reader_key) as uow:
            voided = uow.session.execute(
                update(PasswordResetToken)
                .where(
                    PasswordResetToken.user_id == user_id,
                    PasswordResetToken.used_at.is_(None),
                    PasswordResetToken.voided_at.is_(None),
                )
                .values(voided_at=now)
            )
            row = PasswordResetToken(
                token_hash=token_hash(token),
                user_id=user_id,
                requested_by=actor.user_id if actor else None,
                created_at=now,
                expires_at=expires,
            )
            uow.session.add(row)
            uow.session.flush()
            reset_id = row.id
            self._audit.record(
                uow.session,
                actor,
                "password_reset.requested",
                "user",
                user_id,
                after={
                    "reset_id": reset_id,
                    "expires_at": expires.isoformat(timespec="seconds"),
                    "older_links_voided": int(getattr(voided, "rowcount", 0) or 0),
                    "asked_by": "an admin" if actor else "the person, from the login page",
                },
            )
            uow.commit()
        try:
            # After the commit, no transaction open while the notification service is called.
            if self._mailer is not None:
                self._mailer(user_id, reset_id, token, expires)
        except Exception:
            log.exception(
                "password reset email not queued", extra={"subject_user_id": user_id, "reset_id": reset_id}
            )
            raise DependencyUnavailable(
                "the reset email could not be queued; nothing was sent, try again"
            ) from None
        log.info("password reset sent", extra={"subject_user_id": user_id, "reset_id": reset_id})

    def use(self, token: str, new_password: str) -> None:
        """Anyone holding a live link: set the account's new password. The link is spent first
        (so two tabs cannot both use it), then the password changes and every session of the
        account ends. One message for every kind of bad link: nothing is told about accounts."""
        if not PASSWORD_MIN <= len(new_password) <= PASSWORD_MAX:
            # Checked before the link is spent: a too-short password must not cost the link.
            raise ValidationFailed(f"password: {PASSWORD_MIN} to {PASSWORD_MAX} characters", field="password")
        if not token or len(token) > MAX_TOKEN:
            raise ValidationFailed(f"token: {INVALID_LINK}", field="token")
        now = self._clock()
        with UnitOfWork(self._db) as uow:
            row = uow.session.scalar(
                select(PasswordResetToken)
                .where(PasswordResetToken.token_hash == token_hash(token))
                .with_for_update()
            )
            if row is None or row.used_at is not None or row.voided_at is not None or row.expires_at <= now:
                log.info("password reset link refused", extra={"reset_id": row.id if row else None})
                raise ValidationFailed(f"token: {INVALID_LINK}", field="token")
            row.used_at = now
            user_id, reset_id = row.user_id, row.id
            self._audit.record(
                uow.session, None, "password_reset.used", "user", user_id, after={"reset_id": reset_id}
            )
            uow.commit()
        try:
            self._users.reset_password(user_id, new_password)
        except NotFound:
            # Disabled (or removed) since the link was sent: the link is spent, nothing changed.
            raise ValidationFailed(f"token: {INVALID_LINK}", field="token") from None
        log.info("password reset used", extra={"subject_user_id": user_id, "reset_id": reset_id})

    def purge(self, session: Session, now: datetime) -> int:
        """Delete links that can no longer be used (expired a day ago: kept briefly for support)."""
        result = session.execute(
            delete(PasswordResetToken).where(PasswordResetToken.expires_at < now - timedelta(days=1))
        )
        return int(getattr(result, "rowcount", 0) or 0)
