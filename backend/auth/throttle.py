"""Login back-off: failures counted per account and per client address, in the database.

Rules:
- Each scope has a free allowance of failures (LOGIN_MAX_FAILURES per account,
  LOGIN_MAX_FAILURES_PER_IP per address). Beyond it every failure sets a delay before the
  next attempt is evaluated: 1 s, then doubling, never above LOGIN_LOCKOUT_SECONDS.
  An attempt made during the delay is answered 429 with Retry-After and not evaluated, not
  counted, and does not extend the delay; once the delay has passed the next attempt is
  evaluated, so the right password gets in. There is no lockout to inflict on someone else.
- Failures leak away: one is forgotten per two LOGIN_LOCKOUT_SECONDS, so stray typos never
  add up; a sustained guesser is held at the longest delay, one guess per LOGIN_LOCKOUT_SECONDS
  per account and per address. (Leaking at twice the cap, not at the cap, lets the delay
  climb all the way to the cap: the last doubling step takes longer than the cap's half.)
- Every attempt is counted as a failure before the password is checked, and, when the scope
  is already backing off, holds the delay while it is checked: of many concurrent attempts
  only the free allowance, then one at a time, reach the password check. A success then
  takes its count back (the account's whole count, as a success proves the owner is here).
- A success clears the account's count, never the address's: otherwise one attacker with
  one valid login could wipe their address's count between guesses at other accounts.
- Accounts are counted by the email as typed (normalised), whether or not it exists, so
  the back-off does not reveal which emails have accounts.
- IPv6 clients are counted per /64, the block one subscriber usually holds.
- A failure that brings the delay to the alert level (a minute by default) is an alert: a
  WARNING log record and login_backoff_alerts_total{scope}; someone is guessing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from prometheus_client import Counter
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from backend.auth.models import LoginThrottleState
from backend.auth.rows import affected_rows, insert_if_absent

# The first delay; each further failure doubles it.
BASE_DELAY_SECONDS = 1
# A delay this long means someone keeps guessing, not a user mistyping (capped by the cap).
DEFAULT_ALERT_DELAY_SECONDS = 60

BACKOFF_ALERTS = Counter(
    "login_backoff_alerts_total",
    "Failed logins that brought an account's or an address's back-off to the alert level.",
    ["scope"],
)
DEFERRED_ATTEMPTS = Counter(
    "login_attempts_deferred_total",
    "Login attempts answered 429 because the account's or address's back-off had not passed.",
    ["scope"],
)


class Scope(StrEnum):
    ACCOUNT = "account"
    IP = "ip"


@dataclass(frozen=True)
class Subject:
    scope: Scope
    key: str  # sha256 of the normalised email or address
    label: str  # how logs and the audit log name it: the address for IPs, empty for accounts


@dataclass(frozen=True)
class Counted:
    """One scope's count for an attempt that was let through to the password check."""

    subject: Subject
    failures_before: int
    failures: int  # with this attempt counted as a failure
    retry_after: int  # seconds the scope now waits if this attempt fails (0: none)
    retry_at: datetime | None  # the hold this attempt placed, exactly as stored


@dataclass(frozen=True)
class Attempt:
    """The throttle's verdict before a password check: deferred, or let through and counted."""

    deferred_for: int | None  # seconds to wait; None when the attempt may be evaluated
    deferred_by: tuple[Scope, ...]
    counted: tuple[Counted, ...]

    def of(self, scope: Scope) -> Counted | None:
        return next((c for c in self.counted if c.subject.scope is scope), None)


def backoff_seconds(failures: int, free: int, cap: int) -> int:
    """The delay before the attempt after `failures` counted failures: none within the free
    allowance, then BASE_DELAY_SECONDS doubling with each failure, at most `cap`."""
    excess = failures - free
    if excess <= 0:
        return 0
    # Bounded exponent: the count is capped anyway, this only keeps the arithmetic small.
    return min(cap, BASE_DELAY_SECONDS << min(excess - 1, 40))


def saturation(free: int, cap: int) -> int:
    """The count at which the delay reaches `cap`; counting further would only make the
    count take longer to leak away without lengthening any delay."""
    steps = max(1, math.ceil(math.log2(max(cap, 1) / BASE_DELAY_SECONDS)))
    return free + steps + 1


