"""Payments and payment requests by state, and the payments that failed in the last day, as
Prometheus gauges read from the payment service's tables when /metrics is scraped.

Read at scrape time like the outbox's backlog (ledger/outbox_metrics.py): every app server
reports the same figures, whichever worker answers. A scrape costs three reads: a GROUP BY
status over `payments` (an index-only scan of ix_payments_open, whose first column is the
status), one over `payment_requests` (which has no index on its status: a scan of the table,
one row per investor per call) and a count of the failed payments that `ix_payments_open`
finds by status. If the database cannot be read the gauges are left out of that scrape (the
scrape itself still answers); the database's own alert says why.

"Failed in the last 24 hours" is by `payments.updated_at`: every status change goes through
settlement.transition, which stamps it, and `failed` is terminal, so a failed payment's
`updated_at` is when it failed. (payment_transitions has the same moment in `at`, but no
index on it.) Only the gateway rail fails: a card declined, a debit refused; a wire a second
person rejects is `canceled`.

Labels are the states only (a bounded set): never a pool, an investor or a payment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from backend.payments.models import Payment, PaymentRequest
from backend.payments.schemas import RequestStatus
from backend.payments.states import PaymentStatus
from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView

log = logging.getLogger(__name__)

PAYMENTS_BY_STATE = "payments_by_state"
REQUESTS_BY_STATE = "payment_requests_by_state"
FAILED_LAST_24H = "payments_failed_last_24h"
FAILED_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PaymentStates:
    payments: Mapping[str, int]
    """{status: payments in it}: the statuses that have any."""
    requests: Mapping[str, int]
    """{status: payment requests in it}: the statuses that have any."""
    failed_since: int
    """Payments that failed at or after the time asked for."""


def payment_states(db: Database, since: datetime) -> PaymentStates:
    """The counts by state, and the payments failed at or after `since`, from a reader (a
    replica fit to serve, else the primary)."""
    with ReadView(db) as view:
        session = view.session
        payments = session.execute(select(Payment.status, func.count()).group_by(Payment.status)).all()
        requests = session.execute(
            select(PaymentRequest.status, func.count()).group_by(PaymentRequest.status)
        ).all()
        failed = session.scalar(
            select(func.count())
            .select_from(Payment)
            .where(Payment.status == PaymentStatus.FAILED.value, Payment.updated_at >= since)
        )
    return PaymentStates(
        payments={str(state): int(n) for state, n in payments},
        requests={str(state): int(n) for state, n in requests},
        failed_since=int(failed or 0),
    )


class PaymentStateMetrics(Collector):
    """`read(since)` answers the counts (payment_states bound to the database); `clock` is now."""

    def __init__(self, read: Callable[[datetime], PaymentStates], clock: Callable[[], datetime]) -> None:
        self._read = read
        self._clock = clock

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; answering with collect() would read
        # the database while the app is being built.
        return [_payments(), _requests(), _failed()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            states = self._read(self._clock() - FAILED_WINDOW)
        except Exception:  # the scrape still answers; the gauges are missing from it
            log.warning("payment states not readable for /metrics", exc_info=True)
            return
        payments = _payments()
        for state, count in _every_state(PaymentStatus, states.payments):
            payments.add_metric([state], count)
        requests = _requests()
        for state, count in _every_state(RequestStatus, states.requests):
            requests.add_metric([state], count)
        failed = _failed()
        failed.add_metric([], states.failed_since)
        yield payments
        yield requests
        yield failed


def _every_state(
    known: type[PaymentStatus] | type[RequestStatus], found: Mapping[str, int]
) -> Iterator[tuple[str, int]]:
    """Every state the code knows, 0 when no row is in it (a series that appears only once a
    row does would make `increase` and alerts miss the first), then any other the table holds."""
    names = [state.value for state in known]
    yield from ((name, found.get(name, 0)) for name in names)
    yield from sorted((name, n) for name, n in found.items() if name not in names)


def _payments() -> GaugeMetricFamily:
    return GaugeMetricFamily(PAYMENTS_BY_STATE, "Payments by their current state.", labels=["state"])


def _requests() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        REQUESTS_BY_STATE,
        "Payment requests (one per investor per call) by their current state.",
        labels=["state"],
    )


def _failed() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        FAILED_LAST_24H, "Payments that failed (refused by the gateway) in the last 24 hours."
    )
