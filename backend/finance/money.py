"""Money scales: currencies, the precision of each quantity, exact rounding and input guards.

Scales used by the books (see docs/business-logic-maths.md, "Rounding rules"):

* cash: the currency's ISO 4217 minor unit (USD/EUR/GBP 2 dp, JPY/KRW 0 dp, KWD/BHD 3 dp);
* units: 6 decimal places (``UNITS_DP``);
* NAV per unit: 6 decimal places (``NAV_PER_UNIT_DP``);
* rates (fee rates, preferred return, carry): any precision, never rounded.

All rounding in the ledger goes through :func:`round_to_quantum`, which rounds an *exact*
rational number once, so there is never double rounding. Arithmetic inside the ledger runs
under :func:`exact_arithmetic`, a decimal context that raises instead of silently rounding.
Floats are rejected everywhere.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from types import MappingProxyType
from typing import ParamSpec, TypeVar

from backend.finance.errors import (
    InvalidValueError,
    MagnitudeError,
    NotDecimalError,
    PrecisionError,
    UnknownCurrencyError,
)

__all__ = [
    "CURRENCIES",
    "MAX_MAGNITUDE",
    "NAV_PER_UNIT_DP",
    "NAV_PER_UNIT_QUANTUM",
    "UNITS_DP",
    "UNIT_QUANTUM",
    "Currency",
    "Rounding",
    "check_cash",
    "check_nav_per_unit",
    "check_rate",
    "check_scale",
    "check_units",
    "decimal_places",
    "exact_arithmetic",
    "get_currency",
    "quantize_cash",
    "quantize_nav_per_unit",
    "quantize_units",
    "round_to_quantum",
    "to_decimal",
]

UNITS_DP = 6
"""Units (shares) of an open-ended pool are held to 6 decimal places."""

NAV_PER_UNIT_DP = 6
"""NAV per unit (the dealing price) is published to 6 decimal places."""

UNIT_QUANTUM = Decimal("0.000001")
NAV_PER_UNIT_QUANTUM = Decimal("0.000001")

MAX_MAGNITUDE = Decimal(10) ** 12
"""Largest absolute amount (in major units, or units) any input may have: 10^12.

The books store amounts as scaled 64-bit integers (backend.platform.orm.ScaledDecimal, 4 dp for cash
and 6 for units), so a single input of a trillion still leaves balances room to grow
by a factor of several thousand without overflow."""

_EXACT_CONTEXT = Context(
    prec=120,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[Inexact, InvalidOperation, DivisionByZero, Overflow],
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def exact_arithmetic(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` under a 120-digit decimal context that traps any inexact result.

    Additions, subtractions and multiplications of in-range amounts are then exact whatever
    the caller's decimal context is; anything that would round raises ``decimal.Inexact``
    (a programming error: divisions go through ``Fraction`` and :func:`round_to_quantum`).
    """

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_EXACT_CONTEXT):
            return fn(*args, **kwargs)

    return wrapper


