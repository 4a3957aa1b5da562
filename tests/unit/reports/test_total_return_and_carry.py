"""Total-return unit prices, accrued carried interest and exits, over books kept with the ledger's
own posting rules (tests/unit/reports/simulated_books.py).

The worked examples are docs/drafts/reports-total-return-and-carry.md; the properties check
that the pool's TWR over any period is the chained unit-price-plus-distributions return, and
that a report as of D does not change when an entry dated after D is posted.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.finance import metrics
from backend.finance.errors import LedgerInputError
from backend.finance.waterfall import distribute
from ledger.interface import AccountCode, PoolTerms
from reports.carry import NO_CARRY, CarryBook, accrued_carry
from reports.history import BookEntry, PoolHistory, investor_history, pool_history
from reports.interface import CapitalAccountStatement, Frequency
from reports.performance import (
    investor_pool_performance,
    nav_history,
    period_returns,
    pool_performance,
    pool_twr,
)
from reports.statements import MOVEMENTS, capital_account_statement, statement_xlsx
from tests.unit.reports.simulated_books import INCEPTION, SimulatedBooks, closed_terms, open_terms

D = Decimal
CENT = D("0.01")
ZERO = D(0)


def history(books: SimulatedBooks, as_of: date, entries: list[BookEntry] | None = None) -> PoolHistory:
    """The pool's history as of ``as_of``, with carried interest marked on that date."""
    terms = books.terms
    return pool_history(
        pool_id=terms.pool_id,
        open_ended=terms.open_ended,
        currency=terms.currency,
        inception=terms.inception_date,
        initial_nav_per_unit=terms.initial_nav_per_unit,
        entries=books.entries if entries is None else entries,
        as_of=as_of,
        terms=terms,
        carry_on=(as_of,),
    )


# -- finding 10: a distributing open-ended pool ------------------------------------------------


def distributing() -> SimulatedBooks:
    b = SimulatedBooks(open_terms())
    b.subscribe(date(2025, 1, 2), 1, "1000000.00")
    b.income(date(2025, 3, 31), "100000.00")
    b.pro_rata(date(2025, 3, 31), "100000.00")
    return b


def test_a_distributing_pool_reports_its_total_return() -> None:
    """Income of 10% paid straight out: the NAV per unit is back at 1.00, and the old
    price-only TWR said 0%; with the 0.10 per unit reinvested it is +10%."""
    b = distributing()
    end = date(2025, 6, 30)
    h = history(b, end)
    assert [p.nav_per_unit for p in h.points] == [D("1.000000"), D("1.100000"), D("1.000000")]
    assert h.points[-1].distribution_per_unit == D("0.1")
    assert metrics.twr_from_prices([D(1), D(str(h.nav_per_unit_on(end)))]) == 0.0  # what was reported
    assert pool_twr(h, h.track_start, end) == pytest.approx(0.10, abs=1e-12)
    periods = {p.name: p.cumulative for p in period_returns(h, end)}
    assert periods["SI"] == periods["YTD"] == pytest.approx(0.10, abs=1e-12)
    # The NAV history shows the index every return is read from, and what was paid per unit.
    monthly = nav_history(h, start=date(2025, 1, 1), end=end, frequency=Frequency.MONTHLY)
    march = monthly.points[2]
    assert (march.nav_per_unit, march.distributions_per_unit) == (D("1.000000"), D("0.100000"))
    assert march.index == pytest.approx(1.10) and monthly.points[-1].index == pytest.approx(1.10)
    # The investor's own figures agree with the pool's.
    mine = investor_pool_performance(
        investor_history(b.entries, investor_id=1, pool_id=1, as_of=end),
        h,
        kind="open_ended",
        end=end,
    )
    assert mine.twr == pytest.approx(0.10, abs=1e-12) and mine.pool_twr == pytest.approx(0.10, abs=1e-12)
    assert mine.money_weighted is not None and mine.money_weighted.tvpi == pytest.approx(1.10)


def test_unit_price_total_return_chains_prices_and_distributions() -> None:
    # 10.00 -> 10.50, 0.50 paid (10.00 after), -> 11.00: 10.50/10 x 11.00/10.00 = 1.155.
    assert metrics.unit_price_total_return([10, 10.0, 11], [0.5, 0]) == pytest.approx(0.155)
    # Without distributions it is the price return (reference case
    # unitised_fund_subscription_redemption_computed: 1.05 x 0.95 - 1).
    assert metrics.unit_price_total_return([1.0, 1.05, 0.9975], [0, 0]) == pytest.approx(-0.0025)
    assert metrics.unit_price_total_return([1.0], []) == 0.0
    with pytest.raises(ValueError, match="one per sub-period"):
        metrics.unit_price_total_return([1.0, 1.1], [])
    with pytest.raises(ValueError, match="positive price"):
        metrics.unit_price_total_return([0.0, 1.1], [0.1])


