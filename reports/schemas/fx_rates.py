"""FX rates and conversion into a reporting currency (reports.fx).

Reference rates as loaded (JSON rows or the ECB's CSV) and stored (units of a currency per
one euro), what a load did, and the quotes that convert a figure dated one day from one
currency into another.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from backend.platform.fields import IsoDate
from backend.pools.interface import ExactDecimal as ExactDecimalIn
from reports.schemas.amounts import Amount


class FxRateIn(BaseModel):
    """One published reference rate: units of `currency` per one euro on `date` (ECB style)."""

    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])
    rate: ExactDecimalIn = Field(description="units of the currency per 1 EUR, > 0, at most 8 decimal places")


class FxRatesIn(BaseModel):
    """Rates as JSON rows, or as the ECB's CSV (eurofxref-hist.csv or eurofxref.csv), or both."""

    model_config = ConfigDict(extra="forbid")

    rates: list[FxRateIn] = Field(default_factory=list, max_length=200_000)
    csv: str | None = Field(default=None, max_length=10_000_000)


class FxRateOut(BaseModel):
    date: date
    currency: str
    rate: Amount = Field(description="units of the currency per 1 EUR")


class FxRatesLoaded(BaseModel):
    new: int = Field(description="(date, currency) rates stored for the first time")
    replaced: int = Field(description="stored rates given a different value (corrections, audited)")
    unchanged: int = Field(description="rates loaded again with the value already stored")
    ignored_currencies: list[str] = Field(description="columns the platform has no currency for")
    first_date: date | None
    last_date: date | None


class FxQuote(BaseModel):
    """How a figure in `from_currency` dated `on` converts to `to_currency`.

    `rate` is None when a rate is missing (no rate of either currency published within
    MAX_RATE_AGE_DAYS on or before `on`): the figure cannot be converted, and says so."""

    from_currency: str
    to_currency: str
    on: date
    rate: Amount | None = Field(description="units of to_currency per 1 from_currency, to 10 places (shown)")
    from_per_eur: Amount | None = Field(description="the source's rate used (1 for EUR)")
    to_per_eur: Amount | None = Field(description="the target's rate used (1 for EUR)")
    from_rate_date: date | None = Field(description="publication date of from_per_eur (None: EUR or same)")
    to_rate_date: date | None = Field(description="publication date of to_per_eur (None: EUR or same)")

    @property
    def missing(self) -> bool:
        return self.from_per_eur is None or self.to_per_eur is None


class FxQuotes(BaseModel):
    to_currency: str
    quotes: list[FxQuote]
    _index: dict[tuple[str, date], FxQuote] | None = PrivateAttr(default=None)

    def quote(self, from_currency: str, on: date) -> FxQuote | None:
        """The quote for (from_currency, on), if it was asked for (indexed on first use: a page
        converts thousands of figures)."""
        if self._index is None:
            self._index = {(q.from_currency, q.on): q for q in self.quotes}
        return self._index.get((from_currency, on))
