"""FX rates: the ECB's two CSV shapes, and the maths of converting a figure into a reporting
currency (docs/business-logic.md, "Reporting currency and FX rates")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from backend.finance.errors import InvalidValueError
from backend.finance.fx import convert_amount, cross_rate, rate_in_force, shown_cross_rate
from backend.platform.errors import ValidationFailed
from reports.fx import convert, rates_from_csv
from reports.schemas import FxQuote

SEP_30 = date(2026, 9, 30)

# -- the parser ------------------------------------------------------------------------------

HISTORY = (
    "Date,USD,JPY,BGN,CYP,GBP,\n"
    "2026-09-30,1.0850,160.12,1.9558,N/A,0.84200,\n"
    "2026-09-29,1.0841,159.80,1.9558,N/A,,\n"
)
"""eurofxref-hist.csv: ISO dates, newest first, N/A for a currency no longer quoted, a
trailing comma on every line, and an empty cell (no GBP that day)."""

DAY = "Date, USD, JPY, GBP, \n30 September 2026, 1.0850, 160.12, 0.84200, \n\n"
"""eurofxref.csv: the day's file, spaces after the commas and an English date."""


def test_the_history_file_reads_rates_per_date_and_currency() -> None:
    parsed = rates_from_csv(HISTORY)
    assert parsed.rates == {
        (SEP_30, "USD"): Decimal("1.0850"),
        (SEP_30, "JPY"): Decimal("160.12"),
        (SEP_30, "GBP"): Decimal("0.84200"),
        (date(2026, 9, 29), "USD"): Decimal("1.0841"),
        (date(2026, 9, 29), "JPY"): Decimal("159.80"),
    }
    # BGN and CYP are not platform currencies: left out, and said so.
    assert parsed.ignored_currencies == ["BGN", "CYP"]


