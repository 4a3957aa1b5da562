"""Manager overview: assets under management, net flows, and the manager's pools at a glance.

"Recompute analytics" recomputes the performance snapshots of the manager's pools in a
background job, with progress per pool and Cancel (portal/jobs/recompute.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, ctx, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.pools.interface import PoolKind, PoolStatus
from portal.components.charts import chart_with_data
from portal.components.placeholder import chart_placeholder, page_placeholder
from portal.components.progress import job_buttons, job_options, job_status
from portal.formatting import compact_money, money
from portal.jobs.job import Job
from portal.jobs.recompute import recompute_job, recompute_panel_note
from portal.manager import overview_figures
from portal.manager.overview_data import Overview, overview
from portal.page_registry import Page
from portal.shared.reporting_currency import (
    choose_reporting_currency,
    currency_select,
    rates_note,
    reporting_currency,
    total_line,
)
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/manager", name="Overview")

JOB = "overview-recompute"


def _formatted(field: str, header: str, *, signed: bool = False, width: int = 120) -> dict[str, Any]:
    return {
        "field": field,
        "headerName": header,
        "cellRenderer": "Formatted",
        "cellRendererParams": {"textField": f"{field}_text", "signed": signed},
        "type": "rightAligned",
        "minWidth": width,
    }


LEFT = "left"


def columns(reporting: str) -> list[dict[str, Any]]:
    """The grid's columns; the converted NAV's header names the reporting currency. The NAV
    trend is the AUM chart's, and NAV per unit the pool page's: the grid keeps what a manager
    compares across pools, so it fits a laptop's width without hiding TVPI or flows."""
    return [
        {"field": "name", "headerName": "Pool", "cellRenderer": "markdown", "minWidth": 200, "pinned": LEFT},
        {"field": "kind", "headerName": "Kind · status", "minWidth": 150},
        {"field": "currency", "headerName": "Ccy", "minWidth": 50, "headerTooltip": "the pool's currency"},
        _formatted("nav", "NAV", width=120),
        _formatted("nav_reporting", f"NAV ({reporting})", width=125),
        {"field": "valued_to", "headerName": "Valued to", "minWidth": 95, "headerTooltip": "last valuation"},
        # Flat headers (a column group beside the pinned Pool column leaves an empty header
        # row, which screen readers are told is a row with no cells).
        _formatted("ytd", "TWR YTD", signed=True, width=80),
        _formatted("one_year", "TWR 1Y", signed=True, width=80),
        _formatted("si", "TWR SI (ann.)", signed=True, width=90),
        _formatted("irr", "IRR", signed=True, width=80),
        _formatted("tvpi", "TVPI", width=60),
        _formatted("flows", "Net flows YTD", width=130),
    ]


KIND_WORDS = {PoolKind.OPEN_ENDED: "Open-ended", PoolKind.CLOSED_ENDED: "Closed-ended"}
ALL = "all"
"""The filters' "no filter" value (an empty value would show as a blank choice)."""


def _select(ident: str, label: str, options: list[tuple[str, str]]) -> Any:
    return dbc.Col(
        [
            dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"),
            dbc.Select(
                id=ident,
                options=[{"label": "All", "value": ALL}] + [{"label": t, "value": v} for v, t in options],
                value=ALL,
            ),
        ],
        xs=6,
        md=3,
    )


@PAGE.layout
@restricted(Role.MANAGER)
def layout(actor: Actor) -> Component:
    reporting = reporting_currency(actor)  # one read of the user for the selector and the grid
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Overview", className="h3 mb-0", id="page-title"),
                    html.Span(id="overview-as-of", className="text-body-secondary small"),
                ],
                className="d-flex justify-content-between align-items-baseline mb-3",
            ),
            dbc.Row(
                [
                    _select("overview-status", "Status", [(x.value, x.value.title()) for x in PoolStatus]),
                    _select("overview-kind", "Kind", [(k.value, KIND_WORDS[k]) for k in PoolKind]),
                    dbc.Col(currency_select("overview-currency", reporting), xs=12, md=3),
                ],
                className="mb-3 g-2",
            ),
            dcc.Loading(
                html.Div(
                    [
                        html.Div(
                            page_placeholder("Loading your pools…"), id="overview-cards", className="mb-3"
                        ),
                        html.Div(chart_placeholder(), id="overview-charts", className="mb-3"),
                        html.Div(
                            dag.AgGrid(
                                id="overview-grid",
                                columnDefs=columns(reporting),
                                rowData=[],
                                defaultColDef={
                                    "sortable": True,
                                    "resizable": True,
                                    "filter": False,
                                    "wrapHeaderText": True,
                                    "autoHeaderHeight": True,
                                },
                                dashGridOptions={
                                    # Every row of an auto-height grid is drawn: a page of 25.
                                    "domLayout": "autoHeight",
                                    "pagination": True,
                                    "paginationPageSize": 25,
                                    "paginationPageSizeSelector": [25, 50, 100],
                                    "rowHeight": 36,
                                    "localeText": {"noRowsToShow": "No pools match these filters."},
                                },
                                columnSize="responsiveSizeToFit",
                                className="ag-theme-alpine",
                            ),
                            className="grid-scroll",
                        ),
                    ]
                ),
                type="default",
                delay_show=150,
                show_initially=False,  # the placeholders hold the room; a spinner on top jumped
            ),
            html.Div(
                [
                    html.Div(
                        [
                            *job_buttons(JOB, "Recompute analytics", color="outline-primary"),
                            html.Span(
                                recompute_panel_note(Role.MANAGER), className="small text-body-secondary ms-2"
                            ),
                        ],
                        className="d-flex align-items-center",
                    ),
                    job_status(JOB),
                ],
                className="mt-3",
                id="overview-recompute-panel",
            ),
        ]
    )


