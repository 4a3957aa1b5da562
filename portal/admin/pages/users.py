"""Users (admin): the accounts and the roles they hold, from the users service: counts for
every account, the grid for the first USER_ROWS by id."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.users.interface import MAX_SEARCH
from portal.admin.data import user_counts, user_rows
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/users", name="Users")

COLUMNS = [
    {"field": "id", "maxWidth": 90},
    {"field": "email", "minWidth": 220},
    {"field": "name"},
    {"field": "role"},
    {"field": "active"},
    {"field": "created", "headerName": "Created (UTC)"},
]


@PAGE.layout
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
            dbc.Label("Find an account", html_for="users-search", className="small mb-1"),
            dbc.Input(
                id="users-search",
                type="search",
                placeholder="part of an email or name",
                debounce=True,
                maxLength=MAX_SEARCH,
                className="mb-2",
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


@PAGE.callback(Output("users-grid", "rowData"), Input("users-search", "value"), prevent_initial_call=True)
def _search(text: str | None) -> Any:
    """The accounts matching the search, found by the users service (not in the browser:
    the grid holds only the first rows of a large book)."""
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return []
    return user_rows(actor, search=(text or "")[:MAX_SEARCH])
