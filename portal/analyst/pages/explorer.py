"""Explorer (analyst): pick a dataset and a granted pool, filter, see the grid, download it.

The Download buttons are plain links to the streamed export endpoints with the grid's
filters, so the browser downloads the file straight from the API (session-authenticated),
never as base64 through a callback. The grid refreshes live when the pool's ledger moves.
"Prepare large export" writes the same filtered view to a file in a background job, with a
progress bar and Cancel, and then offers it for download (portal/analyst/jobs.py).
The default view is the business one (a row per transaction, named, amounts in the pool's
currency); the double-entry postings behind it are the "Postings" dataset.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from ledger.interface import EntryType
from portal.analyst.data import (
    DATASETS,
    DEFAULT_DATASET,
    GRID_ROWS,
    column_defs,
    export_url,
    filters,
    grid_rows,
)
from portal.analyst.jobs import prepare_export
from portal.components.progress import download_ready, job_buttons, job_options, job_status, refused
from portal.context import services
from portal.formatting import entry_type_label
from portal.jobs.job import Job
from portal.page_registry import Page
from portal.shared.live import poller, version_key
from portal.shared.pools import visible_pools
from portal.shell.access import restricted
from portal.shell.session import current_actor
from reports.interface import Frequency

PAGE = Page(__name__, path="/analyst", name="Explorer")

JOB = "analyst-job"


def _field(label: str, control: Any, ident: str, md: int = 2) -> Any:
    return dbc.Col(
        [dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"), control], xs=6, md=md
    )


def _pool_options(actor: Actor) -> list[dict[str, Any]]:
    return [
        {"label": f"{p.name} ({p.base_currency})", "value": p.id}
        for p in sorted(visible_pools(actor).values(), key=lambda p: p.id)
    ]


@PAGE.layout
@restricted(Role.ANALYST)
def layout(actor: Actor) -> Component:
    pools = _pool_options(actor)
    first = pools[0]["value"] if pools else None
    controls = dbc.Row(
        [
            _field(
                "Dataset",
                dbc.Select(
                    id="analyst-dataset",
                    options=[{"label": v, "value": k} for k, v in DATASETS.items()],
                    value=DEFAULT_DATASET,
                ),
                "analyst-dataset",
                md=3,
            ),
            _field(
                "Pool",
                dbc.Select(id="analyst-pool", options=pools, value=first, disabled=not pools),
                "analyst-pool",
                md=3,
            ),
            _field(
                "Type",
                dbc.Select(
                    id="analyst-type",
                    options=[{"label": "All", "value": ""}]
                    + [{"label": entry_type_label(t), "value": t.value} for t in EntryType],
                    value="",
                ),
                "analyst-type",
            ),
            _field(
                "Investor id",
                dbc.Input(id="analyst-investor", type="number", min=1, step=1, debounce=True),
                "analyst-investor",
                md=1,
            ),
            _field("From", dbc.Input(id="analyst-from", type="date", debounce=True), "analyst-from"),
            _field("To / as of", dbc.Input(id="analyst-to", type="date", debounce=True), "analyst-to"),
            _field(
                "Frequency",
                dbc.Select(
                    id="analyst-frequency",
                    options=[{"label": f.value, "value": f.value} for f in Frequency],
                    value=Frequency.MONTHLY.value,
                ),
                "analyst-frequency",
                md=1,
            ),
        ],
        className="g-2 mb-3",
    )
    downloads = html.Div(
        [
            dbc.Button(
                "Download CSV",
                id="analyst-csv",
                href="#",
                external_link=True,
                color="primary",
                size="sm",
                className="me-2",
                disabled=not pools,
            ),
            dbc.Button(
                "Download XLSX",
                id="analyst-xlsx",
                href="#",
                external_link=True,
                color="success",
                size="sm",
                disabled=not pools,
            ),
        ],
        className="mb-2",
    )
    large = html.Div(
        [
            html.Div(
                [
                    dbc.Label("Export format", html_for="analyst-job-format", className="visually-hidden"),
                    dbc.Select(
                        id="analyst-job-format",
                        options=[{"label": "CSV", "value": "csv"}, {"label": "XLSX", "value": "xlsx"}],
                        value="csv",
                        size="sm",
                        style={"width": "6rem"},
                        className="me-2",
                    ),
                    *job_buttons(JOB, "Prepare large export", disabled=not pools, color="outline-primary"),
                    html.Span(
                        "the whole filtered view, written in the background",
                        className="small text-body-secondary ms-2",
                    ),
                ],
                className="d-flex align-items-center",
            ),
            job_status(JOB),
        ],
        className="mb-3",
        id="analyst-large-export",
    )
    empty = dbc.Alert(
        "No pools have been shared with you yet: ask a pool's manager for analyst access.",
        color="info",
        id="analyst-empty",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Explorer", className="h3 mb-0", id="page-title"),
                    html.Span(id="analyst-note", className="text-body-secondary small"),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            *poller("analyst", version_key(actor, [first]) if first else None),
            controls,
            downloads,
            large,
            *([empty] if not pools else []),
            dcc.Loading(
                dag.AgGrid(
                    id="analyst-grid",
                    columnDefs=[],
                    rowData=[],
                    defaultColDef={
                        "sortable": True,
                        "resizable": True,
                        "filter": True,
                        "floatingFilter": True,
                    },
                    dashGridOptions={
                        "pagination": True,
                        "paginationPageSize": 50,
                        "localeText": {"noRowsToShow": "No rows match these filters."},
                    },
                    columnSize="autoSize",
                    className="ag-theme-alpine",
                    style={"height": "560px"},
                ),
                type="default",
                delay_show=400,
            ),
        ]
    )


def explore(
    actor: Actor | None, dataset: str | None, pool: Any, raw: dict[str, Any], today: date
) -> tuple[Any, Any, str, str, str]:
    """(columnDefs, rowData, note, CSV href, XLSX href) for the chosen view."""
    nothing: tuple[Any, Any, str, str, str] = ([], [], "", "#", "#")
    if actor is None or actor.role is not Role.ANALYST or dataset not in DATASETS:
        return nothing
    try:
        pool_id = int(pool)
    except (TypeError, ValueError):
        return nothing
    query = filters(dataset, pool_id, raw)
    try:
        rows, more = grid_rows(actor, dataset, query)
    except DomainError as exc:  # NotFound for a pool not granted; a bad filter says why
        return [], [], f"Nothing to show: {exc}", "#", "#"
    shown = f"first {GRID_ROWS:,} rows (the download has them all)" if more else f"{len(rows):,} rows"
    note = f"{DATASETS[dataset]} · {shown} · as of {today.isoformat()} · updates live"
    return (
        column_defs(dataset),
        rows,
        note,
        export_url(dataset, "csv", query),
        export_url(dataset, "xlsx", query),
    )


@PAGE.callback(
    Output("analyst-grid", "columnDefs"),
    Output("analyst-grid", "rowData"),
    Output("analyst-note", "children"),
    Output("analyst-csv", "href"),
    Output("analyst-xlsx", "href"),
    Input("analyst-dataset", "value"),
    Input("analyst-pool", "value"),
    Input("analyst-type", "value"),
    Input("analyst-investor", "value"),
    Input("analyst-from", "value"),
    Input("analyst-to", "value"),
    Input("analyst-frequency", "value"),
    Input("analyst-version", "data"),
)
def _refresh(  # noqa: PLR0917 - Dash passes each input positionally
    dataset: str | None,
    pool: Any,
    entry_type: str | None,
    investor: Any,
    date_from: str | None,
    date_to: str | None,
    frequency: str | None,
    _version: str | None,
) -> tuple[Any, Any, str, str, str]:
    raw = {
        "type": entry_type,
        "investor_id": investor,
        "date_from": date_from,
        "date_to": date_to,
        "frequency": frequency,
    }
    return explore(current_actor(), dataset, pool, raw, date.today())


def export_job(job: Job, dataset: str | None, pool: Any, raw: dict[str, Any], fmt: str | None) -> Any:
    """The large export's result: a download link, or why there is none."""
    actor = job.actor
    if actor is None or actor.role is not Role.ANALYST:
        return refused("Not permitted: sign in as an analyst.", f"{JOB}-refused")
    if dataset not in DATASETS or fmt not in ("csv", "xlsx"):
        return refused("Choose a dataset and a format.", f"{JOB}-refused")
    try:
        pool_id = int(pool)
    except (TypeError, ValueError):
        return refused("Choose a pool.", f"{JOB}-refused")
    try:
        prepared = prepare_export(job, actor, dataset, filters(dataset, pool_id, raw), fmt)
    except DomainError as exc:
        return refused(f"Nothing to export: {exc}", f"{JOB}-refused")
    size = f"{prepared.size / 1_000_000:.1f} MB" if prepared.size >= 100_000 else f"{prepared.size:,} bytes"
    return download_ready(
        f"Download {prepared.download_name}",
        prepared.url,
        f"{JOB}-ready",
        f"{prepared.rows:,} rows, {size}; the link works for you for an hour",
    )


