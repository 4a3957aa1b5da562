"""Pool detail (manager): performance charts, investors, transactions, and the pool's actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError, NotFound
from portal.access import restricted_with_params
from portal.components import charts
from portal.components.forms import DONE, action_form
from portal.context import services
from portal.formatting import DASH, compact_money, iso, money, multiple, number, pct
from portal.manager_actions import (
    investor_label,
    pool_forms,
    pool_has_history,
    pool_holders,
    pool_settings_form,
    pool_status_form,
)
from portal.manager_data import PoolDetail, filter_key, investor_rows, pool_detail, transactions_block
from portal.page_registry import register_page
from portal.session import current_actor

register_page(__name__, path="/manager/pools/pool", name="Pool", path_template="/manager/pools/<pool_id>")

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True}
NOTHING = "Nothing to show: no such pool, or it is not one of yours."


def _text_col(field: str, header: str, **extra: Any) -> dict[str, Any]:
    return {
        "field": field,
        "headerName": header,
        "cellRenderer": "Formatted",
        "cellRendererParams": {"textField": f"{field}_text"},
        "type": "rightAligned",
        **extra,
    }


INVESTOR_COLUMNS = [
    {"field": "investor", "headerName": "Investor", "minWidth": 180, "pinned": "left"},
    {"field": "investor_id", "headerName": "Id", "maxWidth": 80},
    _text_col("units", "Units"),
    _text_col("value", "Value"),
    _text_col("share", "Share"),
    _text_col("committed", "Committed"),
    _text_col("contributed", "Contributed"),
    _text_col("distributed", "Distributed"),
    _text_col("fees", "Fees borne"),
]

TX_COLUMNS = [
    {"field": "seq", "headerName": "#", "maxWidth": 90},
    {"field": "id", "headerName": "Entry id", "maxWidth": 110},
    {
        "field": "effective_date",
        "headerName": "Date",
        "filter": "agDateColumnFilter",
        "filterParams": {
            "filterOptions": ["equals", "greaterThan", "lessThan", "inRange"],
            "maxNumConditions": 1,
        },
    },
    {
        "field": "entry_type",
        "headerName": "Type",
        "filter": "agTextColumnFilter",
        "filterParams": {"filterOptions": ["equals"], "maxNumConditions": 1},
    },
    _text_col("cash", "Cash"),
    {
        "field": "investors",
        "headerName": "Investors",
        "filter": "agNumberColumnFilter",
        "filterParams": {"filterOptions": ["equals"], "maxNumConditions": 1},
    },
    {"field": "memo", "headerName": "Memo", "minWidth": 200},
    {"field": "reverses", "headerName": "Reverses"},
]


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
            dcc.Loading(html.Div(id="pool-body"), type="default", delay_show=150),
            html.Div(id="pool-actions"),
        ]
    )


# -- pieces -------------------------------------------------------------------------------------


def _stat(label: str, value: str, ident: str, hint: str = "") -> Any:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(label, className="small text-body-secondary"),
                    html.Div(value, className="fs-5 fw-semibold", title=hint),
                ]
            ),
            id=ident,
        ),
        xs=6,
        md=3,
        lg=2,
    )


def headline(d: PoolDetail) -> Component:
    p, c, perf = d.pool, d.pool.base_currency, d.perf
    mw = perf.money_weighted if perf else None
    stats = [
        _stat(
            "NAV",
            compact_money(d.positions.net_asset_value, c),
            "stat-nav",
            money(d.positions.net_asset_value, c),
        ),
        _stat(
            "NAV per unit",
            number(d.positions.nav_per_unit, 6) if d.positions.nav_per_unit else DASH,
            "stat-navpu",
        ),
        _stat("TWR since inception", pct(perf.twr if perf else None), "stat-twr"),
        _stat("IRR", pct(mw.irr if mw else None), "stat-irr"),
    ]
    if p.kind.value == "closed_ended":
        stats += [
            _stat("TVPI", multiple(mw.tvpi if mw else None), "stat-tvpi"),
            _stat("DPI", multiple(mw.dpi if mw else None), "stat-dpi"),
        ]
    else:
        stats += [
            _stat("Units outstanding", number(d.positions.units_outstanding, 2), "stat-units"),
            _stat("Investors", str(len(d.positions.positions)), "stat-investors"),
        ]
    return html.Div(
        [
            html.Div(
                [
                    html.H1(p.name, className="h3 mb-0", id="page-title"),
                    html.Span(
                        f"{p.kind.value.replace('_', '-')} · {p.status.value} · {c} · "
                        f"since {p.inception_date} · as of {d.as_of.isoformat()}",
                        className="text-body-secondary small",
                        id="pool-as-of",
                    ),
                ],
                className="mb-3",
            ),
            dbc.Row(stats, className="g-2 mb-3"),
        ]
    )


def figures(d: PoolDetail) -> dict[str, Any]:
    """The pool's charts (pure: from the gathered data)."""
    daily = d.daily.points if d.daily else []
    monthly = d.monthly.points if d.monthly else []
    days = [p.date for p in daily]
    index = [p.index for p in daily]
    open_ended = d.pool.kind.value == "open_ended"
    price = (
        [float(p.nav_per_unit) if p.nav_per_unit is not None else p.index for p in daily]
        if open_ended
        else index
    )
    return {
        "nav": charts.nav_vs_benchmark(
            days,
            price,
            d.benchmark,
            benchmark_name=d.benchmark_name or "Benchmark",
            as_of=d.as_of,
            label="NAV per unit" if open_ended else "TWR index",
        ),
        "cumulative": charts.cumulative_return(days, index, as_of=d.as_of),
        "drawdown": charts.drawdown(days, index, as_of=d.as_of),
        "heatmap": charts.monthly_heatmap(
            [p.date for p in monthly], [p.index for p in monthly], as_of=d.as_of
        ),
        "flows": charts.flows_bars(
            [p.date for p in monthly],
            [p.inflow for p in monthly],
            [p.outflow for p in monthly],
            d.pool.base_currency,
            as_of=d.as_of,
        ),
    }


