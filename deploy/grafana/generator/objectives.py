"""The service level objectives (docs/operations.md, "Metrics and alerts"): the error budgets
of the 30 days, and the burn rates the SLO alerts fire at."""

from __future__ import annotations

AVAILABILITY_BUDGET = 0.001  # 99.9% of requests without a 5xx
LATENCY_BUDGET = 0.01  # 99% of API requests within 1 s
FAST_BURN = 14.4  # pages
SLOW_BURN = 6.0  # opens a ticket
