"""The platform's Grafana dashboards, as code (grafanalib): one JSON file per dashboard in
deploy/grafana/dashboards/, which Grafana loads through deploy/grafana/provisioning/.

    python deploy/grafana/generate.py          # (re)write the JSON files
    python deploy/grafana/generate.py --check  # exit 1 naming the files that differ

The building blocks: `datasource`, `variables` (the dashboards' template variables),
`objectives` (the error budgets and burn rates), `thresholds`, `promql` (selectors and
query helpers), `panels`, `layout` and `spec` (what a dashboard is). One module per
dashboard under `boards`, listed in `boards.SPECS`. `render` turns a spec into JSON text,
`output` compares and writes the folder, `cli` is the command.

The output is stable (sorted keys, 2-space indent, a final newline, uids derived from each
dashboard's title), so regenerating writes identical bytes and the JSON is committed.

A panel queries only what the platform exports (backend/, ledger/: prometheus_client
metrics and the outbox gauges read at each scrape), what deploy/prometheus/rules/ records,
or the few exporter series the alert rules read too (node_exporter's filesystems,
mysqld_exporter's replica status); where an area has no metric yet, a text panel says so
instead of a query on an invented name. tests/unit/test_grafana_dashboards.py checks all of
that, and that every query parses.
"""
