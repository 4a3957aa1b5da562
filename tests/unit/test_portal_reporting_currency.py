"""Consolidating into a reporting currency, as the pages do it (pure: quotes given)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from plotly.utils import PlotlyJSONEncoder

from portal.shared.reporting_currency import Conversion, DatedAmount, rates_note, total_line
from reports.interface import FxQuote

D = Decimal
DAY = date(2026, 9, 30)


def _quote(code: str, per_eur: str | None, on: date = DAY) -> FxQuote:
    rate = None if per_eur is None else (D(1) / D(per_eur)).quantize(D("0.0000000001"))
    return FxQuote(
        from_currency=code,
        to_currency="EUR",
        on=on,
        rate=rate,
        from_per_eur=None if per_eur is None else D(per_eur),
        to_per_eur=D(1),
        from_rate_date=on if per_eur else None,
        to_rate_date=None,
    )


def test_a_total_converts_each_part_at_its_own_dates_rate() -> None:
    """USD 1,000,000.00 at 1.0850 per EUR is EUR 921,658.99 (the business-logic worked
    example); the EUR part is taken as it is."""
    conv = Conversion("EUR", {("USD", DAY): _quote("USD", "1.0850")})
    total, missing = conv.total(
        [DatedAmount(D("1000000.00"), "USD", DAY), DatedAmount(D("500000.00"), "EUR", DAY)]
    )
    assert (total, missing) == (D("1421658.99"), [])
    assert total_line(total, "EUR", missing) == "€1,421,658.99"


def test_a_total_with_a_part_that_has_no_rate_is_missing_not_smaller() -> None:
    conv = Conversion("EUR", {("JPY", DAY): _quote("JPY", None)})
    parts = [DatedAmount(D("1000000"), "JPY", DAY), DatedAmount(D("10.00"), "EUR", DAY)]
    total, missing = conv.total(parts)
    assert total is None and [m.currency for m in missing] == ["JPY"]
    assert total_line(total, "EUR", missing) == "— (rate missing for JPY)"
    # Never asked for at all is missing too, not zero.
    assert Conversion("EUR").of(DatedAmount(D(5), "GBP", DAY)) is None


def test_the_rates_note_names_each_rate_used_and_each_gap() -> None:
    earlier = date(2026, 9, 29)
    conv = Conversion(
        "EUR",
        {
            ("USD", earlier): _quote("USD", "1.0800", earlier),
            ("USD", DAY): _quote("USD", "1.0850"),
            ("JPY", DAY): _quote("JPY", None),
        },
    )
    text = json.dumps(rates_note(conv, ident="n"), cls=PlotlyJSONEncoder)
    assert "1 USD = 0.921659 EUR (2026-09-30)" in text  # the latest date's rate, once
    assert "0.925926" not in text
    assert "No rate for JPY on 2026-09-30: those figures are not converted." in text
    assert rates_note(Conversion("EUR"), ident="n").children is None  # nothing converted, nothing said
