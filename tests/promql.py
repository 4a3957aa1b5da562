"""The metric names a PromQL expression reads, for the tests that check the alert rules and
the dashboards' queries against what the platform exports (tests/integration/
test_prometheus_rules.py, tests/unit/test_grafana_dashboards.py); and the samples of a
/metrics answer, for the tests that scrape one. No tests here."""

from __future__ import annotations

import re

KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """The series an expression reads: its identifiers less strings (label values), label
    matchers, ranges, grouping labels, functions (followed by a parenthesis), keywords and
    Grafana variables ($name)."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", bare)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    names = re.findall(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()", bare)
    return {name for name in names if name.lower() not in KEYWORDS}


def exposition_samples(body: str) -> dict[str, float]:
    """{series as exposed (name and labels, labels in the exposition's order): value} of one
    /metrics answer in Prometheus's text format."""
    samples: dict[str, float] = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples
