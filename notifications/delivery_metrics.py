"""The email and SMS deliveries that have not gone, as Prometheus gauges read from the
deliveries table when /metrics is scraped: how many are in each state that is not "gone" per
channel, and how long the oldest pending one (queued or sending) has waited.

Read at scrape time like the outbox's backlog (ledger/outbox_metrics.py): every app server
reports the same figures. A scrape costs one read: a GROUP BY channel and state over the rows
in those states, which ix_notification_deliveries_due (status first) finds without reading
the rest of the table. The rows that went (`sent`, and `delivered` for a text whose provider
confirmed it) are the table's whole history, one per message ever sent: counting them would
read every row at every scrape, so they are not counted here. `failed`, `bounced` and
`unknown` stay in their state for good but are few.

Pending is `queued` (due now, or waiting for its retry after a provider outage) and
`sending` (claimed by a sender). A retry waits at most an hour, and after three days a
message is failed for good (delivery_rows.py), so the oldest pending message's age is how
long a person has been waiting for their notice, outage or not. (The provider health page
counts only the messages due now, provider_health.py; during an outage every message can be
waiting for its retry, and a figure that dropped to nothing then would hide the outage.)
If the database cannot be read the gauges are left out of that scrape (the scrape itself
still answers).

Labels are the channel and the state (bounded sets): never a person, an address or a pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from notifications.models import Delivery
from notifications.schemas import Channel, DeliveryStatus

log = logging.getLogger(__name__)

BY_STATE = "notification_deliveries_by_state"
OLDEST_PENDING_AGE = "notification_deliveries_oldest_pending_age_seconds"

CHANNELS = (Channel.EMAIL, Channel.SMS)
"""The channels with deliveries (an in-app notice is a row of `notifications`, not one)."""
PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
COUNTED = (*PENDING, DeliveryStatus.UNKNOWN, DeliveryStatus.FAILED, DeliveryStatus.BOUNCED)
"""The states counted: all but those of the messages that went (sent, delivered)."""


@dataclass(frozen=True, slots=True)
class DeliveryStates:
    counts: Mapping[tuple[str, str], int]
    """{(channel, state): deliveries}, for the COUNTED states that have any."""
    oldest_pending: Mapping[str, datetime]
    """{channel: when its oldest pending delivery was recorded}, for channels with one."""


def delivery_states(db: Database) -> DeliveryStates:
    """The counts and the oldest pending delivery of each channel, in one read from a reader
    (a replica fit to serve, else the primary)."""
    with ReadView(db) as view:
        rows = view.session.execute(
            select(Delivery.channel, Delivery.status, func.count(), func.min(Delivery.created_at))
            .where(Delivery.status.in_([state.value for state in COUNTED]))
            .group_by(Delivery.channel, Delivery.status)
        ).all()
    counts: dict[tuple[str, str], int] = {}
    oldest: dict[str, datetime] = {}
    pending = {state.value for state in PENDING}
    for channel, state, count, first in rows:
        counts[str(channel), str(state)] = int(count)
        if state in pending and first is not None:
            oldest[str(channel)] = min(first, oldest.get(str(channel), first))
    return DeliveryStates(counts, oldest)


class DeliveryMetrics(Collector):
    """`read()` answers the figures (delivery_states bound to the database); `clock` is now."""

    def __init__(self, read: Callable[[], DeliveryStates], clock: Callable[[], datetime]) -> None:
        self._read = read
        self._clock = clock

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; answering with collect() would read
        # the database while the app is being built.
        return [_by_state(), _oldest_age()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            states = self._read()
        except Exception:  # the scrape still answers; the gauges are missing from it
            log.warning("notification deliveries not readable for /metrics", exc_info=True)
            return
        now = self._clock()
        by_state = _by_state()
        known = [(c.value, s.value) for c in CHANNELS for s in COUNTED]
        # Every channel and state, 0 when none is in it: the first stuck message is then an
        # increase of a series that exists, not a new one.
        for channel, state in known:
            by_state.add_metric([channel, state], states.counts.get((channel, state), 0))
        for (channel, state), count in sorted(states.counts.items()):
            if (channel, state) not in known:
                by_state.add_metric([channel, state], count)
        oldest = _oldest_age()
        channels = [c.value for c in CHANNELS]
        channels += sorted(set(states.oldest_pending) - set(channels))
        for channel in channels:
            since = states.oldest_pending.get(channel)
            age = 0.0 if since is None else max((now - since).total_seconds(), 0.0)
            oldest.add_metric([channel], age)
        yield by_state
        yield oldest


def _by_state() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        BY_STATE,
        "Email and SMS deliveries by channel and state; those that went (sent, delivered) are not counted.",
        labels=["channel", "state"],
    )


def _oldest_age() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        OLDEST_PENDING_AGE,
        "Seconds the oldest delivery not gone yet (queued, retrying or sending) has waited, by channel "
        "(0 when none).",
        labels=["channel"],
    )
