"""Audit log (admin): every state change with its actor, filterable."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.admin.data import audit_rows
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/audit", name="Audit")

COLUMNS = [
    {"field": "id", "maxWidth": 90},
    {"field": "when", "headerName": "When (UTC)", "minWidth": 170},
    {"field": "actor", "minWidth": 180},
    {"field": "action", "minWidth": 160},
    {"field": "object", "minWidth": 120},
    {"field": "change", "minWidth": 320, "tooltipField": "change"},
    {"field": "request", "headerName": "Request id"},
]


def _input(label: str, ident: str, **kwargs: Any) -> Any:
    return dbc.Col(
        [dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"), dbc.Input(id=ident, **kwargs)],
        xs=6,
        md=3,
    )


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.H1("Audit log", className="h3 mb-3", id="page-title"),
            dbc.Row(
                [
                    _input("Object type", "audit-object", placeholder="pool, user, investor…", debounce=True),
                    _input("Action", "audit-action", placeholder="e.g. pool.created", debounce=True),
                    _input("Contains", "audit-text", placeholder="actor, id, value…", debounce=True),
                    _input("Latest", "audit-limit", type="number", min=1, max=1000, value=200, debounce=True),
                ],
                className="g-2 mb-3",
            ),
            html.Div(id="audit-note", className="small text-body-secondary mb-2"),
            dcc.Loading(
                dag.AgGrid(
                    id="audit-grid",
                    columnDefs=COLUMNS,
                    rowData=[],
                    defaultColDef={"sortable": True, "resizable": True, "filter": True},
                    dashGridOptions={
                        "pagination": True,
                        "paginationPageSize": 50,
                        "localeText": {"noRowsToShow": "No audit events match these filters."},
                    },
                    className="ag-theme-alpine",
                    style={"height": "600px"},
                ),
                delay_show=300,
            ),
        ]
    )


@PAGE.callback(
    Output("audit-grid", "rowData"),
    Output("audit-note", "children"),
    Input("audit-object", "value"),
    Input("audit-action", "value"),
    Input("audit-text", "value"),
    Input("audit-limit", "value"),
)
def _refresh(object_type: str | None, action: str | None, text: str | None, limit: Any) -> tuple[Any, str]:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return [], ""
    try:
        latest = max(1, min(int(limit), 1000))
    except (TypeError, ValueError):
        latest = 200
    rows = audit_rows(
        actor, (object_type or "").strip(), (action or "").strip(), (text or "").strip(), latest
    )
    return rows, f"{len(rows)} events (newest first, from the latest {latest})"
