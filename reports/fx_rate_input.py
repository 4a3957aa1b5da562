"""The FX rates a load is given, read and checked: the ECB's CSV files (either shape, described
in reports.fx) parsed cell by cell, JSON rows checked, every rate a valid per-euro rate.

Apart from reports.fx, which stores, lists and quotes the rates, because reading a file is
pure (no database, no actor) and fails on its own terms: naming the line and the column of
the first bad cell, before anything is stored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.finance.errors import LedgerInputError
from backend.finance.money import decimal_places, get_currency
from backend.platform.errors import ValidationFailed
from backend.platform.fields import DATE_MAX, DATE_MIN, decimal_from_text
from reports.models import FX_RATE_SCALE
from reports.schemas import FxRatesIn

MAX_RATE = Decimal(10) ** 9
"""Above any currency's price of a euro (the Iranian rial is about 5e4); the column holds 9.2e10."""
_NO_RATE = frozenset({"", "N/A", "NA", "-"})


@dataclass(frozen=True, slots=True)
class ParsedRates:
    """What a CSV file holds: {(date, currency): rate} and the columns left out (unknown)."""

    rates: dict[tuple[date, str], Decimal]
    ignored_currencies: list[str]


_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def _cell_date(text: str) -> date:
    """ISO (the history file) or `30 September 2026` (the day's file; English month names,
    whatever the server's locale, so not strptime's %B)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit() and parts[1].lower() in _MONTHS:
        try:
            return date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date like 2026-09-30 or 30 September 2026")


def _check_rate(rate: Decimal) -> str | None:
    """Why `rate` cannot be a per-euro rate, or None if it can."""
    if not rate > 0:
        return f"must be above 0, got {rate}"
    if rate > MAX_RATE:
        return f"must be at most {MAX_RATE:,f}, got {rate}"
    if decimal_places(rate) > FX_RATE_SCALE:
        return f"at most {FX_RATE_SCALE} decimal places, got {rate}"
    return None


def rates_from_csv(text: str) -> ParsedRates:
    """Parse the ECB's CSV (either file's shape). Raises ValidationFailed naming the line and
    column of the first bad cell: `csv: line 3: USD: ...`."""
    try:
        return _rates(text)
    except csv.Error as exc:  # a stray carriage return, an unclosed quote: the file, not us
        raise ValidationFailed(f"csv: not readable as CSV: {exc}", field="csv") from None


def _rates(text: str) -> ParsedRates:
    # newline="": the csv module reads \r, \n and \r\n line ends itself, as its docs ask.
    # skipinitialspace: the day's file writes ", " between cells.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), skipinitialspace=True)
    columns, ignored = _columns(next(reader, None))
    rates: dict[tuple[date, str], Decimal] = {}
    for number, row in enumerate(reader, start=2):
        cells = [c.strip() for c in row]
        if any(cells):  # a blank line (the day's file ends with one) says nothing
            _read_row(number, cells, columns, rates)
    return ParsedRates(rates, sorted(set(ignored)))


def _columns(header: list[str] | None) -> tuple[list[tuple[int, str]], list[str]]:
    """The (position, currency) of each column read, and the codes of those ignored."""
    if not header or header[0].strip().lstrip("\ufeff").lower() != "date":
        raise ValidationFailed(
            "csv: the header must start with the column Date, then currency codes", field="csv"
        )
    columns: list[tuple[int, str]] = []
    ignored: list[str] = []
    for position, name in enumerate(header[1:], start=1):
        code = name.strip().upper()
        if not code:
            continue  # the trailing comma's empty column
        try:
            get_currency(code)
        except LedgerInputError:
            ignored.append(code)
            continue
        if any(code == seen for _, seen in columns):
            raise ValidationFailed(f"csv: line 1: the column {code} appears twice", field="csv")
        columns.append((position, code))
    return columns, ignored


def _read_row(
    number: int, cells: list[str], columns: list[tuple[int, str]], rates: dict[tuple[date, str], Decimal]
) -> None:
    try:
        day = _cell_date(cells[0])
    except ValueError as exc:
        raise ValidationFailed(f"csv: line {number}: Date: {exc}", field="csv") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationFailed(
            f"csv: line {number}: Date: {day} is outside {DATE_MIN} to {DATE_MAX}", field="csv"
        )
    for position, code in columns:
        cell = cells[position] if position < len(cells) else ""
        if cell.upper() in _NO_RATE:
            continue  # no rate that day for that currency
        try:
            rate = decimal_from_text(cell)
        except ValueError as exc:
            raise ValidationFailed(f"csv: line {number}: {code}: {cell!r} {exc}", field="csv") from None
        problem = _check_rate(rate)
        if problem is not None:
            raise ValidationFailed(f"csv: line {number}: {code}: {problem}", field="csv")
        if rates.get((day, code), rate) != rate:
            raise ValidationFailed(
                f"csv: line {number}: {code}: {day} is given twice with different rates", field="csv"
            )
        rates[(day, code)] = rate


def _known(code: str, field: str) -> str:
    try:
        return get_currency(code.strip().upper()).code
    except LedgerInputError:
        raise ValidationFailed(
            f"{field}: {code!r} is not a currency the platform knows", field=field
        ) from None


def _rows(request: FxRatesIn) -> ParsedRates:
    """The request's rates (JSON rows, then the CSV's), checked; unknown JSON currencies are
    refused (a typo), unknown CSV columns ignored (the ECB publishes thirty)."""
    rates: dict[tuple[date, str], Decimal] = {}
    for i, row in enumerate(request.rates):
        code = _known(row.currency, f"rates[{i}].currency")
        problem = _check_rate(row.rate)
        if problem is not None:
            raise ValidationFailed(f"rates[{i}].rate: {problem}", field=f"rates[{i}].rate")
        rates[(row.date, code)] = row.rate
    ignored: list[str] = []
    if request.csv:
        parsed = rates_from_csv(request.csv)
        rates.update(parsed.rates)
        ignored = parsed.ignored_currencies
    return ParsedRates(rates, ignored)
