"""Pool detail (manager): performance charts, investors, transactions, and the pool's actions.

The panels are drawn by portal/manager/panels.py and the actions' forms come from
portal/manager/actions/; this module lays them out and declares the page's callbacks. The
actions sit in tabs by what the manager is doing (money in, money out, a valuation, a
correction, the terms, the status, the team) rather than seven forms one under another.
A tab's forms join the page when the tab is first opened, and then stay (what was typed in
them survives a look at another tab): the browser's Dash renderer works over every
component in the page after each answer, and the forms of all tabs at once held the pool
page about a second after its figures had arrived (bench/browser.py). The actions render
after the page's body, which sits above them, so the figures do not push them about as
they arrive.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError, NotFound
from backend.pools.interface import PoolOut
from portal.components.charts import chart_with_data
from portal.components.forms import DONE, action_form
from portal.components.grid_height import grid_height
from portal.components.placeholder import page_placeholder
from portal.context import services
from portal.manager.actions.class_currencies import with_class_currencies
from portal.manager.actions.clawback import deal_by_deal
from portal.manager.actions.forms import pool_forms, pool_settings_form, pool_status_form
from portal.manager.actions.performance_fee import with_performance_fee
from portal.manager.actions.picker import investor_label, pool_holders
from portal.manager.actions.pool_settings import pool_has_history
from portal.manager.actions.share_classes import with_share_classes
from portal.manager.data import filter_key, investor_rows, pool_detail, transactions_block
from portal.manager.panels import (
    INVESTOR_COLUMNS,
    fees_panel,
    headline,
    nav_caption,
    pool_figures,
    risk_panel,
    transactions_grid,
)
from portal.manager.share_class_panel import class_performance_panel, investor_columns, share_classes_panel
from portal.manager.team_panel import team_panel
from portal.page_registry import Page
from portal.shell.access import restricted_with_params
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/manager/pools/pool", name="Pool", path_template="/manager/pools/<pool_id>")

NOTHING = "Nothing to show: no such pool, or it is not one of yours."


@PAGE.layout
@restricted_with_params(Role.MANAGER)
def layout(actor: Actor, pool_id: str = "", **_params: str) -> Component:
    try:
        pid: int | None = int(pool_id)
    except ValueError:
        pid = None
    return html.Div(
        [
            dcc.Store(id="pool-id", data=pid),
            dcc.Store(id="pool-refresh", data=0),
            dcc.Store(id="tx-cursors", data={}),
            dcc.Store(id="pool-body-drawn"),
            dcc.Loading(
                html.Div(page_placeholder("Loading the pool…"), id="pool-body"),
                type="default",
                delay_show=150,
            ),
            html.Div(id="pool-actions"),
        ]
    )


def _graph(figure: Any, ident: str, caption: str) -> Any:
    card = dbc.Card(chart_with_data(figure, caption, graph_id=ident), body=True)
    return dbc.Col(card, lg=6, className="mb-3")


def pool_body(actor: Actor, pool_id: int | None, refresh: int, today: date) -> Any:
    if pool_id is None:
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing")
    try:
        d = pool_detail(actor, pool_id, today)
    except (NotFound, DomainError):
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing")
    figs = pool_figures(d)
    # A pool with no books has nothing to chart: its first steps (in the headline) instead.
    charted = d.perf is not None and d.perf.entries > 0
    investors = investor_rows(d)
    charts = [
        _graph(figs["nav"], "fig-nav", nav_caption(d)),
        _graph(figs["cumulative"], "fig-cumulative", "Cumulative time-weighted return"),
        _graph(figs["drawdown"], "fig-drawdown", "Drawdown"),
        _graph(figs["heatmap"], "fig-heatmap", "Monthly returns"),
        _graph(figs["flows"], "fig-flows", "Money in and out by month"),
    ]
    return html.Div(
        [
            headline(d),
            dbc.Row([*(charts if charted else []), dbc.Col(fees_panel(d), lg=6)]),
            risk_panel(d),
            share_classes_panel(d),
            class_performance_panel(d),
            html.H2("Investors", className="h5 mt-2"),
            dag.AgGrid(
                id="investors-grid",
                columnDefs=investor_columns(d, INVESTOR_COLUMNS),
                rowData=investors,
                defaultColDef={"sortable": True, "resizable": True},
                dashGridOptions={"localeText": {"noRowsToShow": "No investors yet."}},
                columnSize="responsiveSizeToFit",
                style=grid_height(len(investors)),
                className="ag-theme-alpine mb-4",
            ),
            html.H2("Transactions", className="h5"),
            html.P(
                "Journal order. Filter by date, type (e.g. Capital call) or investor from the "
                "column menus; hover an investor for their id.",
                className="small text-body-secondary",
            ),
            # A wrapper with a new id after each post remounts the grid, so its cache starts over.
            html.Div(transactions_grid(refresh), id=f"tx-wrap-{refresh}"),
        ]
    )


ACTION_TABS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("money-in", "Money in", ("subscription", "commitment", "capital_call", "subsequent_close")),
    ("money-out", "Money out", ("redemption", "distribution", "clawback")),
    ("valuation", "Valuation", ("valuation",)),
    ("fees", "Fees", ("portfolio_company_fee", "performance_fee")),
    ("corrections", "Corrections", ("reversal",)),
    ("terms", "Terms & settings", ("pool_settings", "side_letter")),
    ("status", "Status", ("pool_status",)),
)
"""(tab id, label, the actions whose forms it holds), in the order a manager's month runs."""
NOTHING_HERE = "Nothing to do here for this pool as it stands: its status leaves no such action."