# -- findings 11 and 12: carried interest accrued, one since-inception return ------------------


def carry_pool() -> SimulatedBooks:
    """LP pays 100 on 1 Jan 2025; valued 300 on 31 Dec 2025; 120 and 100 distributed."""
    b = SimulatedBooks(closed_terms())
    b.call(date(2025, 1, 1), {1: D(100)}, "100.00")
    b.contribute(date(2025, 1, 1), 1, "100.00")
    b.purchase(date(2025, 1, 1), "100.00")
    b.value(date(2025, 12, 31), "300.00")
    for on, amount in ((date(2026, 1, 1), "120.00"), (date(2026, 7, 1), "100.00")):
        b.sale(on, amount)
        b.waterfall(on, amount)
    return b


def test_accrued_carry_is_the_gp_share_of_a_liquidation_at_the_value() -> None:
    b = carry_pool()
    terms = b.terms
    assert terms.waterfall is not None
    state = SimulatedBooks(terms)
    state.call(date(2025, 1, 1), {1: D(100)}, "100.00")
    state.contribute(date(2025, 1, 1), 1, "100.00")
    on = date(2025, 12, 31)
    # 364 days of 8% compounded: 7.98 pref; catch-up 1.99; the GP is owed 20% of the 200 of
    # profit, 40.00, rounded once (38.01 from the carry tier).
    accrual = accrued_carry(terms, state.books.waterfall_state, D("300.00"), on)
    expected = distribute(D("300.00"), on, terms.waterfall, state.books.waterfall_state)
    assert accrual.total == expected.gp_total == D("40.00")
    assert accrual.by_investor == {1: D("40.00")}
    # Nothing reaches the GP before the capital is back; nothing without a waterfall.
    assert accrued_carry(terms, state.books.waterfall_state, D("100.00"), on) is NO_CARRY
    open_ended = PoolTerms(
        pool_id=9,
        kind="open_ended",
        currency=terms.currency,
        inception_date=INCEPTION,
        initial_nav_per_unit=D(1),
    )
    assert accrued_carry(open_ended, state.books.waterfall_state, D("300.00"), on) is NO_CARRY
    assert CarryBook(None).accrual(D("300.00"), on) is NO_CARRY


def test_accrued_carry_per_investor_adds_up_to_the_pool() -> None:
    b = SimulatedBooks(closed_terms())
    commitments = {1: D(200), 2: D(100)}
    b.call(date(2025, 1, 1), commitments, "300.00")
    b.contribute(date(2025, 1, 1), 1, "200.00")
    b.contribute(date(2025, 1, 1), 2, "100.00")
    terms = b.terms
    assert terms.waterfall is not None
    on = date(2026, 1, 1)
    accrual = accrued_carry(terms, b.books.waterfall_state, D("400.01"), on)
    assert accrual.total == distribute(D("400.01"), on, terms.waterfall, b.books.waterfall_state).gp_total
    assert sum(accrual.by_investor.values(), D(0)) == accrual.total
    assert set(accrual.by_investor) == {1, 2} and accrual.of(1) > accrual.of(2) > 0


def test_one_since_inception_return_and_carry_is_no_loss_of_the_pool() -> None:
    """The `twr` path (metrics.twr of the value, LP flows only: 134.78%) and the index (163.11%)
    counted the GP's carry as a loss, each in its own way. Carry is an allocation of the
    pool's return between LPs and GP: the pool's TWR is one index, 200% (300 from 100,
    then distributions at value), and the LPs' share net of carry is in the money-weighted
    figures (TVPI 2.60)."""
    b = carry_pool()
    end = date(2026, 7, 1)
    h = history(b, end)
    old_events = [(p.on, p.value_before, p.flow) for p in h.points if p.flow]
    assert metrics.twr(0, old_events, h.value_on(end)) == pytest.approx(1.3478, abs=1e-4)  # was `twr`
    si = {p.name: p for p in period_returns(h, end)}["SI"]
    assert pool_twr(h, h.track_start, end) == si.cumulative == pytest.approx(2.00, abs=1e-12)
    # A distribution pays the GP its carry out of the pool at value: it moves no return.
    points = {p.on: p for p in h.points}
    assert points[date(2026, 1, 1)].carry_paid == D("4.00") and points[date(2026, 7, 1)].carry_paid == D(
        "20.00"
    )
    assert h.index_on(end) / h.index_on(date(2025, 12, 31)) == pytest.approx(1.0, abs=1e-12)
    # Net of carry: what the LPs have left once the GP's accrued share comes out.
    assert (h.carry_on(end).total, h.net_value_on(end)) == (D("16.00"), D("64.00"))
    year_end = date(2025, 12, 31)
    first = history(b, year_end)
    assert first.carry_on(year_end).total == D("40.00") and first.net_value_on(year_end) == D("260.00")
    assert first.carry_on(date(2025, 6, 30)).total == 0  # only the dates asked for are marked


