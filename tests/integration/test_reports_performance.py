"""Pool and investor performance from the books, on SQLite and MariaDB: the open-ended TWR is the
unit-price return and a subscription at NAV does not move it; investor XIRR is metrics.xirr of
their own flows; TVPI/DPI/RVPI and PME on a closed-ended pool; as_of in the past; NAV history
sampling; benchmarks; who may read what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.container import Container
from backend.errors import NotFound, PermissionDenied
from reports import metrics
from reports.schemas import BenchmarkCreate, BenchmarkLevelsIn, Frequency
from tests.integration.pools_support import (  # noqa: F401 (cheap_argon2 is an autouse fixture)
    Api,
    World,
    cheap_argon2,
    make_world,
)
from tests.integration.reports_support import build_closed, build_open

D = Decimal
END = date(2025, 6, 30)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_open_ended_twr_is_the_unit_price_return_and_a_subscription_does_not_spike_it(world: World) -> None:
    built = build_open(world)
    reports = world.container.reports
    perf = reports.pool_performance(world.manager, built.pool, as_of=END)
    assert perf.method == "unit_price" and perf.nav_per_unit == D("1.100000")
    assert perf.twr == pytest.approx(0.10, abs=1e-12)
    assert perf.net_asset_value == D("1210000.00") and perf.units_outstanding == D("1100000.000000")
    # B subscribed 210,000 at 1.05 on 15 March: the price, so the return, does not move.
    around = reports.pool_performance(
        world.manager, built.pool, as_of=END, start=date(2025, 2, 28), end=date(2025, 3, 15)
    )
    assert around.twr == 0.0
    daily = reports.nav_history(
        world.manager, built.pool, start=date(2025, 3, 14), end=date(2025, 3, 16), frequency=Frequency.DAILY
    )
    assert [p.index for p in daily.points] == [pytest.approx(1.05)] * 3
    assert [p.inflow for p in daily.points] == [D(0), D("210000.00"), D(0)]
    assert daily.points[0].net_asset_value == D("1050000.00")
    assert daily.points[1].net_asset_value == D("1260000.00")
    periods = {p.name: p for p in perf.periods}
    assert periods["YTD"].cumulative == pytest.approx(0.10) and not periods["YTD"].partial
    assert periods["QTD"].cumulative == pytest.approx(1.10 / 0.9975 - 1)
    assert periods["MTD"].cumulative == pytest.approx(1.10 / 1.05 - 1)
    assert periods["1Y"].cumulative is None and periods["3Y"].cumulative is None  # not covered
    assert periods["SI"].annualised is None  # under a year: never annualised (GIPS)
    # Risk: six monthly returns; the drawdown from 1.05 to 0.9975 at the end of March.
    assert perf.risk.observations == 6
    monthly = [1.02 - 1, 1.05 / 1.02 - 1, 0.9975 / 1.05 - 1, 1.05 / 0.9975 - 1, 0.0, 1.10 / 1.05 - 1]
    assert perf.risk.volatility == pytest.approx(metrics.volatility(monthly, 12), rel=1e-9)
    assert perf.risk.sharpe == pytest.approx(metrics.sharpe(monthly, 0.0, 12), rel=1e-9)
    assert perf.risk.drawdown.max_drawdown == pytest.approx(0.9975 / 1.05 - 1)
    assert perf.risk.drawdown.trough_date == date(2025, 3, 31)
    assert perf.risk.drawdown.recovery_date == date(2025, 4, 30)


def test_as_of_in_the_past_gives_the_books_as_they_stood(world: World) -> None:
    built = build_open(world)
    past = world.container.reports.pool_performance(world.manager, built.pool, as_of=date(2025, 3, 31))
    assert past.net_asset_value == D("1197000.00") and past.nav_per_unit == D("0.997500")
    assert past.twr == pytest.approx(-0.0025, abs=1e-12)
    assert past.entries == 6  # subscription, purchase, 2 valuations, subscription, valuation
    assert past.money_weighted is not None and past.money_weighted.received == D(0)


def test_investor_xirr_is_xirr_of_their_own_flows(world: World) -> None:
    built = build_open(world)
    c = world.container
    perf = c.reports.investor_performance(world.investor, built.a, as_of=END)
    (mine,) = perf.pools
    position = next(
        p
        for p in c.transactions.pool_positions(world.manager, built.pool).positions
        if p.investor_id == built.a
    )
    assert mine.capital_account == position.value == D("990000.00")
    expected = metrics.xirr(
        [date(2025, 1, 2), date(2025, 5, 15), END], [-1_000_000.0, 105_000.0, float(position.value)]
    )
    assert mine.money_weighted is not None and mine.money_weighted.irr == pytest.approx(expected, rel=1e-12)
    assert mine.money_weighted.tvpi == pytest.approx((105_000 + 990_000) / 1_000_000)
    assert mine.twr == pytest.approx(0.10, abs=1e-6)  # their own TWR: the unit-price return
    assert mine.pool_twr == pytest.approx(0.10)
    other = c.reports.investor_performance(world.manager, built.b, as_of=END).pools[0]
    assert other.pool_twr == pytest.approx(1.10 / 1.05 - 1)
    assert other.twr == pytest.approx(1.10 / 1.05 - 1, abs=1e-6)  # A's flows do not touch B's return
    assert [t.currency for t in perf.totals] == ["USD"]


def test_closed_ended_multiples_irr_and_linked_twr(world: World) -> None:
    built = build_closed(world)
    reports = world.container.reports
    perf = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 12, 31))
    assert perf.method == "linked_valuations" and perf.nav_per_unit is None
    mw = perf.money_weighted
    assert mw is not None
    assert (mw.paid_in, mw.received, mw.value) == (D("30000.00"), D("12000.00"), D("27000.00"))
    assert [mw.tvpi, mw.dpi, mw.rvpi] == pytest.approx([1.3, 0.4, 0.9])
    expected = metrics.xirr(
        [date(2025, 1, 20), date(2025, 9, 30), date(2025, 12, 31)], [-30000, 12000, 27000]
    )
    assert mw.irr == pytest.approx(expected, rel=1e-12)
    assert perf.twr == pytest.approx(36 / 30 * 27 / 24 - 1)  # 1.2 x 1.125: the distribution is no loss
    past = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 6, 30))
    assert past.money_weighted is not None
    assert past.money_weighted.tvpi == pytest.approx(1.2) and past.money_weighted.dpi == 0.0
    # The call on 15 Jan moved no value (a receivable against capital): no return before the money.
    before_money = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 1, 16))
    assert before_money.value == D(0) and before_money.net_asset_value == D("30000.00")
    investor = reports.investor_performance(world.investor, built.a, as_of=date(2025, 12, 31)).pools[0]
    assert investor.money_weighted is not None
    assert investor.money_weighted.value == D("18000.00") and investor.money_weighted.dpi == pytest.approx(
        0.4
    )


def test_benchmark_levels_and_pme(world: World) -> None:
    built = build_closed(world)
    reports = world.container.reports
    bench = reports.create_benchmark(world.manager, BenchmarkCreate(name="Euro Stoxx TR", currency="EUR"))
    csv = "date,level\n2025-01-17,100\n2025-06-30,110\n2025-09-30,105.5\n2025-12-31,121.25\n"
    loaded = reports.load_levels(world.manager, bench.id, BenchmarkLevelsIn(csv=csv))
    assert (loaded.loaded, loaded.first_date) == (4, date(2025, 1, 17))
    # A reload replaces a date's level instead of adding a second one.
    reports.load_levels(
        world.manager,
        bench.id,
        BenchmarkLevelsIn.model_validate({"levels": [{"date": "2025-12-31", "level": "120"}]}),
    )
    levels = reports.levels(world.analyst, bench.id)
    assert [(x.date, x.level) for x in levels][-1] == (date(2025, 12, 31), D("120.000000")) and len(
        levels
    ) == 4
    with pytest.raises(PermissionDenied):
        reports.create_benchmark(world.analyst, BenchmarkCreate(name="Nope", currency="EUR"))
    with pytest.raises(NotFound):
        reports.set_pool_benchmark(world.other_manager, built.pool, bench.id)
    reports.set_pool_benchmark(world.manager, built.pool, bench.id)
    perf = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 12, 31))
    assert perf.benchmark is not None and perf.benchmark.name == "Euro Stoxx TR"
    # Flow dates 20 Jan (level of 17 Jan: 100), 30 Sep (105.5) and the end (120).
    assert perf.benchmark.ks_pme == pytest.approx(
        metrics.ks_pme([30000, 0, 0], [0, 12000, 0], 27000, [100, 105.5, 120]), rel=1e-12
    )
    alpha = metrics.xirr(
        [date(2025, 1, 20), date(2025, 9, 30), date(2025, 12, 31)],
        [-30000 * 120 / 100, 12000 * 120 / 105.5, 27000],
    )
    assert perf.benchmark.direct_alpha == pytest.approx(alpha, rel=1e-12)
    assert perf.benchmark.period_return is None  # no level on or before the base date (31 Dec 2024)
    assert perf.benchmark.note == ""


def test_nav_history_monthly_sampling(world: World) -> None:
    built = build_open(world)
    history = world.container.reports.nav_history(
        world.manager, built.pool, start=date(2025, 1, 1), end=date(2025, 6, 30), frequency=Frequency.MONTHLY
    )
    assert [p.date for p in history.points] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
        date(2025, 6, 30),
    ]
    assert [p.nav_per_unit for p in history.points] == [
        D("1.020000"),
        D("1.050000"),
        D("0.997500"),
        D("1.050000"),
        D("1.050000"),
        D("1.100000"),
    ]
    assert [p.inflow for p in history.points] == [D("1000000.00"), 0, D("210000.00"), 0, 0, 0]
    assert history.points[4].outflow == D("105000.00")
    partial = world.container.reports.nav_history(
        world.manager, built.pool, start=date(2025, 3, 1), end=date(2025, 3, 20), frequency=Frequency.MONTHLY
    )
    assert [p.date for p in partial.points] == [date(2025, 3, 20)] and partial.points[0].inflow == D(
        "210000.00"
    )


def test_who_may_read_performance(world: World) -> None:
    built = build_open(world)
    c = world.container
    reports = c.reports
    for actor in (world.other_manager, world.analyst, world.investor):
        with pytest.raises(NotFound):
            reports.pool_performance(actor, built.pool, as_of=END)
    c.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id or 0)
    assert reports.pool_performance(world.analyst, built.pool, as_of=END).twr == pytest.approx(0.1)
    for actor in (world.other_investor, world.other_manager, world.analyst):
        with pytest.raises(NotFound):
            reports.investor_performance(actor, built.a, as_of=END)
    assert reports.investor_performance(world.investor, built.a, as_of=END).pools[0].pool_id == built.pool


def test_performance_over_the_api(world: World) -> None:
    built = build_open(world)
    api = Api(world)
    ok = api.call("GET", "manager", f"/pools/{built.pool}/performance?as_of=2025-06-30")
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert body["net_asset_value"] == "1210000.00" and body["nav_per_unit"] == "1.100000"
    assert isinstance(body["twr"], float) and body["twr"] == pytest.approx(0.1)
    assert api.call("GET", "other_manager", f"/pools/{built.pool}/performance").status_code == 404
    mine = api.call("GET", "investor", f"/investors/{built.a}/performance?as_of=2025-06-30")
    assert mine.status_code == 200 and mine.get_json()["pools"][0]["capital_account"] == "990000.00"
    assert api.call("GET", "other_investor", f"/investors/{built.a}/performance").status_code == 404
    monthly = api.call(
        "GET", "manager", f"/pools/{built.pool}/nav-history?start=2025-01-01&end=2025-06-30&frequency=monthly"
    )
    assert monthly.status_code == 200 and len(monthly.get_json()["points"]) == 6
    bad = api.call("GET", "manager", f"/pools/{built.pool}/nav-history?frequency=weekly")
    assert bad.status_code == 422
    created = api.call("POST", "manager", "/benchmarks", {"name": "MSCI World", "currency": "USD"})
    assert created.status_code == 201
    bid = created.get_json()["id"]
    loaded = api.call(
        "POST", "manager", f"/benchmarks/{bid}/levels", {"levels": [{"date": "2025-01-01", "level": "100"}]}
    )
    assert loaded.status_code == 201 and loaded.get_json()["loaded"] == 1
    assert (
        api.call("PUT", "manager", f"/pools/{built.pool}/benchmark", {"benchmark_id": bid}).status_code == 200
    )
    assert api.call("GET", "manager", f"/benchmarks/{bid}/levels").get_json() == [
        {"date": "2025-01-01", "level": "100.000000"}
    ]
