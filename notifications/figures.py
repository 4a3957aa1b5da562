"""Figures as a reader of a notice expects them, in any document or message of the service.

- money: "EUR 1,234,567.89", at the currency's minor unit, rounded half-even; a negative
  amount takes a leading minus: "-EUR 1,234.56" (no parentheses, as in the portal);
- dates: "4 December 2026", in English whatever the process locale;
- units and NAV per unit at the precision they were given;
- text as a core PDF font can draw it (latin-1: typographic punctuation made ASCII, the
  rest "?").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

_ZERO_PLACES = frozenset({"JPY", "KRW"})
_THREE_PLACES = frozenset({"BHD", "KWD", "JOD", "OMR", "TND"})
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Mapped before the latin-1 fallback so that a name typed on a phone ("O’Brien") or a pool
# called "Growth – II" reads right instead of showing a "?".
_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "€": "EUR",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\r": " ",
        "\n": " ",
    }
)


def minor_unit_places(currency: str) -> int:
    """Decimal places of the currency's minor unit: 0 for JPY and KRW, 3 for the dinars and
    the rial (BHD, KWD, JOD, OMR, TND), 2 for the rest."""
    code = currency_code(currency)
    if code in _ZERO_PLACES:
        return 0
    if code in _THREE_PLACES:
        return 3
    return 2


def money(amount: Decimal, currency: str) -> str:
    """'EUR 1,234,567.89', 'JPY 1,000', '-EUR 1,234.56': rounded half-even to the minor unit.

    A negative amount has a leading minus rather than parentheses: it survives copy and paste
    into a spreadsheet and reads the same as the portal. An amount that rounds to zero has no
    sign ("EUR 0.00", never "-EUR 0.00")."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount must be a finite number, not {amount}")
    code = currency_code(currency)
    places = minor_unit_places(code)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{code} {abs(rounded):,.{places}f}"


def format_date(day: date) -> str:
    """'4 December 2026': month names are fixed here because strftime's %B follows the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def unit_number(value: Decimal) -> str:
    """Units and unit prices keep the precision they were given (at least two places), since
    rounding a NAV per unit to cents would misstate it."""
    if not value.is_finite():
        raise ValueError(f"number must be finite, not {value}")
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}"


def currency_code(currency: str) -> str:
    code = currency.strip().upper()
    if not _CURRENCY_CODE.fullmatch(code):
        raise ValueError(f"currency must be a three-letter ISO code, not {currency!r}")
    return code


def latin1(text: str) -> str:
    """The text as Helvetica can draw it (see the module docstring)."""
    composed = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else "?" for ch in composed)
    return printable.encode("latin-1", errors="replace").decode("latin-1")
