"""Audit log (admin): every state change with its actor, filterable (the text search runs in
the audit service, over the whole log); a row's change is shown whole, before and after, in a
dialog opened by selecting the row."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.audit.interface import MAX_TEXT
from backend.platform.actors import Actor, Role
from portal.admin.data import audit_rows
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/audit", name="Audit")

COLUMNS = [
    {"field": "id", "maxWidth": 90, "checkboxSelection": True},
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
                    _input(
                        "Contains",
                        "audit-text",
                        placeholder="actor, action, object, value…",
                        debounce=True,
                        maxLength=MAX_TEXT,
                    ),
                    _input("Latest", "audit-limit", type="number", min=1, max=1000, value=200, debounce=True),
                ],
                className="g-2 mb-3",
            ),
            html.Div(id="audit-note", className="small text-body-secondary mb-2"),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("The change in full")),
                    dbc.ModalBody(id="audit-detail-body"),
                ],
                id="audit-detail",
                size="lg",
                scrollable=True,
                is_open=False,
            ),
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
                        "rowSelection": "single",
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


def _json_block(label: str, text: str) -> Component:
    block: Component = html.Div(
        [
            html.H2(label, className="h6 mt-2"),
            html.Pre(
                text or "(nothing)",
                className="small bg-body-tertiary p-2 mb-2",
                style={"whiteSpace": "pre-wrap"},
            ),
        ]
    )
    return block


@PAGE.callback(
    Output("audit-detail", "is_open"),
    Output("audit-detail-body", "children"),
    Input("audit-grid", "selectedRows"),
    prevent_initial_call=True,
)
def _detail(selected: Any) -> tuple[bool, Any]:
    """The selected event's change whole: pretty-printed before and after (the grid's cell
    shows one line, cut by its width)."""
    actor = current_actor()
    if actor is None or not actor.is_admin:
        raise PreventUpdate
    if not isinstance(selected, list) or not selected or not isinstance(selected[0], dict):
        return False, None
    row = selected[0]
    said = [f"{row.get('when', '')} UTC", *(str(row.get(k, "")) for k in ("actor", "action", "object"))]
    if row.get("request"):
        said.append(f"request {row['request']}")
    head = html.P(" · ".join(said), className="small mb-2")
    parts: list[Component] = [head]
    if row.get("before"):
        parts.append(_json_block("Before", str(row["before"])))
    parts.append(_json_block("After", str(row.get("after") or "")))
    return True, parts
