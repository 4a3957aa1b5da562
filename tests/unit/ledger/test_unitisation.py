"""Unit pricing and dealing (backend.finance.unitisation)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.errors import InvalidValueError, MagnitudeError, PrecisionError
from backend.finance.money import Currency, get_currency
from backend.finance.unitisation import issue_units, nav_per_unit, redeem_units, units_value

USD = get_currency("USD")
JPY = get_currency("JPY")
KWD = get_currency("KWD")


def test_nav_per_unit_rounds_half_even_and_reports_residue() -> None:
    """COMPUTED: 1,000,000.00 / 300,000 units = 3.3333333... -> 3.333333; the units are then
    worth 300,000 x 3.333333 = 999,999.90, so 0.10 of net assets is not in the price."""
    result = nav_per_unit(Decimal("1000000.00"), Decimal(300_000), USD)
    assert result.nav_per_unit == Decimal("3.333333")
    assert result.units_value == Decimal("999999.90")
    assert result.residue == Decimal("0.10")


def test_nav_per_unit_half_even_tie() -> None:
    """COMPUTED: 0.01 / 8 units = 0.00125 -> 0.001250 (exact); 1.00 / 2,000,000 units =
    0.0000005 -> 0.000000 (tie, to even); 3.00 / 2,000,000 = 0.0000015 -> 0.000002 (tie, to even)."""
    assert nav_per_unit(Decimal("0.01"), Decimal(8), USD).nav_per_unit == Decimal("0.001250")
    assert nav_per_unit(Decimal("1.00"), Decimal(2_000_000), USD).nav_per_unit == Decimal("0.000000")
    assert nav_per_unit(Decimal("3.00"), Decimal(2_000_000), USD).nav_per_unit == Decimal(
        "0.000002"
    )  # 1.5e-6


def test_initial_nav_when_no_units() -> None:
    launch = nav_per_unit(Decimal(0), Decimal(0), USD, initial_nav_per_unit=Decimal(100))
    assert launch.nav_per_unit == Decimal("100.000000")
    assert launch.residue == 0
    # value left after the last redemption is residue; the next investor deals at the launch price
    leftover = nav_per_unit(Decimal("0.03"), Decimal(0), USD)
    assert leftover.nav_per_unit == Decimal("1.000000")
    assert leftover.residue == Decimal("0.03")


def test_subscription_units_round_down_residue_to_pool() -> None:
    """COMPUTED: 1,000.00 at 9,876.543210 buys 0.101249 units (0.10124999...: rounded down);
    they are worth 999.990123... = 999.99, so 0.01 is residue kept by the pool."""
    issue = issue_units(Decimal("1000.00"), Decimal("9876.543210"), USD)
    assert issue.units == Decimal("0.101249")
    assert issue.units_value == Decimal("999.99")
    assert issue.residue == Decimal("0.01")
    assert issue.units_value + issue.residue == issue.amount


def test_redemption_proceeds_round_down_residue_to_pool() -> None:
    """COMPUTED: 333.333333 units at 1.500000 are worth 499.9999995: the investor is paid
    499.99 (rounded down), the units' value is 500.00 (half-even), residue 0.01."""
    redemption = redeem_units(Decimal("333.333333"), Decimal("1.5"), USD)
    assert redemption.proceeds == Decimal("499.99")
    assert redemption.units_value == Decimal("500.00")
    assert redemption.residue == Decimal("0.01")


def test_jpy_round_trip_docs_example() -> None:
    """COMPUTED (docs worked example): 10,000 yen at 3.333333 buys 3,000.000300 units
    (10,000 / 3.333333 = 3,000.0003000...), worth 9,999.9999 -> 10,000 yen, residue 0.
    Redeeming them at once pays 9,999 yen (rounded down); residue 1 yen."""
    issue = issue_units(Decimal(10_000), Decimal("3.333333"), JPY)
    assert (str(issue.units), str(issue.units_value), str(issue.residue)) == ("3000.000300", "10000", "0")
    redemption = redeem_units(issue.units, issue.nav_per_unit, JPY)
    assert (str(redemption.proceeds), str(redemption.units_value), str(redemption.residue)) == (
        "9999",
        "10000",
        "1",
    )
    assert issue.amount - redemption.proceeds == issue.residue + redemption.residue


