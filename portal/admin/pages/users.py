"""Users (admin): the accounts and the roles they hold, from the users service: counts for
every account, the grid for the first USER_ROWS by id, and what an admin does to them (a new
user, another role, disabling, a password-reset email: portal/admin/user_actions.py)."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.users.interface import MAX_SEARCH
from portal.admin import user_actions
from portal.admin.data import user_counts, user_rows
from portal.page_registry import Page
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/users", name="Users")

COLUMNS = [
    {"field": "id", "maxWidth": 90, "checkboxSelection": True},
    {"field": "email", "minWidth": 220},
    {"field": "name"},
    {"field": "role"},
    {"field": "active"},
    {"field": "created", "headerName": "Created (UTC)"},
]


def _accounts(count: int, role: str) -> str:
    return f"{count} {role}{'' if count == 1 else 's'}"


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    rows = user_rows(actor)
    counted = user_counts(actor)
    total = sum(active + disabled for active, disabled in counted.values())
    counts = ", ".join(_accounts(sum(counted[role.value]), role.value) for role in Role)
    shown = "" if len(rows) == total else f" The grid holds the first {len(rows)} by id."
    return html.Div(
        [
            html.H1("Users", className="h3 mb-1", id="page-title"),
            html.P(
                f"{total} accounts: {counts}.{shown}",
                className="text-body-secondary small",
                id="users-summary",
            ),
            dcc.Store(id="users-pending", data=None),
            dcc.Store(id="users-refresh", data=None),
            user_actions.toolbar(),
            html.Div(id="users-flash"),
            user_actions.modal(),
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
                dashGridOptions={
                    "domLayout": "autoHeight",
                    "pagination": True,
                    "paginationPageSize": 25,
                    "paginationPageSizeSelector": [25, 50, 100],
                    "rowSelection": "single",
                },
                columnSize="responsiveSizeToFit",
                className="ag-theme-alpine",
            ),
        ]
    )


@PAGE.callback(
    Output("users-grid", "rowData"),
    Input("users-search", "value"),
    Input("users-refresh", "data"),
    prevent_initial_call=True,
)
def _search(text: str | None, _refresh: Any) -> Any:
    """The accounts matching the search, found by the users service (not in the browser:
    the grid holds only the first rows of a large book); redrawn after each action too."""
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return []
    return user_rows(actor, search=(text or "")[:MAX_SEARCH])


@PAGE.callback(
    Output("users-refresh", "data"),
    Output("users-flash", "children"),
    Output("users-modal", "is_open"),
    Output("users-modal-title", "children"),
    Output("users-modal-body", "children"),
    Output("users-new-form", "hidden"),
    Output("users-role-form", "hidden"),
    Output("users-pending", "data"),
    Output("users-role-choice", "value"),
    Input("users-confirm", "n_clicks"),
    Input("users-new", "n_clicks"),
    Input("users-role", "n_clicks"),
    Input("users-active", "n_clicks"),
    Input("users-reset", "n_clicks"),
    Input("users-cancel", "n_clicks"),
    State("users-grid", "selectedRows"),
    State("users-pending", "data"),
    State("users-role-choice", "value"),
    State("users-new-email", "value"),
    State("users-new-name", "value"),
    State("users-new-role", "value"),
    State("users-new-invite", "value"),
    State("users-new-password", "value"),
    prevent_initial_call=True,
)
def _act(  # noqa: PLR0917 - Dash passes inputs and states positionally
    _confirm: int | None,
    _new: int | None,
    _role: int | None,
    _active: int | None,
    _reset: int | None,
    _cancel: int | None,
    selected: Any,
    pending: Any,
    role_choice: Any,
    email: str | None,
    name: str | None,
    new_role: str | None,
    invite: bool | None,
    password: str | None,
) -> user_actions.Answer:
    """Ask (a button), do (Confirm) or drop (Cancel) an action on accounts. The services decide
    whether this actor may; for anyone but an admin nothing here even opens."""
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or not actor.is_admin or not isinstance(trigger, str):
        raise PreventUpdate
    if trigger == "users-cancel":
        return user_actions.closed()
    if trigger == "users-confirm":
        new = {"email": email, "name": name, "role": new_role, "invite": invite, "password": password}
        return user_actions.confirm(actor, pending, role_choice, new)
    action = trigger.removeprefix("users-")
    if action not in user_actions.ACTIONS:
        raise PreventUpdate
    return user_actions.ask(actor, action, selected)
