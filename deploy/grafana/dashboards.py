"""The platform's Grafana dashboards, as code (grafanalib): one JSON file per dashboard in
deploy/grafana/dashboards/, which Grafana loads through deploy/grafana/provisioning/.

    python deploy/grafana/dashboards.py          # (re)write the JSON files
    python deploy/grafana/dashboards.py --check  # exit 1 naming the files that differ

The output is stable (sorted keys, 2-space indent, a final newline, uids derived from each
dashboard's title), so regenerating writes identical bytes and the JSON is committed.

A panel queries only what the platform exports (backend/, ledger/: prometheus_client
metrics and the outbox gauges read at each scrape) or what deploy/prometheus/rules/ records;
where an area has no metric yet, a text panel says so instead of a query on an invented
name. tests/unit/test_grafana_dashboards.py checks all of that, and that every query parses.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grafanalib import core as gl

HERE = Path(__file__).resolve().parent
OUTPUT_DIR = HERE / "dashboards"

DATASOURCE_UID = "investment-pools-prometheus"
"""The Prometheus datasource's uid in provisioning/datasources.yml: the datasource variable's default."""
DS = {"type": "prometheus", "uid": "${datasource}"}
"""Every panel and query reads the data source the dashboard's `datasource` variable names."""

# The API is every /api/ route; the portal every other route but the probes and /metrics
# (the same split as the SLO rules in deploy/prometheus/rules/slo.yml).
API = 'route=~"/api/.*"'
PORTAL = 'route!~"/api/.*|/metrics|/healthz|/readyz"'
SELECTED = 'route=~"$route", method=~"$method"'
RATE = "$__rate_interval"

# The objectives (docs/operations.md, "Metrics and alerts"): error budgets of the 30 days.
AVAILABILITY_BUDGET = 0.001  # 99.9% of requests without a 5xx
LATENCY_BUDGET = 0.01  # 99% of API requests within 1 s
FAST_BURN = 14.4  # pages
SLOW_BURN = 6.0  # opens a ticket

GREEN = {"color": "green", "value": None}


def _steps(*steps: tuple[str, float]) -> list[dict[str, Any]]:
    """Threshold steps above the green base, lowest first."""
    return [GREEN, *({"color": color, "value": value} for color, value in steps)]


def _below(limit: float, under: str = "red") -> list[dict[str, Any]]:
    """Thresholds for a figure that must stay at or above `limit` (an availability)."""
    return [{"color": under, "value": None}, {"color": "green", "value": limit}]


# Panels ------------------------------------------------------------------------------------


def target(expr: str, legend: str = "", *, instant: bool = False) -> Any:
    return gl.Target(expr=expr, legendFormat=legend, instant=instant, datasource=DS, intervalFactor=1)


def _with_ref_ids(targets: Sequence[Any]) -> list[Any]:
    if len(targets) > 26:
        raise ValueError("a panel has at most 26 queries (refId A to Z)")
    for index, one in enumerate(targets):
        one.refId = chr(ord("A") + index)
    return list(targets)


def timeseries(
    title: str,
    description: str,
    targets: Sequence[Any],
    *,
    unit: str = "short",
    thresholds: list[dict[str, Any]] | None = None,
    stacked: bool = False,
) -> Any:
    return gl.TimeSeries(
        title=title,
        description=description,
        dataSource=DS,
        targets=_with_ref_ids(targets),
        unit=unit,
        thresholds=thresholds or [GREEN],
        thresholdsStyleMode="line" if thresholds else "off",
        stacking={"mode": "normal", "group": "A"} if stacked else {},
        fillOpacity=20 if stacked else 0,
        legendDisplayMode="table",
        legendCalcs=["mean", "max", "lastNotNull"],
        tooltipMode="multi",
        tooltipSort="desc",
        valueMin=0,
        maxDataPoints=300,
    )


def stat(
    title: str,
    description: str,
    targets: Sequence[Any],
    *,
    unit: str = "short",
    thresholds: list[dict[str, Any]] | None = None,
    decimals: int | None = None,
) -> Any:
    return gl.Stat(
        title=title,
        description=description,
        dataSource=DS,
        targets=_with_ref_ids(targets),
        format=unit,
        decimals=decimals,
        thresholds=thresholds or [GREEN],
        reduceCalc="lastNotNull",
        graphMode="none",
        colorMode="value",
        noValue="no data",
    )