def test_the_day_file_with_spaces_and_a_spelt_out_date_reads_the_same() -> None:
    parsed = rates_from_csv(DAY)
    assert parsed.rates == {
        (SEP_30, "USD"): Decimal("1.0850"),
        (SEP_30, "JPY"): Decimal("160.12"),
        (SEP_30, "GBP"): Decimal("0.84200"),
    }
    assert parsed.ignored_currencies == []


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_byte_order_mark_and_windows_line_ends_change_nothing(end: str) -> None:
    text = "\ufeff" + HISTORY.replace("\n", end)
    assert rates_from_csv(text).rates == rates_from_csv(HISTORY).rates


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Date,USD,\n2026-09-30,1.0850,\n2026-09-29,abc,\n",
            "csv: line 3: USD: 'abc' must be a plain decimal",
        ),
        ("Date,USD,GBP\n2026-09-30,1.0850,0\n", "csv: line 2: GBP: must be above 0, got 0"),
        ("Date,USD\n2026-09-30,-1.0850\n", "csv: line 2: USD: must be above 0"),
        ("Date,USD\n2026-09-30,1.0E+1\n", "csv: line 2: USD: '1.0E+1' must be a plain decimal"),
        ("Date,USD\n2026-09-30,1.123456789\n", "csv: line 2: USD: at most 8 decimal places"),
        ("Date,USD\n30/09/2026,1.0850\n", "csv: line 2: Date: '30/09/2026' is not a date"),
        ("Date,USD\n31 Septober 2026,1.0850\n", "csv: line 2: Date: '31 Septober 2026' is not a date"),
        ("Day,USD\n2026-09-30,1.0850\n", "csv: the header must start with the column Date"),
        ("Date,USD,USD\n2026-09-30,1.0850,1.0850\n", "csv: line 1: the column USD appears twice"),
        ("Date,USD\n2026-09-30,1.0850\n2026-09-30,1.0851\n", "csv: line 3: USD: 2026-09-30 is given twice"),
        ("", "csv: the header must start with the column Date"),
        ('Date,USD\n"2026-09-30,1.0850\n', "csv: line 2: Date: '2026-09-30,1.0850' is not a date"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_line_and_column(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rates_from_csv(text)
    assert refused.value.field == "csv"
    assert str(refused.value.detail).startswith(message), refused.value.detail


# -- the maths -------------------------------------------------------------------------------


def test_the_worked_example_usd_to_eur_and_to_gbp() -> None:
    """docs/business-logic.md, "Reporting currency and FX rates": on 2026-09-30 the ECB gives
    USD 1.0850 and GBP 0.8420 per euro; USD 1,000,000.00 is EUR 921,658.99 (1,000,000 / 1.0850
    = 921,658.986...) and GBP 776,036.87 (1,000,000 / 1.0850 x 0.8420 = 776,036.866...)."""
    usd, gbp, eur = Decimal("1.0850"), Decimal("0.8420"), Decimal(1)
    million = Decimal("1000000.00")
    assert convert_amount(million, usd, eur, "EUR") == Decimal("921658.99")
    assert convert_amount(million, usd, gbp, "GBP") == Decimal("776036.87")
    assert shown_cross_rate(usd, gbp) == Decimal("0.7760368664")
    # Back again: GBP 776,036.87 x 1.0850 / 0.8420 = USD 1,000,000.0002..., so 1,000,000.00
    # (each way rounds once, to its own cents; a round trip may differ by a cent in general).
    assert convert_amount(Decimal("776036.87"), gbp, usd, "USD") == Decimal("1000000.00")


def test_rounding_is_once_to_the_target_minor_unit_half_even() -> None:
    # JPY has no minor unit: 100 USD at 160.12 / 1.0850 = 14,757.60... yen, to 14,758.
    assert convert_amount(Decimal("100.00"), Decimal("1.0850"), Decimal("160.12"), "JPY") == Decimal("14758")
    # An exact half goes to the even neighbour: EUR 0.125 at 1 -> 0.12; 0.135 -> 0.14.
    assert convert_amount(Decimal("0.125"), Decimal(1), Decimal(1), "EUR") == Decimal("0.12")
    assert convert_amount(Decimal("0.135"), Decimal(1), Decimal(1), "EUR") == Decimal("0.14")
    # Negative figures (a loss, an outflow) convert symmetrically.
    assert convert_amount(Decimal("-1000000.00"), Decimal("1.0850"), Decimal(1), "EUR") == Decimal(
        "-921658.99"
    )


def test_a_cross_rate_is_the_exact_quotient_and_refuses_a_zero_rate() -> None:
    assert cross_rate(Decimal("1.0850"), Decimal("0.8420")) == Fraction(8420, 10850)
    with pytest.raises(InvalidValueError):
        cross_rate(Decimal(0), Decimal(1))


PUBLISHED = [(date(2026, 9, 24), Decimal("1.0800")), (date(2026, 9, 25), Decimal("1.0850"))]
"""A Thursday and a Friday."""


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 9, 25), (date(2026, 9, 25), Decimal("1.0850"))),  # published that day
        (date(2026, 9, 27), (date(2026, 9, 25), Decimal("1.0850"))),  # Sunday: Friday's
        (date(2026, 10, 2), (date(2026, 9, 25), Decimal("1.0850"))),  # 7 days old: still in force
        (date(2026, 10, 3), None),  # 8 days old: missing
        (date(2026, 9, 23), None),  # before anything was published
    ],
)
def test_the_rate_in_force_is_the_latest_within_seven_days(
    on: date, expected: tuple[date, Decimal] | None
) -> None:
    assert rate_in_force(PUBLISHED, on) == expected


def test_convert_with_a_missing_quote_is_none_never_zero() -> None:
    missing = FxQuote(
        from_currency="USD",
        to_currency="GBP",
        on=SEP_30,
        rate=None,
        from_per_eur=Decimal("1.0850"),
        to_per_eur=None,
        from_rate_date=SEP_30,
        to_rate_date=None,
    )
    assert missing.missing
    assert convert(Decimal("1000000.00"), missing) is None
    found = missing.model_copy(update={"to_per_eur": Decimal("0.8420"), "to_rate_date": SEP_30})
    assert convert(Decimal("1000000.00"), found) == Decimal("776036.87")