PANE = "action-pane"
OPENED = "pool-panes-opened"


TEAM = "team"


def action_pane(actor: Actor, pool_id: int | None, today: date, tab: str) -> list[Component] | None:
    """The forms of one action tab (or the Team panel), as the pool stands; None when the
    actor may not act on it."""
    if pool_id is None:
        return None
    try:
        pool = services().pools.get_pool(actor, pool_id)
        if tab == TEAM:
            return [team_panel(actor, pool)]
        return _pane_forms(actor, pool, today, tab)
    except DomainError:
        return None


def _pane_forms(actor: Actor, pool: PoolOut, today: date, tab: str) -> list[Component]:
    actions = next((actions for key, _label, actions in ACTION_TABS if key == tab), ())
    holders = [(str(i), investor_label(i, name)) for i, name in pool_holders(actor, pool.id)]
    deals = None
    if deal_by_deal(pool) and {"distribution", "clawback"} & set(actions):  # the forms naming deals
        deals = [i.name for i in services().transactions.investments(actor, pool.id)]
    specs = with_share_classes(pool_forms(actor, pool.kind.value, today, holders, deals), pool)
    specs = with_performance_fee(with_class_currencies(specs, pool), pool, today)
    if "pool_settings" in actions:
        settings = pool_settings_form(pool, has_history=pool_has_history(pool.id))
        specs += [settings] if settings is not None else []
    if "pool_status" in actions:
        status = pool_status_form(pool)
        specs += [status] if status is not None else []
    forms_by_action = {spec.action: spec for spec in specs if spec.action in actions}
    return [action_form(forms_by_action[a]) for a in actions if a in forms_by_action] or [
        dbc.Alert(NOTHING_HERE, color="light", className="border")
    ]


def pool_actions(actor: Actor, pool_id: int | None, today: date) -> Component:
    """The action tabs, the first one's forms filled in (the others on opening, _open_pane)."""
    first = ACTION_TABS[0][0]
    if pool_id is None:
        return html.Div()
    try:
        pool = services().pools.get_pool(actor, pool_id)
        panes = _pane_forms(actor, pool, today, first)
    except DomainError:
        return html.Div()
    tabs = [
        dbc.Tab(
            html.Div(panes if key == first else [], id={"type": PANE, "tab": key}, className="pt-3"),
            label=label,
            tab_id=key,
            id=f"tab-{key}",
        )
        for key, label, _actions in ACTION_TABS
    ]
    # Filled when opened, as the action tabs are: a pool's team is a table of its managers
    # and analysts with a button each, components the page would otherwise draw unseen.
    tabs.append(
        dbc.Tab(html.Div([], id={"type": PANE, "tab": TEAM}, className="pt-1"), label="Team", tab_id=TEAM)
    )
    return html.Div(
        [
            html.H2("Actions", className="h5 mt-4", id="actions"),
            dcc.Store(id=OPENED, data=[first]),
            dbc.Tabs(tabs, id="pool-action-tabs", active_tab=first, className="mb-2"),
        ]
    )