def not_exported(title: str, content: str) -> Any:
    """A text panel that keeps a monitoring gap visible: no metric is exported for it yet."""
    return gl.Text(title=title, content=content, mode=gl.TEXT_MODE_MARKDOWN)


def quantile(q: float, selector: str, by: str = "") -> str:
    labels = f"le, {by}" if by else "le"
    return (
        f"histogram_quantile({q}, sum by ({labels}) "
        f"(rate(http_request_duration_seconds_bucket{{{selector}}}[{RATE}])))"
    )


def error_ratio(selector: str, window: str) -> str:
    return (
        f'sum(increase(http_requests_total{{{selector},status=~"5.."}}[{window}])) '
        f"/ sum(increase(http_requests_total{{{selector}}}[{window}]))"
    )


API_WITHIN_1S_30D = (
    f'sum(increase(http_request_duration_seconds_bucket{{{API},le="1.0"}}[30d])) '
    f"/ sum(increase(http_request_duration_seconds_count{{{API}}}[30d]))"
)


# Layout ------------------------------------------------------------------------------------


class Layout:
    """Places panels left to right on Grafana's 24-column grid, under row headers."""

    WIDTH = 24

    def __init__(self) -> None:
        self.panels: list[Any] = []
        self._x = 0
        self._y = 0
        self._height = 0

    def row(self, title: str) -> None:
        self._next_line()
        self.panels.append(gl.RowPanel(title=title, gridPos=gl.GridPos(h=1, w=self.WIDTH, x=0, y=self._y)))
        self._y += 1

    def add(self, panel: Any, w: int = 12, h: int = 8) -> None:
        if self._x + w > self.WIDTH:
            self._next_line()
        panel.gridPos = gl.GridPos(h=h, w=w, x=self._x, y=self._y)
        self.panels.append(panel)
        self._x += w
        self._height = max(self._height, h)

    def _next_line(self) -> None:
        self._y += self._height
        self._x = 0
        self._height = 0


@dataclass(frozen=True)
class Spec:
    title: str
    description: str
    build: Callable[[Layout], None]
    tags: tuple[str, ...] = ()
    variables: tuple[Callable[[], Any], ...] = ()
    time_from: str = "now-6h"


def _datasource_variable() -> Any:
    return gl.Template(
        name="datasource",
        label="Data source",
        type="datasource",
        query="prometheus",
        default=DATASOURCE_UID,
    )


def _label_variable(name: str, label: str, metric: str) -> Callable[[], Any]:
    def make() -> Any:
        return gl.Template(
            name=name,
            label=label,
            type="query",
            dataSource=DS,
            query=f"label_values({metric}, {name})",
            includeAll=True,
            multi=True,
            allValue=".*",
            default="$__all",
            refresh=gl.REFRESH_ON_TIME_RANGE_CHANGE,
            sort=gl.SORT_ALPHA_ASC,
        )

    return make


# Dashboards --------------------------------------------------------------------------------