class Rounding(enum.StrEnum):
    """Rounding modes; each value is the matching ``decimal`` constant."""

    DOWN = ROUND_DOWN
    """Towards zero (truncate)."""
    UP = ROUND_UP
    """Away from zero."""
    FLOOR = ROUND_FLOOR
    """Towards minus infinity."""
    CEILING = ROUND_CEILING
    """Towards plus infinity."""
    HALF_UP = ROUND_HALF_UP
    """To nearest; ties away from zero."""
    HALF_DOWN = ROUND_HALF_DOWN
    """To nearest; ties towards zero."""
    HALF_EVEN = ROUND_HALF_EVEN
    """To nearest; ties to the even neighbour (bankers' rounding)."""


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency: alphabetic code and minor-unit exponent (decimal places)."""

    code: str
    exponent: int

    def __post_init__(self) -> None:
        if len(self.code) != 3 or not (self.code.isascii() and self.code.isalpha() and self.code.isupper()):
            raise InvalidValueError("code", f"must be 3 upper-case letters, got {self.code!r}")
        if not 0 <= self.exponent <= 4:
            raise InvalidValueError("exponent", f"must be 0..4, got {self.exponent}")

    @property
    def quantum(self) -> Decimal:
        """The minor unit as a Decimal: 0.01 for USD, 1 for JPY, 0.001 for KWD."""
        return Decimal(f"1E-{self.exponent}")

    def __str__(self) -> str:
        return self.code


# ISO 4217 minor units (the "E" column of the ISO 4217 list), by exponent.
_EXPONENTS: dict[int, str] = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    # G20 members' currencies (the EU's is EUR), then other frequently used currencies.
    2: "ARS AUD BRL CAD CNY EUR GBP IDR INR MXN RUB SAR TRY USD ZAR "
    "AED CHF COP CZK DKK EGP HKD HUF ILS KES MAD MYR NGN NOK NZD PEN PHP PKR PLN QAR RON SEK SGD "
    "THB TWD UAH",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}

CURRENCIES: Mapping[str, Currency] = MappingProxyType(
    {
        code: Currency(code, exponent)
        for exponent, codes in sorted(_EXPONENTS.items())
        for code in codes.split()
    }
)
"""Supported currencies by ISO 4217 code (read-only)."""


def get_currency(code: str) -> Currency:
    """Return the supported currency with ISO 4217 ``code`` (e.g. ``"USD"``)."""
    try:
        return CURRENCIES[code]
    except KeyError:
        raise UnknownCurrencyError("currency", f"{code!r} is not a supported ISO 4217 code") from None


def to_decimal(value: object, field: str) -> Decimal:
    """Return ``value`` as a finite Decimal; accept Decimal or int, reject float, bool, NaN."""
    # Decimals are immutable, so an exact Decimal is returned as it is; this runs for every
    # posting and weight of a batch, and the copy Decimal(value) would make is pure cost.
    if value.__class__ is Decimal:
        if value.is_finite():  # type: ignore[attr-defined]
            return value  # type: ignore[return-value]
        raise NotDecimalError(field, f"must be finite, got {value}")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise NotDecimalError(field, f"must be a Decimal or int, got {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise NotDecimalError(field, f"must be finite, got {result}")
    return result


def decimal_places(value: Decimal) -> int:
    """Number of decimal places needed to write ``value`` exactly (trailing zeros ignored)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity
        raise NotDecimalError("value", f"must be finite, got {value}")
    places = -exponent
    last = len(digits) - 1
    # Trailing zeros after the point do not count: "1.50" needs one place. Walking the digit
    # tuple is much cheaper than formatting it, and this runs once per posting.
    while places > 0 and last >= 0 and digits[last] == 0:
        places -= 1
        last -= 1
    return 0 if last < 0 else max(places, 0)


def check_scale(value: Decimal, places: int, field: str, what: str) -> None:
    """Raise :class:`PrecisionError` if ``value`` needs more than ``places`` decimal places.

    ``what`` names the scale in the message, e.g. ``"USD"`` or ``"units"``.
    """
    got = decimal_places(value)
    if got > places:
        raise PrecisionError(field, f"{what} allows {places} decimal places, got {got}")


def _check_magnitude(value: Decimal, field: str) -> None:
    if abs(value) > MAX_MAGNITUDE:
        raise MagnitudeError(field, f"absolute value must not exceed 10^12, got {value}")


def _rescale(value: Decimal, places: int) -> Decimal:
    """Return ``value`` written with exactly ``places`` decimal places (no rounding)."""
    return value.quantize(Decimal(f"1E-{places}"), context=_EXACT_CONTEXT)


def check_cash(value: object, currency: Currency, field: str, *, non_negative: bool = True) -> Decimal:
    """Validate a cash amount and return it written at the currency's minor unit.

    Raises NotDecimalError (float, NaN), PrecisionError (e.g. 3 dp for USD),
    MagnitudeError (above 10^15) or InvalidValueError (negative when not allowed).
    """
    amount = to_decimal(value, field)
    check_scale(amount, currency.exponent, field, currency.code)
    _check_magnitude(amount, field)
    if non_negative and amount < 0:
        raise InvalidValueError(field, f"must not be negative, got {amount}")
    return _rescale(amount, currency.exponent)