def test_multiples_and_irr_are_net_of_accrued_carry_with_gross_beside() -> None:
    b = carry_pool()
    year_end, end = date(2025, 12, 31), date(2026, 7, 1)
    early = pool_performance(
        history(b, year_end), kind="closed_ended", start=date(2024, 12, 31), end=year_end
    )
    mw = early.money_weighted
    assert mw is not None
    assert (early.value, early.accrued_carried_interest, early.gross_value) == (
        D("260.00"),
        D("40.00"),
        D(300),
    )
    assert [mw.tvpi, mw.gross_tvpi] == pytest.approx([2.60, 3.0])
    late = pool_performance(history(b, end), kind="closed_ended", start=date(2024, 12, 31), end=end)
    mw = late.money_weighted
    assert mw is not None
    assert (mw.received, mw.carried_interest_paid, mw.value, mw.gross_value) == (
        D("196.00"),
        D("24.00"),
        D("64.00"),
        D("80.00"),
    )
    assert [mw.rvpi, mw.tvpi, mw.dpi] == pytest.approx([0.64, 2.60, 1.96])
    assert [mw.gross_rvpi, mw.gross_tvpi, mw.gross_dpi] == pytest.approx([0.80, 3.00, 2.20])
    net_irr = metrics.xirr([date(2025, 1, 1), date(2026, 1, 1), end], [-100, 116, 80 + 64])
    assert mw.irr == pytest.approx(net_irr, rel=1e-12)
    assert mw.gross_irr == pytest.approx(
        metrics.xirr([date(2025, 1, 1), date(2026, 1, 1), end], [-100, 120, 180])
    )
    assert late.net_asset_value == D("64.00") and late.gross_net_asset_value == D("80.00")


# -- finding 13: the capital account statement in the ILPA layout ------------------------------


def _statement(b: SimulatedBooks, period: str, start: date, end: date) -> CapitalAccountStatement:
    terms = b.terms
    return capital_account_statement(
        b.entries,
        investor_id=1,
        pool_id=terms.pool_id,
        open_ended=terms.open_ended,
        currency=terms.currency,
        inception=terms.inception_date,
        initial_nav_per_unit=terms.initial_nav_per_unit,
        period=period,
        start=start,
        end=end,
        committed=D("100.00"),
        terms=terms,
    )


def test_statement_shows_cash_received_and_carry_on_their_own_lines() -> None:
    """220 left the capital account in 2026: 196 of cash received and 24 of catch-up and carry.
    The accrual is a line too, so the lines tie to the balance net of carry, to the cent."""
    b = carry_pool()
    first = _statement(b, "2025", date(2025, 1, 1), date(2025, 12, 31))
    assert (first.contributions, first.unrealised_gains, first.carried_interest_accrued) == (
        D("100.00"),
        D("200.00"),
        D("-40.00"),
    )
    assert (first.ending_balance, first.ending_capital_account) == (D("260.00"), D("300.00"))
    second = _statement(b, "2026", date(2026, 1, 1), date(2026, 12, 31))
    assert second.beginning_balance == first.ending_balance
    assert (second.distributions, second.carried_interest_paid, second.carried_interest_accrued) == (
        D("-196.00"),
        D("-24.00"),
        D("24.00"),
    )
    assert second.cash_received == D("196.00")
    assert (second.ending_balance, second.ending_capital_account, second.accrued_carried_interest_end) == (
        D("64.00"),
        D("80.00"),
        D("16.00"),
    )
    for s in (first, second):
        assert s.beginning_balance + sum((getattr(s, m) for m in MOVEMENTS), D(0)) == s.ending_balance
        assert s.ending_capital_account - s.accrued_carried_interest_end == s.ending_balance
    sheet = openpyxl.load_workbook(io.BytesIO(statement_xlsx(second))).active
    assert sheet is not None
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert (cells["Distributions"], cells["Carried interest paid"]) == (-196, -24)
    assert cells["Carried interest accrued (change)"] == pytest.approx(24.00)
    assert cells["Ending balance"] == 64 and cells["Capital account at end (before accrued carry)"] == 80