@PAGE.callback(
    Output(f"{JOB}-result", "children"),
    Input(f"{JOB}-start", "n_clicks"),
    State("analyst-dataset", "value"),
    State("analyst-pool", "value"),
    State("analyst-type", "value"),
    State("analyst-investor", "value"),
    State("analyst-from", "value"),
    State("analyst-to", "value"),
    State("analyst-frequency", "value"),
    State("analyst-job-format", "value"),
    **job_options(JOB),
)
def _prepare_export(  # noqa: PLR0917 - Dash passes each input positionally
    job: Job,
    _clicks: int | None,
    dataset: str | None,
    pool: Any,
    entry_type: str | None,
    investor: Any,
    date_from: str | None,
    date_to: str | None,
    frequency: str | None,
    fmt: str | None,
) -> Any:
    raw = {
        "type": entry_type,
        "investor_id": investor,
        "date_from": date_from,
        "date_to": date_to,
        "frequency": frequency,
    }
    return export_job(job, dataset, pool, raw, fmt)


@PAGE.callback(
    Output("analyst-version", "data"),
    Input("analyst-poll", "n_intervals"),
    Input("analyst-pool", "value"),
    State("analyst-version", "data"),
    # Not at load: the page renders first; a prevented poll would hold that render back.
    prevent_initial_call=True,
)
def _poll(_ticks: int, pool: Any, current: str | None) -> str:
    actor = current_actor()
    if actor is None or actor.role is not Role.ANALYST:
        raise PreventUpdate
    try:
        pool_id = int(pool)
    except (TypeError, ValueError):
        raise PreventUpdate from None
    if not services().pools.can_read(actor, pool_id):
        raise PreventUpdate
    latest = version_key(actor, [pool_id])
    if latest == current:
        raise PreventUpdate
    return latest
