"""Platform overview: the service level objectives of the API and the portal over 30 days,
the error budgets left and how fast they burn, and the traffic behind them."""

from __future__ import annotations

from typing import Any

from generator.layout import Layout
from generator.objectives import AVAILABILITY_BUDGET, FAST_BURN, LATENCY_BUDGET, SLOW_BURN
from generator.panels import stat, target, timeseries
from generator.promql import API, API_WITHIN_1S_30D, PORTAL, RATE, error_ratio, quantile
from generator.spec import Spec
from generator.thresholds import below, steps


def build(layout: Layout) -> None:
    layout.row("Objectives over 30 days")
    availability = "Share of requests answered without a 5xx over the last 30 days. Objective: 99.9%."
    layout.add(
        stat(
            "API availability, 30 days",
            availability,
            [target(f"1 - ({error_ratio(API, '30d')})", instant=True)],
            unit="percentunit",
            thresholds=below(1 - AVAILABILITY_BUDGET),
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
            thresholds=below(1 - AVAILABILITY_BUDGET),
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
            thresholds=below(1 - LATENCY_BUDGET),
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
    burn_steps = steps(("orange", SLOW_BURN), ("red", FAST_BURN))
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
            thresholds=steps(("red", AVAILABILITY_BUDGET)),
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
            thresholds=steps(("red", AVAILABILITY_BUDGET)),
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
            thresholds=steps(("red", LATENCY_BUDGET)),
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "API latency quantiles",
            "Every API route together. The objective is 99% within 1 s: the p99 line at or under 1 s.",
            [target(quantile(q, API), f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)],
            unit="s",
            thresholds=steps(("red", 1.0)),
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


SPEC = Spec(
    "Platform overview",
    "The service level objectives of the API and the portal: availability and latency against "
    "their objectives, and how fast the error budgets burn.",
    build,
    tags=("slo",),
    time_from="now-24h",
)
