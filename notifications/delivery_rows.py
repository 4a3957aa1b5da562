"""A delivery row's road, the same on every channel beyond the app (email, SMS): due, claimed
(committed before the provider is called), then finished as sent, queued again, failed or
unknown; a claim left by a worker that died is marked unknown, never sent again by itself.

Each step is its own short transaction on the primary, so two workers never both claim a row
and a crash between steps leaves a state a person can read."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from backend.platform.backoff import exponential_bound
from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.models import Delivery
from notifications.rate_limit import TokenBucket, wait_for
from notifications.schemas import Channel, DeliveryStatus

log = logging.getLogger(__name__)

INTERRUPTED_AFTER = timedelta(minutes=5)
"""A message claimed this long ago and still "sending": its worker died."""
STOPPED = "the worker stopped while sending: it may have gone; check before resending"
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """30 s, 60 s, 2 min ... up to an hour; each wait between half and all of that, so
    workers that failed together do not all come back at the same second."""
    return exponential_bound(attempts, FIRST_WAIT, LONGEST_WAIT) * rng.uniform(0.5, 1.0)


class DeliveryRows:
    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    def due(self, channel: Channel, limit: int) -> list[int]:
        now = self._now()
        with ReadView(self._db) as view:
            return list(
                view.session.scalars(
                    select(Delivery.id)
                    .where(
                        Delivery.status == DeliveryStatus.QUEUED.value,
                        Delivery.channel == channel.value,
                        (Delivery.next_try_at.is_(None)) | (Delivery.next_try_at <= now),
                    )
                    .order_by(Delivery.id)
                    .limit(limit)
                )
            )

    def recorded_for(self, event_id: str, channel: Channel) -> set[int]:
        """The people the event already has a message for on `channel` (a redelivery)."""
        with ReadView(self._db) as view:
            return set(
                view.session.scalars(
                    select(Delivery.user_id).where(
                        Delivery.event_id == event_id, Delivery.channel == channel.value
                    )
                )
            )

    def record(self, rows: list[Delivery]) -> int:
        """Record new messages in one transaction; 0 when another consumer recorded the same
        event at the same moment (the unique event, person and channel key): it has them."""
        if not rows:
            return 0
        with UnitOfWork(self._db) as unit:
            unit.write_first("notification_deliveries", "status")
            unit.session.add_all(rows)
            try:
                unit.commit()
            except IntegrityError:
                return 0
        return len(rows)

    def due_within_rate(
        self,
        channel: Channel,
        limit: int,
        bucket: TokenBucket | None,
        key: str,
        *,
        max_wait: float = 0.0,
        sleep: Callable[[float], object] = time.sleep,
    ) -> RatedPass:
        """The rows due now, each claimed as the pass comes to it, once the provider's bucket
        (under `key`) gave a token for it; no bucket, no limit."""
        return RatedPass(self, self.due(channel, limit), bucket, key, max_wait=max_wait, sleep=sleep)

    def claim(self, delivery_id: int) -> bool:
        return _retrying(lambda: self._claim(delivery_id))

    def _claim(self, delivery_id: int) -> bool:
        with UnitOfWork(self._db) as unit:
            unit.write_first("notification_deliveries", "status")
            claimed = unit.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.QUEUED.value)
                .values(
                    status=DeliveryStatus.SENDING.value,
                    claimed_at=self._now(),
                    attempts=Delivery.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            unit.commit()
        return int(getattr(claimed, "rowcount", 0) or 0) == 1

    def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str,
        *,
        next_try: datetime | None = None,
        provider_id: str | None = None,
    ) -> None:
        """From sending to `status`; `provider_id`: the provider's id for the message (an SMS's
        SID), by which its delivery report finds it."""
        values: dict[str, object] = {
            "status": status.value,
            "last_error": error[:300],
            "next_try_at": next_try,
            "sent_at": self._now() if status is DeliveryStatus.SENT else None,
        }
        if provider_id:
            values["message_id"] = provider_id[:120]

        def write() -> None:
            with UnitOfWork(self._db) as unit:
                unit.write_first("notification_deliveries", "status")
                unit.session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.SENDING.value)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                unit.commit()

        # The message went (or was refused) already: losing a lock conflict here must not
        # crash the sender and leave it "sending", to be taken for an interrupted one.
        _retrying(write)

    def retry_later(
        self, delivery_id: int, attempts: int, created: datetime, error: str, rng: random.Random
    ) -> bool:
        """After a provider outage: queued again with a backoff (True), or, three days after it
        was recorded, failed for good (False: the caller tells someone)."""
        now = self._now()
        if now - created > GIVE_UP_AFTER:
            self.finish(delivery_id, DeliveryStatus.FAILED, f"gave up after {attempts} tries: {error}")
            return False
        self.finish(delivery_id, DeliveryStatus.QUEUED, error, next_try=now + backoff(attempts, rng))
        return True

    def mark_interrupted(self) -> int:
        """Claims left by a dead worker become unknown. Several senders run this at the start of
        each pass; on MariaDB two such range updates can deadlock, and the loser simply leaves
        it to the winner (or the next pass) rather than crash the sender."""
        try:
            with UnitOfWork(self._db) as unit:
                unit.write_first("notification_deliveries", "status")
                changed = unit.session.execute(
                    update(Delivery)
                    .where(
                        Delivery.status == DeliveryStatus.SENDING.value,
                        Delivery.claimed_at <= self._now() - INTERRUPTED_AFTER,
                    )
                    .values(
                        status=DeliveryStatus.UNKNOWN.value,
                        last_error=STOPPED,
                    )
                    .execution_options(synchronize_session=False)
                )
                unit.commit()
        except OperationalError as exc:
            if not _is_lock_conflict(exc):
                raise
            log.info("another sender is marking interrupted messages: left to it")
            return 0
        count = int(getattr(changed, "rowcount", 0) or 0)
        if count:
            log.warning("%d message(s) interrupted mid-send: marked unknown for a person", count)
        return count


class RatedPass:
    """One pass over the due rows within the provider's rate: iterating yields each row this
    pass claimed, after taking a token for it, waiting up to `max_wait` seconds for one.

    When no token comes in that time the pass stops and `throttled` says how many rows it left
    queued, unclaimed, for the next pass: nothing is claimed that cannot be sent now, and a
    worker is not held waiting for a rate that other workers are using up."""

    def __init__(
        self,
        rows: DeliveryRows,
        due: list[int],
        bucket: TokenBucket | None,
        key: str,
        *,
        max_wait: float,
        sleep: Callable[[float], object],
    ) -> None:
        self._rows = rows
        self._due = due
        self._bucket = bucket
        self._key = key
        self._max_wait = max_wait
        self._sleep = sleep
        self.throttled = 0

    def __iter__(self) -> Iterator[int]:
        for position, delivery_id in enumerate(self._due):
            bucket = self._bucket
            if bucket is not None and not wait_for(
                bucket, self._key, max_wait=self._max_wait, sleep=self._sleep
            ):
                self.throttled = len(self._due) - position
                return
            if self._rows.claim(delivery_id):
                yield delivery_id


LOCK_RETRIES = 4
_T = TypeVar("_T")


def _retrying(write: Callable[[], _T], sleep: Callable[[float], object] = time.sleep) -> _T:
    """`write` again after a deadlock or lock wait timeout (MariaDB chose this transaction as
    the victim; the row itself is fine), a few times with a short growing pause."""
    for attempt in range(LOCK_RETRIES):
        try:
            return write()
        except OperationalError as exc:
            if not _is_lock_conflict(exc) or attempt == LOCK_RETRIES - 1:
                raise
            log.info("lock conflict on a delivery row; trying again", extra={"attempt": attempt + 1})
            sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _is_lock_conflict(exc: OperationalError) -> bool:
    """MariaDB's deadlock (1213) or lock wait timeout (1205); SQLite's "database is locked"."""
    code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return code in (1205, 1213) or "database is locked" in str(exc.orig)
