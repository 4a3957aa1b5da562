"""Users (admin): the accounts and the roles they hold, from the users service: counts for
every account, the grid for the first USER_ROWS by id."""

from __future__ import annotations

import dash_ag_grid as dag
from dash import html
from dash.development.base_component import Component

from backend.actors import Actor, Role
from portal.access import restricted
from portal.admin_view import user_counts, user_rows
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
    counted = user_counts(actor)
    total = sum(active + disabled for active, disabled in counted.values())
    counts = ", ".join(f"{sum(counted[role.value])} {role.value}" for role in Role)
    shown = "" if len(rows) == total else f" The grid holds the first {len(rows)} by id."
    return html.Div(
        [
            html.H1("Users", className="h3 mb-1", id="page-title"),
            html.P(
                f"{total} accounts: {counts}.{shown}",
                className="text-body-secondary small",
                id="users-summary",
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
