"""Manager overview: assets under management, net flows, and the manager's pools at a glance.

"Recompute analytics" recomputes the performance snapshots of the manager's pools in a
background job, with progress per pool and Cancel (portal/jobs/recompute.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.pools.interface import PoolKind, PoolStatus
from portal.components.progress import job_buttons, job_options, job_status
from portal.formatting import compact_money, money
from portal.jobs.job import Job
from portal.jobs.recompute import recompute_job, recompute_panel_note
from portal.manager.data import Overview, overview
from portal.page_registry import Page
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


COLUMNS: list[dict[str, Any]] = [
    {"field": "name", "headerName": "Pool", "cellRenderer": "markdown", "minWidth": 200, "pinned": "left"},
    {"field": "kind", "headerName": "Kind", "minWidth": 110},
    {"field": "status", "headerName": "Status", "minWidth": 100},
    {"field": "currency", "headerName": "Ccy", "minWidth": 70},
    _formatted("nav", "NAV", width=150),
    _formatted("nav_per_unit", "NAV / unit"),
    _formatted("ytd", "TWR YTD", signed=True),
    _formatted("one_year", "TWR 1Y", signed=True),
    _formatted("si", "TWR SI (ann.)", signed=True),
    _formatted("irr", "IRR", signed=True),
    _formatted("tvpi", "TVPI", width=90),
    _formatted("flows", "Net flows YTD", width=140),
    {
        "field": "spark",
        "headerName": "NAV trend",
        "cellRenderer": "Sparkline",
        "sortable": False,
        "minWidth": 140,
    },
]


def _select(ident: str, label: str, options: list[tuple[str, str]]) -> Any:
    return dbc.Col(
        [
            dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"),
            dbc.Select(
                id=ident,
                options=[{"label": "All", "value": ""}] + [{"label": t, "value": v} for v, t in options],
                value="",
            ),
        ],
        xs=6,
        md=3,
    )


@PAGE.layout
@restricted(Role.MANAGER)
def layout(actor: Actor) -> Component:
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
                    _select(
                        "overview-status", "Status", [(s.value, s.value.capitalize()) for s in PoolStatus]
                    ),
                    _select(
                        "overview-kind", "Kind", [(k.value, k.value.replace("_", "-")) for k in PoolKind]
                    ),
                ],
                className="mb-3 g-2",
            ),
            dcc.Loading(
                html.Div(
                    [
                        html.Div(id="overview-cards", className="mb-3"),
                        dag.AgGrid(
                            id="overview-grid",
                            columnDefs=COLUMNS,
                            rowData=[],
                            defaultColDef={"sortable": True, "resizable": True, "filter": False},
                            dashGridOptions={
                                "domLayout": "autoHeight",
                                "rowHeight": 36,
                                "localeText": {"noRowsToShow": "No pools match these filters."},
                            },
                            columnSize="autoSize",
                            className="ag-theme-alpine",
                        ),
                    ]
                ),
                type="default",
                delay_show=150,
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


def summary_cards(data: Overview) -> Any:
    currencies = sorted(set(data.aum) | set(data.net_flows))
    if not currencies:
        return dbc.Alert(
            ["You do not manage any pool yet. ", dcc.Link("Create one", href="/manager/pools"), "."],
            color="info",
            id="overview-empty",
        )

    def card(title: str, values: dict[str, Any], ident: str) -> Any:
        lines = [
            html.Div(
                compact_money(values.get(c, 0), c),
                title=money(values.get(c, 0), c),
                className="fs-4 fw-semibold",
            )
            for c in currencies
        ]
        return dbc.Col(
            dbc.Card(
                dbc.CardBody([html.Div(title, className="small text-body-secondary"), *lines]), id=ident
            ),
            xs=12,
            md=4,
        )

    return dbc.Row(
        [
            card("Assets under management", data.aum, "card-aum"),
            card(f"Net flows {data.as_of.year} (in less out)", data.net_flows, "card-flows"),
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
    )


def overview_content(actor: Actor, status: str | None, kind: str | None, as_of: date) -> tuple[Any, ...]:
    data = overview(actor, as_of, status or None, kind or None)
    return summary_cards(data), data.rows, f"As of {as_of.isoformat()} (end of day)"


@PAGE.callback(
    Output("overview-cards", "children"),
    Output("overview-grid", "rowData"),
    Output("overview-as-of", "children"),
    Input("overview-status", "value"),
    Input("overview-kind", "value"),
)
def _refresh(status: str | None, kind: str | None) -> tuple[Any, ...]:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return None, [], ""
    return overview_content(actor, status, kind, date.today())


@PAGE.callback(Output(f"{JOB}-result", "children"), Input(f"{JOB}-start", "n_clicks"), **job_options(JOB))
def _recompute(job: Job, _clicks: int | None) -> Any:
    return recompute_job(job, Role.MANAGER, JOB)
