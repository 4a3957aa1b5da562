"""RED metrics per Dash callback: every POST to the portal's ``/_dash-update-component``.

The request metrics (backend/platform/observability.py) see one route for every callback of
every page; these tell them apart:

* ``dash_callbacks_total{callback, status}``: each callback request by the callback it ran
  and the HTTP status it was answered with (200 an update, 204 nothing to update, 400 a
  refused request, 401 or 403 the login guard, 500 the callback raised);
* ``dash_callback_duration_seconds{callback}``: how long it took, guard and Dash included.

``callback`` is the callback's output spec as Dash registers it (the key of its callback_map:
``"pool-table.data"``, ``"..a.children...b.style.."`` for several outputs), a bounded set,
the callbacks the portal registered. A request naming anything else (a stale page after a
release, a hand-made request) is counted as OTHER, so a client cannot make new series. A
background callback's polls are requests too and are each counted.

Registered on the app's own registry beside the request metrics, so that multiprocess mode
(several gunicorn workers) sums them the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram

UPDATE_COMPONENT = "_dash-update-component"
OTHER = "other"

CALLBACKS = "dash_callbacks_total"
DURATION = "dash_callback_duration_seconds"


class CallbackMetrics:
    def __init__(self, registry: CollectorRegistry, known: Callable[[], Collection[str]]) -> None:
        self._known = known
        self.calls = Counter(
            CALLBACKS,
            "Dash callback requests by callback (its output spec) and HTTP status.",
            ["callback", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            DURATION,
            "Dash callback request latency by callback (its output spec).",
            ["callback"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def callback_of(self, body: Any) -> str:
        """The callback a request body names, if the portal registered it; else OTHER."""
        output = body.get("output") if isinstance(body, dict) else None
        return output if isinstance(output, str) and output in self._known() else OTHER

    def observe(self, callback: str, status: int, seconds: float) -> None:
        self.calls.labels(callback, str(status)).inc()
        self.latency.labels(callback).observe(seconds)


def install_callback_metrics(server: Flask, metrics: CallbackMetrics) -> None:
    """Count and time every request to Dash's _dash-update-component on `server` (under
    whatever path prefix the portal is mounted, as the login guard finds it). The clock
    starts in the first of the server's before_request hooks, so a request the login guard
    refuses is timed and counted too."""

    def started() -> None:
        if request.path.endswith(f"/{UPDATE_COMPONENT}"):
            g.callback_started = time.perf_counter()

    server.before_request_funcs.setdefault(None, []).insert(0, started)

    @server.after_request
    def _count(response: Response) -> Response:
        began = g.pop("callback_started", None)
        if began is not None:
            callback = metrics.callback_of(_body())
            metrics.observe(callback, response.status_code, time.perf_counter() - began)
        return response


_PARSED_FOR_METRICS_BYTES = 64 * 1024


def _body() -> Any:
    """The request's JSON body as Dash parsed it (Werkzeug keeps what it parsed). A request
    refused before Dash (the login guard, CSRF) has not been parsed: its body is read only
    when small, so an anonymous client cannot make the server parse megabytes for a label."""
    parsed = request._cached_json[0]
    if parsed is not Ellipsis:
        return parsed
    if (request.content_length or 0) > _PARSED_FOR_METRICS_BYTES:
        return None
    return request.get_json(silent=True)
