"""The request input types (ledger.schemas): amounts, dates and ids are read strictly, by one
rule each, whichever service's request carries them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from backend.platform.fields import DATE_MAX, DATE_MIN, ID_MAX, IsoDate, Money, RecordId, decimal_from_text
from backend.pools.interface import ExactDecimal
from reports.interface import BenchmarkCreate

MONEY = TypeAdapter(Money)
POOL_DECIMAL = TypeAdapter(ExactDecimal)
DATE = TypeAdapter(IsoDate)
ID = TypeAdapter(RecordId)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1000.00", "1000.00"), ("0", "0"), ("-5.5", "-5.5"), ("+7", "7"), ("007.10", "7.10")],
)
def test_plain_decimals_are_read_exactly(text: str, expected: str) -> None:
    assert decimal_from_text(text) == Decimal(expected)
    assert MONEY.validate_python(text) == Decimal(expected)
    assert POOL_DECIMAL.validate_python(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "١٠٠",
        "１００",
        "1E+2",
        "1e2",
        "1e-2",
        " 1",
        "1 ",
        "1.",
        ".5",
        "1_000",
        "1,000",
        "0x10",
        "NaN",
        "Infinity",
        "-",
        "+",
        "",
        "1.2.3",
        "--1",
        "1\n",
    ],
)
def test_anything_else_is_refused_by_money_and_pool_terms_alike(text: str) -> None:
    with pytest.raises(ValueError, match="plain decimal"):
        decimal_from_text(text)
    for adapter in (MONEY, POOL_DECIMAL):
        with pytest.raises(ValidationError, match="plain decimal"):
            adapter.validate_python(text)


def test_money_takes_integers_and_refuses_floats_and_booleans() -> None:
    assert MONEY.validate_json("100") == Decimal(100)
    # JSON Schema counts 100.0 as an integer, and so does the parser: it is exact.
    assert MONEY.validate_json("100.0") == Decimal(100) == MONEY.validate_json("1e2")
    for raw in ("100.5", "true", "1000000000000000", "0.1", '"1e2"'):
        with pytest.raises(ValidationError):
            MONEY.validate_json(raw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        (date(2025, 6, 30), date(2025, 6, 30)),
        ("1900-01-01", DATE_MIN),
        ("2200-12-31", DATE_MAX),
    ],
)
def test_iso_dates_in_range_are_read(value: Any, expected: date) -> None:
    assert DATE.validate_python(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2025-06-30T00:00:00",
        "2025-06-30 00:00",
        "20250630",
        "2025-W26-1",
        "2025-6-30",
        "0",
        0,
        1751241600,
        "٢٠٢٥-٠٦-٣٠",
        "2025-02-30",
        "1899-12-31",
        "2201-01-01",
        "9999-12-31",
        "0000-01-01",
        datetime(2025, 6, 30),
        " 2025-06-30",
    ],
)
def test_anything_but_an_iso_date_in_range_is_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        DATE.validate_python(value)
    if isinstance(value, str | int):
        with pytest.raises(ValidationError):
            DATE.validate_json(f'"{value}"' if isinstance(value, str) else str(value))


@pytest.mark.parametrize("value", [0, -1, ID_MAX + 1, 2**63, 10**23])
def test_ids_outside_the_int_columns_range_are_refused(value: int) -> None:
    with pytest.raises(ValidationError):
        ID.validate_python(value)
    assert ID.validate_python(ID_MAX) == ID_MAX


def test_a_benchmark_currency_must_be_one_the_platform_knows() -> None:
    assert BenchmarkCreate(name="x", currency="EUR").currency == "EUR"
    with pytest.raises(ValidationError) as err:
        BenchmarkCreate(name="x", currency="GFE")
    assert [e["loc"] for e in err.value.errors()] == [("currency",)]
