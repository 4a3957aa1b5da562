"""RED metrics per gRPC method, on both sides of the call. Labels are the service, the
method and the status code: all bounded by the contracts."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

SERVER_HANDLED = Counter(
    "rpc_server_handled_total",
    "gRPC calls a service answered, by method and status code.",
    ["service", "method", "code"],
)
SERVER_SECONDS = Histogram(
    "rpc_server_handling_seconds",
    "Time a service took to answer a gRPC call.",
    ["service", "method"],
    buckets=_BUCKETS,
)
CLIENT_HANDLED = Counter(
    "rpc_client_handled_total",
    "gRPC calls this process made, by method and status code (UNAVAILABLE: the service did not answer).",
    ["service", "method", "code"],
)
CLIENT_SECONDS = Histogram(
    "rpc_client_handling_seconds",
    "Time a gRPC call took as its caller saw it (the hop included).",
    ["service", "method"],
    buckets=_BUCKETS,
)