# -- finding 14: an investor who has left ----------------------------------------------------


def exit_pool() -> SimulatedBooks:
    b = SimulatedBooks(open_terms())
    launch, mid, exit_day = date(2025, 1, 2), date(2025, 6, 30), date(2025, 9, 30)
    b.subscribe(launch, 1, "1000000.00")
    b.subscribe(launch, 2, "100000.00")
    b.purchase(launch, "1100000.00")
    b.value(mid, "1205000.00")
    b.sale(mid, "12000.00")
    b.pro_rata(mid, "12000.00")
    b.sale(exit_day, "1084545.00")
    b.value(exit_day, "1193000.00")
    b.redeem(exit_day, 1, D(1_000_000))
    return b


def test_a_fully_exited_investor_return_ends_at_their_exit() -> None:
    """A redeemed everything; the 0.46 of rounding their full exit left in the pool made the
    last sub-period 0.46 -> 0 and their TWR -100%. Their return ends at the exit: +9.55%."""
    b = exit_pool()
    end = date(2025, 12, 31)
    h = history(b, end)
    mine = investor_history(b.entries, investor_id=1, pool_id=1, as_of=end)
    redemption = mine.points[-1]
    assert (redemption.received, redemption.value_before) == (D("1084545.00"), D("1084545.46"))
    old_events = [(p.on, p.value_before, p.flow) for p in mine.points if p.flow]
    assert metrics.twr(0, old_events, mine.value_on(end)) == -1.0  # what was reported
    perf = investor_pool_performance(mine, h, kind="open_ended", end=end)
    expected = 1095454.55 / 1e6 * (1084545.46 + 10909.09) / 1095454.55 * 1084545.00 / 1084545.46 - 1
    assert perf.twr == pytest.approx(expected, abs=1e-12) and perf.twr == pytest.approx(0.0955, abs=1e-4)
    assert perf.exit_date == date(2025, 9, 30) and perf.twr_annualised is None  # 271 days: not annualised
    unit_price = metrics.unit_price_total_return([1.0, 1.095455, 1.084545], [0, 12000 / 1_100_000])
    assert perf.pool_twr == pytest.approx(unit_price, abs=1e-5)
    assert perf.money_weighted is not None and perf.money_weighted.value == 0
    assert perf.money_weighted.tvpi == pytest.approx((10909.09 + 1084545.00) / 1e6)


# -- properties ------------------------------------------------------------------------------

_KINDS = ("value", "subscribe", "redeem", "income", "expense", "distribute")
OPEN_OPS = st.lists(
    st.tuples(st.sampled_from(_KINDS), st.integers(1, 3), st.integers(1, 1000), st.booleans()),
    min_size=1,
    max_size=25,
)


def _open_sequence(ops: list[tuple[str, int, int, bool]]) -> tuple[SimulatedBooks, list[tuple[date, D, D]]]:
    """Random open-ended books, and after each entry (date, NAV per unit, distribution per unit)
    read from the books themselves. Units never all leave, so there is always a price."""
    b = SimulatedBooks(open_terms())
    day = date(2025, 1, 2)
    b.subscribe(day, 1, "100000.00")
    b.purchase(day, "100000.00")
    path: list[tuple[date, D, D]] = []

    def record(entry: BookEntry | None, per_unit: D = ZERO) -> None:
        price = b.price()
        if entry is not None and price is not None:
            path.append((entry.on, price, per_unit))

    record(b.entries[0])
    record(b.entries[1])
    for kind, who, size, same_day in ops:
        if not same_day:
            day += timedelta(days=1 + size % 40)
        nav = b.books.net_asset_value
        try:
            if kind == "value":
                record(b.value(day, (nav * D(800 + size % 450) / 1000).quantize(CENT)))
            elif kind == "subscribe":
                record(b.subscribe(day, who, f"{size * 37}.00"))
                record(b.purchase(day, f"{size * 37}.00"))
            elif kind == "redeem":
                held = b.books.units_of(who)
                units = (held * D(size % 700) / 1000).quantize(D("0.000001"), ROUND_DOWN)
                if 0 < units < b.books.units_outstanding:
                    record(b.redeem(day, who, units))
            elif kind in ("income", "expense"):
                amount = (nav * D(size % 50) / 1000).quantize(CENT)
                if amount > 0:
                    record(b.income(day, amount) if kind == "income" else b.expense(day, amount))
            else:
                amount = (nav * D(size % 100) / 1000).quantize(CENT)
                if amount > 0:
                    entry = b.pro_rata(day, str(amount))
                    record(entry, amount / b.books.units_outstanding)
        except LedgerInputError:
            continue
    return b, path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPEN_OPS, data=st.data())
