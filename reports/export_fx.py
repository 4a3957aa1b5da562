"""The reporting-currency columns of the analysts' exports: each amount beside its pool's own,
in the caller's reporting currency at the ECB rate of the row's date (reports.fx's rule),
with the rate and its publication date; blank, never zero, where no rate is in force."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from backend.platform.actors import Actor
from reports.exports import Column, Kind
from reports.fx import convert
from reports.schemas import FxQuote, FxQuotes

FX_COLUMNS: Sequence[Column] = (
    Column("reporting_currency", Kind.TEXT, 9),
    Column("fx_rate", Kind.RATE, 14),
    Column("fx_rate_date", Kind.DATE, 12),
)
"""The rate a converted figure used: units of the reporting currency per one of the pool's,
and the date it was published (blank when the figure is in the reporting currency already)."""


class FxReads(Protocol):
    """The report service's slice that converts a figure into a reporting currency."""

    def fx_quotes(self, actor: Actor, wanted: Collection[tuple[str, date]], to_currency: str) -> FxQuotes: ...


@dataclass(frozen=True)
class ReportingCurrency:
    """Where an export's reporting-currency columns come from: the caller's currency."""

    fx: FxReads
    currency: str

    def quotes(self, actor: Actor, source: str, days: Collection[date]) -> dict[date, FxQuote]:
        found = self.fx.fx_quotes(actor, {(source, d) for d in days}, self.currency)
        return {q.on: q for q in found.quotes}


def fx_cells(quote: FxQuote | None, amount: Decimal | None, reporting: str) -> tuple[Any, ...]:
    """(reporting_currency, fx_rate, fx_rate_date, converted amount): the rate as used (1 in
    the pool's own currency), its publication date, and the amount rounded once to the
    reporting currency's minor unit; blanks where the rate is missing."""
    if quote is None or quote.rate is None:
        return (reporting, None, None, None)
    converted = convert(amount, quote) if amount is not None else None
    return (reporting, quote.rate, quote.from_rate_date or quote.to_rate_date, converted)


def day_quotes(
    reporting: ReportingCurrency | None, actor: Actor, source: str, days: Collection[date]
) -> dict[date, FxQuote]:
    """One quote call for a page of rows (its distinct dates)."""
    if reporting is None or reporting.currency == source or not days:
        return {}
    return reporting.quotes(actor, source, days)


def converted(
    reporting: ReportingCurrency | None, quote: FxQuote | None, amount: Decimal | None, source: str
) -> tuple[Any, ...]:
    if reporting is None:
        return (None, None, None, None)
    if reporting.currency == source:
        return (source, Decimal(1), None, amount)
    return fx_cells(quote, amount, reporting.currency)
