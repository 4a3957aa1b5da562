"""My holdings (investor): what the money is doing, pool by pool, live.

Everything is read as the signed-in investor: the investor id is the session's own, so a
crafted callback request cannot name another investor. A one-second poll of the ledger
versions of the investor's pools re-renders the page only when an entry was committed.
"Generate statements" builds every pool's statement for a period into one workbook in a
background job (portal/investor/statements_panel.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.components.charts import chart_with_data
from portal.components.placeholder import page_placeholder
from portal.components.progress import job_options
from portal.formatting import money
from portal.investor.class_panel import COLUMNS as CLASS_COLUMNS
from portal.investor.class_panel import class_price_figure, class_rows
from portal.investor.consolidation import Consolidated, consolidate
from portal.investor.data import (
    Dashboard,
    gather,
    holding_columns,
    pool_rows,
    statement_periods,
    statement_url,
)
from portal.investor.figures import allocation_figure, value_figure
from portal.investor.statements_panel import JOB, all_statements, statements_job
from portal.jobs.job import Job
from portal.page_registry import Page
from portal.shared.live import changed, poller, version_key, visible_pool_ids
from portal.shared.reporting_currency import (
    choose_reporting_currency,
    currency_select,
    rates_note,
    reporting_currency,
    total_line,
)
from portal.shell.access import restricted
from portal.shell.landing import not_permitted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/investor", name="My holdings")

HOLDING_COLUMNS = (
    ("pool", "Pool"),
    ("kind", "Kind"),
    ("units", "Units"),
    ("value", "Value"),
    ("contributed", "Contributed"),
    ("distributed", "Distributed"),
    ("xirr", "XIRR"),
    ("tvpi", "TVPI"),
    ("twr", "TWR"),
    ("unfunded", "Unfunded"),
    ("open_calls", "Open calls"),
)


@PAGE.layout
@restricted(Role.INVESTOR)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H1("My holdings", className="h3 mb-0", id="page-title"),
                            html.Span(id="investor-as-of", className="text-body-secondary small"),
                        ]
                    ),
                    currency_select("investor-currency", reporting_currency(actor)),
                ],
                className="d-flex flex-wrap gap-2 justify-content-between align-items-end mb-3",
            ),
            *poller("investor", version_key(actor, visible_pool_ids(actor))),
            dcc.Loading(
                html.Div(id="investor-content", children=page_placeholder("Loading your holdings…")),
                type="default",
                delay_show=400,
                show_initially=False,  # the placeholder says so; a spinner on top jumped as it went
            ),
            all_statements(actor, date.today()),
        ]
    )


def _card(title: str, main: str, natives: list[str], ident: str, note: str) -> Any:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="small text-body-secondary"),
                    html.Div(main, className="fs-4 fw-semibold num"),
                    *[html.Div(line, className="small num") for line in natives],
                    html.Div(note, className="small text-body-secondary"),
                ]
            ),
            id=ident,
        ),
        xs=12,
        sm=6,
        lg=3,
    )


def _cards(data: Dashboard, cons: Consolidated) -> Any:
    """Each total in the reporting currency (at the rate of the dashboard's date), with the
    native amounts beside it; a total whose part has no rate says so."""
    totals = data.totals()
    currencies = sorted(totals)
    r = cons.reporting
    note = f"as of {data.as_of.isoformat()}"

    def card(title: str, key: str, ident: str) -> Any:
        total, missing = cons.total(data, key)
        natives = [money(totals[c][key], c) for c in currencies] if currencies != [r] else []
        return _card(f"{title} ({r})", total_line(total, r, missing), natives, ident, note)

    return html.Div(
        [
            dbc.Row(
                [
                    card("Total value", "value", "card-total-value"),
                    card("Contributed", "contributed", "card-contributed"),
                    card("Distributed", "distributed", "card-distributed"),
                    card("Unfunded commitments", "unfunded", "card-unfunded"),
                ],
                className="g-3 mb-2",
            ),
            html.Div(rates_note(cons.conversion, ident="investor-rates"), className="mb-3"),
        ]
    )


def _table(
    columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]], ident: str, row_id: str = ""
) -> Any:
    head = html.Thead(html.Tr([html.Th(label, scope="col") for _, label in columns]))

    def tr(row: dict[str, Any]) -> Any:
        cells = [html.Td(str(row.get(key, ""))) for key, _ in columns]
        return html.Tr(cells, id=f"{row_id}-{row['pool_id']}") if row_id else html.Tr(cells)

    body = html.Tbody([tr(row) for row in rows])
    return dbc.Table(
        [head, body], striped=True, hover=True, size="sm", responsive=True, id=ident, className="mb-0"
    )


def _section(title: str, body: Any, ident: str, note: str) -> Any:
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span(title, className="fw-semibold"),
                    html.Span(note, className="small text-body-secondary"),
                ],
                className="d-flex justify-content-between",
            ),
            dbc.CardBody(body),
        ],
        className="mb-3",
        id=ident,
    )


def _statements(data: Dashboard, investor_id: int, today: date) -> Any:
    items = []
    for line in data.pools:
        inception = line.series[0][0] if line.series else today
        links = [
            dbc.DropdownMenuItem(
                label,
                href=statement_url(investor_id, line.pool_id, query),
                external_link=True,
                id={"type": "statement-link", "pool": line.pool_id, "index": i},
            )
            for i, (label, query) in enumerate(statement_periods(today, inception))
        ]
        items.append(
            html.Div(
                [
                    html.Span(line.name, className="me-3"),
                    dbc.DropdownMenu(links, label="Download XLSX", size="sm", color="secondary"),
                ],
                className="d-flex align-items-center justify-content-between py-1 border-bottom",
            )
        )
    return items


def _classes(data: Dashboard, note: str) -> list[Any]:
    """Your share class: its price over time and its returns (only the class you hold)."""
    rows = class_rows(data)
    if not rows:
        return []
    chart = chart_with_data(
        class_price_figure(data), "NAV per unit of your share class", graph_id="investor-class-chart"
    )
    table = _table(CLASS_COLUMNS, rows, "investor-classes", row_id="class")
    own = f"{note} · the class's own price"
    return [_section("Your share class", [chart, table], "investor-classes-card", own)]


OWN_TERMS_COLUMNS = (
    ("pool", "Pool"),
    ("reference", "Side letter"),
    ("fee", "Management fee a year"),
    ("waived", "Fee waived"),
    ("carry", "Carried interest"),
)


def render(data: Dashboard, today: date, cons: Consolidated) -> Any:
    """The page's content for `data` and its consolidation into the reporting currency (pure
    functions of them, for the callback tests)."""
    if data.investor_id is None:
        return dbc.Alert(
            "Your investor profile has not been set up yet. Your manager will let you know when it is.",
            color="info",
            id="investor-empty",
        )
    if not data.pools:
        return dbc.Alert(
            "You have no holdings yet: they appear here as soon as your first subscription or "
            "capital call is recorded.",
            color="info",
            id="investor-empty",
        )
    note = f"as of {data.as_of.isoformat()}"
    calls = (
        _table(
            (
                ("pool", "Pool"),
                ("issued", "Issued"),
                ("due", "Due"),
                ("share", "Your share"),
                ("open", "Unpaid"),
            ),
            data.open_calls,
            "investor-calls",
        )
        if data.open_calls
        else html.P("No open capital calls.", className="mb-0 text-body-secondary", id="investor-calls-empty")
    )
    recent = (
        _table(
            (
                ("date", "Date"),
                ("pool", "Pool"),
                ("type", "Type"),
                ("amount", "Your account"),
                ("memo", "Memo"),
            ),
            data.recent,
            "investor-recent",
        )
        if data.recent
        else html.P("No transactions yet.", className="mb-0 text-body-secondary")
    )
    return html.Div(
        [
            _cards(data, cons),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card(
                            chart_with_data(
                                value_figure(data, cons),
                                f"Value over time in {cons.reporting}",
                                graph_id="investor-value-chart",
                            ),
                            body=True,
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        dbc.Card(
                            chart_with_data(
                                allocation_figure(data, cons),
                                f"Allocation by pool in {cons.reporting}",
                                graph_id="investor-allocation-chart",
                            ),
                            body=True,
                        ),
                        lg=4,
                    ),
                ],
                className="g-3 mb-3",
            ),
            _section(
                "Holdings",
                _table(
                    holding_columns(HOLDING_COLUMNS, data),
                    pool_rows(data),
                    "investor-holdings",
                    row_id="holding",
                ),
                "investor-holdings-card",
                f"{note} · XIRR and TVPI since your first flow; TWR of your own account",
            ),
            *_classes(data, note),
            dbc.Row(
                [
                    dbc.Col(_section("Open capital calls", calls, "investor-calls-card", note), lg=6),
                    dbc.Col(
                        _section(
                            "Statements",
                            _statements(data, data.investor_id, today),
                            "investor-statements",
                            "XLSX",
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            _section("Recent transactions", recent, "investor-recent-card", note),
            *(
                [
                    _section(
                        "Your own terms",
                        _table(OWN_TERMS_COLUMNS, data.own_terms, "investor-own-terms"),
                        "investor-own-terms-card",
                        "side letters: the fee and distribution entries apply them",
                    )
                ]
                if data.own_terms
                else []
            ),
        ]
    )


def content_for(actor: Actor | None, today: date, reporting: str | None = None) -> tuple[Any, str]:
    if actor is None or actor.role is not Role.INVESTOR:
        return not_permitted(), ""
    data = gather(actor, today)
    cons = consolidate(actor, data, reporting or reporting_currency(actor))
    return render(data, today, cons), f"As of {today.isoformat()} (end of day) · updates live"


@PAGE.callback(
    Output("investor-content", "children"),
    Output("investor-as-of", "children"),
    Input("investor-version", "data"),
    Input("investor-currency", "value"),
)
def _refresh(_version: str | None, currency: str | None) -> tuple[Any, str]:
    actor = current_actor()
    reporting = None
    chosen = ctx.triggered_id == "investor-currency" and currency
    if actor is not None and actor.role is Role.INVESTOR and chosen and currency:
        try:  # the investor's choice, kept (and audited) by the users service
            reporting = choose_reporting_currency(actor, currency)
        except DomainError as exc:
            return dbc.Alert(str(exc), color="danger"), ""
    return content_for(actor, date.today(), reporting)


@PAGE.callback(
    Output(f"{JOB}-result", "children"),
    Input(f"{JOB}-start", "n_clicks"),
    State("investor-statements-period", "value"),
    **job_options(JOB),
)
def _generate_statements(job: Job, _clicks: int | None, query: str | None) -> Any:
    return statements_job(job, query)


@PAGE.callback(
    Output("investor-version", "data"),
    Input("investor-poll", "n_intervals"),
    State("investor-version", "data"),
    # Not at load: the page renders first; a prevented poll would hold that render back.
    prevent_initial_call=True,
)
def _poll(_ticks: int, current: str | None) -> str:
    actor = current_actor()
    if actor is None or actor.role is not Role.INVESTOR:
        raise PreventUpdate
    latest = version_key(actor, visible_pool_ids(actor))
    if not changed(current, latest):
        raise PreventUpdate
    return latest
