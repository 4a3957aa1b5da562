"""Login throttling: failures counted per account and per client address, in the database.

Rules:
- Each scope counts failures within a window of LOGIN_LOCKOUT_SECONDS from the first one.
  Reaching its limit locks the scope for LOGIN_LOCKOUT_SECONDS; while locked every attempt
  is refused before the password is even checked, so the right password does not help.
- Accounts are counted by the email as typed (normalised), whether or not it exists, so a
  lockout answer does not reveal which emails have accounts.
- A success clears the account's count, never the address's: otherwise one attacker with
  one valid login could wipe their address's count between guesses at other accounts.
- IPv6 clients are counted per /64, the block one subscriber usually holds.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from backend.auth.models import LoginThrottleState
from backend.auth.rows import affected_rows, insert_if_absent


class Scope(StrEnum):
    ACCOUNT = "account"
    IP = "ip"


@dataclass(frozen=True)
class Subject:
    scope: Scope
    key: str  # sha256 of the normalised email or address
    label: str  # how the audit log names it: the address for IPs, empty for accounts


@dataclass(frozen=True)
class FailureOutcome:
    subject: Subject
    failures_before: int
    failures: int
    locked_until: datetime | None  # set only when this very failure started the lockout


@dataclass(frozen=True)
class SuccessOutcome:
    retry_after: int | None  # locked meanwhile by a concurrent failure: refuse after all
    cleared_failures: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def account_subject(email: str) -> Subject:
    return Subject(Scope.ACCOUNT, _digest(email), "")


def ip_subject(client_ip: str) -> Subject:
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        label = client_ip.strip()[:64]
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            label = str(address.ipv4_mapped)
        elif isinstance(address, ipaddress.IPv6Address):
            label = str(ipaddress.IPv6Network((address, 64), strict=False))
        else:
            label = str(address)
    return Subject(Scope.IP, _digest(label), label)


class LoginThrottle:
    def __init__(self, *, max_account_failures: int, max_ip_failures: int, lockout_seconds: int) -> None:
        self._limits = {Scope.ACCOUNT: max_account_failures, Scope.IP: max_ip_failures}
        self._lockout = timedelta(seconds=lockout_seconds)

    @staticmethod
    def subjects(email: str, client_ip: str | None) -> list[Subject]:
        # Always account before address: every transaction locks the rows in this order,
        # so two logins can never wait on each other's locks in a cycle.
        subjects = [account_subject(email)]
        if client_ip:
            subjects.append(ip_subject(client_ip))
        return subjects

    def retry_after(self, session: Session, subjects: list[Subject], now: datetime) -> int | None:
        """Seconds until every given scope is unlocked, or None when none is locked."""
        waits = [
            _seconds_until(row.locked_until, now)
            for row in (session.get(LoginThrottleState, (s.scope.value, s.key)) for s in subjects)
            if row is not None and row.locked_until is not None and row.locked_until > now
        ]
        return max(waits) if waits else None

    def record_failure(
        self, session: Session, subjects: list[Subject], now: datetime
    ) -> list[FailureOutcome]:
        outcomes = []
        for subject in subjects:
            row = self._locked_row(session, subject, now)
            before = row.failures
            if row.locked_until is not None and row.locked_until > now:
                # Locked by a concurrent attempt after our first look: the lockout stands
                # as it is; extending it would let anyone keep an account locked forever.
                outcomes.append(FailureOutcome(subject, before, before, None))
                continue
            if row.locked_until is not None or now - row.window_started_at >= self._lockout:
                row.failures, row.locked_until, row.window_started_at = 0, None, now
                before = 0
            row.failures += 1
            locked_until = None
            if row.failures >= self._limits[subject.scope]:
                locked_until = row.locked_until = now + self._lockout
            outcomes.append(FailureOutcome(subject, before, row.failures, locked_until))
        session.flush()
        return outcomes

    def record_success(self, session: Session, subjects: list[Subject], now: datetime) -> SuccessOutcome:
        # No row means nothing to clear and nothing locked: no insert on the happy path.
        rows = {s.scope: self._existing_row(session, s) for s in subjects}
        waits = [
            _seconds_until(r.locked_until, now)
            for r in rows.values()
            if r is not None and r.locked_until is not None and r.locked_until > now
        ]
        if waits:
            return SuccessOutcome(max(waits), 0)
        account = rows.get(Scope.ACCOUNT)
        if account is None or account.failures == 0:
            return SuccessOutcome(None, 0)
        cleared = account.failures
        account.failures, account.locked_until, account.window_started_at = 0, None, now
        session.flush()
        return SuccessOutcome(None, cleared)

    def purge(self, session: Session, now: datetime) -> int:
        """Forget scopes that are neither locked nor inside a counting window."""
        stale = and_(
            LoginThrottleState.window_started_at <= now - self._lockout,
            or_(LoginThrottleState.locked_until.is_(None), LoginThrottleState.locked_until <= now),
        )
        return affected_rows(session.execute(delete(LoginThrottleState).where(stale)))

    @classmethod
    def _locked_row(cls, session: Session, subject: Subject, now: datetime) -> LoginThrottleState:
        insert_if_absent(
            session,
            LoginThrottleState,
            {"scope": subject.scope.value, "subject_hash": subject.key, "failures": 0,
             "window_started_at": now, "locked_until": None},
        )
        row = cls._existing_row(session, subject)
        if row is None:  # pragma: no cover - the insert above guarantees the row
            raise RuntimeError("login throttle row vanished inside its own transaction")
        return row

    @staticmethod
    def _existing_row(session: Session, subject: Subject) -> LoginThrottleState | None:
        return session.scalar(
            select(LoginThrottleState)
            .where(LoginThrottleState.scope == subject.scope.value,
                   LoginThrottleState.subject_hash == subject.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
