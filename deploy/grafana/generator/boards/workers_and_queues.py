"""Workers and queues: what the app servers' metrics show of the background workers (the
relay's input, the aggregate cache the snapshot tasks fill)."""

from __future__ import annotations

from generator.layout import Layout
from generator.panels import not_exported, stat, target, timeseries, value_texts
from generator.promql import RATE
from generator.spec import Spec
from generator.thresholds import below, steps

# The line CeleryQueueBacklogGrowing draws (deploy/prometheus/rules/capacity.yml).
CELERY_BACKLOG = 100.0


def build(layout: Layout) -> None:
    layout.add(
        not_exported(
            "Workers and queues: not exported yet",
            "**Not exported yet.** The notifications and payment requests consumers export no "
            "count of their messages or dead letters, and RabbitMQ's other queues "
            "(`notifications.ledger-events.dead`, `payments.ledger-events.dead`) and Redis are not "
            "scraped. The Celery queue's depth (read by beat) and what the app servers see of the "
            "workers are below.",
        ),
        w=24,
        h=5,
    )

    layout.row("Celery queue (read from RabbitMQ by beat at each scrape)")
    layout.add(
        timeseries(
            "Tasks waiting by queue",
            "Messages ready in each configured Celery queue. The night's snapshots fan out one task "
            "per pool and drain; over 100 and still growing for 15 minutes opens a ticket.",
            [target("max by (queue) (celery_queue_messages_ready)", "{{queue}}")],
            thresholds=steps(("orange", CELERY_BACKLOG)),
        ),
        w=10,
    )
    layout.add(
        timeseries(
            "Consumers by queue",
            "Worker channels consuming each queue: 0 with tasks waiting means no worker is up.",
            [target("max by (queue) (celery_queue_consumers)", "{{queue}}")],
        ),
        w=10,
    )
    layout.add(
        stat(
            "Queue reading",
            "Whether beat read the queues from RabbitMQ at its last scrape (no data: beat is not scraped).",
            [target("min(celery_queue_reader_up)", instant=True)],
            thresholds=below(1),
            mappings=value_texts({1: ("read", "green"), 0: ("failed", "red")}),
        ),
        w=4,
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
