"""Multi-class NAV of an open-ended pool and dealing by class (backend.finance.share_classes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.errors import InvalidValueError, LedgerInputError, NotDecimalError
from backend.finance.money import Currency, get_currency
from backend.finance.share_classes import (
    ClassOpening,
    DealingSide,
    FxQuote,
    FxRates,
    MultiClassValuation,
    ShareClass,
    class_dealing,
    to_base,
    value_classes,
)

EUR = get_currency("EUR")
USD = get_currency("USD")
GBP = get_currency("GBP")
JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)  # 31 days


def d(value: str | int) -> Decimal:
    return Decimal(value)


def opening(
    class_id: str,
    nav_base: str,
    units: str,
    *,
    currency: Currency = EUR,
    nav_class: str | None = None,
    **terms: object,
) -> ClassOpening:
    share_class = ShareClass(class_id, currency, **terms)  # type: ignore[arg-type]
    return ClassOpening(share_class, d(units), d(nav_base), d(nav_class or nav_base))


# --- worked examples ---------------------------------------------------------------------


def test_relative_net_assets_ratios_eagle_class_allocation_example() -> None:
    """PUBLISHED: Eagle Accounting documentation, "Class Allocation Adjustment Example"
    (relative net assets method), https://eagledocs.atlassian.net/wiki/pages/diffpagesbyversion.action?originalVersion=7&pageId=9649291308&revisedVersion=10
    Class A: prior TNA 3,500,000.00 + day's net shareholder activity 500,000.00 - class-level
    balances 815.45 = weight 3,999,184.55; class O: 2,500,000.00 + 350,000.00 - 612.25 =
    2,849,387.75; total 6,848,572.30. Published ratios 0.583944269670 / 0.416055730330 (rounded:
    they are the exact ratios to 11 dp, printed with 12; the page prints the weights
    themselves garbled as 3,999,184.5 and 2,849,387.755, its total 6,848,572.30 confirms the
    figures used here).
    The split of a common P&L of 68,485.72 (1% of the total) is COMPUTED: exact shares
    39,991.8455 and 28,493.8775; rounding each half-up would hand out 68,485.73, a cent too
    many; largest remainder gives the cent to O (0.75 cent remainder beats A's 0.55).
    """
    a, o = d("3999184.55"), d("2849387.75")
    assert a + o == d("6848572.30")
    assert round(Fraction(a) / Fraction(a + o), 11) == Fraction("0.58394426967")
    assert round(Fraction(o) / Fraction(a + o), 11) == Fraction("0.41605573033")
    result = value_classes(
        [
            opening("A", "3999184.55", "399918.455", currency=USD),
            opening("O", "2849387.75", "284938.775", currency=USD),
        ],
        base_currency=USD,
        common_pnl=d("68485.72"),
        start=JAN,
        end=date(2025, 1, 2),
    )
    assert result.by_id("A").common_pnl == d("39991.84")
    assert result.by_id("O").common_pnl == d("28493.88")
    assert result.pool_nav_end == d("6917058.02") == result.pool_nav_start + d("68485.72")


def test_series_nav_period_one_partnership_accounting_example() -> None:
    """PUBLISHED: "Partnership Accounting - Series NAV Calculation", Period 1 exercise,
    https://vdocuments.mx/partnership-accounting.html (also https://pt.scribd.com/document/106262039/Partnership-Accounting):
    shareholder A subscribes 100,000.00 for 1,000 shares of series 0; the fund earns
    40,000.00; no fees; ending capital 140,000.00, NAV 140.00. One class: all P&L is its own.
    """
    result = value_classes(
        [opening("0", "100000.00", "1000", currency=USD)],
        base_currency=USD,
        common_pnl=d("40000.00"),
        start=JAN,
        end=FEB,
    )
    series = result.by_id("0")
    assert series.common_pnl == d("40000.00")
    assert series.nav_end_base == d("140000.00")
    assert series.nav_per_unit == d("140.000000")


def _gbp_classes(end_rate: str, hedge_pnl: str) -> MultiClassValuation:
    classes = [
        opening("USD", "100.00", "100", currency=USD),
        opening("GBP", "100.00", "100", currency=GBP, nav_class="62.50"),
        opening("GBP-H", "100.00", "100", currency=GBP, nav_class="62.50", hedged=True),
    ]
    # GBPUSD is quoted in USD per GBP: base units per class unit.
    fx = {c: FxRates(d("1.6"), d(end_rate), FxQuote.BASE_PER_CLASS) for c in ("GBP", "GBP-H")}
    return value_classes(
        classes,
        base_currency=USD,
        common_pnl=d("0.00"),
        start=JAN,
        end=date(2025, 4, 1),
        fx=fx,
        hedge_pnl={"GBP-H": d(hedge_pnl)},
    )


@pytest.mark.parametrize(
    ("end_rate", "forward_pnl", "unhedged", "fx_effect"),
    [
        ("1.9", "18.75", "52.63", "-9.87"),
        ("1.4", "-12.50", "71.43", "8.93"),
        ("1.7", "6.25", "58.82", "-3.68"),
        ("1.5", "-6.25", "66.67", "4.17"),
    ],
)
def test_unhedged_and_hedged_gbp_class_fp_international_example(
    end_rate: str, forward_pnl: str, unhedged: str, fx_effect: str
) -> None:
    """PUBLISHED: Friends Provident International, "Currency hedging" (investment definitions),
    https://advisers.fpinternational.com/fund-centre/knowledge-centre/investment-definitions/currency-hedging.htm
    USD 100.00 at GBPUSD 1.6 = GBP 62.50. Unhedged: at 1.7 GBP 58.82; at 1.5 GBP 66.66
    (published truncated: 66.666..., which this module rounds half-even to 66.67); at 1.9
    GBP 52.63, "a loss of £9.87"; at 1.4 GBP 71.43, "a gain of £8.93". Hedged with a forward
    at 1.6: "the GBP value in fund will remain at £62.50".
    Here as three classes of a USD pool holding USD 100.00 each (asset price unchanged). The
    forward P&L (sell USD 100.00 for GBP 62.50, valued at the closing rate: 62.50 x rate - 100)
    is COMPUTED: +18.75 at 1.9, -12.50 at 1.4. It goes to GBP-H alone.
    """
    result = _gbp_classes(end_rate, forward_pnl)
    assert result.by_id("USD").nav_end_class == d("100.00")
    assert result.by_id("GBP").nav_end_class == d(unhedged)
    assert result.by_id("GBP").fx_effect == d(fx_effect)
    hedged = result.by_id("GBP-H")
    assert hedged.hedge_pnl == d(forward_pnl)
    assert hedged.nav_end_base == d("100.00") + d(forward_pnl)
    assert hedged.nav_end_class == d("62.50")
    assert hedged.nav_per_unit == d("0.625000")
    assert result.pool_nav_end == d("300.00") + d(forward_pnl)


def _three_currency_pool(**changes: object) -> MultiClassValuation:
    classes = [
        opening("A-EUR", "6000000.00", "50000", management_fee_rate=d("0.015")),
        opening(
            "I-EUR",
            "3000000.00",
            "30000",
            management_fee_rate=d("0.0075"),
            minimum_subscription=d("1000000.00"),
            minimum_subsequent_subscription=d("10000.00"),
        ),
        opening(
            "A-USD-H",
            "1000000.00",
            "10000",
            currency=USD,
            nav_class="1085000.00",
            hedged=True,
            management_fee_rate=d("0.015"),
        ),
        opening(
            "A-GBP", "500000.00", "4150", currency=GBP, nav_class="415000.00", management_fee_rate=d("0.015")
        ),
    ]
    arguments: dict[str, object] = {
        "base_currency": EUR,
        "common_pnl": d("210000.01"),
        "start": JAN,
        "end": FEB,
        "fx": {"A-USD-H": FxRates(d("1.0850"), d("1.0700")), "A-GBP": FxRates(d("0.8300"), d("0.8400"))},
        "hedge_pnl": {"A-USD-H": d("14018.69")},
    }
    arguments.update(changes)
    return value_classes(classes, **arguments)  # type: ignore[arg-type]


def test_three_currency_pool_docs_example() -> None:
    """COMPUTED (docs worked example, checked by hand): EUR pool, January 2025 (31 days,
    ACT/365F). A-EUR 6,000,000.00 / 50,000 units, 1.5%; I-EUR 3,000,000.00 / 30,000 units,
    0.75%; A-USD-H 1,000,000.00 (USD 1,085,000.00 at 1.0850) / 10,000 units, hedged, 1.5%;
    A-GBP 500,000.00 (GBP 415,000.00 at 0.8300) / 4,150 units, unhedged, 1.5%.
    Common P&L 210,000.01 split 6 : 3 : 1 : 0.5: exact 120,000.0057 / 60,000.0029 /
    20,000.0010 / 10,000.0005; the left-over cent goes to A-EUR (largest remainder).
    Management fees = NAV x rate x 31/365: 7,643.84 / 1,910.96 / 1,273.97 / 636.99.
    The USD forward (EUR 1,000,000 sold at 1.0850, closing 1.0700): USD 1,085,000 / 1.07 -
    EUR 1,000,000 = 14,018.69 to A-USD-H only.
    """
    result = _three_currency_pool()
    rows = {
        c.class_id: (c.common_pnl, c.management_fee, c.nav_end_base, c.nav_end_class, c.nav_per_unit)
        for c in result.classes
    }
    assert rows == {
        "A-EUR": (d("120000.01"), d("7643.84"), d("6112356.17"), d("6112356.17"), d("122.247123")),
        "I-EUR": (d("60000.00"), d("1910.96"), d("3058089.04"), d("3058089.04"), d("101.936301")),
        "A-USD-H": (d("20000.00"), d("1273.97"), d("1032744.72"), d("1105036.85"), d("110.503685")),
        "A-GBP": (d("10000.00"), d("636.99"), d("509363.01"), d("427864.93"), d("103.099983")),
    }
    assert result.by_id("A-GBP").fx_effect == d("5093.63")  # 509,363.01 x (0.84 - 0.83)
    assert result.pool_nav_start == d("10500000.00")
    # 10,500,000.00 + 210,000.01 + 14,018.69 - 11,465.76 of fees
    assert result.pool_nav_end == d("10712552.94")


def test_performance_fee_per_class_hwm_volta90_example() -> None:
    """PUBLISHED: Volta90 documentation, "Performance Calculation", performance fee example,
    https://docs.volta90.trade/fees/performance : NAV per share 1.000, HWM 1.000, fee 20%.
    Epoch 1 gross 1.0500: fee 0.0100, net 1.0400, new HWM 1.0400. Epoch 2 gross 1.0200: below
    the HWM, no fee, HWM stays 1.0400. Epoch 3 gross 1.0650: 0.025 above the HWM, fee 0.0050,
    net 1.0600, new HWM 1.0600.
    Here as class P (1,000,000 units) of a pool with a fee-free class F of the same size,
    COMPUTED: the pool's common P&L is chosen so that P's gross NAV per unit is the published
    one (+100,000.00 split 50,000.00 / 50,000.00; -40,192.31 split -20,000.00 / -20,192.31 on
    1,040,000.00 : 1,050,000.00; +90,432.69 split 45,000.00 / 45,432.69 on 1,020,000.00 :
    1,029,807.69). P pays 10,000.00 and 5,000.00; F earns the same gross return and never
    pays P's fee: 1.050000, 1.029808, 1.075240.
    """
    p = opening("P", "1000000.00", "1000000", currency=USD, performance_fee_rate=d("0.20"))
    f = opening("F", "1000000.00", "1000000", currency=USD)
    expected = [
        ("100000.00", "10000.00", "1.040000", "1.040000", "1.050000"),
        ("-40192.31", "0.00", "1.020000", "1.040000", "1.029808"),
        ("90432.69", "5000.00", "1.060000", "1.060000", "1.075240"),
    ]
    for common, fee, nav_p, hwm, nav_f in expected:
        result = value_classes(
            [p, f],
            base_currency=USD,
            common_pnl=d(common),
            start=JAN,
            end=FEB,
            crystallise_performance_fee=True,
        )
        cls_p, cls_f = result.by_id("P"), result.by_id("F")
        assert cls_p.performance_fee == cls_p.performance_fee_class == d(fee)
        assert (cls_p.nav_per_unit, cls_p.high_water_mark) == (d(nav_p), d(hwm))
        assert cls_f.performance_fee == 0
        assert cls_f.nav_per_unit == d(nav_f)
        p = replace(
            p,
            nav_base=cls_p.nav_end_base,
            nav_class=cls_p.nav_end_class,
            high_water_mark=cls_p.high_water_mark,
        )
        f = replace(f, nav_base=cls_f.nav_end_base, nav_class=cls_f.nav_end_class)


def test_performance_fee_of_a_non_base_class_is_worked_out_in_its_currency() -> None:
    """COMPUTED: a USD class of a EUR pool, HWM USD 1.00, 20%. Base NAV 1,000,000.00 grows by
    a common 100,000.00 to 1,100,000.00 = USD 1,210,000.00 at 1.10 for 1,000,000 units (NAV
    per unit 1.21 against a HWM of 1.00): fee USD 42,000.00 = EUR 38,181.81 (42,000 / 1.1 =
    38,181.8181..., rounded down); closing EUR 1,061,818.19 x 1.1 = USD 1,168,000.009, i.e.
    1,168,000.01 (half-even): NAV per unit 1.168000, the new HWM. The class-currency NAV fell by
    41,999.99, not 42,000.00: the cent is the base-currency rounding of the fee, kept by the class.
    """
    result = value_classes(
        [
            opening(
                "U",
                "1000000.00",
                "1000000",
                currency=USD,
                nav_class="1100000.00",
                performance_fee_rate=d("0.2"),
            )
        ],
        base_currency=EUR,
        common_pnl=d("100000.00"),
        start=JAN,
        end=FEB,
        fx={"U": FxRates(d("1.10"), d("1.10"))},
        crystallise_performance_fee=True,
    )
    u = result.by_id("U")
    assert (u.performance_fee_class, u.performance_fee) == (d("42000.00"), d("38181.81"))
    assert (u.nav_end_base, u.nav_end_class) == (d("1061818.19"), d("1168000.01"))
    assert u.nav_per_unit == u.high_water_mark == d("1.168000")


# --- dealing by class --------------------------------------------------------------------


I_EUR = ShareClass(
    "I-EUR",
    EUR,
    management_fee_rate=d("0.0075"),
    minimum_subscription=d("1000000.00"),
    minimum_subsequent_subscription=d("10000.00"),
)


def test_class_minimum_subscription_docs_example() -> None:
    """COMPUTED (docs example): class I-EUR, minimum first subscription 1,000,000.00, top-up
    10,000.00, NAV per unit 101.936301. 1,000,000.00 buys 9,810.047943 units (rounded down),
    worth 999,999.999942..., i.e. 1,000,000.00: residue 0.00. 999,999.99 as a first subscription and
    9,999.99 as a top-up are refused, the error naming the field ``amount``.
    """
    deal = class_dealing(d("1000000.00"), I_EUR, d("101.936301"))
    assert (deal.units, deal.units_value, deal.residue) == (d("9810.047943"), d("1000000.00"), d("0.00"))
    with pytest.raises(InvalidValueError, match="minimum subscription") as first:
        class_dealing(d("999999.99"), I_EUR, d("101.936301"))
    assert first.value.field == "amount"
    top_up = class_dealing(d("10000.00"), I_EUR, d("101.936301"), units_held=deal.units)
    assert top_up.units == d("98.100479")
    with pytest.raises(InvalidValueError, match="minimum subsequent subscription") as later:
        class_dealing(d("9999.99"), I_EUR, d("101.936301"), units_held=deal.units)
    assert later.value.field == "amount"


def test_redemption_of_an_amount_cancels_units_rounded_up() -> None:
    """COMPUTED: 1,000.00 out of I-EUR at 101.936301 is 9.81004794... units, rounded up to
    9.810048, worth 1,000.000035 -> 1,000.00: residue 0.00; more than the holding is refused."""
    deal = class_dealing(d("1000.00"), I_EUR, d("101.936301"), side=DealingSide.REDEMPTION, units_held=d(10))
    assert (deal.units, deal.units_value, deal.residue) == (d("9.810048"), d("1000.00"), d("0.00"))
    with pytest.raises(InvalidValueError) as too_much:
        class_dealing(d("1020.00"), I_EUR, d("101.936301"), side=DealingSide.REDEMPTION, units_held=d(10))
    assert too_much.value.field == "amount"


def test_to_base_converts_once_from_the_exact_rate() -> None:
    assert to_base(d("1085000.00"), d("1.0850"), FxQuote.CLASS_PER_BASE, EUR) == d("1000000.00")
    assert to_base(d("62.50"), d("1.6"), FxQuote.BASE_PER_CLASS, USD) == d("100.00")


# --- zero units and input errors -----------------------------------------------------------


def test_zero_unit_class_gets_nothing_and_deals_at_its_launch_price() -> None:
    with_empty = _three_currency_pool()
    empty = opening("I-USD-H", "0.00", "0", currency=USD, hedged=True, initial_nav_per_unit=d("100"))
    result = value_classes(
        [*(_openings_of(with_empty)), empty],
        base_currency=EUR,
        common_pnl=d("210000.01"),
        start=JAN,
        end=FEB,
        fx={
            "A-USD-H": FxRates(d("1.0850"), d("1.0700")),
            "A-GBP": FxRates(d("0.8300"), d("0.8400")),
            "I-USD-H": FxRates(d("1.0850"), d("1.0700")),
        },
        hedge_pnl={"A-USD-H": d("14018.69")},
    )
    new = result.by_id("I-USD-H")
    assert (new.common_pnl, new.management_fee, new.nav_end_base, new.nav_per_unit) == (
        d(0),
        d(0),
        d(0),
        d("100.000000"),
    )
    assert [c.nav_end_base for c in result.classes[:4]] == [c.nav_end_base for c in with_empty.classes]
    alone = value_classes(
        [empty],
        base_currency=EUR,
        common_pnl=d("0.00"),
        start=JAN,
        end=FEB,
        fx={"I-USD-H": FxRates(d("1.0850"), d("1.0700"))},
    )
    assert alone.pool_nav_end == 0
    with pytest.raises(InvalidValueError) as nobody:
        value_classes(
            [empty],
            base_currency=EUR,
            common_pnl=d("1.00"),
            start=JAN,
            end=FEB,
            fx={"I-USD-H": FxRates(d("1.0850"), d("1.0700"))},
        )
    assert nobody.value.field == "common_pnl"


def _openings_of(result: MultiClassValuation) -> list[ClassOpening]:
    """The openings used by ``_three_currency_pool`` (rebuilt from its result)."""
    terms = {
        "A-EUR": ShareClass("A-EUR", EUR, management_fee_rate=d("0.015")),
        "I-EUR": I_EUR,
        "A-USD-H": ShareClass("A-USD-H", USD, hedged=True, management_fee_rate=d("0.015")),
        "A-GBP": ShareClass("A-GBP", GBP, management_fee_rate=d("0.015")),
    }
    return [
        ClassOpening(terms[c.class_id], c.units, c.nav_start_base, c.nav_start_class) for c in result.classes
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hedge_pnl": {"A-GBP": d("1.00")}}, "hedge_pnl[A-GBP]"),
        ({"hedge_pnl": {"nope": d("1.00")}}, "hedge_pnl[nope]"),
        ({"fx": {"A-USD-H": FxRates(d("1.085"), d("1.07"))}}, "fx[A-GBP]"),
        ({"fx": {"A-EUR": FxRates(d(1), d(1))}}, "fx[A-EUR]"),
        ({"common_pnl": d("0.001")}, "common_pnl"),
        ({"common_pnl": d("-20000000.00")}, "classes[A-EUR]"),
        ({"end": JAN}, "end"),
    ],
)
def test_input_errors_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(LedgerInputError) as error:
        _three_currency_pool(**changes)
    assert error.value.field == field


def test_floats_and_inconsistent_classes_are_refused() -> None:
    with pytest.raises(NotDecimalError) as floats:
        _three_currency_pool(common_pnl=0.5)
    assert floats.value.field == "common_pnl"
    twice = [opening("A", "1.00", "1"), opening("A", "1.00", "1")]
    hedged_base = [opening("H", "1.00", "1", hedged=True)]
    mismatch = [opening("B", "1.00", "1", nav_class="2.00")]
    for classes, field in [
        (twice, "classes[A]"),
        (hedged_base, "classes[H].hedged"),
        (mismatch, "classes[B].nav_class"),
    ]:
        with pytest.raises(InvalidValueError) as error:
            value_classes(classes, base_currency=EUR, common_pnl=d("0.00"), start=JAN, end=FEB)
        assert error.value.field == field
    with pytest.raises(InvalidValueError) as rate:
        FxRates(d(0), d(1))
    assert rate.value.field == "start"


# --- properties ----------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**11)
fee_rates = st.sampled_from([d(0), d("0.0075"), d("0.015"), d("0.02")])


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[ClassOpening], Decimal, dict[str, FxRates], dict[str, Decimal]]:
    count = draw(st.integers(min_value=1, max_value=5))
    classes: list[ClassOpening] = []
    fx: dict[str, FxRates] = {}
    hedges: dict[str, Decimal] = {}
    for index in range(count):
        class_id = f"C{index}"
        nav = draw(cents) * EUR.quantum
        units = (
            Decimal(0) if nav == 0 else draw(st.integers(min_value=1, max_value=10**12)) * Decimal("0.000001")
        )
        kind = draw(st.sampled_from(["base", "unhedged", "hedged"]))
        rate = draw(st.sampled_from([d("1.0850"), d("0.8300"), d("1.2")]))
        currency = EUR if kind == "base" else USD
        nav_class = nav if kind == "base" else nav * rate
        terms = ShareClass(class_id, currency, hedged=kind == "hedged", management_fee_rate=draw(fee_rates))
        classes.append(ClassOpening(terms, units, nav, nav_class.quantize(currency.quantum)))
        if kind != "base":
            fx[class_id] = FxRates(rate, draw(st.sampled_from([d("1.07"), d("0.84"), d("1.3")])))
        if kind == "hedged":
            # a forward P&L of up to 10% of the class, either way
            hedges[class_id] = (
                draw(st.integers(min_value=-int(nav * 10), max_value=int(nav * 10))) * EUR.quantum
            )
    total = sum((c.nav_base for c in classes), Decimal(0))
    # Never a loss of more than half the pool, so no class can end below zero.
    common = draw(st.integers(min_value=-int(total * 50), max_value=int(total * 100))) * EUR.quantum
    return classes, common, fx, hedges


@settings(deadline=None, max_examples=200)
@given(pools())
def test_class_navs_add_up_to_the_pool_nav(
    pool: tuple[list[ClassOpening], Decimal, dict[str, FxRates], dict[str, Decimal]],
) -> None:
    classes, common, fx, hedges = pool
    result = value_classes(
        classes, base_currency=EUR, common_pnl=common, start=JAN, end=FEB, fx=fx, hedge_pnl=hedges
    )
    assert sum(c.nav_end_base for c in result.classes) == result.pool_nav_end
    fees = sum(c.management_fee for c in result.classes)
    assert result.pool_nav_end == result.pool_nav_start + common + sum(hedges.values(), Decimal(0)) - fees
    assert sum(c.common_pnl for c in result.classes) == common
    total = result.pool_nav_start
    for c in result.classes:
        assert c.nav_end_base >= 0 and c.nav_end_class >= 0 and c.management_fee >= 0
        if total > 0:  # within a cent of the exact pro-rata share
            assert abs(
                Fraction(c.common_pnl) - Fraction(common) * Fraction(c.nav_start_base) / Fraction(total)
            ) < Fraction(1, 100)
        if c.units == 0:
            assert c.nav_per_unit == d("1.000000")


@settings(deadline=None, max_examples=200)
@given(pools(), st.integers(min_value=0, max_value=4), fee_rates, st.integers(min_value=0, max_value=10**8))
def test_a_class_specific_item_never_touches_another_class(
    pool: tuple[list[ClassOpening], Decimal, dict[str, FxRates], dict[str, Decimal]],
    which: int,
    new_rate: Decimal,
    extra_hedge_cents: int,
) -> None:
    classes, common, fx, hedges = pool
    target = classes[which % len(classes)]
    before = value_classes(
        classes, base_currency=EUR, common_pnl=common, start=JAN, end=FEB, fx=fx, hedge_pnl=hedges
    )
    changed = replace(target, share_class=replace(target.share_class, management_fee_rate=new_rate))
    new_hedges = dict(hedges)
    if target.share_class.hedged:
        new_hedges[target.share_class.class_id] += extra_hedge_cents * EUR.quantum
    after = value_classes(
        [changed if c is target else c for c in classes],
        base_currency=EUR,
        common_pnl=common,
        start=JAN,
        end=FEB,
        fx=fx,
        hedge_pnl=new_hedges,
    )
    for old, new in zip(before.classes, after.classes, strict=True):
        if old.class_id != target.share_class.class_id:
            assert old == new


@settings(deadline=None, max_examples=200)
@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from([d("1.00"), d("100.00"), d("12.34")]),
    st.integers(min_value=-(10**8), max_value=10**9),
    fee_rates,
)
def test_identical_terms_give_equal_returns(
    units_x: int, units_y: int, price: Decimal, common_cents: int, rate: Decimal
) -> None:
    """Two classes on the same terms at the same NAV per unit stay within the rounding of the
    cent split (< 1 cent of P&L, half a cent of fee, per class) and the 6 dp price of each
    other; with the same units they are equal to the cent, the odd cent of an odd split going
    to the class id that sorts first."""
    nav_x, nav_y = units_x * price, units_y * price  # exact: whole units at a price in cents
    x = ClassOpening(ShareClass("X", EUR, management_fee_rate=rate), Decimal(units_x), nav_x, nav_x)
    y = ClassOpening(ShareClass("Y", EUR, management_fee_rate=rate), Decimal(units_y), nav_y, nav_y)
    common = max(common_cents * EUR.quantum, -(nav_x + nav_y) / 2).quantize(EUR.quantum)
    result = value_classes([x, y], base_currency=EUR, common_pnl=common, start=JAN, end=FEB)
    cx, cy = result.by_id("X"), result.by_id("Y")
    bound = Fraction(3, 200) / units_x + Fraction(3, 200) / units_y + Fraction(1, 10**6)
    assert abs(Fraction(cx.nav_per_unit) - Fraction(cy.nav_per_unit)) <= bound
    twin = replace(y, units=x.units, nav_base=nav_x, nav_class=nav_x)
    common = max(common, -nav_x)
    twins = value_classes([x, twin], base_currency=EUR, common_pnl=common, start=JAN, end=FEB)
    tx, ty = twins.by_id("X"), twins.by_id("Y")
    assert tx.nav_end_base - ty.nav_end_base == (common * 100) % 2 / 100
    if (common * 100) % 2 == 0:
        assert tx.nav_per_unit == ty.nav_per_unit


@settings(deadline=None, max_examples=200)
@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=10**8),
    st.integers(0, 10**9),
)
def test_dealing_never_gives_more_value_than_it_takes(
    amount_cents: int, price_millionths: int, held: int
) -> None:
    price = price_millionths * Decimal("0.000001")
    amount = amount_cents * EUR.quantum
    share_class = ShareClass("A", EUR)
    if not Fraction(1, 10**6) <= Fraction(amount) / Fraction(price) <= 10**12:
        return  # too small to buy a unit, or more units than the books hold: refused elsewhere
    deal = class_dealing(amount, share_class, price)
    assert deal.residue >= 0 and Fraction(deal.units) * Fraction(price) <= Fraction(amount)
    holding = held * Decimal("0.000001")
    needed = Fraction(amount) / Fraction(price)
    if needed > Fraction(holding):
        with pytest.raises(InvalidValueError):
            class_dealing(amount, share_class, price, side=DealingSide.REDEMPTION, units_held=holding)
        return
    out = class_dealing(amount, share_class, price, side=DealingSide.REDEMPTION, units_held=holding)
    assert out.residue >= 0 and Fraction(out.units) * Fraction(price) >= Fraction(amount)