def leaked(failures: int, counted_at: datetime, now: datetime, period: timedelta) -> tuple[int, datetime]:
    """The count left at `now` when one failure leaks away per `period` after `counted_at`,
    and the moment that count dates from (partial periods are kept, not rounded away)."""
    if failures <= 0:
        return 0, now
    periods = max(0, math.floor((now - counted_at) / period))
    if periods >= failures:
        return 0, now
    return failures - periods, counted_at + periods * period


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
    def __init__(
        self,
        *,
        free_account_failures: int,
        free_ip_failures: int,
        max_delay_seconds: int,
        alert_delay_seconds: int = DEFAULT_ALERT_DELAY_SECONDS,
    ) -> None:
        self._free = {Scope.ACCOUNT: free_account_failures, Scope.IP: free_ip_failures}
        self._cap = max_delay_seconds
        self._leak = timedelta(seconds=2 * max_delay_seconds)
        self._saturation = {scope: saturation(free, max_delay_seconds) for scope, free in self._free.items()}
        self._alert = min(alert_delay_seconds, max_delay_seconds)

    @staticmethod
    def subjects(email: str, client_ip: str | None) -> list[Subject]:
        # Always account before address: every transaction locks the rows in this order,
        # so two logins can never wait on each other's locks in a cycle.
        subjects = [account_subject(email)]
        if client_ip:
            subjects.append(ip_subject(client_ip))
        return subjects

    def is_alert(self, counted: Counted) -> bool:
        return counted.retry_after >= self._alert

    def claim(self, session: Session, subjects: list[Subject], now: datetime) -> Attempt:
        """Defer the attempt while any scope's delay runs; otherwise count it as a failure in
        advance (and hold the next delay while it is checked). The caller commits only an
        attempt that was let through: a deferred one must leave no trace."""
        rows = [(subject, self._locked_row(session, subject, now)) for subject in subjects]
        waits = {
            subject.scope: _seconds_until(row.retry_at, now)
            for subject, row in rows
            if row.retry_at is not None and row.retry_at > now
        }
        if waits:
            return Attempt(max(waits.values()), tuple(waits), ())
        counted = []
        for subject, row in rows:
            before, since = leaked(row.failures, row.counted_at, now, self._leak)
            failures = min(before + 1, self._saturation[subject.scope])
            delay = backoff_seconds(failures, self._free[subject.scope], self._cap)
            row.failures, row.counted_at = failures, since if before else now
            row.retry_at = _whole_second_after(now + timedelta(seconds=delay)) if delay else None
            counted.append(Counted(subject, before, failures, delay, row.retry_at))
        session.flush()
        return Attempt(None, (), tuple(counted))

    def settle_success(self, session: Session, attempt: Attempt, now: datetime) -> int:
        """Take back what a successful attempt was charged: the account's whole count, the
        address's one failure and its hold. Returns the account failures cleared."""
        cleared = 0
        for counted in attempt.counted:
            row = self._existing_row(session, counted.subject)
            if row is None:  # purged meanwhile: nothing left to take back
                continue
            if counted.subject.scope is Scope.ACCOUNT:
                cleared = counted.failures_before
                row.failures = 0
            else:
                row.failures = max(0, row.failures - 1)
            # Only our own hold is lifted: a later one belongs to an attempt still running.
            if row.retry_at == counted.retry_at or counted.subject.scope is Scope.ACCOUNT:
                row.retry_at = None
            if row.failures == 0 and row.retry_at is None:
                session.delete(row)  # rows exist only while there is something to remember
        session.flush()
        return cleared

    def purge(self, session: Session, now: datetime) -> int:
        """Forget scopes whose every failure has leaked away and that hold no delay."""
        horizon = now - self._leak * max(self._saturation.values())
        stale = (
            delete(LoginThrottleState)
            .where(
                LoginThrottleState.counted_at <= horizon,
                or_(LoginThrottleState.retry_at.is_(None), LoginThrottleState.retry_at <= now),
            )
            .execution_options(synchronize_session=False)
        )
        return affected_rows(session.execute(stale))

    @classmethod
    def _locked_row(cls, session: Session, subject: Subject, now: datetime) -> LoginThrottleState:
        insert_if_absent(
            session,
            LoginThrottleState,
            {"scope": subject.scope.value, "subject_hash": subject.key, "failures": 0,
             "counted_at": now, "retry_at": None},
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


def _whole_second_after(moment: datetime) -> datetime:
    # MariaDB's DATETIME keeps whole seconds: rounding up here makes the stored hold equal
    # the one we remember (settle_success compares them) and never shorter than the delay.
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
