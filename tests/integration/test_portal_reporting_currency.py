"""The manager overview in one reporting currency: pools in EUR and USD add up to one assets-
under-management figure at the ECB rate of the figure's date, the rates used are named, the
native figures stay beside it, a missing rate is shown as missing (never as zero), and the
manager's choice of currency is kept."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.composition.web import create_app
from ledger.interface import ValuationRequest
from portal.investor.consolidation import consolidate
from portal.investor.data import gather
from portal.investor.figures import allocation_figure, value_figure
from portal.investor.pages import holdings
from portal.manager import overview_figures
from portal.manager.overview_data import overview
from portal.manager.pages import overview as page
from portal.shared.reporting_currency import choose_reporting_currency
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.reports_support import build_closed, build_open, key, tx

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _text(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _pool(world: World, currency: str, amount: str, name: str, investor: int) -> int:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(
        m,
        open_pool(
            name=name, base_currency=currency, minimum_subscription="0.00", inception_date="2025-01-02"
        ),
    ).id
    c.transactions.record(
        m,
        pool,
        tx(type="subscription", investor_id=investor, amount=amount, effective_date="2025-01-02"),
        key(),
    )
    c.transactions.record_valuation(
        m, pool, ValuationRequest(as_of=date(2025, 1, 31), net_asset_value=D(amount)), key()
    )
    return pool


def _rates(world: World, day: date, usd: str) -> None:
    csv = f"Date,USD,GBP,\n{day.isoformat()},{usd},0.8420,\n"
    world.container.reports.load_fx_rates(world.admin, csv)


def test_the_overview_adds_up_pools_in_the_managers_reporting_currency(world: World) -> None:
    """EUR 500,000.00 and USD 1,000,000.00 on a day the ECB gives 1.0850 USD per EUR:
    1,000,000 / 1.0850 = 921,658.99, so the AUM is EUR 1,421,658.99 (the worked example of
    docs/business-logic.md, "Reporting currency and FX rates")."""
    investor = world.investor_profile(world.investor)
    _pool(world, "EUR", "500000.00", "Euro Fund", investor)
    _pool(world, "USD", "1000000.00", "Dollar Fund", investor)
    seen = date(2025, 3, 3)  # a Monday: the Friday's rate is in force
    _rates(world, seen - timedelta(days=3), "1.0850")
    app = create_app(world.container)
    with app.test_request_context():
        data = overview(world.manager, seen, "EUR")
        cards, charts, rows, grid_columns, as_of = page.overview_content(
            world.manager, None, None, seen, "EUR"
        )
    assert data.conversion is not None
    total, missing = data.conversion.total(data.nav_figures())
    assert (total, missing) == (D("1421658.99"), [])
    by_name = {r["pool_name"]: r for r in rows}
    assert by_name["Dollar Fund"]["nav_text"] == "$1,000,000.00"  # native beside the converted
    assert by_name["Dollar Fund"]["nav_reporting_text"] == "€921,658.99"
    assert by_name["Euro Fund"]["nav_reporting_text"] == "€500,000.00"
    text = _text(cards)
    assert "€1.42M" in text and "€1,421,658.99" in text
    assert "1 USD = 0.921659 EUR (2025-02-28)" in text  # the rate used and its date
    assert "$1,000,000.00" in text and "€500,000.00" in text  # native totals kept
    assert "returns as of each pool's last valuation" in as_of
    allocation = overview_figures.allocation(data)
    assert sorted(allocation["data"][0]["values"]) == [500000.0, 921658.99]
    assert "Allocation by pool (EUR)" in allocation["layout"]["title"]["text"]
    assert "overview-aum-chart" in _text(charts) and "Show data" in _text(charts)
    assert "NAV (EUR)" in [c.get("headerName") for c in grid_columns]


def test_a_missing_rate_is_shown_as_missing_never_as_zero(world: World) -> None:
    """The only USD rate is eight days old: no rate is in force, so the total is not a sum
    that quietly leaves the dollars out."""
    investor = world.investor_profile(world.investor)
    _pool(world, "EUR", "500000.00", "Euro Fund", investor)
    _pool(world, "USD", "1000000.00", "Dollar Fund", investor)
    seen = date(2025, 3, 3)
    _rates(world, seen - timedelta(days=8), "1.0850")
    app = create_app(world.container)
    with app.test_request_context():
        data = overview(world.manager, seen, "EUR")
        cards, _charts, rows, _columns, _ = page.overview_content(world.manager, None, None, seen, "EUR")
    assert data.conversion is not None
    total, missing = data.conversion.total(data.nav_figures())
    assert total is None and [f.currency for f in missing] == ["USD"]
    text = _text(cards)
    assert (
        "rate missing for USD" in text
        and "No rate for USD on 2025-01-31, 2025-03-03: those figures are not converted" in text
    )
    assert "€500,000.00" in text  # what can be shown still is
    assert {r["pool_name"]: r["nav_reporting_text"] for r in rows}["Dollar Fund"] == "rate missing"
    allocation = overview_figures.allocation(data)
    assert allocation["data"][0]["values"] == [500000.0]  # the dollar pool is not drawn as 0


def test_the_manager_chooses_a_reporting_currency_and_it_is_kept(world: World) -> None:
    c = world.container
    assert c.users.get_user(world.manager, world.manager.user_id or 0).reporting_currency == "EUR"
    _pool(world, "EUR", "500000.00", "Euro Fund", world.investor_profile(world.investor))
    _rates(world, date.today() - timedelta(days=1), "1.0850")
    app = create_app(world.container)
    with app.test_request_context():
        cards, *_ = page.overview_content(world.manager, None, None, date.today(), "USD")
    assert "Assets under management (USD)" in _text(cards)
    with app.test_request_context():
        assert choose_reporting_currency(world.manager, "USD") == "USD"
    assert c.users.get_user(world.manager, world.manager.user_id or 0).reporting_currency == "USD"


def test_the_investor_dashboard_consolidates_euro_and_dollar_holdings(world: World) -> None:
    """An investor in a EUR pool and a USD pool sees one total value in their reporting
    currency (each dollar at the day's 1.25 USD per EUR), one allocation donut with both
    pools, and a value-over-time chart on one axis in that currency."""
    closed = build_closed(world)
    opened = build_open(world, closed.a, closed.b)
    start, today = date(2024, 12, 20), date.today()
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    world.container.reports.load_fx_rates(
        world.admin, "Date,USD,\n" + "".join(f"{d.isoformat()},1.25,\n" for d in days)
    )
    app = create_app(world.container)
    with app.test_request_context():
        data = gather(world.investor, today)
        cons = consolidate(world.investor, data, "EUR")
        content, _ = holdings.content_for(world.investor, today, "EUR")
    by_currency = {line.currency: line.value for line in data.pools}
    expected = by_currency["EUR"] + (by_currency["USD"] / D("1.25")).quantize(D("0.01"))
    assert cons.total(data, "value") == (expected, [])
    text = _text(content)
    assert "Total value (EUR)" in text and f"€{expected:,.2f}" in text
    assert "1 USD = 0.800000 EUR" in text  # the rate used, named
    value_chart = value_figure(data, cons)
    assert "Value over time in EUR" in value_chart["layout"]["title"]["text"]
    assert value_chart["layout"]["yaxis"]["title"]["text"] == "EUR"
    names = [t["name"] for t in value_chart["data"]]
    assert "Total (EUR)" in names and any("(USD in EUR)" in n for n in names)
    donut = allocation_figure(data, cons)
    assert len(donut["data"]) == 1 and len(donut["data"][0]["values"]) == 2
    assert opened.pool in {line.pool_id for line in data.pools}