def platform_overview(layout: Layout) -> None:
    layout.row("Objectives over 30 days")
    availability = "Share of requests answered without a 5xx over the last 30 days. Objective: 99.9%."
    layout.add(
        stat(
            "API availability, 30 days",
            availability,
            [target(f"1 - ({error_ratio(API, '30d')})", instant=True)],
            unit="percentunit",
            thresholds=_below(1 - AVAILABILITY_BUDGET),
            decimals=3,
        ),
        w=4,
        h=5,
    )
    layout.add(
        stat(
            "Portal availability, 30 days",
            availability,
            [target(f"1 - ({error_ratio(PORTAL, '30d')})", instant=True)],
            unit="percentunit",
            thresholds=_below(1 - AVAILABILITY_BUDGET),
            decimals=3,
        ),
        w=4,
        h=5,
    )
    layout.add(
        stat(
            "API requests within 1 s, 30 days",
            "Share of API requests answered within 1 s over the last 30 days. Objective: 99%.",
            [target(API_WITHIN_1S_30D, instant=True)],
            unit="percentunit",
            thresholds=_below(1 - LATENCY_BUDGET),
            decimals=2,
        ),
        w=4,
        h=5,
    )
    budget_left = "Error budget of the 30 days not spent yet: 100% is untouched, 0% or less is overspent."
    budget_steps: list[dict[str, Any]] = [
        {"color": "red", "value": None},
        {"color": "orange", "value": 0.0},
        {"color": "green", "value": 0.25},
    ]
    layout.add(
        stat(
            "API availability budget left",
            budget_left,
            [target(f"1 - ({error_ratio(API, '30d')}) / {AVAILABILITY_BUDGET}", instant=True)],
            unit="percentunit",
            thresholds=budget_steps,
            decimals=1,
        ),
        w=4,
        h=5,
    )
    layout.add(
        stat(
            "Portal availability budget left",
            budget_left,
            [target(f"1 - ({error_ratio(PORTAL, '30d')}) / {AVAILABILITY_BUDGET}", instant=True)],
            unit="percentunit",
            thresholds=budget_steps,
            decimals=1,
        ),
        w=4,
        h=5,
    )
    layout.add(
        stat(
            "API latency budget left",
            budget_left,
            [target(f"1 - (1 - {API_WITHIN_1S_30D}) / {LATENCY_BUDGET}", instant=True)],
            unit="percentunit",
            thresholds=budget_steps,
            decimals=1,
        ),
        w=4,
        h=5,
    )

    layout.row("Error budget burn rate (pages at 14.4, ticket at 6)")
    burn = (
        "How many times faster than the objective allows the budget is spent, from the SLO "
        "recording rules. The alerts need both of their windows above the line: 14.4 over 1 h "
        "and 5 min pages, 6 over 6 h and 30 min opens a ticket."
    )
    burn_steps = _steps(("orange", SLOW_BURN), ("red", FAST_BURN))
    layout.add(
        timeseries(
            "API availability burn rate",
            burn,
            [
                target(f"slo:api_errors:ratio_rate5m / {AVAILABILITY_BUDGET}", "5 min"),
                target(f"slo:api_errors:ratio_rate30m / {AVAILABILITY_BUDGET}", "30 min"),
                target(f"slo:api_errors:ratio_rate1h / {AVAILABILITY_BUDGET}", "1 h"),
                target(f"slo:api_errors:ratio_rate6h / {AVAILABILITY_BUDGET}", "6 h"),
            ],
            thresholds=burn_steps,
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Portal availability burn rate",
            burn,
            [
                target(f"slo:portal_errors:ratio_rate5m / {AVAILABILITY_BUDGET}", "5 min"),
                target(f"slo:portal_errors:ratio_rate1h / {AVAILABILITY_BUDGET}", "1 h"),
            ],
            thresholds=burn_steps,
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "API latency burn rate",
            burn,
            [
                target(f"slo:api_slow:ratio_rate5m / {LATENCY_BUDGET}", "5 min"),
                target(f"slo:api_slow:ratio_rate1h / {LATENCY_BUDGET}", "1 h"),
            ],
            thresholds=burn_steps,
        ),
        w=8,
    )

    layout.row("Service levels against their objectives")
    layout.add(
        timeseries(
            "API 5xx ratio",
            "Share of API requests answered with a 5xx; the line is the objective (0.1%).",
            [
                target("slo:api_errors:ratio_rate5m", "5 min"),
                target("slo:api_errors:ratio_rate1h", "1 h"),
            ],
            unit="percentunit",
            thresholds=_steps(("red", AVAILABILITY_BUDGET)),
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Portal 5xx ratio",
            "Share of portal requests answered with a 5xx; the line is the objective (0.1%).",
            [
                target("slo:portal_errors:ratio_rate5m", "5 min"),
                target("slo:portal_errors:ratio_rate1h", "1 h"),
            ],
            unit="percentunit",
            thresholds=_steps(("red", AVAILABILITY_BUDGET)),
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "API requests over 1 s",
            "Share of API requests that took over 1 s; the line is the objective (1%).",
            [
                target("slo:api_slow:ratio_rate5m", "5 min"),
                target("slo:api_slow:ratio_rate1h", "1 h"),
            ],
            unit="percentunit",
            thresholds=_steps(("red", LATENCY_BUDGET)),
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "API latency quantiles",
            "Every API route together. The objective is 99% within 1 s: the p99 line at or under 1 s.",
            [target(quantile(q, API), f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)],
            unit="s",
            thresholds=_steps(("red", 1.0)),
        ),
    )
    layout.add(
        timeseries(
            "Portal latency quantiles",
            "Every portal route together (pages and Dash callbacks). "
            "No latency objective is set for the portal.",
            [target(quantile(q, PORTAL), f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)],
            unit="s",
        ),
    )

    layout.row("Traffic and app servers")
    layout.add(
        timeseries(
            "Requests per second",
            "Requests the app servers answered, API and portal apart (probes and /metrics left out).",
            [
                target(f"sum(rate(http_requests_total{{{API}}}[{RATE}]))", "API"),
                target(f"sum(rate(http_requests_total{{{PORTAL}}}[{RATE}]))", "portal"),
            ],
            unit="reqps",
        ),
        w=16,
    )
    layout.add(
        timeseries(
            "App servers answering scrapes",
            "App servers Prometheus scraped (up) out of those it knows; AppServerDown pages after 2 minutes.",
            [
                target('sum(up{job="app"})', "up"),
                target('count(up{job="app"})', "known"),
            ],
        ),
        w=8,
    )


