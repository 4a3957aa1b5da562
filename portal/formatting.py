"""How the portal writes numbers: money in the pool's currency, percentages with their sign.

Pure functions, so every page formats the same way and the tests can pin the text.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from backend.finance.money import get_currency
from ledger.interface import EntryType
from reports.interface import datasets

DASH = "—"
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "CAD": "C$", "AUD": "A$"}


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def exponent(currency: str) -> int:
    try:
        return get_currency(currency).exponent
    except Exception:  # an unknown code still formats, at two places
        return 2


def money(value: object, currency: str) -> str:
    """`$1,234.50`, `-€20.00`, `¥1,000`: at the currency's minor unit."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    places = exponent(currency)
    quantised = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    sign = "-" if quantised < 0 else ""
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{abs(quantised):,.{places}f}"


def compact_money(value: object, currency: str) -> str:
    """$1.23M, €950.0K: for headline figures."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    for limit, suffix in ((Decimal("1e9"), "B"), (Decimal("1e6"), "M"), (Decimal("1e3"), "K")):
        if size >= limit:
            return f"{sign}{symbol}{size / limit:,.2f}{suffix}"
    return money(amount, currency)


def pct(value: float | None, places: int = 2) -> str:
    """+1.23%, -4.50%, 0.00%; a dash when undefined."""
    if value is None:
        return DASH
    text = f"{value * 100:+.{places}f}%"
    return "0." + "0" * places + "%" if text in (f"+0.{'0' * places}%", f"-0.{'0' * places}%") else text


def percent(value: object, places: int = 2) -> str:
    """9.07%, -4.50%: a return or a share as a percentage, signed only when negative (pct
    is the one that marks gains with a plus); a dash when undefined."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    text = f"{amount * 100:.{places}f}%"
    return text[1:] if text.startswith("-") and not amount.quantize(Decimal(1).scaleb(-places - 2)) else text


def entry_type_label(entry_type: EntryType | str, reverses: int | None = None) -> str:
    """A transaction type in words ("Capital call", "Reversal of #123"), the same words the
    exports write (reports.datasets keeps the one table)."""
    return datasets.entry_type_label(entry_type, reverses)


def multiple(value: float | None) -> str:
    """1.25x (TVPI, DPI, RVPI)."""
    return DASH if value is None else f"{value:.2f}x"


def number(value: object, places: int = 6) -> str:
    amount = _decimal(value)
    return DASH if amount is None else f"{amount:,.{places}f}"


def iso(day: date | None) -> str:
    return DASH if day is None else day.isoformat()
