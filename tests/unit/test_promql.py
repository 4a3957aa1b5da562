"""The shared PromQL name reader (tests/promql.py) the rule and dashboard checks rely on."""

from __future__ import annotations

import pytest

from tests.promql import metric_names


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("max(payments_failed_last_24h) > 10", {"payments_failed_last_24h"}),
        (
            'sum by (route) (rate(http_requests_total{route=~"/api/.*",status="5xx"}[5m]))',
            {"http_requests_total"},
        ),
        (
            "max by (queue) (celery_queue_messages_ready) > 100 and max by (queue) "
            "(deriv(celery_queue_messages_ready[15m])) > 0",
            {"celery_queue_messages_ready"},
        ),
        ("max(celery_queue_reader_up) < 1 or absent(celery_queue_reader_up)", {"celery_queue_reader_up"}),
        (
            "time() - max(ledger_verify_last_run_timestamp_seconds) > 25 * 3600",
            {"ledger_verify_last_run_timestamp_seconds"},
        ),
        (
            "a_total / on (instance) group_left (engine) b_ratio offset 5m",
            {"a_total", "b_ratio"},
        ),
        ('sum(rate(x_total{route=~"$route"}[$__rate_interval])) or vector(0) > Inf', {"x_total"}),
        ("slo:api_errors:ratio_rate1h > (14.4 * 0.001)", {"slo:api_errors:ratio_rate1h"}),
    ],
)
def test_the_names_an_expression_reads(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names
