"""PromQL the dashboards share: the route selectors and the request metrics' quantiles and
error ratios."""

from __future__ import annotations

# The API is every /api/ route; the portal every other route but the probes and /metrics
# (the same split as the SLO rules in deploy/prometheus/rules/slo.yml).
API = 'route=~"/api/.*"'
PORTAL = 'route!~"/api/.*|/metrics|/healthz|/readyz"'
SELECTED = 'route=~"$route", method=~"$method"'
RATE = "$__rate_interval"


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