@PAGE.callback(
    Output("pool-body", "children"),
    Output("tx-cursors", "data", allow_duplicate=True),
    Output("pool-body-drawn", "data"),
    Input("pool-id", "data"),
    Input("pool-refresh", "data"),
    prevent_initial_call="initial_duplicate",
)
def _render_body(pool_id: int | None, refresh: int) -> tuple[Any, Any, Any]:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing"), {}, no_update
    # The actions wait for the body's first answer (pool-body-drawn), not for its redraws.
    return pool_body(actor, pool_id, refresh or 0, date.today()), {}, no_update if refresh else pool_id


@PAGE.callback(
    Output("pool-actions", "children"), Input("pool-body-drawn", "data"), prevent_initial_call=True
)
def _render_actions(pool_id: int | None) -> Component:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return html.Div()
    return pool_actions(actor, pool_id, date.today())


@PAGE.callback(
    Output({"type": PANE, "tab": ALL}, "children"),
    Output(OPENED, "data"),
    Input("pool-action-tabs", "active_tab"),
    State(OPENED, "data"),
    State("pool-id", "data"),
    prevent_initial_call=True,
)
def _open_pane(tab: str | None, opened: list[str] | None, pool_id: int | None) -> tuple[list[Any], Any]:
    """A tab opened for the first time gets its forms; one opened before keeps what it holds."""
    tabs = [output["id"]["tab"] for output in ctx.outputs_list[0]]
    opened = list(opened or [])
    actor = current_actor()
    if tab is None or tab in opened or tab not in tabs or actor is None or actor.role is not Role.MANAGER:
        return [no_update] * len(tabs), no_update
    pane = action_pane(actor, pool_id, date.today(), tab)
    if pane is None:
        return [no_update] * len(tabs), no_update
    return [pane if key == tab else no_update for key in tabs], [*opened, tab]


@PAGE.callback(
    Output("pool-refresh", "data"),
    Input({"type": DONE, "action": ALL}, "data"),
    State("pool-refresh", "data"),
    prevent_initial_call=True,
)
def _after_post(done: list[Any], refresh: int | None) -> Any:
    # Redraw the charts and tables from the books once anything was posted.
    return (refresh or 0) + 1 if any(done) else no_update


def tx_rows(
    actor: Actor,
    pool_id: int | None,
    request: dict[str, Any] | None,
    cursors: dict[str, dict[str, str]] | None,
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    if pool_id is None or not request:
        return {"rowData": [], "rowCount": 0}, cursors or {}
    start, end = int(request.get("startRow", 0)), int(request.get("endRow", 100))
    key = filter_key(request.get("filterModel"))
    known = (cursors or {}).get(key, {})
    try:
        response, updated = transactions_block(
            actor, pool_id, start=start, end=end, filter_model=request.get("filterModel"), cursors=known
        )
    except DomainError:
        return {"rowData": [], "rowCount": 0}, cursors or {}
    return response, {**(cursors or {}), key: updated}


@PAGE.callback(
    Output("tx-grid", "getRowsResponse"),
    Output("tx-cursors", "data"),
    Input("tx-grid", "getRowsRequest"),
    State("pool-id", "data"),
    State("tx-cursors", "data"),
    prevent_initial_call=True,
)
def _tx_block(
    request: dict[str, Any] | None, pool_id: int | None, cursors: dict[str, Any] | None
) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None:
        return {"rowData": [], "rowCount": 0}, no_update
    return tx_rows(actor, pool_id, request, cursors)
