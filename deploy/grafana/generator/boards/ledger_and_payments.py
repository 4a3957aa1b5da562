"""Ledger and payments: journal entries posted, the ledger outbox's backlog, the payments'
reconciliation, the payments API and the gateway's webhook."""

from __future__ import annotations

from generator.layout import Layout
from generator.panels import not_exported, stat, target, timeseries, value_texts
from generator.promql import RATE, quantile
from generator.spec import Spec
from generator.thresholds import below, steps

# The line LedgerVerifyOverdue draws (deploy/prometheus/rules/books.yml).
VERIFY_MAX_AGE = 25 * 3600.0

LEDGER_WRITES = (
    'method="POST", route=~"/api/v1/(pools/[^/]+/(transactions|capital-calls|subsequent-closes'
    '|clawbacks|distributions|valuations).*|transactions/.*)"'
)
PAYMENTS_API = 'route=~"/api/v1/payments.*"'
WEBHOOK = 'route="/api/v1/payments/webhooks/stripe"'


def build(layout: Layout) -> None:
    layout.row("The books")
    layout.add(
        timeseries(
            "Journal entries posted per second by write path",
            "Entries committed to the books, one per request (single) or a batch's (batch).",
            [target(f"sum by (path) (rate(ledger_entries_posted_total[{RATE}]))", "{{path}}")],
            unit="ops",
            stacked=True,
        ),
        w=16,
    )
    layout.add(
        stat(
            "Entries posted in the time range",
            "Journal entries committed over the dashboard's time range, by write path.",
            [
                target(
                    "sum by (path) (increase(ledger_entries_posted_total[$__range]))",
                    "{{path}}",
                    instant=True,
                )
            ],
            decimals=0,
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Ledger write latency (p95) by route",
            "POSTs that write the books: transactions, batches, capital calls, closes, clawbacks, "
            "distributions, valuations, reversals. A pool's writers wait their turn on its "
            "chain-head lock, so one pool's long batch slows only that pool.",
            [target(quantile(0.95, LEDGER_WRITES, by="route"), "{{route}}")],
            unit="s",
        ),
    )

    layout.add(
        stat(
            "Books verified",
            "The last verification of the whole books (`ledger verify`, daily from beat): whole, or "
            "broken (pages). No data: never verified.",
            [target("min(ledger_verify_last_run_ok)", instant=True)],
            thresholds=below(1),
            mappings=value_texts({1: ("whole", "green"), 0: ("broken", "red")}),
        ),
        w=4,
    )
    layout.add(
        stat(
            "Since the books were last verified",
            "Age of the last verification of the whole books; a ticket past 25 hours.",
            [target("time() - max(ledger_verify_last_run_timestamp_seconds)", instant=True)],
            unit="s",
            thresholds=steps(("red", VERIFY_MAX_AGE)),
        ),
        w=4,
    )
    layout.add(
        stat(
            "Entries the last verification checked",
            "Journal entries whose hash and postings the last verification of the whole books "
            "recomputed, and the problems it found.",
            [
                target("max(ledger_verify_last_run_entries)", "entries", instant=True),
                target("max(ledger_verify_last_run_breaks)", "problems", instant=True),
            ],
            decimals=0,
        ),
        w=4,
    )

    layout.row("Ledger outbox (events waiting for the relay)")
    layout.add(
        timeseries(
            "Unpublished ledger events",
            "Events committed and not yet published to the broker, read from the database at each "
            "scrape and counted up to 10,000. Every app server reports the same figure. "
            "LedgerOutboxBacklogGrowing opens a ticket over 1,000 and growing.",
            [target("max(ledger_outbox_unpublished_events)", "unpublished")],
            thresholds=steps(("orange", 1000.0)),
        ),
        w=9,
    )
    layout.add(
        timeseries(
            "Oldest unpublished event age",
            "How long the oldest unpublished event has waited (0 when none). "
            "LedgerEventsNotPublished pages past 5 minutes: notices and payment requests wait for it.",
            [target("max(ledger_outbox_oldest_unpublished_age_seconds)", "oldest")],
            unit="s",
            thresholds=steps(("red", 300.0)),
        ),
        w=9,
    )
    layout.add(
        stat(
            "Outbox now",
            "The backlog and its oldest event's age at the last scrape.",
            [
                target("max(ledger_outbox_unpublished_events)", "events", instant=True),
                target("max(ledger_outbox_oldest_unpublished_age_seconds)", "oldest, s", instant=True),
            ],
            decimals=0,
        ),
        w=6,
    )

    layout.row("Payments")
    layout.add(
        timeseries(
            "Reconciliation differences by kind",
            "Differences the last reconciliation found between the gateway, the bank statements and the "
            "books (0 when none). Gateway fees are expected every day and are not alerted.",
            [target("max by (kind) (payments_reconciliation_differences)", "{{kind}}")],
        ),
        w=16,
    )
    layout.add(
        stat(
            "Differences to act on",
            "The last run's differences other than gateway fees: PaymentsReconciliationDifferences opens a "
            "ticket above 0.",
            [
                target(
                    'sum(max by (kind) (payments_reconciliation_differences{kind!="gateway_fees"}))',
                    instant=True,
                )
            ],
            thresholds=steps(("red", 1.0)),
            decimals=0,
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Payments API requests by route",
            "Payment requests, payments, wires, refunds, payouts and reconciliation over the API.",
            [target(f"sum by (route) (rate(http_requests_total{{{PAYMENTS_API}}}[{RATE}]))", "{{route}}")],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Payments API 5xx by route",
            "A 503 naming the payment gateway is its outage: nothing was written, clients retry.",
            [
                target(
                    "sum by (route, status) "
                    f'(rate(http_requests_total{{{PAYMENTS_API},status=~"5.."}}[{RATE}]))',
                    "{{route}} {{status}}",
                )
            ],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Gateway webhook deliveries by status",
            "The gateway's events reaching us: 2xx accepted, 4xx refused (a bad signature reads 400).",
            [target(f"sum by (status) (rate(http_requests_total{{{WEBHOOK}}}[{RATE}]))", "{{status}}")],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        not_exported(
            "Payments by state: not exported yet",
            "**Not exported yet.** No metric counts payment requests or payments by state "
            "(open, pending, succeeded, failed, refunded, reversed), payouts by state, or the "
            "gateway's calls and their latency. Until one is, read them on the admin portal's "
            "Payments page or `GET /api/v1/payments/requests`; the gateway's health is "
            "`GET /api/v1/payments/gateway-health`.",
        ),
        w=24,
        h=4,
    )


SPEC = Spec(
    "Ledger and payments",
    "Journal entries posted, the ledger outbox's backlog and the payments' reconciliation.",
    build,
    tags=("ledger", "payments"),
)
