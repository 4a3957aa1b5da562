"""Users (admin): every account and the role it holds, from the users service."""

from __future__ import annotations

import dash_ag_grid as dag
from dash import html
from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.admin_view import user_rows
from portal.page_registry import register_page

register_page(__name__, path="/admin/users", name="Users")

COLUMNS = [
    {"field": "id", "maxWidth": 90},
    {"field": "email", "minWidth": 220},
    {"field": "name"},
    {"field": "role"},
    {"field": "active"},
    {"field": "created", "headerName": "Created (UTC)"},
]


@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    rows = user_rows(actor)
    counts = ", ".join(f"{sum(r['role'] == role.value for r in rows)} {role.value}" for role in Role)
    return html.Div(
        [
            html.H1("Users", className="h3 mb-1", id="page-title"),
            html.P(
                f"{len(rows)} accounts: {counts}.", className="text-body-secondary small", id="users-summary"
            ),
            dag.AgGrid(
                id="users-grid",
                columnDefs=COLUMNS,
                rowData=rows,
                defaultColDef={"sortable": True, "resizable": True, "filter": True},
                dashGridOptions={"domLayout": "autoHeight", "pagination": True, "paginationPageSize": 25},
                columnSize="responsiveSizeToFit",
                className="ag-theme-alpine",
            ),
        ]
    )