def test_pool_twr_is_the_chained_unit_price_plus_distributions_return(
    ops: list[tuple[str, int, int, bool]], data: st.DataObject
) -> None:
    b, path = _open_sequence(ops)
    days = sorted({on for on, _, _ in path})
    start = data.draw(st.sampled_from(days), label="start")
    end = data.draw(st.sampled_from([d for d in days if d >= start]), label="end")
    h = history(b, days[-1])
    base = [price for on, price, _ in path if on <= start][-1]
    within = [(price, per_unit) for on, price, per_unit in path if start < on <= end]
    expected = metrics.unit_price_total_return([base, *(p for p, _ in within)], [d for _, d in within])
    assert pool_twr(h, start, end) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # The same index is what every other return reads, once a return was measured at all.
    since_inception = {p.name: p for p in period_returns(h, end)}["SI"]
    if h.last_valuation_on(end) is None:
        assert since_inception.cumulative is None and since_inception.no_valuation
    else:
        assert pool_twr(h, h.track_start, end) == pytest.approx(since_inception.cumulative, rel=1e-12)


CLOSED_OPS = st.lists(
    st.tuples(st.sampled_from(("value", "call", "distribute", "expense")), st.integers(1, 1000)),
    min_size=1,
    max_size=20,
)


def _closed_sequence(ops: list[tuple[str, int]]) -> SimulatedBooks:
    b = SimulatedBooks(closed_terms())
    commitments = {1: D(100_000), 2: D(50_000), 3: D(30_000)}
    day = INCEPTION

    def call(amount: D) -> None:
        entry = b.call(day, commitments, str(amount))
        assert entry is not None
        for holder, part in entry.details["allocation"].items():
            b.contribute(day, int(holder), part)
        b.purchase(day, amount)

    call(D("18000.00"))
    for kind, size in ops:
        day += timedelta(days=10 + size % 120)
        nav = b.books.net_asset_value
        try:
            if kind == "value":
                b.value(day, (nav * D(850 + size % 600) / 1000).quantize(CENT))
            elif kind == "call":
                left = sum(commitments.values(), D(0)) - sum(b.called.values(), D(0))
                amount = min(left, D(size * 20)).quantize(CENT)
                if amount > 0:
                    call(amount)
            elif kind == "expense":
                b.expense(day, (nav * D(size % 20) / 1000).quantize(CENT))
            else:
                held = b.books.balance(AccountCode.INVESTMENTS)
                amount = (held * D(size % 400) / 1000).quantize(CENT)
                if amount > 0:
                    b.sale(day, amount)
                    b.waterfall(day, str(amount))
        except LedgerInputError:
            continue
    return b


def _reports_as_of(b: SimulatedBooks, entries: list[BookEntry], on: date) -> list[object]:
    h = history(b, on, entries)
    terms = b.terms
    out: list[object] = [
        pool_performance(h, kind=terms.kind, start=h.track_start, end=on),
        nav_history(h, start=INCEPTION, end=on, frequency=Frequency.MONTHLY),
    ]
    for investor in (1, 2):
        mine = investor_history(entries, investor_id=investor, pool_id=terms.pool_id, as_of=on)
        if mine.points:
            out.append(investor_pool_performance(mine, h, kind=terms.kind, end=on))
        out.append(
            capital_account_statement(
                entries,
                investor_id=investor,
                pool_id=terms.pool_id,
                open_ended=terms.open_ended,
                currency=terms.currency,
                inception=terms.inception_date,
                initial_nav_per_unit=terms.initial_nav_per_unit,
                period="p",
                start=INCEPTION,
                end=on,
                committed=D(0),
                terms=terms,
            )
        )
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(open_ops=OPEN_OPS, closed_ops=CLOSED_OPS, data=st.data())
def test_a_report_as_of_a_date_ignores_entries_dated_after_it(
    open_ops: list[tuple[str, int, int, bool]], closed_ops: list[tuple[str, int]], data: st.DataObject
) -> None:
    for b in (_open_sequence(open_ops)[0], _closed_sequence(closed_ops)):
        days = sorted({e.on for e in b.entries})
        on = data.draw(st.sampled_from(days), label="as_of")
        before = [e for e in b.entries if e.on <= on]
        assert _reports_as_of(b, before, on) == _reports_as_of(b, b.entries, on)