def _card(title: str, main: str, hint: str, natives: dict[str, Decimal], ident: str) -> Any:
    lines = [
        html.Div(money(v, c), className="small text-body-secondary num")
        for c, v in sorted(natives.items())
        if v  # a currency with nothing in it says nothing
    ]
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="small text-body-secondary"),
                    html.Div(main, title=hint, className="fs-4 fw-semibold num"),
                    *lines,
                ]
            ),
            id=ident,
        ),
        xs=12,
        md=4,
    )


def summary_cards(data: Overview) -> Any:
    if not data.rows:
        if data.filtered:
            return dbc.Alert("No pools match these filters.", color="light", id="overview-empty")
        return dbc.Alert(
            ["You do not manage any pool yet. ", dcc.Link("Create one", href="/manager/pools"), "."],
            color="info",
            id="overview-empty",
        )
    conv = data.conversion
    r = data.reporting
    aum, aum_missing = conv.total(data.nav_figures()) if conv else (None, [])
    flows, flows_missing = conv.total(data.flow_figures()) if conv else (None, [])
    return html.Div(
        [
            dbc.Row(
                [
                    _card(
                        f"Assets under management ({r})",
                        compact_money(aum, r) if aum is not None else total_line(None, r, aum_missing),
                        total_line(aum, r, aum_missing),
                        data.aum,
                        "card-aum",
                    ),
                    _card(
                        f"Net flows {data.as_of.year} (in less out, {r})",
                        compact_money(flows, r) if flows is not None else total_line(None, r, flows_missing),
                        total_line(flows, r, flows_missing),
                        data.net_flows,
                        "card-flows",
                    ),
                    dbc.Col(
                        dbc.Card(
                            dbc.CardBody(
                                [
                                    html.Div("Pools", className="small text-body-secondary"),
                                    html.Div(str(len(data.rows)), className="fs-4 fw-semibold"),
                                ]
                            ),
                            id="card-pools",
                        ),
                        xs=12,
                        md=4,
                    ),
                ],
                className="g-3",
            ),
            rates_note(conv, ident="overview-rates") if conv else html.Div(id="overview-rates"),
        ]
    )


def overview_charts(data: Overview) -> Any:
    if not data.rows:
        return None
    r = data.reporting
    graphs = [
        ("overview-aum-chart", overview_figures.aum_over_time(data), f"Assets under management in {r}", 7),
        ("overview-allocation-chart", overview_figures.allocation(data), f"Allocation by pool in {r}", 5),
        ("overview-flows-chart", overview_figures.net_flows(data), f"Net flows by month in {r}", 12),
    ]
    return dbc.Row(
        [
            dbc.Col(dbc.Card(chart_with_data(fig, caption, graph_id=ident), body=True), lg=width)
            for ident, fig, caption, width in graphs
        ],
        className="g-3",
    )


def overview_content(
    actor: Actor, status: str | None, kind: str | None, as_of: date, reporting: str | None = None
) -> tuple[Any, ...]:
    status = None if status in (None, "", ALL) else status
    kind = None if kind in (None, "", ALL) else kind
    data = overview(actor, as_of, reporting or reporting_currency(actor), status, kind)
    as_of_text = f"As of {as_of.isoformat()} (end of day); returns as of each pool's last valuation"
    return summary_cards(data), overview_charts(data), data.rows, columns(data.reporting), as_of_text


@PAGE.callback(
    Output("overview-cards", "children"),
    Output("overview-charts", "children"),
    Output("overview-grid", "rowData"),
    Output("overview-grid", "columnDefs"),
    Output("overview-as-of", "children"),
    Input("overview-status", "value"),
    Input("overview-kind", "value"),
    Input("overview-currency", "value"),
)
def _refresh(status: str | None, kind: str | None, currency: str | None) -> tuple[Any, ...]:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return None, None, [], [], ""
    reporting = None
    if ctx.triggered_id == "overview-currency" and currency:
        try:  # the user's choice is theirs to keep: saved (and audited) by the users service
            reporting = choose_reporting_currency(actor, currency)
        except DomainError as exc:
            return dbc.Alert(str(exc), color="danger"), None, [], [], ""
    return overview_content(actor, status, kind, date.today(), reporting)


@PAGE.callback(Output(f"{JOB}-result", "children"), Input(f"{JOB}-start", "n_clicks"), **job_options(JOB))
def _recompute(job: Job, _clicks: int | None) -> Any:
    return recompute_job(job, Role.MANAGER, JOB)
