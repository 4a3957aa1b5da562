"""Workers and queues: what the app servers' metrics show of the background workers (the
relay's input, the aggregate cache the snapshot tasks fill)."""

from __future__ import annotations

from generator.layout import Layout
from generator.panels import not_exported, stat, target, timeseries
from generator.promql import RATE
from generator.spec import Spec
from generator.thresholds import steps


def build(layout: Layout) -> None:
    layout.add(
        not_exported(
            "Workers and queues: not exported yet",
            "**Not exported yet.** The Celery task workers (`app.py worker`), the scheduler "
            "(`app.py beat`), the ledger event relay and the notifications and payment requests "
            "consumers keep their own metrics and expose none: there is no metric for Celery "
            "queue depth, tasks run, failed or retried, task duration, or the consumers' "
            "messages and dead letters. RabbitMQ (`notifications.ledger-events.dead`, "
            "`payments.ledger-events.dead`) and Redis are not scraped either. What the app "
            "servers see of the workers is below.",
        ),
        w=24,
        h=5,
    )

    layout.row("The ledger relay's input")
    layout.add(
        timeseries(
            "Events waiting for the relay",
            "Ledger events not yet published by the relay (counted up to 10,000), read from the database "
            "at each scrape. A backlog that grows means the relay is down or slower than the writes.",
            [target("max(ledger_outbox_unpublished_events)", "unpublished")],
            thresholds=steps(("orange", 1000.0)),
        ),
    )
    layout.add(
        timeseries(
            "Oldest event waiting for the relay",
            "Seconds the oldest unpublished event has waited; pages past 5 minutes.",
            [target("max(ledger_outbox_oldest_unpublished_age_seconds)", "oldest")],
            unit="s",
            thresholds=steps(("red", 300.0)),
        ),
    )

    layout.row("Aggregate cache (filled by the snapshot tasks)")
    layout.add(
        timeseries(
            "Aggregate cache lookups by result",
            "Pages' cached aggregations: hit, miss (the page computes it itself), waited (another "
            "process was computing it), unavailable (Redis did not answer). A pool's snapshot task "
            "fills the cache after each batch, so many misses mean the workers are behind or down.",
            [target(f"sum by (result) (rate(aggregate_cache_requests_total[{RATE}]))", "{{result}}")],
            unit="ops",
            stacked=True,
        ),
        w=10,
    )
    layout.add(
        timeseries(
            "Aggregate cache hit ratio by aggregate",
            "Share of lookups answered from the cache, by aggregate.",
            [
                target(
                    f'sum by (aggregate) (rate(aggregate_cache_requests_total{{result="hit"}}[{RATE}])) '
                    f"/ sum by (aggregate) (rate(aggregate_cache_requests_total[{RATE}]))",
                    "{{aggregate}}",
                )
            ],
            unit="percentunit",
        ),
        w=10,
    )
    layout.add(
        stat(
            "Cache unavailable",
            "Lookups per second that found Redis unreachable (the page computes without the cache).",
            [
                target(
                    f'sum(rate(aggregate_cache_requests_total{{result="unavailable"}}[{RATE}]))',
                    instant=True,
                )
            ],
            unit="ops",
            thresholds=steps(("red", 0.001)),
        ),
        w=4,
    )


SPEC = Spec(
    "Workers and queues",
    "The background workers as far as the app servers' metrics show them.",
    build,
    tags=("workers",),
)
