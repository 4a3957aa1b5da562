"""Currencies, scales, exact rounding and input guards (backend.finance.money)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.errors import (
    InvalidValueError,
    LedgerInputError,
    MagnitudeError,
    NotDecimalError,
    PrecisionError,
    UnknownCurrencyError,
)
from backend.finance.money import (
    CURRENCIES,
    Currency,
    Rounding,
    check_cash,
    check_nav_per_unit,
    check_rate,
    check_units,
    decimal_places,
    get_currency,
    quantize_cash,
    quantize_nav_per_unit,
    quantize_units,
    round_to_quantum,
)

# The G20 members' currencies (the EU's is EUR).
G20_CURRENCIES = [
    "ARS",
    "AUD",
    "BRL",
    "CAD",
    "CNY",
    "EUR",
    "GBP",
    "IDR",
    "INR",
    "JPY",
    "KRW",
    "MXN",
    "RUB",
    "SAR",
]
G20_CURRENCIES += ["TRY", "USD", "ZAR"]


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("CHF", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("OMR", 3),
        ("JOD", 3),
        ("TND", 3),
        ("CLF", 4),
    ],
)
def test_iso_4217_minor_units(code: str, exponent: int) -> None:
    """ISO 4217 minor units (exponents) of representative currencies."""
    currency = get_currency(code)
    assert currency.exponent == exponent
    assert currency.quantum == Decimal(1).scaleb(-exponent)


def test_table_covers_g20_and_is_consistent() -> None:
    assert set(G20_CURRENCIES) <= set(CURRENCIES)
    assert all(code == c.code for code, c in CURRENCIES.items())


def test_unknown_currency_names_field() -> None:
    with pytest.raises(UnknownCurrencyError) as err:
        get_currency("XXZ")
    assert err.value.field == "currency"
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "U$D"])
def test_currency_code_must_be_three_letters(code: str) -> None:
    with pytest.raises(InvalidValueError):
        Currency(code, 2)


def test_precision_error_names_field_and_problem() -> None:
    with pytest.raises(PrecisionError) as err:
        check_cash(Decimal("10.123"), get_currency("USD"), "amount")
    assert err.value.field == "amount"
    assert err.value.reason == "USD allows 2 decimal places, got 3"
    assert str(err.value) == "amount: USD allows 2 decimal places, got 3"


def test_jpy_refuses_fractions_kwd_accepts_fils() -> None:
    with pytest.raises(PrecisionError, match="JPY allows 0 decimal places, got 1"):
        check_cash(Decimal("100.5"), get_currency("JPY"), "amount")
    assert check_cash(Decimal("1.005"), get_currency("KWD"), "amount") == Decimal("1.005")


def test_trailing_zeros_are_not_extra_precision() -> None:
    value = check_cash(Decimal("12.3000"), get_currency("USD"), "amount")
    assert value == Decimal("12.30")
    assert str(value) == "12.30"


def test_magnitude_guard() -> None:
    usd = get_currency("USD")
    assert check_cash(Decimal(10) ** 12, usd, "amount") == Decimal(10) ** 12
    with pytest.raises(MagnitudeError) as err:
        check_cash(Decimal(10) ** 12 + Decimal("0.01"), usd, "amount")
    assert err.value.field == "amount"
    with pytest.raises(MagnitudeError):
        check_units(Decimal(10) ** 12 + Decimal("0.000001"), "units")


@pytest.mark.parametrize("bad", [1.5, "1.50", True, None, Decimal("NaN"), Decimal("Infinity")])
def test_floats_strings_and_non_finite_are_refused(bad: object) -> None:
    with pytest.raises(NotDecimalError) as err:
        check_cash(bad, get_currency("USD"), "amount")
    assert err.value.field == "amount"
    assert isinstance(err.value, ValueError)


def test_negative_cash_refused_unless_allowed() -> None:
    usd = get_currency("USD")
    with pytest.raises(InvalidValueError, match="must not be negative"):
        check_cash(Decimal("-1.00"), usd, "amount")
    assert check_cash(Decimal("-1.00"), usd, "amount", non_negative=False) == Decimal("-1.00")


def test_units_and_nav_scales() -> None:
    assert check_units(Decimal("1.123456"), "units") == Decimal("1.123456")
    with pytest.raises(PrecisionError, match="units allows 6 decimal places, got 7"):
        check_units(Decimal("1.1234567"), "units")
    with pytest.raises(InvalidValueError):
        check_nav_per_unit(Decimal(0), "nav_per_unit")
    with pytest.raises(InvalidValueError):
        check_rate(Decimal("1.01"), "rate")


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        # Python decimal documentation semantics of each mode, at one decimal place
        ("2.25", Rounding.HALF_EVEN, "2.2"),
        ("2.35", Rounding.HALF_EVEN, "2.4"),
        ("2.25", Rounding.HALF_UP, "2.3"),
        ("-2.25", Rounding.HALF_UP, "-2.3"),
        ("2.25", Rounding.HALF_DOWN, "2.2"),
        ("2.29", Rounding.DOWN, "2.2"),
        ("-2.29", Rounding.DOWN, "-2.2"),
        ("2.21", Rounding.UP, "2.3"),
        ("-2.21", Rounding.FLOOR, "-2.3"),
        ("-2.29", Rounding.CEILING, "-2.2"),
        ("2.20", Rounding.UP, "2.2"),
    ],
)
def test_round_to_quantum_modes(value: str, rounding: Rounding, expected: str) -> None:
    result = round_to_quantum(Decimal(value), Decimal("0.1"), rounding)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_fraction_rounded_once_no_double_rounding() -> None:
    """COMPUTED: 0.005 - 1e-40 is below the half-cent tie and must round down; rounding it to
    28 significant digits first would give exactly 0.005 (a tie) before the final rounding."""
    just_below_tie = Fraction(5, 1000) - Fraction(1, 10**40)
    assert quantize_cash(just_below_tie, get_currency("USD"), Rounding.HALF_UP) == Decimal("0.00")
    assert quantize_cash(Fraction(5, 1000), get_currency("USD"), Rounding.HALF_UP) == Decimal("0.01")
    assert quantize_cash(Fraction(5, 1000), get_currency("USD")) == Decimal("0.00")  # tie -> even
    assert quantize_cash(Fraction(15, 1000), get_currency("USD")) == Decimal("0.02")


def test_quantize_helpers_default_rules() -> None:
    assert quantize_units(Fraction(2, 3)) == Decimal("0.666666")  # units: down
    assert quantize_nav_per_unit(Fraction(2, 3)) == Decimal("0.666667")  # NAV: half-even
    assert quantize_cash(Fraction(1, 8), get_currency("USD")) == Decimal("0.12")  # 0.125 -> even


def test_exactness_does_not_depend_on_callers_context() -> None:
    big = Decimal("123456789012.123456")
    with localcontext() as ctx:
        ctx.prec = 5
        assert quantize_units(Fraction(big)) == big
        assert check_units(big, "units") == big


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False),
    st.sampled_from(list(Rounding)),
)
def test_round_to_quantum_matches_decimal_quantize(value: Decimal, rounding: Rounding) -> None:
    """Our exact rounding agrees with decimal's own quantize for every mode."""
    with localcontext() as ctx:
        ctx.prec = 50
        expected = value.quantize(Decimal("0.01"), rounding=rounding.value)
    assert round_to_quantum(value, Decimal("0.01"), rounding) == expected


def test_errors_are_value_errors_with_field() -> None:
    for cls in (PrecisionError, MagnitudeError, NotDecimalError, UnknownCurrencyError, InvalidValueError):
        error = cls("f", "r")
        assert isinstance(error, LedgerInputError)
        assert isinstance(error, ValueError)
        assert (error.field, error.reason) == ("f", "r")


@pytest.mark.parametrize(
    ("value", "places"),
    [("0", 0), ("0.000", 0), ("1.230", 2), ("100", 0), ("1E+3", 0), ("1.5E-7", 8), ("-0.05", 2)],
)
def test_decimal_places_ignores_trailing_zeros(value: str, places: int) -> None:
    assert decimal_places(Decimal(value)) == places


def test_absurdly_long_input_is_a_precision_error_not_a_crash() -> None:
    with pytest.raises(PrecisionError):
        check_cash(Decimal("1." + "1" * 200), get_currency("USD"), "amount")
