"""The pool page's panels, each a pure function of the gathered PoolDetail: the headline
figures, the charts, returns and risk, fees, and the columns of its two grids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.formatting import DASH, compact_money, iso, money, multiple, number, pct
from portal.manager import figures
from portal.manager.data import PoolDetail
from reports.interface import NavPoint


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
        # Words ("Capital call"); the filter takes them too (data._filters reads them back).
        "field": "entry_type",
        "headerName": "Type",
        "filter": "agTextColumnFilter",
        "filterParams": {"filterOptions": ["equals"], "maxNumConditions": 1},
    },
    _text_col("cash", "Cash"),
    {
        # Names; the ids on hover and in the hideable column beside. The grid filters on the
        # server (infinite model), by investor id, whatever the cells show.
        "field": "investors",
        "headerName": "Investors (filter by id)",
        "tooltipField": "investor_ids",
        "minWidth": 200,
        "filter": "agNumberColumnFilter",
        "filterParams": {"filterOptions": ["equals"], "maxNumConditions": 1},
    },
    {"field": "investor_ids", "headerName": "Investor ids", "hide": True},
    {"field": "memo", "headerName": "Memo", "minWidth": 200},
    {"field": "reverses", "headerName": "Reverses"},
]


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
        # A pool with share classes has a price per class (its table below), not one.
        _stat("Share classes", " · ".join(k.class_id for k in d.positions.share_classes), "stat-classes")
        if d.positions.share_classes
        else _stat(
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
                        f"{p.kind.value.replace('_', '-').capitalize()} · {p.status.value} · {c} · "
                        f"since {p.inception_date} · as of {d.as_of.isoformat()}",
                        className="text-body-secondary small",
                        id="pool-as-of",
                    ),
                    last_valuation_badge(d),
                ],
                className="mb-3",
            ),
            first_steps(d),
            dbc.Row(stats, className="g-2 mb-3"),
        ]
    )


STALE_AFTER_DAYS = 35
"""A valuation older than this (a month-end plus a few days to strike it) is flagged."""


def valued_to(d: PoolDetail) -> date | None:
    """The pool's last valuation (or income) on or before the page's date: what its market
    values, returns and charts are as of."""
    return d.perf.last_valuation_date if d.perf else None


def last_valuation_badge(d: PoolDetail) -> Component:
    """The pool's last valuation date, prominently: the figures below are as of it, whatever
    the page's date; flagged once it is more than a month old."""
    last = valued_to(d)
    if last is None:
        return html.Div(
            dbc.Badge("Not valued yet: no returns to show", color="secondary", className="fs-6"),
            id="pool-last-valuation",
            className="mt-1",
        )
    age = (d.as_of - last).days
    stale = age > STALE_AFTER_DAYS
    return html.Div(
        [
            dbc.Badge(
                f"Last valuation {last.isoformat()}",
                color="warning" if stale else "info",
                text_color="dark",
                className="fs-6",
            ),
            html.Span(
                f" {age} days ago: returns after it are not measured yet" if stale else "",
                className="small text-body-secondary",
            ),
        ],
        id="pool-last-valuation",
        className="mt-1",
    )


def first_steps(d: PoolDetail) -> Any:
    """What a manager does first with a pool that has no books yet, instead of flat charts."""
    if d.perf is not None and d.perf.entries:
        return html.Div(id="pool-first-steps")
    money_in = (
        "Record each investor's commitment, then issue a capital call"
        if d.pool.kind.value == "closed_ended"
        else "Record the first subscriptions (investors buy units at the launch NAV per unit)"
    )
    return dbc.Alert(
        [
            html.H2("This pool has no transactions yet", className="h5"),
            html.Ol(
                [
                    html.Li(f"{money_in} under Money in."),
                    html.Li("Record a valuation when the investments are first priced."),
                    html.Li("Attach a benchmark and check the fee terms under Terms & settings."),
                ],
                className="mb-0",
            ),
        ],
        color="light",
        id="pool-first-steps",
        className="mb-3",
    )


def pool_figures(d: PoolDetail) -> dict[str, Any]:
    """The pool's charts (pure: from the gathered data). The return charts stop at the last
    valuation: a line run flat to today would draw unmeasured months as 0%."""
    last = valued_to(d)
    daily = [p for p in d.daily.points if last is not None and p.date <= last] if d.daily else []
    monthly = d.monthly.points if d.monthly else []
    days = [p.date for p in daily]
    index = [p.index for p in daily]
    priced = d.pool.kind.value == "open_ended" and not d.positions.share_classes
    open_ended = d.pool.kind.value == "open_ended"
    price = (
        [float(p.nav_per_unit) if p.nav_per_unit is not None else p.index for p in daily] if priced else index
    )
    growth = figures.nav_vs_benchmark(
        days,
        price,
        d.benchmark,
        benchmark_name=d.benchmark_name or "Benchmark",
        as_of=d.as_of,
        label="NAV per unit" if priced else "TWR index",
    )
    return {
        # A pool with share classes has no one price: a line per class's own instead.
        "nav": figures.class_nav_lines(days, class_prices(d, daily), as_of=d.as_of)
        if d.daily is not None and d.daily.share_classes
        else growth,
        "cumulative": figures.cumulative_return(days, index, as_of=d.as_of),
        "drawdown": figures.drawdown(days, index, as_of=d.as_of),
        "heatmap": figures.monthly_heatmap(
            [p.date for p in monthly], [p.index for p in monthly], as_of=d.as_of, valued_to=last
        ),
        "flows": figures.flows_bars(
            [p.date for p in monthly],
            [p.inflow for p in monthly],
            [p.outflow for p in monthly],
            d.pool.base_currency,
            as_of=d.as_of,
            open_ended=open_ended,
        ),
    }


def class_prices(d: PoolDetail, daily: Sequence[NavPoint]) -> dict[str, list[float]]:
    """Each class's NAV per unit on each day charted, by its label ("A — Retail (USD)")."""
    labels = d.daily.share_classes if d.daily else []
    return {
        f"{k.class_id} — {k.name} ({k.currency})" if k.name else f"{k.class_id} ({k.currency})": [
            float(p.class_nav_per_unit[k.class_id]) for p in daily
        ]
        for k in labels
    }


def nav_caption(d: PoolDetail) -> str:
    """The growth chart's accessible name."""
    if d.daily is not None and d.daily.share_classes:
        return f"NAV per unit of each share class of {d.pool.name}"
    return f"Growth of 100 of {d.pool.name}"


def risk_panel(d: PoolDetail) -> Any:
    perf = d.perf
    if perf is None:
        return dbc.Alert("Risk and return figures appear once the pool has a track record.", color="light")
    r, dd = perf.risk, perf.risk.drawdown
    mw = perf.money_weighted
    periods = [
        (p.name, "no valuation yet", DASH)
        if p.no_valuation
        else (p.name, pct(p.cumulative), pct(p.annualised))
        for p in perf.periods
    ]
    rows = [
        ("Volatility (ann.)", pct(r.volatility)),
        ("Sharpe", DASH if r.sharpe is None else f"{r.sharpe:.2f}"),
        ("Sortino", DASH if r.sortino is None else f"{r.sortino:.2f}"),
        ("Max drawdown", pct(dd.max_drawdown)),
        (
            "Peak / trough / recovery",
            f"{iso(dd.peak_date)} / {iso(dd.trough_date)} / {iso(dd.recovery_date)}",
        ),
        ("Observations", f"{r.observations} ({r.frequency}, to {iso(perf.last_valuation_date)})"),
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
                        dbc.CardHeader(f"Returns · as of {perf.as_of} · valued to {iso(valued_to(d))}"),
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