def test_dealing_input_errors_name_the_field() -> None:
    with pytest.raises(PrecisionError) as precision:
        issue_units(Decimal("100.001"), Decimal(1), USD)
    assert precision.value.field == "amount"
    with pytest.raises(PrecisionError) as price:
        issue_units(Decimal("100.00"), Decimal("1.0000001"), USD)
    assert price.value.field == "nav_per_unit"
    with pytest.raises(InvalidValueError, match=r"less than 0\.000001 units"):
        issue_units(Decimal("0.01"), Decimal("100000"), USD)
    with pytest.raises(InvalidValueError):
        issue_units(Decimal(0), Decimal(1), USD)
    with pytest.raises(InvalidValueError):
        redeem_units(Decimal(0), Decimal(1), USD)


def test_units_value_half_even() -> None:
    assert units_value(Decimal("0.5"), Decimal("0.01"), USD) == Decimal("0.00")  # 0.005 -> even
    assert units_value(Decimal("1.5"), Decimal("0.01"), USD) == Decimal("0.02")  # 0.015 -> even
    assert units_value(Decimal("1"), Decimal("1.0005"), KWD) == Decimal("1.000")  # 1.0005 -> even


currencies = st.sampled_from([USD, JPY, KWD])
prices = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(100_000), places=6)


@given(currency=currencies, minor_units=st.integers(min_value=1, max_value=10**14), price=prices)
def test_subscribe_then_redeem_never_returns_more(
    currency: Currency, minor_units: int, price: Decimal
) -> None:
    amount = minor_units * currency.quantum
    if amount > 10**12:  # e.g. 10^14 yen: the amount itself is out of range
        with pytest.raises(MagnitudeError):
            issue_units(amount, price, currency)
        return
    units_bought = Fraction(amount) / Fraction(price)
    if units_bought < Fraction(1, 10**6):
        with pytest.raises(InvalidValueError):
            issue_units(amount, price, currency)
        return
    if units_bought >= 10**12 + Fraction(1, 10**6):
        with pytest.raises(MagnitudeError):
            issue_units(amount, price, currency)
        return
    issue = issue_units(amount, price, currency)
    redemption = redeem_units(issue.units, issue.nav_per_unit, currency)
    assert redemption.proceeds <= issue.amount
    assert issue.residue >= 0
    assert redemption.residue >= 0
    assert issue.amount - redemption.proceeds == issue.residue + redemption.residue
    exact_value = Fraction(issue.units) * Fraction(price)
    assert exact_value <= amount  # never issue more value than received
    assert redemption.proceeds <= exact_value  # never pay more than the units are worth


@given(
    currency=currencies,
    minor_units=st.integers(min_value=0, max_value=10**12),
    units=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(10**12), places=6),
)
def test_nav_per_unit_ties_out(currency: Currency, minor_units: int, units: Decimal) -> None:
    net_assets = minor_units * currency.quantum
    result = nav_per_unit(net_assets, units, currency)
    assert result.units_value + result.residue == net_assets
    assert abs(Fraction(result.nav_per_unit) - Fraction(net_assets) / Fraction(units)) <= Fraction(
        1, 2 * 10**6
    )


def test_exact_whatever_the_callers_decimal_context() -> None:
    """COMPUTED: 123,456,789.123456 units x 1.234567 = 152,415,677.777777703552 (21 digits):
    value 152,415,677.78, proceeds 152,415,677.77, even if the caller runs decimal at 5 digits."""
    with localcontext() as ctx:
        ctx.prec = 5
        assert units_value(Decimal("123456789.123456"), Decimal("1.234567"), USD) == Decimal("152415677.78")
        redemption = redeem_units(Decimal("123456789.123456"), Decimal("1.234567"), USD)
    assert redemption.proceeds == Decimal("152415677.77")
    assert redemption.residue == Decimal("0.01")