def api_and_portal(layout: Layout) -> None:
    layout.row("Rate")
    layout.add(
        timeseries(
            "Requests per second by route",
            "Requests by Flask route template (ids are never in the label), "
            "for the routes and methods chosen above.",
            [target(f"sum by (route) (rate(http_requests_total{{{SELECTED}}}[{RATE}]))", "{{route}}")],
            unit="reqps",
        ),
    )
    layout.add(
        timeseries(
            "Requests per second by status",
            "Answers by HTTP status, for the routes and methods chosen above.",
            [target(f"sum by (status) (rate(http_requests_total{{{SELECTED}}}[{RATE}]))", "{{status}}")],
            unit="reqps",
            stacked=True,
        ),
    )

    layout.row("Errors")
    layout.add(
        timeseries(
            "5xx per second by route",
            "Server errors by route: the requests that spend the availability budget.",
            [
                target(
                    f'sum by (route, status) (rate(http_requests_total{{{SELECTED},status=~"5.."}}[{RATE}]))',
                    "{{route}} {{status}}",
                )
            ],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "5xx ratio by route",
            "Share of each route's requests answered with a 5xx; the line is the 0.1% objective.",
            [
                target(
                    f'sum by (route) (rate(http_requests_total{{{SELECTED},status=~"5.."}}[{RATE}])) '
                    f"/ sum by (route) (rate(http_requests_total{{{SELECTED}}}[{RATE}]))",
                    "{{route}}",
                )
            ],
            unit="percentunit",
            thresholds=_steps(("red", AVAILABILITY_BUDGET)),
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "4xx per second by route",
            "Client errors by route and status: validation failures, 401/403, 404, "
            "409 conflicts, 429 throttling.",
            [
                target(
                    f'sum by (route, status) (rate(http_requests_total{{{SELECTED},status=~"4.."}}[{RATE}]))',
                    "{{route}} {{status}}",
                )
            ],
            unit="reqps",
        ),
        w=8,
    )

    layout.row("Duration")
    for q in (0.5, 0.95, 0.99):
        layout.add(
            timeseries(
                f"p{round(q * 100)} duration by route",
                f"The {round(q * 100)}th percentile of request duration by route, "
                "from the latency histogram.",
                [target(quantile(q, SELECTED, by="route"), "{{route}}")],
                unit="s",
                thresholds=_steps(("red", 1.0)) if q == 0.99 else None,
            ),
            w=8,
        )
    layout.add(
        timeseries(
            "Mean duration by route",
            "Time spent per request on average, by route: the histogram's sum over its count.",
            [
                target(
                    f"sum by (route) (rate(http_request_duration_seconds_sum{{{SELECTED}}}[{RATE}])) "
                    f"/ sum by (route) (rate(http_request_duration_seconds_count{{{SELECTED}}}[{RATE}]))",
                    "{{route}}",
                )
            ],
            unit="s",
        ),
    )
    layout.add(
        timeseries(
            "Time spent by route",
            "Seconds of app server time per second, by route: where the servers' capacity goes.",
            [
                target(
                    f"sum by (route) (rate(http_request_duration_seconds_sum{{{SELECTED}}}[{RATE}]))",
                    "{{route}}",
                )
            ],
            unit="s",
            stacked=True,
        ),
    )

    layout.row("Login throttling")
    layout.add(
        timeseries(
            "Login attempts deferred by scope",
            "Login attempts answered 429 because the account's or the address's back-off had not passed.",
            [target(f"sum by (scope) (rate(login_attempts_deferred_total[{RATE}]))", "{{scope}}")],
            unit="reqps",
        ),
    )
    layout.add(
        timeseries(
            "Back-off alerts by scope, per hour",
            "Failed logins that brought an account's or an address's back-off to the alert level: "
            "someone keeps guessing.",
            [target("sum by (scope) (increase(login_backoff_alerts_total[1h]))", "{{scope}}")],
        ),
    )


