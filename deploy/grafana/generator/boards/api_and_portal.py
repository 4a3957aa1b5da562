"""API and portal: rate, errors and duration per route (the `route` and `method` variables),
and login throttling."""

from __future__ import annotations

from generator.layout import Layout
from generator.objectives import AVAILABILITY_BUDGET
from generator.panels import target, timeseries
from generator.promql import RATE, SELECTED, quantile
from generator.spec import Spec
from generator.thresholds import steps
from generator.variables import label_variable


def build(layout: Layout) -> None:
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
            thresholds=steps(("red", AVAILABILITY_BUDGET)),
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
                thresholds=steps(("red", 1.0)) if q == 0.99 else None,
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

    layout.row("Dash callbacks (every portal update is a POST to /_dash-update-component)")
    layout.add(
        timeseries(
            "Callbacks per second by callback",
            "Portal callback requests by the callback's output spec (a registered callback; "
            "anything else is `other`), whatever their status.",
            [target(f"sum by (callback) (rate(dash_callbacks_total[{RATE}]))", "{{callback}}")],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Callback errors by callback and status",
            "Callbacks answered 4xx (the login guard, CSRF) or 5xx (the callback raised).",
            [
                target(
                    f'sum by (callback, status) (rate(dash_callbacks_total{{status=~"[45].."}}[{RATE}]))',
                    "{{callback}} {{status}}",
                )
            ],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Callback latency (p95) by callback",
            "How long each callback's request took, the login guard and Dash included.",
            [
                target(
                    "histogram_quantile(0.95, sum by (le, callback) "
                    f"(rate(dash_callback_duration_seconds_bucket[{RATE}])))",
                    "{{callback}}",
                )
            ],
            unit="s",
        ),
        w=8,
    )

    layout.row("Services over gRPC (each method, as the service answered it and as its callers saw it)")
    layout.add(
        timeseries(
            "Calls per second by service and method",
            "gRPC calls the services answered, by method (bounded by the contracts).",
            [
                target(
                    f"sum by (service, method) (rate(rpc_server_handled_total[{RATE}]))",
                    "{{service}} {{method}}",
                )
            ],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Calls not OK by method and code",
            "Refusals (NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT...) as the services answered them, "
            "and UNAVAILABLE or DEADLINE_EXCEEDED as the callers saw them: the calls a service never "
            "answered, each a 503 at the API.",
            [
                target(
                    f'sum by (service, method, code) (rate(rpc_server_handled_total{{code!="OK"}}[{RATE}]))',
                    "answered {{method}} {{code}}",
                ),
                target(
                    "sum by (service, method, code) "
                    f'(rate(rpc_client_handled_total{{code=~"UNAVAILABLE|DEADLINE_EXCEEDED"}}[{RATE}]))',
                    "unanswered {{service}} {{method}} {{code}}",
                ),
            ],
            unit="reqps",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Call latency (p95): service and caller",
            "How long each method took inside the service, and as its callers saw it (the hop, the "
            "token and the codec included): the difference is the cost of the split.",
            [
                target(
                    "histogram_quantile(0.95, sum by (le, method) "
                    f"(rate(rpc_server_handling_seconds_bucket[{RATE}])))",
                    "service {{method}}",
                ),
                target(
                    "histogram_quantile(0.95, sum by (le, method) "
                    f"(rate(rpc_client_handling_seconds_bucket[{RATE}])))",
                    "caller {{method}}",
                ),
            ],
            unit="s",
        ),
        w=8,
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


SPEC = Spec(
    "API and portal",
    "Rate, errors and duration per route of the API and the portal.",
    build,
    tags=("red",),
    variables=(
        label_variable("route", "Route", "http_requests_total"),
        label_variable("method", "Method", "http_requests_total"),
    ),
)