def check_units(value: object, field: str) -> Decimal:
    """Validate a non-negative number of units (at most 6 dp) and return it at 6 dp."""
    units = to_decimal(value, field)
    check_scale(units, UNITS_DP, field, "units")
    _check_magnitude(units, field)
    if units < 0:
        raise InvalidValueError(field, f"must not be negative, got {units}")
    return _rescale(units, UNITS_DP)


def check_nav_per_unit(value: object, field: str) -> Decimal:
    """Validate a strictly positive NAV per unit (at most 6 dp) and return it at 6 dp."""
    price = to_decimal(value, field)
    check_scale(price, NAV_PER_UNIT_DP, field, "NAV per unit")
    _check_magnitude(price, field)
    if price <= 0:
        raise InvalidValueError(field, f"must be positive, got {price}")
    return _rescale(price, NAV_PER_UNIT_DP)


def check_rate(
    value: object,
    field: str,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(1),
    high_inclusive: bool = True,
) -> Decimal:
    """Validate a rate given as a fraction (0.02 = 2%) lying in [low, high] (or [low, high))."""
    rate = to_decimal(value, field)
    too_high = rate > high if high_inclusive else rate >= high
    if rate < low or too_high:
        bracket = "]" if high_inclusive else ")"
        raise InvalidValueError(field, f"must be in [{low}, {high}{bracket}, got {rate}")
    return rate


def _round_to_int(x: Fraction, rounding: Rounding) -> int:
    """Round the exact rational ``x`` to an integer; ``up`` means "to floor + 1"."""
    floor = math.floor(x)
    rest = x - floor  # in [0, 1)
    if rest == 0:
        return floor
    half = Fraction(1, 2)
    directed = {
        Rounding.FLOOR: False,
        Rounding.CEILING: True,
        Rounding.DOWN: x < 0,
        Rounding.UP: x > 0,
    }
    if rounding in directed:
        up = directed[rounding]
    elif rest != half:
        up = rest > half
    else:
        up = {
            Rounding.HALF_UP: x > 0,
            Rounding.HALF_DOWN: x < 0,
            Rounding.HALF_EVEN: floor % 2 == 1,
        }[rounding]
    return floor + 1 if up else floor


def _times_quantum(n: int, quantum: Decimal) -> Decimal:
    """``n * quantum`` built exactly, independent of any decimal context."""
    _, digits, exponent = quantum.as_tuple()
    if not isinstance(exponent, int):
        raise NotDecimalError("quantum", f"must be finite, got {quantum}")
    coefficient = int("".join(str(d) for d in digits))
    return Decimal(f"{n * coefficient}E{exponent}")


def round_to_quantum(value: Decimal | Fraction | int, quantum: Decimal, rounding: Rounding) -> Decimal:
    """Round the exact number ``value`` to a multiple of ``quantum`` with one rounding step.

    ``value`` may be a ``Fraction`` so that quotients (amount / price, basis x days / 365)
    are rounded exactly once, never first to 28 significant digits and then again.
    """
    if not isinstance(quantum, Decimal) or not quantum.is_finite() or quantum <= 0:
        raise InvalidValueError("quantum", f"must be a positive finite Decimal, got {quantum!r}")
    steps = Fraction(value) / Fraction(quantum)
    return _times_quantum(_round_to_int(steps, Rounding(rounding)), quantum)


def quantize_cash(
    value: Decimal | Fraction | int,
    currency: Currency,
    rounding: Rounding = Rounding.HALF_EVEN,
) -> Decimal:
    """Round an exact amount to the currency's minor unit (default: half-even)."""
    return round_to_quantum(value, currency.quantum, rounding)


def quantize_units(value: Decimal | Fraction | int, rounding: Rounding = Rounding.DOWN) -> Decimal:
    """Round an exact number of units to 6 dp (default: down, never issue too many units)."""
    return round_to_quantum(value, UNIT_QUANTUM, rounding)


def quantize_nav_per_unit(
    value: Decimal | Fraction | int, rounding: Rounding = Rounding.HALF_EVEN
) -> Decimal:
    """Round an exact NAV per unit to 6 dp (default: half-even)."""
    return round_to_quantum(value, NAV_PER_UNIT_QUANTUM, rounding)
