"""Pool and investor performance from the books, on SQLite and MariaDB: the open-ended TWR is the
unit-price return with distributions reinvested and a subscription at NAV does not move it;
investor XIRR is metrics.xirr of their own flows; TVPI/DPI/RVPI and PME on a closed-ended pool,
net of accrued carried interest with the gross figures beside; one since-inception return; an
investor's return ends at their exit; as_of in the past, unchanged by later entries; NAV
history sampling; benchmarks; who may read what."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.finance import metrics
from backend.investors.interface import SideLetterTerms
from backend.platform.errors import NotFound, PermissionDenied
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import MAX_PAGE, DistributionMode, DistributionRequest
from reports.interface import BenchmarkCreate, BenchmarkLevelsIn, Frequency
from reports.models import PoolSnapshot
from tests.integration.pools_support import (
    Api,
    World,
    make_world,
)
from tests.integration.reports_support import (
    build_carry,
    build_closed,
    build_distributing,
    build_exit,
    build_open,
    distribute_carry,
)

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")

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
    # Every entry dated by then (a valuation that changed nothing is an entry of its own or none).
    dated = world.container.ledger.list_entries(built.pool, limit=MAX_PAGE, date_to=date(2025, 3, 31))
    assert past.entries == len(dated.entries)
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


def _liquidation_preview(
    world: World, pool: int, value: Decimal, on: date
) -> tuple[Decimal, dict[int, Decimal]]:
    """The GP's total, and what each investor's capital account would bear beyond the cash it
    receives, if ``value`` were distributed now: the ledger's own preview, posting nothing."""
    preview = world.container.previews.distribution(
        world.manager,
        pool,
        DistributionRequest(amount=value, effective_date=on, mode=DistributionMode.WATERFALL),
    )
    received = {int(i): D(share["total"]) for i, share in preview.details["investors"].items()}
    borne = {
        line.investor_id: line.amount - received[line.investor_id]
        for line in preview.lines
        if line.account.value == "capital" and line.investor_id is not None
    }
    return D(preview.details["gp_total"]), borne