LEDGER_WRITES = (
    'method="POST", route=~"/api/v1/(pools/[^/]+/(transactions|capital-calls|subsequent-closes'
    '|clawbacks|distributions|valuations).*|transactions/.*)"'
)
PAYMENTS_API = 'route=~"/api/v1/payments.*"'
WEBHOOK = 'route="/api/v1/payments/webhooks/stripe"'


def ledger_and_payments(layout: Layout) -> None:
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

    layout.row("Ledger outbox (events waiting for the relay)")
    layout.add(
        timeseries(
            "Unpublished ledger events",
            "Events committed and not yet published to the broker, read from the database at each "
            "scrape and counted up to 10,000. Every app server reports the same figure. "
            "LedgerOutboxBacklogGrowing opens a ticket over 1,000 and growing.",
            [target("max(ledger_outbox_unpublished_events)", "unpublished")],
            thresholds=_steps(("orange", 1000.0)),
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
            thresholds=_steps(("red", 300.0)),
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
            thresholds=_steps(("red", 1.0)),
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


def workers_and_queues(layout: Layout) -> None:
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
            thresholds=_steps(("orange", 1000.0)),
        ),
    )
    layout.add(
        timeseries(
            "Oldest event waiting for the relay",
            "Seconds the oldest unpublished event has waited; pages past 5 minutes.",
            [target("max(ledger_outbox_oldest_unpublished_age_seconds)", "oldest")],
            unit="s",
            thresholds=_steps(("red", 300.0)),
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
            thresholds=_steps(("red", 0.001)),
        ),
        w=4,
    )


def database_and_replicas(layout: Layout) -> None:
    layout.add(
        not_exported(
            "Database and replicas: not exported yet",
            "**Not exported yet.** No metric shows the SQLAlchemy connection pools (connections "
            "checked out, overflow, waits for a connection) on the primary or the replicas, "
            "replication lag, or which replicas the app is skipping (it probes their lag against "
            "`REPLICA_MAX_LAG_SECONDS` and falls back to the primary, exporting no figure), nor "
            "how many writers wait for a pool's turn. MariaDB itself (connections, slow queries, "
            "InnoDB lock waits) is not scraped. The panels below are what the app servers' own "
            "metrics tell about the database.",
        ),
        w=24,
        h=5,
    )

    layout.row("The primary, as the app servers see it")
    layout.add(
        timeseries(
            "App servers that could read the database at the last scrape",
            "The outbox gauges are read from the database at each scrape and are left out when it "
            "cannot be read: fewer servers reporting them than servers up means the database is "
            "unreachable from some of them.",
            [
                target("count(ledger_outbox_unpublished_events)", "read the database"),
                target('sum(up{job="app"})', "app servers up"),
            ],
        ),
    )
    layout.add(
        timeseries(
            "Readiness failures and 503 answers",
            "/readyz answers 503 when the primary database, Redis or RabbitMQ is unreachable; the API "
            "answers 503 when a dependency is down or a pool's writers waited 30 s for their turn.",
            [
                target(
                    f'sum(rate(http_requests_total{{route="/readyz",status="503"}}[{RATE}]))',
                    "/readyz 503",
                ),
                target(
                    f'sum by (route) (rate(http_requests_total{{route!="/readyz",status="503"}}[{RATE}]))',
                    "{{route}}",
                ),
            ],
            unit="reqps",
        ),
    )

    layout.row("Reads (replicas) and writes (primary)")
    reads = 'method=~"GET|HEAD", ' + API
    writes = 'method=~"POST|PUT|PATCH|DELETE", ' + API
    layout.add(
        timeseries(
            "API read and write latency (p95)",
            "Reads may go to a replica, writes always go to the primary. A rise in reads alone points "
            "at the replicas (or the primary they fell back to), in writes at the primary or a pool's lock.",
            [
                target(quantile(0.95, reads), "reads p95"),
                target(quantile(0.95, writes), "writes p95"),
            ],
            unit="s",
        ),
    )
    layout.add(
        timeseries(
            "API reads and writes per second",
            "The load behind the latency beside it.",
            [
                target(f"sum(rate(http_requests_total{{{reads}}}[{RATE}]))", "reads"),
                target(f"sum(rate(http_requests_total{{{writes}}}[{RATE}]))", "writes"),
            ],
            unit="reqps",
        ),
    )