def _graph(figure: Any, ident: str) -> Any:
    return dbc.Col(
        dbc.Card(dcc.Graph(figure=figure, config=GRAPH_CONFIG, id=ident), body=True), lg=6, className="mb-3"
    )


def risk_panel(d: PoolDetail) -> Any:
    perf = d.perf
    if perf is None:
        return dbc.Alert("Risk and return figures appear once the pool has a track record.", color="light")
    r, dd = perf.risk, perf.risk.drawdown
    mw = perf.money_weighted
    periods = [(p.name, pct(p.cumulative), pct(p.annualised)) for p in perf.periods]
    rows = [
        ("Volatility (ann.)", pct(r.volatility)),
        ("Sharpe", DASH if r.sharpe is None else f"{r.sharpe:.2f}"),
        ("Sortino", DASH if r.sortino is None else f"{r.sortino:.2f}"),
        ("Max drawdown", pct(dd.max_drawdown)),
        (
            "Peak / trough / recovery",
            f"{iso(dd.peak_date)} / {iso(dd.trough_date)} / {iso(dd.recovery_date)}",
        ),
        ("Observations", f"{r.observations} ({r.frequency})"),
    ]
    if mw:
        c = d.pool.base_currency
        rows += [
            ("Paid in", money(mw.paid_in, c)),
            ("Received", money(mw.received, c)),
            ("IRR", pct(mw.irr)),
            ("TVPI / DPI / RVPI", f"{multiple(mw.tvpi)} / {multiple(mw.dpi)} / {multiple(mw.rvpi)}"),
        ]
    if perf.benchmark:
        b = perf.benchmark
        rows += [(f"{b.name} return", pct(b.period_return)), ("KS-PME", multiple(b.ks_pme))]

    def table(head: tuple[str, ...], body: Sequence[tuple[str, ...]], ident: str) -> Any:
        return dbc.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                html.Tbody([html.Tr([html.Td(x) for x in row]) for row in body]),
            ],
            size="sm",
            className="mb-0",
            id=ident,
        )

    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    [
                        dbc.CardHeader(f"Returns · as of {perf.as_of}"),
                        dbc.CardBody(table(("Period", "Cumulative", "Annualised"), periods, "returns-table")),
                    ]
                ),
                md=6,
            ),
            dbc.Col(
                dbc.Card(
                    [
                        dbc.CardHeader(f"Risk and money-weighted · as of {perf.as_of}"),
                        dbc.CardBody(table(("Figure", "Value"), rows, "risk-table")),
                    ]
                ),
                md=6,
            ),
        ],
        className="g-3 mb-3",
    )


