"""Investor-level performance fee equalisation (backend.finance.fees.equalisation)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.fees.equalisation import (
    EqualisationResult,
    Holding,
    Subscription,
    equalisation_at_dealing,
    equalise,
)
from backend.finance.fees.incentive_terms import IncentiveTerms
from backend.finance.money import get_currency

USD = get_currency("USD")
TWENTY = IncentiveTerms(rate=Decimal("0.20"))
START, END = date(2018, 12, 31), date(2019, 3, 29)


def d(value: str) -> Decimal:
    return Decimal(value)


def run(
    holdings: list[Holding],
    subscriptions: list[Subscription],
    gav: str,
    hwm: str = "100",
    terms: IncentiveTerms = TWENTY,
) -> EqualisationResult:
    return equalise(
        holdings,
        subscriptions,
        period_end_gross_nav_per_unit=d(gav),
        high_water_mark_per_unit=d(hwm),
        terms=terms,
        currency=USD,
        period_start=START,
        period_end=END,
    )


# --- published worked examples ------------------------------------------------------------


def test_free_ride_and_clawback_equalised_vauban() -> None:
    """Vauban handbook, "What is equalisation and how does it work?",
    https://handbook.vauban.io/en/articles/3368082-what-is-equalisation-and-how-does-it-work
    ("Amazing Fund", 20%, quarterly): 31/12/2018 HWM = GAV = NAV = 100; investor A
    subscribes on 31/01/2019 at GAV 110; investor B on 28/02/2019 at GAV 90; on 29/03/2019
    GAV 120, the performance fee is (120 - 100) x 20% = 4 per share and NAV = HWM = 116.
    Without equalisation A pays on the rise from 100 (clawback) and B rides free from 90.
    COMPUTED from the rule (1,000 shares each, an existing holder F at the HWM): A, who paid
    110 (NAV 108 + an equalisation credit of 2), pays 20% x (120 - 110) = 2 per share:
    class share 4,000.00 less a credit of 2,000.00 = 2,000.00; B pays 20% x (120 - 90) = 6
    per share: 4,000.00 plus a contingent redemption of 2,000.00 = 6,000.00; F 4,000.00."""
    dealing_a = equalisation_at_dealing(d("108"), high_water_mark_per_unit=d("100"), terms=TWENTY)
    assert (dealing_a.gross_nav_per_unit, dealing_a.equalisation_credit_per_unit) == (d("110"), d("2"))
    result = run(
        [Holding("F", d("1000"), d("100"))],
        [
            Subscription("A", date(2019, 1, 31), d("1000"), d("108")),
            Subscription("B", date(2019, 2, 28), d("1000"), d("90")),
        ],
        gav="120",
    )
    assert result.class_fee == d("12000.00")  # 4 per share, published
    assert result.nav_per_unit_after == d("116")  # published
    assert result.high_water_mark_per_unit == d("116")
    a, b, f = result.investor("A"), result.investor("B"), result.investor("F")
    assert (a.class_share, a.equalisation_credit, a.contingent_redemption, a.fee) == (
        d("4000.00"),
        d("2000.00"),
        d("0.00"),
        d("2000.00"),
    )
    assert (b.class_share, b.equalisation_credit, b.contingent_redemption, b.fee) == (
        d("4000.00"),
        d("0.00"),
        d("2000.00"),
        d("6000.00"),
    )
    assert f.fee == f.class_share == d("4000.00")
    assert a.units_credited == d("17.241379")  # 2,000 / 116, rounded down
    assert b.units_redeemed == d("17.241380")  # rounded up
    assert result.total_fee == d("12000.00")


def test_positive_equalisation_refunded_in_shares_tiger() -> None:
    """Tiger Brokers help centre, "Explanation of Fund Performance Fee and Equalisation",
    https://www-web.itiger.com/sg/help/detail/05146234 : HWM 1, client A's purchase cost
    price 1.2, fund price at quarter-end 1.4, 100 shares, 20%. The fund charges
    100 x (1.4 - 1) x 20% = 8; A overpaid 100 x (1.2 - 1) x 20% = 4, refunded in shares.
    (A's cost 1.2 is the gross price: published NAV 1.16 plus a credit of 0.04 per share.)"""
    result = run([], [Subscription("A", date(2019, 2, 1), d("100"), d("1.16"))], gav="1.4", hwm="1")
    a = result.investor("A")
    assert (a.class_share, a.equalisation_credit, a.fee) == (d("8.00"), d("4.00"), d("4.00"))
    assert result.nav_per_unit_after == d("1.32")
    assert a.units_credited == d("3.030303")  # 4 / 1.32, rounded down


def test_equalisation_credit_from_the_published_nav_quantos() -> None:
    """Quantos Capital, "Equalisation Accounting", https://quantos.capital/equalisation-accounting :
    20% fee, entry share price 1,200 above the fund HWM of 1,000: existing investors have
    (1,200 - 1,000) / (100% - 20%) - (1,200 - 1,000) = 50 of accrued performance fee per
    share, the equalisation credit the new investor pays (gross price 1,250)."""
    dealing = equalisation_at_dealing(d("1200"), high_water_mark_per_unit=d("1000"), terms=TWENTY)
    assert dealing.equalisation_credit_per_unit == d("50")
    assert dealing.gross_nav_per_unit == d("1250")


def test_below_the_hwm_without_a_class_fee_contingent_redemption() -> None:
    """COMPUTED: HWM 100; B buys 500 units at 90; the quarter ends at GAV 96, below the HWM:
    no class fee and the HWM stays, but B gained 6 per unit and pays 20% x 6 x 500 =
    600.00 by a contingent redemption of 600 / 96 = 6.25 units; F (1,000 units) pays
    nothing. A (200 units at a NAV of 104 with HWM 100, gross 105) lost: no fee."""
    result = run(
        [Holding("F", d("1000"), d("100"))],
        [
            Subscription("A", date(2019, 1, 15), d("200"), d("104")),
            Subscription("B", date(2019, 2, 15), d("500"), d("90")),
        ],
        gav="96",
    )
    assert result.class_fee == d("0.00")
    assert result.high_water_mark_per_unit == d("100")
    b = result.investor("B")
    assert (b.fee, b.contingent_redemption, b.units_redeemed) == (d("600.00"), d("600.00"), d("6.25"))
    assert result.investor("A").fee == result.investor("F").fee == d("0.00")
    assert result.total_fee == d("600.00")


def test_bad_inputs_name_their_field() -> None:
    with pytest.raises(InvalidValueError) as err:
        run([], [Subscription("A", date(2019, 4, 1), d("1"), d("100"))], gav="120")
    assert err.value.field == "subscriptions[0].dealt_on"
    with pytest.raises(InvalidValueError) as err:
        run([], [], gav="120")
    assert err.value.field == "holdings"
    with pytest.raises(InvalidValueError) as err:
        run(
            [Holding("F", d("1"), d("100"))],
            [],
            gav="120",
            terms=IncentiveTerms(rate=d("0.2"), hurdle_rate=d("0.05")),
        )
    assert err.value.field == "hurdle_rate"
    with pytest.raises(LedgerInputError) as precision:
        run([Holding("F", d("1"), d("100"))], [], gav="120.0000001")
    assert precision.value.field == "period_end_gross_nav_per_unit"


# --- properties ---------------------------------------------------------------------------

units_st = st.integers(min_value=1, max_value=10**9).map(lambda u: Decimal(u).scaleb(-3))
price_st = st.integers(min_value=50_000, max_value=200_000).map(lambda p: Decimal(p).scaleb(-3))
rate_st = st.integers(min_value=0, max_value=50).map(lambda p: Decimal(p) / 100)


def alone(units: Decimal, nav: Decimal, gav: Decimal, hwm: Decimal, rate: Decimal) -> Decimal:
    """What one investor owes on its own: rate x units x max(0, G - own gross price)."""
    gross = (
        Fraction(nav)
        if nav <= hwm
        else Fraction(hwm) + (Fraction(nav) - Fraction(hwm)) / (1 - Fraction(rate))
    )
    exact = Fraction(rate) * Fraction(units) * max(Fraction(0), Fraction(gav) - gross)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(d("0.01"), rounding=ROUND_DOWN)


@given(
    units_a=units_st,
    units_b=units_st,
    held=units_st,
    nav_a=price_st,
    nav_b=price_st,
    gav=price_st,
    hwm=price_st,
    rate=rate_st,
)
def test_equalised_investors_end_up_equal(
    *,
    units_a: Decimal,
    units_b: Decimal,
    held: Decimal,
    nav_a: Decimal,
    nav_b: Decimal,
    gav: Decimal,
    hwm: Decimal,
    rate: Decimal,
) -> None:
    """Two investors subscribing at different NAVs each pay what they would pay alone; the
    pool's total fee is exactly the sum of the investors'; class share - credit +
    redemption = fee; the class shares add up to the class fee; unit conversions never
    favour the investor over the other holders."""
    terms = IncentiveTerms(rate=rate)
    subs = [
        Subscription("A", date(2019, 1, 31), units_a, nav_a),
        Subscription("B", date(2019, 2, 28), units_b, nav_b),
    ]
    together = run([Holding("F", held, hwm)], subs, gav=str(gav), hwm=str(hwm), terms=terms)
    for sub in subs:
        by_itself = run([], [sub], gav=str(gav), hwm=str(hwm), terms=terms)
        fee = together.investor(sub.investor).fee
        assert fee == by_itself.investor(sub.investor).fee
        assert fee == alone(sub.units, sub.nav_per_unit, gav, hwm, rate)
    assert together.total_fee == sum(r.fee for r in together.investors)
    assert together.class_fee == sum(r.class_share for r in together.investors)
    for r in together.investors:
        assert r.fee >= 0 and r.equalisation_credit >= 0 and r.contingent_redemption >= 0
        assert r.class_share - r.equalisation_credit + r.contingent_redemption == r.fee
        assert r.units_credited * together.nav_per_unit_after <= r.equalisation_credit
        assert r.units_redeemed * together.nav_per_unit_after >= r.contingent_redemption
        assert r.units_redeemed <= r.units + d("0.000001")
    assert together.high_water_mark_per_unit >= hwm


@given(held=st.lists(units_st, min_size=1, max_size=5), gav=price_st, hwm=price_st, rate=rate_st)
def test_without_subscriptions_equalisation_is_only_rounding(
    held: list[Decimal], gav: Decimal, hwm: Decimal, rate: Decimal
) -> None:
    """Everyone at the HWM: each investor's fee is its class share to within a cent (each fee
    is rounded down on its own, the class shares are one rounded total split by units)."""
    holdings = [Holding(f"I{i}", units, hwm) for i, units in enumerate(held)]
    result = run(holdings, [], gav=str(gav), hwm=str(hwm), terms=IncentiveTerms(rate=rate))
    for r in result.investors:
        assert r.contingent_redemption in {d("0.00"), d("0.01")}
        assert r.equalisation_credit in {d("0.00"), d("0.01")}
    assert result.class_fee - result.total_fee < d("0.01") * len(held)