SPECS = (
    Spec(
        "Platform overview",
        "The service level objectives of the API and the portal: availability and latency against "
        "their objectives, and how fast the error budgets burn.",
        platform_overview,
        tags=("slo",),
        time_from="now-24h",
    ),
    Spec(
        "API and portal",
        "Rate, errors and duration per route of the API and the portal.",
        api_and_portal,
        tags=("red",),
        variables=(
            _label_variable("route", "Route", "http_requests_total"),
            _label_variable("method", "Method", "http_requests_total"),
        ),
    ),
    Spec(
        "Ledger and payments",
        "Journal entries posted, the ledger outbox's backlog and the payments' reconciliation.",
        ledger_and_payments,
        tags=("ledger", "payments"),
    ),
    Spec(
        "Workers and queues",
        "The background workers as far as the app servers' metrics show them.",
        workers_and_queues,
        tags=("workers",),
    ),
    Spec(
        "Database and replicas",
        "The primary database and the read replicas as far as the app servers' metrics show them.",
        database_and_replicas,
        tags=("database",),
    ),
)


# Output ------------------------------------------------------------------------------------


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def uid(title: str) -> str:
    """Grafana's uid for a dashboard, from its title: stable across regenerations."""
    value = f"ip-{slug(title)}"
    if len(value) > 40:  # Grafana's limit
        raise ValueError(f"{title!r}: uid {value!r} is over 40 characters; shorten the title")
    return value


def dashboard(spec: Spec) -> Any:
    layout = Layout()
    spec.build(layout)
    return gl.Dashboard(
        title=spec.title,
        uid=uid(spec.title),
        description=spec.description,
        tags=["investment-pools", *spec.tags],
        panels=layout.panels,
        templating=gl.Templating(list=[_datasource_variable(), *(make() for make in spec.variables)]),
        time=gl.Time(spec.time_from, "now"),
        refresh="1m",
        timezone="utc",
        editable=False,
        graphTooltip=gl.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
        schemaVersion=39,
    ).auto_panel_ids()


def _to_json(value: Any) -> Any:
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data is None:
        raise TypeError(f"not JSON serialisable: {value!r}")
    return to_json_data()


def render(spec: Spec) -> str:
    return json.dumps(dashboard(spec).to_json_data(), sort_keys=True, indent=2, default=_to_json) + "\n"


def render_all() -> dict[str, str]:
    """File name -> the JSON text the generator writes for it."""
    files = {f"{slug(spec.title)}.json": render(spec) for spec in SPECS}
    if len(files) != len(SPECS):
        raise ValueError("two dashboards have the same file name")
    return files


def differences(folder: Path, files: dict[str, str]) -> list[str]:
    """What differs between `folder` and what the generator would write there."""
    found = []
    for name, text in sorted(files.items()):
        path = folder / name
        if not path.exists():
            found.append(f"missing: {path}")
        elif path.read_bytes() != text.encode():
            found.append(f"differs: {path}")
    found += [f"not generated: {path}" for path in sorted(folder.glob("*.json")) if path.name not in files]
    return found


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        path = folder / name
        if not path.exists() or path.read_bytes() != text.encode():
            path.write_bytes(text.encode())
            print(f"wrote {path}")
    for stale in sorted(folder.glob("*.json")):
        if stale.name not in files:
            stale.unlink()
            print(f"removed {stale} (no dashboard writes it)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the platform's Grafana dashboards as JSON.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming each file that differs from what would be written",
    )
    parser.add_argument(
        "--dir", type=Path, default=OUTPUT_DIR, help=f"the JSON folder (default {OUTPUT_DIR})"
    )
    args = parser.parse_args(argv)
    files = render_all()
    if args.check:
        stale = differences(args.dir, files)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("regenerate them: python deploy/grafana/dashboards.py", file=sys.stderr)
            return 1
        print(f"{len(files)} dashboards up to date in {args.dir}")
        return 0
    write(args.dir, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