def test_closed_ended_multiples_irr_and_linked_twr(world: World) -> None:
    built = build_closed(world)
    reports = world.container.reports
    end = date(2025, 12, 31)
    perf = reports.pool_performance(world.manager, built.pool, as_of=end)
    assert perf.method == "linked_valuations" and perf.nav_per_unit is None
    # Accrued carry: what the ledger's waterfall would give the GP out of the whole value now.
    accrued, borne = _liquidation_preview(world, built.pool, D(27000), end)
    assert accrued > 0 and perf.accrued_carried_interest == accrued
    assert (perf.gross_value, perf.value) == (D("27000.00"), D("27000.00") - accrued)
    mw = perf.money_weighted
    assert mw is not None
    assert (mw.paid_in, mw.received, mw.gross_value, mw.value) == (
        D("30000.00"),
        D("12000.00"),
        D("27000.00"),
        D("27000.00") - accrued,
    )
    # Gross: the figures before carry (the distribution was all return of capital: no carry paid).
    assert [mw.gross_tvpi, mw.gross_dpi, mw.gross_rvpi] == pytest.approx([1.3, 0.4, 0.9])
    net = float(D(27000) - accrued)
    assert [mw.tvpi, mw.dpi, mw.rvpi] == pytest.approx([(12000 + net) / 30000, 0.4, net / 30000])
    dates = [date(2025, 1, 20), date(2025, 9, 30), end]
    assert mw.irr == pytest.approx(metrics.xirr(dates, [-30000, 12000, net]), rel=1e-12)
    assert mw.gross_irr == pytest.approx(metrics.xirr(dates, [-30000, 12000, 27000]), rel=1e-12)
    # The pool's TWR: the value linked at the flows (the distribution was all capital: no carry).
    assert perf.twr == pytest.approx(36 / 30 * 27 / 24 - 1)  # 1.2 x 1.125: the distribution is no loss
    assert perf.twr == {p.name: p.cumulative for p in perf.periods}["SI"]  # one number
    past = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 6, 30))
    assert past.money_weighted is not None
    assert past.money_weighted.gross_tvpi == pytest.approx(1.2) and past.money_weighted.dpi == 0.0
    assert past.money_weighted.tvpi == pytest.approx(float(36000 - past.accrued_carried_interest) / 30000)
    # The call on 15 Jan moved no value (a receivable against capital): no return before the money.
    before_money = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 1, 16))
    assert before_money.value == D(0) and before_money.net_asset_value == D("30000.00")
    investor = reports.investor_performance(world.investor, built.a, as_of=end).pools[0]
    assert investor.money_weighted is not None
    assert investor.accrued_carried_interest == borne[built.a] > 0
    assert investor.money_weighted.gross_value == D("18000.00")
    assert investor.money_weighted.value == D("18000.00") - borne[built.a]
    assert investor.money_weighted.dpi == pytest.approx(0.4)


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
    levels = reports.levels(world.manager, bench.id)
    assert [(x.date, x.level) for x in levels][-1] == (date(2025, 12, 31), D("120.000000")) and len(
        levels
    ) == 4
    with pytest.raises(PermissionDenied):
        reports.create_benchmark(world.analyst, BenchmarkCreate(name="Nope", currency="EUR"))
    with pytest.raises(NotFound):
        reports.set_pool_benchmark(world.other_manager, built.pool, bench.id)
    # A manager's own benchmark is theirs to read until it is on a pool: then the pool's
    # readers (a granted analyst) read it as part of the pool's performance.
    assert world.analyst.user_id is not None
    with pytest.raises(NotFound):
        reports.levels(world.analyst, bench.id)
    reports.set_pool_benchmark(world.manager, built.pool, bench.id)
    world.container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    assert len(reports.levels(world.analyst, bench.id)) == 4
    perf = reports.pool_performance(world.manager, built.pool, as_of=date(2025, 12, 31))
    assert perf.benchmark is not None and perf.benchmark.name == "Euro Stoxx TR"
    # Flow dates 20 Jan (level of 17 Jan: 100), 30 Sep (105.5) and the end (120); the LPs'
    # value net of accrued carry.
    value = float(perf.value)
    assert perf.value < D(27000)
    assert perf.benchmark.ks_pme == pytest.approx(
        metrics.ks_pme([30000, 0, 0], [0, 12000, 0], value, [100, 105.5, 120]), rel=1e-12
    )
    alpha = metrics.xirr(
        [date(2025, 1, 20), date(2025, 9, 30), date(2025, 12, 31)],
        [-30000 * 120 / 100, 12000 * 120 / 105.5, value],
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


def test_a_distributing_pool_reports_its_total_return(world: World) -> None:
    """Finding 10: 10% of income paid straight out. The pool's TWR was 0.0% (NAV per unit back
    at 1.00) beside the investor's 10%; it is the total return, +10%, everywhere."""
    built = build_distributing(world)
    api = Api(world)
    body = api.call("GET", "manager", f"/pools/{built.pool}/performance?as_of=2025-06-30").get_json()
    assert body["nav_per_unit"] == "1.000000" and body["twr"] == pytest.approx(0.10, abs=1e-12)
    assert {p["name"]: p["cumulative"] for p in body["periods"]}["SI"] == pytest.approx(0.10, abs=1e-12)
    mine = api.call("GET", "investor", f"/investors/{built.a}/performance?as_of=2025-06-30").get_json()
    (pool,) = mine["pools"]
    assert pool["twr"] == pytest.approx(0.10, abs=1e-12) and pool["pool_twr"] == pytest.approx(
        0.10, abs=1e-12
    )
    assert pool["money_weighted"]["tvpi"] == pytest.approx(1.10)
    monthly = api.call(
        "GET", "manager", f"/pools/{built.pool}/nav-history?start=2025-01-01&end=2025-06-30&frequency=monthly"
    ).get_json()["points"]
    march = monthly[2]
    assert (march["date"], march["nav_per_unit"], march["distributions_per_unit"]) == (
        "2025-03-31",
        "1.000000",
        "0.100000",
    )
    assert [p["index"] for p in monthly] == pytest.approx([1.0, 1.0, 1.1, 1.1, 1.1, 1.1])


def test_carried_interest_is_accrued_and_the_since_inception_return_is_one_number(world: World) -> None:
    """Findings 11 and 12: LP pays 100; valued 300; 120 and 100 distributed (8% compounded,
    full catch-up, 20% carry). `twr` said 134.78% and `periods.SI` 163.11%, both counting
    the GP's carry as a loss of the pool; the LPs' value was 300 with 40.00 of it the GP's.
    Now one TWR (200%: carry is an allocation, not a loss), and the LPs' figures net of
    carry (TVPI 2.60) beside the gross ones (3.00)."""
    built = build_carry(world)
    api = Api(world)

    def performance(on: str) -> dict[str, Any]:
        response = api.call("GET", "manager", f"/pools/{built.pool}/performance?as_of={on}")
        assert response.status_code == 200, response.get_json()
        body: dict[str, Any] = response.get_json()
        assert body["twr"] == {p["name"]: p["cumulative"] for p in body["periods"]}["SI"]  # one number
        return body

    year_end = performance("2025-12-31")
    assert (year_end["accrued_carried_interest"], year_end["value"], year_end["gross_value"]) == (
        "40.00",
        "260.00",
        "300.00",
    )
    assert year_end["net_asset_value"] == "260.00" and year_end["gross_net_asset_value"] == "300.00"
    assert year_end["twr"] == pytest.approx(2.0, abs=1e-12)
    mw = year_end["money_weighted"]
    assert [mw["tvpi"], mw["rvpi"], mw["gross_tvpi"]] == pytest.approx([2.60, 2.60, 3.0])
    last = performance("2026-07-01")
    assert last["twr"] == pytest.approx(2.0, abs=1e-12)
    mw = last["money_weighted"]
    assert (mw["received"], mw["carried_interest_paid"], mw["value"], mw["accrued_carried_interest"]) == (
        "196.00",
        "24.00",
        "64.00",
        "16.00",
    )
    assert [mw["rvpi"], mw["tvpi"], mw["dpi"]] == pytest.approx([0.64, 2.60, 1.96])
    assert [mw["gross_rvpi"], mw["gross_tvpi"], mw["gross_dpi"]] == pytest.approx([0.80, 3.00, 2.20])
    # The accrual is the ledger's own preview of distributing the whole value now.
    accrued, _ = _liquidation_preview(world, built.pool, D(80), date(2026, 7, 1))
    assert D(mw["accrued_carried_interest"]) == accrued
    # The LP (the only one) sees the same.
    response = api.call("GET", "investor", f"/investors/{built.a}/performance?as_of=2026-07-01")
    mine = response.get_json()["pools"][0]
    assert mine["twr"] == pytest.approx(2.0, abs=1e-12) and mine["pool_twr"] == pytest.approx(2.0, abs=1e-12)
    assert (mine["capital_account"], mine["accrued_carried_interest"]) == ("80.00", "16.00")
    assert mine["money_weighted"]["value"] == "64.00"
    assert mine["money_weighted"]["tvpi"] == pytest.approx(2.60)
    history = api.call(
        "GET", "manager", f"/pools/{built.pool}/nav-history?start=2025-12-31&end=2026-07-01&frequency=monthly"
    ).get_json()["points"]
    assert [p["index"] for p in history] == pytest.approx([3.0] * len(history))


def test_a_side_letter_and_its_withdrawal_change_the_accrued_carry_at_once(world: World) -> None:
    """A letter changes the carry with no ledger entry, so the cached figure cannot be keyed by
    the ledger alone; withdrawing the letter (which once lowered the latest change time, and
    so brought back a figure computed under other letters) must give the pool's own terms."""
    built = build_carry(world)
    api = Api(world)
    investors = world.container.investors

    def accrued() -> str:
        response = api.call("GET", "manager", f"/pools/{built.pool}/performance?as_of=2025-12-31")
        assert response.status_code == 200, response.get_json()
        return str(response.get_json()["accrued_carried_interest"])

    def letter(**terms: Any) -> None:
        investors.put_side_letter(
            world.manager, built.pool, built.a, SideLetterTerms(reference="LPA s.9", **terms)
        )

    assert accrued() == "40.00"  # and now cached
    letter(gp_commitment=True)
    assert D(accrued()) == 0  # the GP's own money bears no carry
    letter(carried_interest_rate=D("0.10"))
    lower = accrued()
    assert D("0.00") < D(lower) < D("40.00")
    investors.delete_side_letter(world.manager, built.pool, built.a)
    assert accrued() == "40.00"
    assert investors.side_letters_for_pool(built.pool) == {}
    changed = investors.side_letters_changed_at(built.pool)
    assert changed is not None  # the withdrawal is itself a change of the terms
    letter(carried_interest_rate=D("0.10"))
    assert accrued() == lower


def test_a_fully_exited_investor_return_ends_at_their_exit(world: World) -> None:
    """Finding 14: A subscribed 1,000,000, received 10,909.09 and redeemed everything for
    1,084,545.00; the 0.46 of rounding left in the pool made their TWR -100%. It is +9.55%."""
    built = build_exit(world)
    api = Api(world)
    response = api.call("GET", "investor", f"/investors/{built.a}/performance?as_of=2025-12-31")
    assert response.status_code == 200, response.get_json()
    (mine,) = response.get_json()["pools"]
    assert mine["units"] == "0.000000" and mine["exit_date"] == "2025-09-30"
    expected = 1095454.55 / 1e6 * (1084545.46 + 10909.09) / 1095454.55 * 1084545.00 / 1084545.46 - 1
    assert mine["twr"] == pytest.approx(expected, abs=1e-12) and mine["twr"] == pytest.approx(
        0.0955, abs=1e-4
    )
    assert mine["twr_annualised"] is None  # 271 days: never annualised
    unit_price = metrics.unit_price_total_return([1.0, 1.095455, 1.084545], [0, 12000 / 1_100_000])
    assert mine["pool_twr"] == pytest.approx(unit_price, abs=1e-5)
    mw = mine["money_weighted"]
    assert (mw["received"], mw["value"]) == ("1095454.09", "0.00")
    assert mw["irr"] is not None and mw["irr"] > 0


def test_a_report_as_of_a_date_is_unchanged_by_later_entries(world: World) -> None:
    built = build_carry(world, distributions=False)
    c, on = world.container, date(2025, 12, 31)
    reports = c.reports

    def as_of() -> list[object]:
        return [
            reports.pool_performance(world.manager, built.pool, as_of=on),
            reports.nav_history(world.manager, built.pool, start=date(2025, 1, 1), end=on),
            reports.investor_performance(world.investor, built.a, as_of=on),
            reports.statement(world.investor, built.a, built.pool, period="2025"),
        ]

    before = as_of()
    version = c.ledger.ledger_version(built.pool)
    distribute_carry(world, built)
    assert c.ledger.ledger_version(built.pool) > version  # later entries: nothing cached is reused
    assert as_of() == before


def test_a_snapshot_stored_under_earlier_definitions_is_recomputed(world: World) -> None:
    """Snapshots and cached reports are keyed by the ledger version, which the new definitions
    did not change: one stored before them (no accrued carry, no net figures) is recomputed."""
    built = build_carry(world)
    c, on = world.container, date(2026, 7, 1)
    c.snapshots.refresh_pool(built.pool, on)
    with UnitOfWork(c.db) as uow:
        stored = uow.session.get(PoolSnapshot, (built.pool, on))
        assert stored is not None
        old = json.loads(stored.performance)
        for name in ("accrued_carried_interest", "gross_net_asset_value", "gross_value"):
            old.pop(name)
        stored.performance = json.dumps(old)
        uow.commit()
    perf = c.reports.pool_performance(world.manager, built.pool, as_of=on)
    assert (perf.accrued_carried_interest, perf.value) == (D("16.00"), D("64.00"))