def fees_panel(d: PoolDetail) -> Any:
    p, c = d.pool, d.pool.base_currency
    borne = sum((x.fees for x in d.positions.positions), start=type(d.positions.net_asset_value)(0))
    items = [html.Li(f"Fees borne by investors to date: {money(borne, c)}")]
    if p.management_fee:
        m = p.management_fee
        items.append(
            html.Li(
                f"Management fee {m.rate * 100:.2f}% p.a. on {m.basis.value}, accrued {m.frequency.value}"
            )
        )
    if p.performance_fee:
        f = p.performance_fee
        items.append(
            html.Li(
                f"Performance fee {f.rate * 100:.2f}%"
                + (" above a high-water mark" if f.high_water_mark else "")
            )
        )
    if p.waterfall:
        w = p.waterfall
        items.append(
            html.Li(
                f"Waterfall: {w.preferred_return_rate * 100:.2f}% preferred, "
                f"{w.catch_up_rate * 100:.0f}% catch-up, {w.carried_interest_rate * 100:.2f}% carry"
            )
        )
    return dbc.Card(
        [dbc.CardHeader(f"Fees · as of {d.as_of}"), dbc.CardBody(html.Ul(items, className="mb-0"))],
        className="mb-3",
        id="fees-card",
    )


def transactions_grid(refresh: int) -> Any:
    return dag.AgGrid(
        id="tx-grid",
        columnDefs=TX_COLUMNS,
        rowModelType="infinite",
        defaultColDef={"sortable": False, "resizable": True, "filter": False, "floatingFilter": False},
        dashGridOptions={
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "rowBuffer": 10,
            "infiniteInitialRowCount": 1,
            "localeText": {"noRowsToShow": "No transactions yet."},
        },
        columnSize="responsiveSizeToFit",
        style={"height": "420px"},
        className="ag-theme-alpine",
    )


def pool_body(actor: Actor, pool_id: int | None, refresh: int, today: date) -> Any:
    if pool_id is None:
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing")
    try:
        d = pool_detail(actor, pool_id, today)
    except (NotFound, DomainError):
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing")
    figs = figures(d)
    return html.Div(
        [
            headline(d),
            dbc.Row(
                [
                    _graph(figs["nav"], "fig-nav"),
                    _graph(figs["cumulative"], "fig-cumulative"),
                    _graph(figs["drawdown"], "fig-drawdown"),
                    _graph(figs["heatmap"], "fig-heatmap"),
                    _graph(figs["flows"], "fig-flows"),
                    dbc.Col(fees_panel(d), lg=6),
                ]
            ),
            risk_panel(d),
            html.H2("Investors", className="h5 mt-2"),
            dag.AgGrid(
                id="investors-grid",
                columnDefs=INVESTOR_COLUMNS,
                rowData=investor_rows(d),
                defaultColDef={"sortable": True, "resizable": True},
                dashGridOptions={
                    "domLayout": "autoHeight",
                    "localeText": {"noRowsToShow": "No investors yet."},
                },
                columnSize="responsiveSizeToFit",
                className="ag-theme-alpine mb-4",
            ),
            html.H2("Transactions", className="h5"),
            html.P(
                "Journal order. Filter by date, type (e.g. subscription) or investor id "
                "from the column menus.",
                className="small text-body-secondary",
            ),
            # A wrapper with a new id after each post remounts the grid, so its cache starts over.
            html.Div(transactions_grid(refresh), id=f"tx-wrap-{refresh}"),
        ]
    )


def pool_actions(actor: Actor, pool_id: int | None, today: date) -> Component:
    if pool_id is None:
        return html.Div()
    try:
        pool = services().pools.get_pool(actor, pool_id)
        held = pool_holders(actor, pool_id)
    except DomainError:
        return html.Div()
    holders = [(str(i), investor_label(i, name)) for i, name in held]
    specs = pool_forms(actor, pool.kind.value, today, holders)
    for extra in (pool_settings_form(pool, has_history=pool_has_history(pool_id)), pool_status_form(pool)):
        if extra is not None:
            specs.append(extra)
    return html.Div(
        [
            html.H2("Actions", className="h5 mt-4", id="actions"),
            html.Div([action_form(spec) for spec in specs]),
        ]
    )


@callback(
    Output("pool-body", "children"),
    Output("tx-cursors", "data", allow_duplicate=True),
    Input("pool-id", "data"),
    Input("pool-refresh", "data"),
    prevent_initial_call="initial_duplicate",
)
def _render_body(pool_id: int | None, refresh: int) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return dbc.Alert(NOTHING, color="warning", id="pool-nothing"), {}
    return pool_body(actor, pool_id, refresh or 0, date.today()), {}


@callback(Output("pool-actions", "children"), Input("pool-id", "data"))
def _render_actions(pool_id: int | None) -> Component:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER:
        return html.Div()
    return pool_actions(actor, pool_id, date.today())


@callback(
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


@callback(
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
